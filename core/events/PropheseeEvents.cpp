// Prophesee RAW recordings (EVT 2.0 and EVT 3.0). A text header of "% key value" lines ending
// with "% end" gives the format and the sensor geometry; binary words follow.
//  EVT 2.0, 32-bit words, type in bits 31-28: 0x0/0x1 CD OFF/ON events with the 6 low
//    timestamp bits (27-22), x (21-11) and y (10-0); 0x8 EV_TIME_HIGH with the 28 high bits.
//  EVT 3.0, 16-bit words, type in bits 15-12: 0x0 ADDR_Y (y), 0x2 ADDR_X (one event: polarity
//    bit 11, x), 0x3 VECT_BASE_X (polarity, base x), 0x4 VECT_12 / 0x5 VECT_8 (a bit mask of
//    events from base x, which then advances), 0x6 TIME_LOW and 0x8 TIME_HIGH (12 bits each of a
//    24-bit time that wraps every 16.8 s and is unwrapped here).
// Trigger and other word types are skipped.
#include "common/Error.h"
#include "common/Job.h"
#include "common/Text.h"
#include "events/EventImport.h"

#include <charconv>
#include <fstream>

namespace lumen {
namespace {

struct RawHeader {
  int version = 0;
  SensorSize sensor;
};

// Real headers are a few hundred bytes; the header of a hostile file must still end somewhere.
constexpr uint64_t kMaxHeaderBytes = uint64_t(1) << 20;

// The run of digits `text` starts with (maybe empty).
std::string_view leadingDigits(std::string_view text) {
  size_t n = 0;
  while (n < text.size() && text[n] >= '0' && text[n] <= '9')
    ++n;
  return text.substr(0, n);
}

// The digits that follow `key` somewhere in the line: after at least one space when `spaced`,
// then after `literal` ("format EVT3": key "format", literal "EVT"). Empty when nowhere.
std::string_view digitsAfter(std::string_view line, std::string_view key, bool spaced,
                             std::string_view literal = "") {
  for (size_t at = line.find(key); at != std::string_view::npos; at = line.find(key, at + 1)) {
    size_t p = at + key.size();
    const size_t spacesStart = p;
    while (p < line.size() && (line[p] == ' ' || line[p] == '\t'))
      ++p;
    if ((spaced && p == spacesStart) || line.compare(p, literal.size(), literal) != 0)
      continue;
    const std::string_view digits = leadingDigits(line.substr(p + literal.size()));
    if (!digits.empty())
      return digits;
  }
  return {};
}

// The text after `part`, which lies inside `line`.
std::string_view after(std::string_view line, std::string_view part) {
  return line.substr(size_t(part.data() - line.data()) + part.size());
}

// "format EVT3" or "evt 3.0": 2 or 3; 0 when the line names no format.
int versionOf(std::string_view line) {
  if (const auto format = digitsAfter(line, "format", true, "EVT"); !format.empty())
    return format.front() - '0';
  const auto evt = digitsAfter(line, "evt", true);
  if (evt.size() == 1 && after(line, evt).rfind(".0", 0) == 0)
    return evt.front() - '0';
  return 0;
}

int sensorSide(std::string_view digits, const char* what, const std::string& path) {
  int value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || value > kMaxSensorSide)
    throw InputError(path + ": RAW header: " + what + " " + truncateText(std::string(digits), 40) +
                     " is not a sensor size (sides are at most " + std::to_string(kMaxSensorSide) +
                     ")");
  return value;
}

// "% key value" lines up to "% end": the format ("format EVT3", "evt 3.0") and the geometry
// ("geometry 640x480", or "width=1280" and "height=720" inside the format line).
RawHeader readRawHeader(std::ifstream& in, const std::string& path) {
  RawHeader header;
  LineReader lines(in, path + ": RAW header");
  uint64_t headerBytes = 0;
  while (in.peek() == '%') {
    const auto next = lines.next();
    if (!next)
      break;
    const std::string_view line = *next;
    headerBytes += line.size() + 1;
    if (headerBytes > kMaxHeaderBytes)
      throw InputError(path + ": the RAW header is longer than " +
                       std::to_string(kMaxHeaderBytes >> 20) + " MiB (no '% end' line?)");
    if (line.rfind("% end", 0) == 0)
      break;
    if (const int version = versionOf(line))
      header.version = version;
    if (const auto width = digitsAfter(line, "geometry", true); !width.empty()) {
      const std::string_view rest = after(line, width);
      const std::string_view height = rest.empty() ? rest : leadingDigits(rest.substr(1));
      if (!rest.empty() && rest[0] == 'x' && !height.empty())
        header.sensor = {sensorSide(width, "geometry width", path),
                         sensorSide(height, "geometry height", path)};
    }
    if (const auto width = digitsAfter(line, "width=", false); !width.empty())
      header.sensor.width = sensorSide(width, "width", path);
    if (const auto height = digitsAfter(line, "height=", false); !height.empty())
      header.sensor.height = sensorSide(height, "height", path);
  }
  if (header.version != 2 && header.version != 3)
    throw InputError(path + ": the RAW header names no EVT 2.0 or EVT 3.0 format");
  if (!header.sensor.valid())
    throw InputError(path + ": the RAW header gives no valid sensor geometry");
  return header;
}

class Batcher {
public:
  Batcher(const std::string& path, SensorSize sensor, const EventSink& sink, Job* job,
          uint64_t fileSize)
      : path_(path), sensor_(sensor), sink_(sink), job_(job), fileSize_(fileSize) {
    events_.sensor = sensor;
  }
  void push(int64_t t, int x, int y, int p, uint64_t word) {
    if (x >= sensor_.width || y >= sensor_.height)
      throw InputError(path_ + ": word " + std::to_string(word) + ": event at (" +
                       std::to_string(x) + ", " + std::to_string(y) + ") lies outside the " +
                       std::to_string(sensor_.width) + "x" + std::to_string(sensor_.height) +
                       " sensor");
    if (t < lastTime_)
      t = lastTime_; // RAW streams may step back by a few µs between word groups; keep order
    lastTime_ = t;
    events_.push(t, x, y, p);
    if (events_.size() >= (1u << 20))
      flush(word);
  }
  void flush(uint64_t word) {
    if (job_) {
      job_->checkCancelled();
      job_->setProgress(double(word) / double(std::max<uint64_t>(1, fileSize_)),
                        "reading " + path_);
    }
    if (!events_.empty())
      sink_(std::move(events_));
    events_ = EventArray();
    events_.sensor = sensor_;
  }

private:
  const std::string& path_;
  SensorSize sensor_;
  const EventSink& sink_;
  Job* job_;
  uint64_t fileSize_;
  EventArray events_;
  int64_t lastTime_ = INT64_MIN;
};

void readEvt2(std::ifstream& in, const std::string& path, const RawHeader& header,
              const EventSink& sink, Job* job, uint64_t fileSize) {
  Batcher batch(path, header.sensor, sink, job, fileSize / 4);
  int64_t high = -1;
  uint32_t word = 0;
  uint64_t index = 0;
  while (in.read(reinterpret_cast<char*>(&word), 4)) {
    const uint32_t type = word >> 28;
    if (type == 0x8) {
      high = int64_t(word & 0x0FFFFFFF);
    } else if (type == 0x0 || type == 0x1) {
      if (high < 0)
        throw InputError(path + ": word " + std::to_string(index) +
                         ": an event comes before any EV_TIME_HIGH word (corrupt EVT 2.0 data)");
      const int64_t t = (high << 6) | int64_t((word >> 22) & 0x3F);
      batch.push(t, int((word >> 11) & 0x7FF), int(word & 0x7FF), type == 0x1 ? 1 : -1, index);
    }
    ++index;
  }
  if (in.gcount() != 0)
    throw InputError(path + ": truncated EVT 2.0 data (a partial 32-bit word at the end)");
  batch.flush(index);
}

void readEvt3(std::ifstream& in, const std::string& path, const RawHeader& header,
              const EventSink& sink, Job* job, uint64_t fileSize) {
  Batcher batch(path, header.sensor, sink, job, fileSize / 2);
  int64_t low = 0, high = -1, wraps = 0;
  int y = -1, baseX = 0, polarity = 1;
  uint16_t word = 0;
  uint64_t index = 0;
  auto time = [&] { return ((wraps << 24) | (high << 12) | low); };
  auto requireState = [&] {
    if (high < 0 || y < 0)
      throw InputError(path + ": word " + std::to_string(index) +
                       ": an event comes before its time or row (corrupt EVT 3.0 data)");
  };
  while (in.read(reinterpret_cast<char*>(&word), 2)) {
    const int type = word >> 12;
    const int payload = word & 0x0FFF;
    switch (type) {
    case 0x0: // ADDR_Y
      y = payload & 0x7FF;
      break;
    case 0x2: // ADDR_X
      requireState();
      batch.push(time(), payload & 0x7FF, y, (payload >> 11) ? 1 : -1, index);
      break;
    case 0x3: // VECT_BASE_X
      polarity = (payload >> 11) ? 1 : -1;
      baseX = payload & 0x7FF;
      break;
    case 0x4:   // VECT_12
    case 0x5: { // VECT_8
      requireState();
      const int bits = type == 0x4 ? 12 : 8;
      for (int b = 0; b < bits; ++b)
        if (payload & (1 << b))
          batch.push(time(), baseX + b, y, polarity, index);
      baseX += bits;
      break;
    }
    case 0x6: // TIME_LOW
      low = payload;
      break;
    case 0x8: // TIME_HIGH
      if (high >= 0 && payload < high)
        ++wraps; // the 24-bit time wrapped
      high = payload;
      break;
    default: // triggers, continued words, others
      break;
    }
    ++index;
  }
  if (in.gcount() != 0)
    throw InputError(path + ": truncated EVT 3.0 data (a partial 16-bit word at the end)");
  batch.flush(index);
}

} // namespace

SensorSize readPropheseeEvents(const std::string& path, const EventSink& sink, Job* job) {
  uint64_t fileSize = 0;
  std::ifstream in = openRecording(path, fileSize);
  const RawHeader header = readRawHeader(in, path);
  if (header.version == 2)
    readEvt2(in, path, header, sink, job, fileSize);
  else
    readEvt3(in, path, header, sink, job, fileSize);
  return header.sensor;
}

} // namespace lumen
