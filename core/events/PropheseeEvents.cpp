// Prophesee RAW recordings: the text header (PropheseeHeader.h), then little-endian binary words
// whose 4 most significant bits give the word's type.
//  EVT 2.0, 32-bit words:
//    0x0 CD_OFF, 0x1 CD_ON: time bits 5-0 in 27-22, x in 21-11, y in 10-0
//    0x8 EV_TIME_HIGH: time bits 33-6 in 27-0 (the 34-bit time wraps every 4.8 hours)
//    0xA EXT_TRIGGER: time bits 5-0 in 27-22, channel id in 12-8, edge value in bit 0
//    0xD IMU (its data in 5 CONTINUED words), 0xE OTHERS, 0xF CONTINUED: no events
//  EVT 3.0, 16-bit words of a stateful stream:
//    0x0 EVT_ADDR_Y: the row, y in 10-0 (bit 11 says master or slave camera)
//    0x2 EVT_ADDR_X: one event on that row, polarity in bit 11, x in 10-0
//    0x3 VECT_BASE_X: polarity in bit 11 and base x in 10-0 for the vectors that follow
//    0x4 VECT_12, 0x5 VECT_8: bit i set is an event at base x + i; base x then advances by 12 / 8
//    0x6 EVT_TIME_LOW, 0x8 EVT_TIME_HIGH: bits 11-0 and 23-12 of a 24-bit time (wraps every
//        16.8 s)
//    0xA EXT_TRIGGER: channel id in 11-8, edge value in bit 0
//    0xE OTHERS (monitoring) with its CONTINUED_12 (0xF) / CONTINUED_4 (0x7) data: no events
// Decoding follows OpenEB's decoders, so a real recording imports as Metavision reads it: words
// before the first time high have no time and are skipped, events off the sensor or before any
// row or vector base are dropped, and only a large drop of the time high is a wrap. Timestamps
// are the camera's clock, not shifted to start at zero. Everything skipped is counted.
#include "common/Error.h"
#include "common/Job.h"
#include "events/EventImport.h"
#include "events/PropheseeHeader.h"

#include <bitset>
#include <fstream>
#include <vector>

namespace lumen {
namespace {

// More trigger edges than a memory-held import keeps (each takes 10 bytes).
constexpr uint64_t kMaxTriggers = 100'000'000;
// A time past this many µs (146,000 years) means the stream wrapped more often than any camera
// runs; refusing it keeps the unwrapped time far from int64 overflow.
constexpr int64_t kMaxTime = int64_t(1) << 62;

// The sensor the events are placed on and where its size came from.
struct PlacedSensor {
  SensorSize size;
  std::string source;
  bool fromOption = false;
};

std::string sizeText(SensorSize s) {
  return std::to_string(s.width) + "x" + std::to_string(s.height);
}

// The header's size, else --sensor. --sensor never replaces a size the file gives: a different
// one is refused rather than silently placing events on the wrong sensor.
PlacedSensor placeSensor(const prophesee::RawHeader& header, SensorSize option,
                         const std::string& path) {
  if (header.sensor.valid()) {
    if (option.valid() &&
        (option.width != header.sensor.width || option.height != header.sensor.height))
      throw InputError(path + ": --sensor " + sizeText(option) + " contradicts the " +
                       sizeText(header.sensor) + " sensor of " + header.sensorSource +
                       "; --sensor only supplies the size of a recording that gives none");
    return {header.sensor, header.sensorSource, false};
  }
  if (option.valid())
    return {option, "--sensor", true};
  throw InputError(path +
                   ": the RAW header gives no sensor size (no geometry or format line, and no "
                   "sensor generation, plugin_name or system_ID of a known sensor); give it with "
                   "--sensor WIDTHxHEIGHT");
}

// Little-endian words of type Word, read in blocks (a word at a time through a stream is slow
// for recordings of gigabytes).
template <class Word> class WordReader {
public:
  WordReader(std::istream& in, const std::string& path, const char* format)
      : in_(in), path_(path), format_(format) {}

  // The next word; false at the end of the data. A partial word at the end is an InputError.
  bool next(Word& word) {
    if (at_ == count_ && !refill())
      return false;
    const uint8_t* b = bytes_.data() + at_ * sizeof(Word);
    uint32_t value = 0;
    for (size_t i = 0; i < sizeof(Word); ++i)
      value |= uint32_t(b[i]) << (8 * i);
    word = Word(value);
    ++at_;
    ++index_;
    return true;
  }
  // The position of the word next() returned last, from 0.
  uint64_t index() const { return index_ - 1; }

private:
  bool refill() {
    in_.read(reinterpret_cast<char*>(bytes_.data()), std::streamsize(bytes_.size()));
    if (in_.bad())
      throw IoError(path_ + ": read error in the " + format_ + " data");
    const auto got = size_t(in_.gcount());
    if (got % sizeof(Word) != 0)
      throw InputError(path_ + ": truncated " + format_ + " data (a partial " +
                       std::to_string(8 * sizeof(Word)) + "-bit word at the end)");
    count_ = got / sizeof(Word);
    at_ = 0;
    return count_ > 0;
  }

  std::istream& in_;
  const std::string& path_;
  const char* format_;
  std::vector<uint8_t> bytes_ = std::vector<uint8_t>(size_t(1) << 20);
  size_t at_ = 0, count_ = 0;
  uint64_t index_ = 0;
};

// Collects decoded events and triggers: drops events off the sensor (or refuses them when the
// size came from --sensor, which is then wrong), keeps time order, hands batches to the sink and
// reports progress.
class EventPlacer {
public:
  EventPlacer(const std::string& path, const PlacedSensor& sensor, bool keepBackwardSteps,
              RecordingInfo& info, const EventSink& sink, Job* job, uint64_t totalWords)
      : path_(path), sensor_(sensor), keepBackwardSteps_(keepBackwardSteps), info_(info),
        sink_(sink), job_(job), totalWords_(std::max<uint64_t>(1, totalWords)) {
    events_.sensor = sensor.size;
  }

  void event(int64_t t, int x, int y, int polarity, uint64_t word) {
    if (x >= sensor_.size.width || y >= sensor_.size.height) {
      if (sensor_.fromOption)
        throw InputError(path_ + ": word " + std::to_string(word) + ": event at (" +
                         std::to_string(x) + ", " + std::to_string(y) + ") lies outside the " +
                         sizeText(sensor_.size) + " sensor --sensor gives");
      ++info_.counts.outsideSensor;
      return;
    }
    if (t < lastTime_ && !keepBackwardSteps_) {
      // Words of a RAW stream may step back a few µs between groups; the event file needs order.
      t = lastTime_;
      ++info_.counts.clampedTimestamps;
    }
    lastTime_ = std::max(lastTime_, t);
    events_.push(t, x, y, polarity);
    if (events_.size() >= (1u << 20))
      flush(word);
  }

  void trigger(int64_t t, int channel, int edge) {
    if (info_.triggers.size() >= kMaxTriggers)
      throw InputError(path_ + " holds more than " + std::to_string(kMaxTriggers) +
                       " trigger edges, above the in-memory limit");
    info_.triggers.push(t, channel, edge);
  }

  // Every few million words, so a file without events still shows progress and can be cancelled.
  void progress(uint64_t word) {
    if ((word & ((uint64_t(1) << 22) - 1)) == 0)
      report(word);
  }

  void flush(uint64_t word) {
    report(word);
    if (!events_.empty())
      sink_(std::move(events_));
    events_ = EventArray();
    events_.sensor = sensor_.size;
  }

private:
  void report(uint64_t word) {
    if (!job_)
      return;
    job_->checkCancelled();
    job_->setProgress(double(word) / double(totalWords_), "reading " + path_);
  }

  const std::string& path_;
  const PlacedSensor& sensor_;
  bool keepBackwardSteps_;
  RecordingInfo& info_;
  const EventSink& sink_;
  Job* job_;
  uint64_t totalWords_;
  EventArray events_;
  int64_t lastTime_ = INT64_MIN;
};

void checkTime(int64_t t, const std::string& path, uint64_t word) {
  if (t > kMaxTime)
    throw InputError(path + ": word " + std::to_string(word) +
                     ": the time has wrapped more often than any recording runs (corrupt data)");
}

void decodeEvt2(WordReader<uint32_t>& words, EventPlacer& out, ImportCounts& counts,
                const std::string& path) {
  // OpenEB counts a wrap when the time high falls by nearly its whole range (within 10 ms);
  // a smaller fall is a word out of order, kept as a step back.
  constexpr int64_t kRange = int64_t(1) << 34;
  constexpr int64_t kLargestHigh = int64_t((1 << 28) - 1) << 6;
  constexpr int64_t kWrapMargin = 10'000;
  bool timed = false;
  int64_t high = 0, wraps = 0; // µs of the current time high, and of the wraps so far
  uint32_t word = 0;
  while (words.next(word)) {
    const uint64_t index = words.index();
    out.progress(index);
    const uint32_t type = word >> 28;
    if (!timed && type != 0x8) {
      ++counts.wordsBeforeTime;
      continue;
    }
    const int64_t low = int64_t((word >> 22) & 0x3F);
    switch (type) {
    case 0x8: {
      int64_t next = wraps + (int64_t(word & 0x0FFFFFFF) << 6);
      if (timed && next < high && high - next >= kLargestHigh - kWrapMargin) {
        wraps += kRange;
        next += kRange;
        checkTime(next, path, index);
      }
      high = next;
      timed = true;
      break;
    }
    case 0x0: // CD_OFF
    case 0x1: // CD_ON
      out.event(high + low, int((word >> 11) & 0x7FF), int(word & 0x7FF), type == 0x1 ? 1 : -1,
                index);
      break;
    case 0xA: // EXT_TRIGGER
      out.trigger(high + low, int((word >> 8) & 0x1F), int(word & 1));
      break;
    case 0xD:
      ++counts.imuWords;
      break;
    case 0xE: // OTHERS
    case 0xF: // CONTINUED: the data of a preceding IMU or OTHERS word
      ++counts.othersWords;
      break;
    default: // exposure measurement, right-camera, stereo and reserved types
      ++counts.reservedWords;
      break;
    }
  }
}

void decodeEvt3(WordReader<uint16_t>& words, EventPlacer& out, ImportCounts& counts,
                const std::string& path) {
  // A wrap only when the time high falls by half its range or more (OpenEB's rule): the 24-bit
  // counter wrapping, not a word out of order. The time low falls every time the high rises and
  // is never a wrap (counting it as one invents a 4.1 ms gap each time).
  constexpr int kHalfRange = 1 << 11;
  bool timed = false;
  int64_t wraps = 0;
  int high = 0, low = 0;
  int y = -1;        // the row, unknown until an EVT_ADDR_Y
  bool cdRow = true; // type 0x1 rows hold exposure-measurement events, not CD events
  int baseX = -1;    // unknown until a VECT_BASE_X
  int vectorPolarity = -1;
  uint16_t word = 0;
  while (words.next(word)) {
    const uint64_t index = words.index();
    out.progress(index);
    const int type = word >> 12;
    const int payload = word & 0x0FFF;
    if (!timed && type != 0x8) {
      ++counts.wordsBeforeTime;
      continue;
    }
    const int64_t t = (wraps << 24) | (int64_t(high) << 12) | int64_t(low);
    switch (type) {
    case 0x0: // EVT_ADDR_Y
    case 0x1:
      y = payload & 0x7FF;
      cdRow = type == 0x0;
      if (!cdRow)
        ++counts.reservedWords;
      break;
    case 0x2: // EVT_ADDR_X
      if (y < 0)
        ++counts.unplacedEvents;
      else if (!cdRow)
        ++counts.reservedWords;
      else
        out.event(t, payload & 0x7FF, y, (payload >> 11) & 1 ? 1 : -1, index);
      break;
    case 0x3: // VECT_BASE_X
      baseX = payload & 0x7FF;
      vectorPolarity = (payload >> 11) & 1 ? 1 : -1;
      break;
    case 0x4:   // VECT_12
    case 0x5: { // VECT_8
      const int bits = type == 0x4 ? 12 : 8;
      const int mask = payload & ((1 << bits) - 1);
      if (y < 0 || baseX < 0) {
        counts.unplacedEvents += std::bitset<12>(unsigned(mask)).count();
      } else if (!cdRow) {
        ++counts.reservedWords;
      } else {
        for (int b = 0; b < bits; ++b)
          if (mask & (1 << b))
            out.event(t, baseX + b, y, vectorPolarity, index);
      }
      // Bounded so a hostile run of vectors cannot overflow; any x this large is off the sensor.
      if (baseX >= 0)
        baseX = std::min(baseX + bits, 1 << 20);
      break;
    }
    case 0x6: // EVT_TIME_LOW
      low = payload;
      break;
    case 0x8: // EVT_TIME_HIGH
      if (timed && high >= payload + kHalfRange) {
        ++wraps;
        checkTime(wraps << 24, path, index);
      }
      if (!timed || payload != high)
        low = 0; // a new time high starts its low bits at 0 until a TIME_LOW says otherwise
      high = payload;
      timed = true;
      break;
    case 0xA: // EXT_TRIGGER
      out.trigger(t, (payload >> 8) & 0xF, payload & 1);
      break;
    case 0xD:
      ++counts.imuWords;
      break;
    case 0x7: // CONTINUED_4
    case 0xE: // OTHERS
    case 0xF: // CONTINUED_12
      ++counts.othersWords;
      break;
    default: // stereo disparity and reserved types
      ++counts.reservedWords;
      break;
    }
  }
}

} // namespace

RecordingInfo readPropheseeEvents(const std::string& path, const ImportOptions& options,
                                  const EventSink& sink, Job* job) {
  uint64_t fileSize = 0;
  std::ifstream in = openRecording(path, fileSize);
  const prophesee::RawHeader header = prophesee::readRawHeader(in, path);
  const PlacedSensor sensor = placeSensor(header, options.sensor, path);
  RecordingInfo info;
  info.format = header.version == 2 ? EventFormat::Evt2 : EventFormat::Evt3;
  info.sensor = sensor.size;
  info.sensorGiven = !sensor.fromOption;
  info.sensorSource = sensor.source;
  const auto dataStart = uint64_t(std::max<std::streamoff>(0, in.tellg()));
  const uint64_t dataBytes = fileSize > dataStart ? fileSize - dataStart : 0;
  if (header.version == 2) {
    WordReader<uint32_t> words(in, path, "EVT 2.0");
    EventPlacer out(path, sensor, options.sort, info, sink, job, dataBytes / 4);
    decodeEvt2(words, out, info.counts, path);
    out.flush(dataBytes / 4);
  } else {
    WordReader<uint16_t> words(in, path, "EVT 3.0");
    EventPlacer out(path, sensor, options.sort, info, sink, job, dataBytes / 2);
    decodeEvt3(words, out, info.counts, path);
    out.flush(dataBytes / 2);
  }
  info.counts.triggers = info.triggers.size();
  return info;
}

} // namespace lumen
