// A stream of events from an event camera, as structure-of-arrays (the layout encoders and
// HDF5 want): timestamp in microseconds, pixel column x and row y, polarity +1 (brighter) or -1.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace lumen {

// Coordinates are uint16: a sensor is at most 65535 pixels on a side, so x and y stay below it.
// Every reader bounds what a file claims by these.
constexpr int kMaxSensorSide = 65535;
constexpr int kMaxCoordinate = kMaxSensorSide - 1;

struct SensorSize {
  int width = 0;
  int height = 0;
  bool valid() const { return width > 0 && height > 0; }
  bool withinLimits() const { return width <= kMaxSensorSide && height <= kMaxSensorSide; }
};

struct EventArray {
  std::vector<int64_t> t; // microseconds, non-decreasing
  std::vector<uint16_t> x, y;
  std::vector<int8_t> p; // -1 or +1
  // Optional per-event label (1 signal, 0 noise) for synthetic, labelled data.
  std::vector<uint8_t> label;
  SensorSize sensor;

  size_t size() const { return t.size(); }
  bool empty() const { return t.empty(); }
  bool hasLabels() const { return !label.empty(); }
  void reserve(size_t n);
  void push(int64_t time, int px, int py, int polarity);
  void push(int64_t time, int px, int py, int polarity, uint8_t isSignal);
  // Events [begin, end) as a new array with the same sensor.
  EventArray slice(size_t begin, size_t end) const;
  // The events whose entry in `keep` (one per event) is nonzero, labels included, in order.
  EventArray select(const std::vector<uint8_t>& keep) const;
  void append(const EventArray& other);
  // Stable sort by timestamp (repairs files whose timestamps go backwards).
  void sortByTime();
  // Index of the first event with t >= time (binary search).
  size_t lowerBound(int64_t time) const;
};

// External trigger edges a recording carries beside its events (Prophesee EXT_TRIGGER words):
// the time on the events' clock, the trigger channel and the edge (1 rising, 0 falling).
struct TriggerArray {
  std::vector<int64_t> t; // microseconds
  std::vector<uint8_t> id, value;

  size_t size() const { return t.size(); }
  bool empty() const { return t.empty(); }
  void push(int64_t time, int channel, int edge);
};

struct EventStats {
  uint64_t numEvents = 0;
  SensorSize sensor;
  int64_t tFirst = 0, tLast = 0;
  uint64_t numPositive = 0, numNegative = 0;
  double durationSeconds() const;
  double eventsPerSecond() const;
};

EventStats computeStats(const EventArray& events);
// Accumulates stats over chunks of a stream read window by window.
void accumulateStats(EventStats& stats, const EventArray& chunk);

} // namespace lumen
