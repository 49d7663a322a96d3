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
#include "events/EventImport.h"

#include <cstring>
#include <fstream>
#include <regex>

namespace lumen {
namespace {

struct RawHeader {
  int version = 0;
  SensorSize sensor;
  std::streamoff dataStart = 0;
};

RawHeader readRawHeader(std::ifstream& in, const std::string& path) {
  RawHeader header;
  std::string line;
  while (in.peek() == '%') {
    std::getline(in, line);
    if (line.rfind("% end", 0) == 0)
      break;
    std::smatch m;
    static const std::regex format(R"(format\s+EVT(\d))");
    static const std::regex evt(R"(evt\s+(\d)\.0)");
    static const std::regex geometry(R"(geometry\s+(\d+)x(\d+))");
    static const std::regex width(R"(width=(\d+))"), height(R"(height=(\d+))");
    if (std::regex_search(line, m, format) || std::regex_search(line, m, evt))
      header.version = std::stoi(m[1].str());
    if (std::regex_search(line, m, geometry))
      header.sensor = {std::stoi(m[1].str()), std::stoi(m[2].str())};
    if (std::regex_search(line, m, width))
      header.sensor.width = std::stoi(m[1].str());
    if (std::regex_search(line, m, height))
      header.sensor.height = std::stoi(m[1].str());
  }
  header.dataStart = in.tellg();
  if (header.version != 2 && header.version != 3)
    throw InputError(path + ": the RAW header names no EVT 2.0 or EVT 3.0 format");
  if (!header.sensor.valid() || header.sensor.width > 65535 || header.sensor.height > 65535)
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
