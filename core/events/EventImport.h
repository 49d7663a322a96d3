// Importing recordings into event files (EventFile.h). The format is recognised from the file's
// content (magic bytes, header) and, failing that, its extension: HDF5 event files (validated,
// optionally sorted), text (`t x y p` per line, an optional `width height` first line;
// timestamps in µs, or in seconds when written with a decimal point), iniVation AEDAT4 and
// Prophesee EVT2/EVT3 RAW.
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
  bool sort = false; // repair out-of-order timestamps instead of refusing them
  SensorSize sensor; // overrides the recording's (or inference) when set
  uint64_t chunk = 1u << 20;
};

struct ImportResult {
  EventFormat format = EventFormat::Unknown;
  uint64_t events = 0;
  SensorSize sensor;
};

// Reads `in` and writes an event file (EventFile.h) at `out` atomically. Progress and cancellation via `job`.
ImportResult importEvents(const std::string& in, const std::string& out,
                          const ImportOptions& options = {}, Job* job = nullptr);

// Reads a whole recording of any supported format into memory.
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
SensorSize readTextEvents(const std::string& path, const EventSink& sink, uint64_t batch, Job* job);
SensorSize readAedat4Events(const std::string& path, const EventSink& sink, Job* job);
SensorSize readPropheseeEvents(const std::string& path, const EventSink& sink, Job* job);

} // namespace lumen
