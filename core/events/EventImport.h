// Importing recordings into event files (EventFile.h). The format is recognised from the file's
// content (magic bytes, header) and, failing that, its extension: HDF5 event files (Lumen's or
// event_utils' layout; validated, optionally sorted), text (`t x y p` per line, an optional
// `width height` first line; timestamps in µs, or in seconds when written with a decimal
// point), iniVation AEDAT4 and Prophesee EVT2/EVT3 RAW (whose reader reads the header again
// and decides the encoding). The sensor size is the recording's own; --sensor only fills in a
// size a recording lacks. Triggers travel to /triggers; everything else a recording holds
// besides its events is counted (ImportCounts) so the import can say what it skipped.
#pragma once
#include "events/EventArray.h"

#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lumen {

class Job;

enum class EventFormat { Hdf5, Text, Aedat4, Evt2, Evt3, Unknown };

const char* eventFormatName(EventFormat format);
EventFormat detectEventFormat(const std::string& path);

struct ImportOptions {
  // Repair out-of-order timestamps by sorting instead of refusing them; RAW readers then keep a
  // timestamp that steps back as recorded instead of raising it to the one before.
  bool sort = false;
  // The sensor size for a recording that gives none (`--sensor WIDTHxHEIGHT`). A recording that
  // states its size is never overridden: a different size here is refused.
  SensorSize sensor;
  uint64_t chunk = 1u << 20;
};

// What a recording held besides the events that were imported, so an import can say what it
// skipped. The RAW counts are words of the EVT stream; the AEDAT4 counts are packets.
struct ImportCounts {
  uint64_t triggers = 0;          // trigger edges, written to /triggers
  uint64_t clampedTimestamps = 0; // RAW events whose time stepped back, raised to the previous one
  uint64_t outsideSensor = 0;  // RAW events outside the sensor the header gives (OpenEB drops them)
  uint64_t unplacedEvents = 0; // EVT 3.0 events before any row or vector base (OpenEB drops them)
  uint64_t wordsBeforeTime = 0; // RAW words before the first TIME_HIGH, which have no time
  uint64_t othersWords = 0;     // RAW OTHERS words (monitoring) and CONTINUED words
  uint64_t imuWords = 0;        // RAW IMU words
  uint64_t reservedWords = 0;   // RAW words of types the decoders do not produce events from
  uint64_t framePackets = 0, imuPackets = 0, triggerPackets = 0, otherPackets = 0; // AEDAT4
};

// "skipped 12 frame packets, 340 IMU packets; wrote 5 triggers to /triggers", empty when there is
// nothing to say.
std::string describeCounts(const ImportCounts& counts);

struct ImportResult {
  EventFormat format = EventFormat::Unknown;
  uint64_t events = 0;
  SensorSize sensor;
  std::string sensorSource; // where the size came from ("the RAW header's geometry line", ...)
  ImportCounts counts;
};

// Reads `in` and writes an event file (EventFile.h) at `out` atomically, triggers included.
// Progress and cancellation via `job`.
ImportResult importEvents(const std::string& in, const std::string& out,
                          const ImportOptions& options = {}, Job* job = nullptr);

// What a reader learnt about a recording besides its events.
struct RecordingInfo {
  EventFormat format = EventFormat::Unknown;
  SensorSize sensor;
  bool sensorGiven = false; // stated by the file (a header, an attribute), not inferred
  std::string sensorSource;
  ImportCounts counts;
  TriggerArray triggers;
};

struct Recording {
  EventArray events;
  RecordingInfo info;
};

// Reads a whole recording of any supported format into memory, with its triggers.
Recording readRecording(const std::string& path, const ImportOptions& options = {},
                        Job* job = nullptr);
// The events of readRecording.
EventArray loadRecording(const std::string& path, const ImportOptions& options = {},
                         Job* job = nullptr);

// Opens a recording for binary reading and reports its size; throws IoError when it cannot.
std::ifstream openRecording(const std::string& path, uint64_t& size);

// Reads text recordings and headers line by line without letting a line grow past `maxChars`
// (a binary file or a hostile one can hold gigabytes without a newline).
class LineReader {
public:
  // Longer lines than any real recording or header has.
  static constexpr size_t kMaxLineChars = 1 << 16;

  // `context` starts the error for a line that is too long ("FILE", "FILE: RAW header").
  LineReader(std::istream& in, std::string context, size_t maxChars = kMaxLineChars);
  // The next line without its '\n', valid until the next call; nothing at the end of the input.
  std::optional<std::string_view> next();
  // The number of the line next() returned last, from 1.
  uint64_t lineNumber() const { return lineNumber_; }

private:
  std::istream& in_;
  std::string context_;
  std::vector<char> buffer_;
  uint64_t lineNumber_ = 0;
};

// Individual readers, each calling `sink` with consecutive batches of events in file order.
using EventSink = std::function<void(EventArray&& batch)>;
RecordingInfo readTextEvents(const std::string& path, const EventSink& sink, uint64_t batch,
                             Job* job);
RecordingInfo readAedat4Events(const std::string& path, const EventSink& sink, Job* job);
// `options.sensor` supplies the size a header lacks; `options.sort` keeps backward steps.
RecordingInfo readPropheseeEvents(const std::string& path, const ImportOptions& options,
                                  const EventSink& sink, Job* job);

} // namespace lumen
