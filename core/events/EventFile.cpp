#include "events/EventFile.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "common/Job.h"
#include "common/Text.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace lumen {
namespace {

constexpr uint64_t kChunk = 1u << 20;
// The largest float times that become int64 microseconds (about 292,000 years).
constexpr double kMaxFloatMicroseconds = 9.2e18;
constexpr double kMaxFloatSeconds = 9.2e12;

bool acceptableTime(const H5DatasetInfo& info) {
  return info.kind == H5Kind::Integer || (info.kind == H5Kind::Float && info.typeSize == 8);
}

} // namespace

EventFileReader::EventFileReader(const std::string& path) : file_(Hdf5File::openRead(path)) {
  // event_utils (and the E2VID tools around it) write /events/{ts,xs,ys,ps}, ts in seconds.
  eventUtils_ = !file_.exists("/events/t") && file_.exists("/events/ts");
  if (eventUtils_) {
    tName_ = "/events/ts";
    xName_ = "/events/xs";
    yName_ = "/events/ys";
    pName_ = "/events/ps";
  }
  auto require = [&](const std::string& name) {
    if (!file_.exists(name))
      throw InputError(path + ": dataset " + name +
                       " is missing; an event file has /events/t, /events/x, /events/y and "
                       "/events/p (or event_utils' /events/ts, xs, ys and ps)");
    const auto info = file_.info(name);
    if (info.dims.size() != 1)
      throw InputError(path + ": " + name + " must be one-dimensional, has " +
                       std::to_string(info.dims.size()) + " dimensions");
    return info;
  };
  if (!eventUtils_ && !file_.exists("/events/y") && file_.exists("/events/Y"))
    yName_ = "/events/Y";
  const auto t = require(tName_);
  const auto x = require(xName_);
  const auto y = require(yName_);
  const auto p = require(pName_);
  if (eventUtils_) {
    if (t.kind != H5Kind::Float || t.typeSize != 8)
      throw InputError(path + ": /events/ts must hold float64 seconds (event_utils' layout)");
  } else if (!acceptableTime(t)) {
    throw InputError(path + ": /events/t must hold integers or float64 microseconds");
  }
  timesAreFloat_ = t.kind == H5Kind::Float;
  // Cameras write uint16 coordinates: read into uint16 directly, without a 64-bit copy.
  narrowCoordinates_ = !x.isSigned && !y.isSigned && x.typeSize <= 2 && y.typeSize <= 2;
  for (const auto& [name, info] : {std::pair{xName_.c_str(), x}, std::pair{yName_.c_str(), y}})
    if (info.kind != H5Kind::Integer)
      throw InputError(path + ": " + name + " must hold integers");
  if (p.kind != H5Kind::Integer && p.kind != H5Kind::Enum)
    throw InputError(path + ": " + pName_ + " must hold booleans or integers");
  size_ = t.dims[0];
  for (const auto& [name, info] :
       {std::pair{xName_.c_str(), x}, std::pair{yName_.c_str(), y}, std::pair{pName_.c_str(), p}})
    if (info.dims[0] != size_)
      throw InputError(path + ": " + name + " has " + std::to_string(info.dims[0]) +
                       " entries but " + tName_ + " has " + std::to_string(size_) +
                       "; all event datasets must have equal lengths");
  if (file_.exists("/events/label")) {
    const auto label = file_.info("/events/label");
    if (label.dims.size() != 1 || label.dims[0] != size_)
      throw InputError(path + ": /events/label must have one entry per event");
    hasLabels_ = true;
  }
  // Readers take the file slice by slice (windows, timeAt's binary search): without held
  // handles every slice would reopen its dataset and inflate its chunks again.
  for (const std::string* name : {&tName_, &xName_, &yName_, &pName_})
    file_.holdOpen(*name);
  if (hasLabels_)
    file_.holdOpen("/events/label");
  for (const char* object : {"/", "/events"}) {
    if (auto resolution = file_.intAttribute(object, "sensor_resolution")) {
      // event_utils stores the shape of its frames there: (height, width) or (height, width, 3).
      if (eventUtils_ && resolution->size() == 3)
        resolution->pop_back();
      if (resolution->size() != 2 || (*resolution)[0] <= 0 || (*resolution)[1] <= 0 ||
          (*resolution)[0] > kMaxSensorSide || (*resolution)[1] > kMaxSensorSide)
        throw InputError(path +
                         ": attribute sensor_resolution must be (height, width) with "
                         "sizes in 1.." +
                         std::to_string(kMaxSensorSide));
      sensor_ = {int((*resolution)[1]), int((*resolution)[0])};
      sensorFromAttribute_ = true;
      break;
    }
  }
  if (!sensorFromAttribute_)
    sensor_ = inferSensor();
}

SensorSize EventFileReader::inferSensor() const {
  // Coordinates become uint16 and the sensor at most kMaxSensorSide wide: a larger one is refused
  // here, where nothing else bounds it, instead of wrapping.
  int64_t maxX = -1, maxY = -1;
  auto largest = [&](const std::string& name, uint64_t begin, int64_t& largestSoFar) {
    const auto values = file_.read<int64_t>(name, begin, int64_t(kChunk));
    for (size_t i = 0; i < values.size(); ++i) {
      if (values[i] < 0 || values[i] > kMaxCoordinate)
        throw InputError(path() + ": " + name + "[" + std::to_string(begin + i) +
                         "] = " + std::to_string(values[i]) + ": coordinates must lie in 0.." +
                         std::to_string(kMaxCoordinate) +
                         " (the file has no sensor_resolution attribute to check them against)");
      largestSoFar = std::max(largestSoFar, values[i]);
    }
  };
  for (uint64_t begin = 0; begin < size_; begin += kChunk) {
    largest(xName_, begin, maxX);
    largest(yName_, begin, maxY);
  }
  return {int(maxX + 1), int(maxY + 1)};
}

std::string EventFileReader::outsideHint(int64_t x, int64_t y) const {
  // event_utils infers sensor_resolution as the largest coordinates, one short of the size.
  if (eventUtils_ && sensorFromAttribute_ && (x == sensor_.width || y == sensor_.height))
    return " of its sensor_resolution attribute (event_utils stores the largest coordinates "
           "there when it infers the size; set the attribute to (height, width))";
  return "";
}

std::vector<int64_t> EventFileReader::readTimes(uint64_t begin, uint64_t count) const {
  if (!timesAreFloat_)
    return file_.read<int64_t>(tName_, begin, int64_t(count));
  const auto raw = file_.read<double>(tName_, begin, int64_t(count));
  // Seconds (event_utils) become microseconds; either way the nearest integer µs, since
  // truncating turns 1.000001 s (1000000.9999999999 µs as a double product) into 1000000.
  const double scale = eventUtils_ ? 1e6 : 1.0;
  // llround of a value past int64 is undefined; no recording spans 292,000 years.
  const double largest = eventUtils_ ? kMaxFloatSeconds : kMaxFloatMicroseconds;
  const char* unit = eventUtils_ ? " s" : " µs";
  std::vector<int64_t> times(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (!std::isfinite(raw[i]))
      throw InputError(path() + ": " + tName_ + "[" + std::to_string(begin + i) +
                       "] is not a finite number");
    if (std::abs(raw[i]) > largest)
      throw InputError(path() + ": " + tName_ + "[" + std::to_string(begin + i) +
                       "] = " + formatNumber(raw[i]) + unit + " is out of range (at most " +
                       formatNumber(largest) + unit + ")");
    const double us = raw[i] * scale;
    times[i] = std::llround(us);
  }
  return times;
}

int64_t EventFileReader::timeAt(uint64_t index) const {
  return readTimes(index, 1).at(0);
}

EventArray EventFileReader::read(uint64_t begin, uint64_t count, bool checkOrder) const {
  EventArray events;
  events.sensor = sensor_;
  if (begin >= size_)
    return events;
  count = std::min(count, size_ - begin);
  events.t = readTimes(begin, count);
  const auto ps = file_.read<int8_t>(pName_, begin, int64_t(count));
  int64_t previous = (begin > 0 && checkOrder) ? timeAt(begin - 1) : INT64_MIN;
  if (narrowCoordinates_) {
    events.x = file_.read<uint16_t>(xName_, begin, int64_t(count));
    events.y = file_.read<uint16_t>(yName_, begin, int64_t(count));
    events.p.resize(count);
    // One branch-free pass finds whether anything is wrong; the checked loop below then names
    // the first bad event.
    bool valid = true;
    int64_t last = previous;
    for (uint64_t i = 0; i < count; ++i) {
      const int8_t p = ps[i];
      valid &= (events.x[i] < sensor_.width) & (events.y[i] < sensor_.height) &
               ((p == 1) | (p == 0) | (p == -1)) & (!checkOrder | (events.t[i] >= last));
      last = events.t[i];
      events.p[i] = p == 1 ? int8_t(1) : int8_t(-1);
    }
    if (valid) {
      if (hasLabels_)
        events.label = file_.read<uint8_t>("/events/label", begin, int64_t(count));
      return events;
    }
  }
  const auto xs = file_.read<int64_t>(xName_, begin, int64_t(count));
  const auto ys = file_.read<int64_t>(yName_, begin, int64_t(count));
  events.x.resize(count);
  events.y.resize(count);
  events.p.resize(count);
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t index = begin + i;
    if (xs[i] < 0 || xs[i] >= sensor_.width || ys[i] < 0 || ys[i] >= sensor_.height)
      throw InputError(path() + ": event " + std::to_string(index) +
                       " at (x=" + std::to_string(xs[i]) + ", y=" + std::to_string(ys[i]) +
                       ") lies outside the " + std::to_string(sensor_.width) + "x" +
                       std::to_string(sensor_.height) + " sensor" + outsideHint(xs[i], ys[i]));
    const int8_t p = ps[i];
    if (p == 1)
      events.p[i] = 1;
    else if (p == 0 || p == -1) // {0,1} and {-1,+1} files alike
      events.p[i] = -1;
    else
      throw InputError(path() + ": " + pName_ + "[" + std::to_string(index) +
                       "] = " + std::to_string(int(p)) + ": polarity must be 0/1 or -1/+1");
    if (checkOrder && events.t[i] < previous)
      throw InputError(path() + ": " + tName_ + " decreases at index " + std::to_string(index) +
                       " (" + std::to_string(previous) + " then " + std::to_string(events.t[i]) +
                       " µs); timestamps must be non-decreasing (repair with --sort)");
    previous = events.t[i];
    events.x[i] = uint16_t(xs[i]);
    events.y[i] = uint16_t(ys[i]);
  }
  if (hasLabels_)
    events.label = file_.read<uint8_t>("/events/label", begin, int64_t(count));
  return events;
}

TriggerArray EventFileReader::readTriggers(uint64_t maxTriggers) const {
  TriggerArray triggers;
  if (!file_.exists("/triggers/t"))
    return triggers;
  uint64_t count = 0;
  for (const char* name : {"/triggers/t", "/triggers/id", "/triggers/value"}) {
    if (!file_.exists(name))
      throw InputError(path() + ": " + name +
                       " is missing; /triggers holds t, id and value of equal lengths");
    const auto info = file_.info(name);
    if (info.dims.size() != 1 || info.kind != H5Kind::Integer)
      throw InputError(path() + ": " + name + " must be a one-dimensional integer dataset");
    if (name == std::string("/triggers/t"))
      count = info.dims[0];
    else if (info.dims[0] != count)
      throw InputError(path() + ": " + name + " has " + std::to_string(info.dims[0]) +
                       " entries but /triggers/t has " + std::to_string(count));
  }
  if (count > maxTriggers)
    throw InputError(path() + " holds " + std::to_string(count) +
                     " triggers, more than the in-memory limit of " + std::to_string(maxTriggers));
  triggers.t = file_.read<int64_t>("/triggers/t");
  const auto ids = file_.read<int64_t>("/triggers/id");
  const auto values = file_.read<int64_t>("/triggers/value");
  triggers.id.resize(count);
  triggers.value.resize(count);
  for (uint64_t i = 0; i < count; ++i) {
    if (ids[i] < 0 || ids[i] > 255 || (values[i] != 0 && values[i] != 1))
      throw InputError(path() + ": trigger " + std::to_string(i) + " has id " +
                       std::to_string(ids[i]) + " and value " + std::to_string(values[i]) +
                       "; ids lie in 0..255 and values are 0 (falling) or 1 (rising)");
    triggers.id[i] = uint8_t(ids[i]);
    triggers.value[i] = uint8_t(values[i]);
  }
  return triggers;
}

EventArray EventFileReader::readAll(uint64_t maxEvents) const {
  if (size_ > maxEvents)
    throw InputError(path() + " holds " + std::to_string(size_) +
                     " events, more than the in-memory limit of " + std::to_string(maxEvents) +
                     "; use a windowed command (encode, infer, filter work window by window)");
  return read(0, size_);
}

uint64_t EventFileReader::lowerBound(int64_t time) const {
  uint64_t low = 0, high = size_;
  while (low < high) {
    const uint64_t mid = low + (high - low) / 2;
    if (timeAt(mid) < time)
      low = mid + 1;
    else
      high = mid;
  }
  return low;
}

EventArray EventFileReader::readTimeRange(int64_t t0, int64_t t1) const {
  const uint64_t begin = lowerBound(t0);
  const uint64_t end = lowerBound(t1);
  return read(begin, end > begin ? end - begin : 0);
}

EventStats EventFileReader::scan(Job* job, uint64_t chunk) const {
  EventStats stats;
  stats.sensor = sensor_;
  for (uint64_t begin = 0; begin < size_; begin += chunk) {
    if (job) {
      job->checkCancelled();
      job->setProgress(double(begin) / double(size_), "reading " + path());
    }
    accumulateStats(stats, read(begin, chunk));
  }
  stats.sensor = sensor_;
  return stats;
}

EventFileWriter::EventFileWriter(const std::string& path, SensorSize sensor, bool withLabels)
    : path_(path), tempPath_(uniqueTemporaryPath(path)), sensor_(sensor), withLabels_(withLabels) {
  if (!sensor.valid())
    throw InputError(path + ": cannot write events without a sensor size");
  if (!sensor.withinLimits())
    throw InputError(path + ": cannot write a " + std::to_string(sensor.width) + "x" +
                     std::to_string(sensor.height) + " sensor; sides are at most " +
                     std::to_string(kMaxSensorSide));
  file_ = std::make_unique<Hdf5File>(Hdf5File::create(tempPath_));
  file_->createExtensible<int64_t>("/events/t", {}, 1 << 16);
  file_->createExtensible<uint16_t>("/events/x", {}, 1 << 16);
  file_->createExtensible<uint16_t>("/events/y", {}, 1 << 16);
  file_->createExtensible<uint8_t>("/events/p", {}, 1 << 16);
  if (withLabels_)
    file_->createExtensible<uint8_t>("/events/label", {}, 1 << 16);
  const std::vector<int64_t> resolution{sensor.height, sensor.width};
  file_->setIntAttribute("/", "sensor_resolution", resolution);
  file_->setIntAttribute("/events", "sensor_resolution", resolution);
}

EventFileWriter::~EventFileWriter() {
  if (!committed_) {
    file_.reset();
    std::error_code ignored;
    std::filesystem::remove(tempPath_, ignored);
  }
}

void EventFileWriter::append(const EventArray& events) {
  if (events.empty())
    return;
  if (events.t.front() < lastTime_)
    throw InputError(path_ + ": events appended out of time order");
  std::vector<uint8_t> polarity(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    if (events.x[i] >= sensor_.width || events.y[i] >= sensor_.height)
      throw InputError(path_ + ": event at (" + std::to_string(events.x[i]) + ", " +
                       std::to_string(events.y[i]) + ") lies outside the sensor");
    polarity[i] = events.p[i] > 0 ? 1 : 0;
  }
  file_->append("/events/t", events.t);
  file_->append("/events/x", events.x);
  file_->append("/events/y", events.y);
  file_->append("/events/p", polarity);
  if (withLabels_) {
    if (events.label.size() != events.size())
      throw InputError(path_ + ": labelled output needs a label for every event");
    file_->append("/events/label", events.label);
  }
  written_ += events.size();
  lastTime_ = events.t.back();
}

void EventFileWriter::setAttribute(const std::string& name, const std::string& value) {
  file_->setStringAttribute("/events", name, value);
}

void EventFileWriter::addDataset(const std::string& name, const std::vector<float>& values) {
  file_->write(name, values, {uint64_t(values.size())});
}

void EventFileWriter::writeTriggers(const TriggerArray& triggers) {
  if (triggers.empty())
    return;
  if (triggers.id.size() != triggers.size() || triggers.value.size() != triggers.size())
    throw InputError(path_ + ": every trigger needs a time, an id and a value");
  const std::vector<uint64_t> dims{uint64_t(triggers.size())};
  file_->write("/triggers/t", triggers.t, dims);
  file_->write("/triggers/id", triggers.id, dims);
  file_->write("/triggers/value", triggers.value, dims);
  file_->setStringAttribute(
      "/triggers", "value",
      "1 rising edge, 0 falling edge; t in microseconds on the events' clock");
}

void EventFileWriter::commit() {
  file_->flush();
  file_.reset();
  // On disk before the rename, so a crash leaves the old file or the whole new one.
  syncFile(tempPath_);
  commitTemporaryFile(tempPath_, path_);
  committed_ = true;
}

void writeEventFile(const std::string& path, const EventArray& events) {
  EventFileWriter writer(path, events.sensor, events.hasLabels());
  writer.append(events);
  writer.commit();
}

EventArray readEventFile(const std::string& path) {
  return EventFileReader(path).readAll();
}

} // namespace lumen
