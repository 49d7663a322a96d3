#include "events/EventImport.h"

#include "common/Error.h"
#include "common/Job.h"
#include "common/Text.h"
#include "events/EventFile.h"

#include <algorithm>
#include <cctype>
#include <fstream>

namespace lumen {
namespace {

bool endsWith(std::string text, const std::string& suffix) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

constexpr uint64_t kMemoryGuard = 200'000'000;

} // namespace

const char* eventFormatName(EventFormat format) {
  switch (format) {
  case EventFormat::Hdf5:
    return "HDF5";
  case EventFormat::Text:
    return "text";
  case EventFormat::Aedat4:
    return "AEDAT4";
  case EventFormat::Evt2:
    return "EVT2";
  case EventFormat::Evt3:
    return "EVT3";
  case EventFormat::Unknown:
    break;
  }
  return "unknown";
}

std::ifstream openRecording(const std::string& path, uint64_t& size) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw IoError(path + ": cannot open");
  in.seekg(0, std::ios::end);
  size = uint64_t(in.tellg());
  in.seekg(0);
  return in;
}

LineReader::LineReader(std::istream& in, std::string context, size_t maxChars)
    : in_(in), context_(std::move(context)), buffer_(maxChars + 1) {}

std::optional<std::string_view> LineReader::next() {
  in_.getline(buffer_.data(), std::streamsize(buffer_.size()));
  const auto extracted = size_t(in_.gcount()); // the '\n' included when there was one
  if (in_.bad())
    throw IoError(context_ + ": read error after line " + std::to_string(lineNumber_));
  if (in_.fail()) {
    if (extracted == 0 && in_.eof())
      return std::nullopt;
    // getline stores at most maxChars characters and fails when the line goes on.
    throw InputError(context_ + ":" + std::to_string(lineNumber_ + 1) +
                     ": the line is longer than " + std::to_string(buffer_.size() - 1) +
                     " characters");
  }
  ++lineNumber_;
  const size_t length = in_.eof() ? extracted : extracted - 1;
  return std::string_view(buffer_.data(), length);
}

std::string describeCounts(const ImportCounts& c) {
  std::vector<std::string> skipped;
  const auto add = [&skipped](uint64_t n, const char* one, const char* many) {
    if (n)
      skipped.push_back(std::to_string(n) + " " + (n == 1 ? one : many));
  };
  add(c.framePackets, "frame packet", "frame packets");
  add(c.imuPackets, "IMU packet", "IMU packets");
  add(c.triggerPackets, "trigger packet", "trigger packets");
  add(c.otherPackets, "packet of another stream", "packets of other streams");
  add(c.imuWords, "IMU word", "IMU words");
  add(c.othersWords, "OTHERS/CONTINUED word", "OTHERS/CONTINUED words");
  add(c.reservedWords, "word of a type without CD events", "words of types without CD events");
  add(c.wordsBeforeTime, "word before the first TIME_HIGH", "words before the first TIME_HIGH");
  add(c.outsideSensor, "event outside the sensor", "events outside the sensor");
  add(c.unplacedEvents, "event before any row or vector base",
      "events before any row or vector base");
  std::vector<std::string> parts;
  if (!skipped.empty())
    parts.push_back("skipped " + joinLimited(skipped, skipped.size()));
  if (const uint64_t n = c.clampedTimestamps)
    parts.push_back("kept order over " + std::to_string(n) +
                    (n == 1 ? " timestamp that stepped back" : " timestamps that stepped back") +
                    ", raised to the previous one");
  if (const uint64_t n = c.triggers)
    parts.push_back("wrote " + std::to_string(n) + (n == 1 ? " trigger" : " triggers") +
                    " to /triggers");
  return joinLimited(parts, parts.size(), "; ");
}

EventFormat detectEventFormat(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw IoError(path + ": cannot open");
  // The header lines that name the RAW encoding come first; 4 KiB holds any real header's.
  char head[4096] = {};
  in.read(head, sizeof head);
  const std::string start(head, size_t(in.gcount()));
  if (start.rfind("\x89HDF\r\n\x1a\n", 0) == 0)
    return EventFormat::Hdf5;
  if (start.rfind("#!AER-DAT4.0", 0) == 0)
    return EventFormat::Aedat4;
  if (start.rfind("% ", 0) == 0) { // Prophesee RAW header lines
    if (start.find("format EVT3") != std::string::npos ||
        start.find("evt 3.0") != std::string::npos)
      return EventFormat::Evt3;
    if (start.find("format EVT2") != std::string::npos ||
        start.find("evt 2.0") != std::string::npos)
      return EventFormat::Evt2;
  }
  if (endsWith(path, ".h5") || endsWith(path, ".hdf5"))
    return EventFormat::Hdf5;
  if (endsWith(path, ".aedat4"))
    return EventFormat::Aedat4;
  if (endsWith(path, ".raw") && start.rfind("%", 0) == 0)
    return start.find("EVT2") != std::string::npos ? EventFormat::Evt2 : EventFormat::Evt3;
  if (endsWith(path, ".txt") || endsWith(path, ".csv"))
    return EventFormat::Text;
  // Printable text whose first data line has four numbers is a text recording.
  const bool printable = std::all_of(start.begin(), start.end(), [](unsigned char c) {
    return std::isprint(c) || std::isspace(c);
  });
  return printable && !start.empty() ? EventFormat::Text : EventFormat::Unknown;
}

namespace {

std::string sizeText(SensorSize s) {
  return std::to_string(s.width) + "x" + std::to_string(s.height);
}

// --sensor supplies a size a recording lacks; it never replaces one the recording states.
void applySensorOption(RecordingInfo& info, SensorSize option, const std::string& path) {
  if (!option.valid())
    return;
  if (info.sensorGiven &&
      (info.sensor.width != option.width || info.sensor.height != option.height))
    throw InputError(path + ": --sensor " + sizeText(option) + " contradicts the " +
                     sizeText(info.sensor) + " sensor of " + info.sensorSource +
                     "; --sensor only supplies the size of a recording that gives none");
  if (!info.sensorGiven) {
    info.sensor = option;
    info.sensorSource = "--sensor";
  }
}

} // namespace

Recording readRecording(const std::string& path, const ImportOptions& options, Job* job) {
  const EventFormat format = detectEventFormat(path);
  Recording recording;
  EventArray& events = recording.events;
  RecordingInfo& info = recording.info;
  auto collect = [&](EventArray&& batch) {
    if (events.size() + batch.size() > kMemoryGuard)
      throw InputError(path + " holds more than " + std::to_string(kMemoryGuard) +
                       " events, above the in-memory limit");
    events.append(batch);
  };
  switch (format) {
  case EventFormat::Hdf5: {
    EventFileReader reader(path);
    if (reader.size() > kMemoryGuard)
      throw InputError(path + " holds " + std::to_string(reader.size()) +
                       " events, above the in-memory limit of " + std::to_string(kMemoryGuard));
    // With --sort the order check is skipped here and the events are sorted below.
    events = reader.read(0, reader.size(), !options.sort);
    info.format = EventFormat::Hdf5;
    info.sensor = reader.sensor();
    info.sensorGiven = reader.sensorFromAttribute();
    info.sensorSource = info.sensorGiven ? "the file's sensor_resolution attribute"
                                         : "the largest coordinates of the events";
    info.triggers = reader.readTriggers(kMemoryGuard);
    info.counts.triggers = info.triggers.size();
    break;
  }
  case EventFormat::Text:
    info = readTextEvents(path, collect, options.chunk, job);
    break;
  case EventFormat::Aedat4:
    info = readAedat4Events(path, collect, job);
    break;
  case EventFormat::Evt2:
  case EventFormat::Evt3:
    // The RAW reader places events on the sensor as it decodes, so it settles --sensor itself.
    info = readPropheseeEvents(path, options, collect, job);
    break;
  case EventFormat::Unknown:
    throw InputError(path + ": not a recognised event recording (expected HDF5, AEDAT4, EVT2/EVT3 "
                            "RAW or text 't x y p' lines)");
  }
  applySensorOption(info, options.sensor, path);
  events.sensor = info.sensor;
  if (options.sort)
    events.sortByTime();
  else if (!std::is_sorted(events.t.begin(), events.t.end())) {
    const auto bad = std::is_sorted_until(events.t.begin(), events.t.end()) - events.t.begin();
    throw InputError(path + ": timestamps decrease at event " + std::to_string(bad) +
                     "; import with --sort to repair");
  }
  for (size_t i = 0; i < events.size(); ++i)
    if (events.x[i] >= events.sensor.width || events.y[i] >= events.sensor.height)
      throw InputError(path + ": event " + std::to_string(i) + " lies outside the " +
                       std::to_string(events.sensor.width) + "x" +
                       std::to_string(events.sensor.height) + " sensor of " + info.sensorSource);
  return recording;
}

EventArray loadRecording(const std::string& path, const ImportOptions& options, Job* job) {
  return readRecording(path, options, job).events;
}

ImportResult importEvents(const std::string& in, const std::string& out,
                          const ImportOptions& options, Job* job) {
  ImportResult result;
  const Recording recording = readRecording(in, options, job);
  const EventArray& events = recording.events;
  result.format = recording.info.format;
  if (job) {
    job->checkCancelled();
    job->setProgress(0.9, "writing " + out);
  }
  EventFileWriter writer(out, events.sensor, events.hasLabels());
  writer.setAttribute("source", in);
  writer.setAttribute("source_format", eventFormatName(result.format));
  writer.setAttribute("sensor_source", recording.info.sensorSource);
  writer.append(events);
  writer.writeTriggers(recording.info.triggers);
  writer.commit();
  result.events = events.size();
  result.sensor = events.sensor;
  result.sensorSource = recording.info.sensorSource;
  result.counts = recording.info.counts;
  return result;
}

} // namespace lumen
