// Event files: HDF5 with /events/t (µs), /events/x, /events/y (or /events/Y),
// /events/p and optionally /events/label. Any integer width for x/y; int64, uint64 or float64
// t; p as bool, {0,1} or {-1,1}. event_utils' layout is read too: /events/ts (float64 seconds,
// rounded to the nearest µs), /events/xs, /events/ys, /events/ps. The sensor size comes from a
// `sensor_resolution` attribute (height, width; event_utils may add a third value, the channels
// of its frames) on the file or on /events, or is inferred from the largest coordinates.
// Trigger edges imported from a recording lie in /triggers/{t,id,value}.
// Reading is by index ranges or time windows (binary search on t in the file), so files larger
// than memory are processed window by window. Every chunk read is validated: finite times,
// coordinates inside the sensor, known polarity values, non-decreasing t.
#pragma once
#include "events/EventArray.h"
#include "io/Hdf5File.h"

#include <memory>
#include <string>

namespace lumen {

class Job;

class EventFileReader {
public:
  explicit EventFileReader(const std::string& path);

  const std::string& path() const { return file_.path(); }
  uint64_t size() const { return size_; }
  SensorSize sensor() const { return sensor_; }
  bool sensorFromAttribute() const { return sensorFromAttribute_; }
  bool hasLabels() const { return hasLabels_; }

  // Events [begin, begin + count), validated. Throws InputError naming the file, dataset and the
  // first bad index.
  // checkOrder = false skips the time-order check (for repairing files with --sort).
  EventArray read(uint64_t begin, uint64_t count, bool checkOrder = true) const;
  // All events; refuses files above `maxEvents` (the memory guard), suggesting windowed tools.
  EventArray readAll(uint64_t maxEvents = 200'000'000) const;
  // /triggers/{t,id,value}, validated; empty when the file has none.
  TriggerArray readTriggers(uint64_t maxTriggers = 200'000'000) const;
  // Whether the file has event_utils' layout (/events/ts in seconds, xs, ys, ps).
  bool eventUtilsLayout() const { return eventUtils_; }
  int64_t timeAt(uint64_t index) const;
  // Index of the first event with t >= time, by binary search in the file.
  uint64_t lowerBound(int64_t time) const;
  // Events with t0 <= t < t1.
  EventArray readTimeRange(int64_t t0, int64_t t1) const;
  // Reads the whole file chunk by chunk and validates it (progress and cancel through `job`).
  EventStats scan(Job* job = nullptr, uint64_t chunk = 4'000'000) const;

private:
  std::vector<int64_t> readTimes(uint64_t begin, uint64_t count) const;
  SensorSize inferSensor() const;
  std::string outsideHint(int64_t x, int64_t y) const;

  Hdf5File file_;
  bool eventUtils_ = false;
  std::string tName_ = "/events/t", xName_ = "/events/x", yName_ = "/events/y",
              pName_ = "/events/p";
  uint64_t size_ = 0;
  SensorSize sensor_;
  bool sensorFromAttribute_ = false;
  bool timesAreFloat_ = false;
  bool narrowCoordinates_ = false; // x and y are unsigned integers of at most 16 bits
  bool hasLabels_ = false;
};

// Writes an event file chunk by chunk into a temporary file that commit() renames into place;
// a writer destroyed without commit() (an error, a cancelled job) leaves no file behind.
class EventFileWriter {
public:
  EventFileWriter(const std::string& path, SensorSize sensor, bool withLabels = false);
  ~EventFileWriter();
  EventFileWriter(const EventFileWriter&) = delete;
  EventFileWriter& operator=(const EventFileWriter&) = delete;

  void append(const EventArray& events);
  // Extra string attributes on /events (e.g. "source" = the imported recording).
  void setAttribute(const std::string& name, const std::string& value);
  // A float dataset beside the events (e.g. /input_scores/score: a filter's score for every
  // input event, which ROC AUC needs).
  void addDataset(const std::string& name, const std::vector<float>& values);
  // /triggers/t (µs), /triggers/id (channel) and /triggers/value (1 rising, 0 falling edge),
  // chunked and compressed, committed with the events. Nothing when there are none.
  void writeTriggers(const TriggerArray& triggers);
  void commit();
  uint64_t written() const { return written_; }

private:
  std::string path_, tempPath_;
  std::unique_ptr<Hdf5File> file_;
  SensorSize sensor_;
  bool withLabels_;
  uint64_t written_ = 0;
  int64_t lastTime_ = INT64_MIN;
  bool committed_ = false;
};

// Writes a whole array at once (atomically).
void writeEventFile(const std::string& path, const EventArray& events);
EventArray readEventFile(const std::string& path);

} // namespace lumen
