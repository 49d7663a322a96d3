// Text recordings: "t x y p" per line (spaces, tabs or commas), an optional "width height"
// first line, '#' and '%' comments. Timestamps are integer µs, or seconds when written with a
// decimal point or exponent. Every number is parsed with std::from_chars and bounded, and lines
// are read with a length limit.
#include "common/Error.h"
#include "common/Job.h"
#include "common/Text.h"
#include "events/EventImport.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sys/stat.h>

namespace lumen {
namespace {

// Timestamps written in seconds become int64 microseconds: anything beyond about 292,000 years
// would not fit (and llround of it is undefined).
constexpr double kMaxSeconds = 9.2e12;

// Splits a line into up to 5 whitespace-separated fields.
int fields(std::string_view line, std::string_view* out) {
  int n = 0;
  size_t i = 0;
  while (i < line.size() && n < 5) {
    while (i < line.size() &&
           (line[i] == ' ' || line[i] == '\t' || line[i] == ',' || line[i] == '\r'))
      ++i;
    if (i >= line.size())
      break;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != ',' &&
           line[i] != '\r')
      ++i;
    out[n++] = line.substr(start, i - start);
  }
  return n;
}

template <class T> bool parse(std::string_view text, T& value) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

} // namespace

RecordingInfo readTextEvents(const std::string& path, const EventSink& sink, uint64_t batch,
                             Job* job) {
  std::ifstream in(path);
  if (!in)
    throw IoError(path + ": cannot open text recording");
  struct stat info {};
  ::stat(path.c_str(), &info);
  const double totalBytes = double(std::max<off_t>(1, info.st_size));
  SensorSize sensor;
  EventArray events;
  LineReader lines(in, path);
  std::string_view f[5];
  int maxX = -1, maxY = -1;
  bool first = true;
  while (const auto next = lines.next()) {
    const std::string_view line = *next;
    const auto at = [&] { return path + ":" + std::to_string(lines.lineNumber()); };
    if (line.empty() || line[0] == '#' || line[0] == '%')
      continue;
    const int n = fields(line, f);
    if (n == 0)
      continue;
    if (first && n == 2) { // "width height" header
      first = false;
      if (!parse(f[0], sensor.width) || !parse(f[1], sensor.height) || !sensor.valid() ||
          !sensor.withinLimits())
        throw InputError(at() + ": expected a 'width height' header with integers in 1.." +
                         std::to_string(kMaxSensorSide));
      continue;
    }
    first = false;
    if (n != 4)
      throw InputError(at() + ": expected 't x y p', found " + std::to_string(n) + " fields");
    int64_t t = 0;
    const auto shownTime = [&] { return truncateText(std::string(f[0]), 40); };
    if (f[0].find('.') != std::string_view::npos || f[0].find('e') != std::string_view::npos) {
      double seconds = 0;
      if (!parse(f[0], seconds) || !std::isfinite(seconds))
        throw InputError(at() + ": bad timestamp '" + shownTime() + "'");
      if (std::abs(seconds) > kMaxSeconds)
        throw InputError(at() + ": timestamp '" + shownTime() + "' s is out of range (at most " +
                         formatNumber(kMaxSeconds) + " s)");
      t = std::llround(seconds * 1e6);
    } else if (!parse(f[0], t)) {
      throw InputError(at() + ": bad timestamp '" + shownTime() + "'");
    }
    int x = 0, y = 0, p = 0;
    if (!parse(f[1], x) || !parse(f[2], y) || x < 0 || y < 0 || x > kMaxCoordinate ||
        y > kMaxCoordinate)
      throw InputError(at() + ": x and y must be integers in [0, " +
                       std::to_string(kMaxCoordinate) + "]");
    if (!parse(f[3], p) || (p != 0 && p != 1 && p != -1))
      throw InputError(at() + ": polarity must be 0, 1 or -1, found '" +
                       truncateText(std::string(f[3]), 40) + "'");
    if (sensor.valid() && (x >= sensor.width || y >= sensor.height))
      throw InputError(at() + ": (x=" + std::to_string(x) + ", y=" + std::to_string(y) +
                       ") lies outside the " + std::to_string(sensor.width) + "x" +
                       std::to_string(sensor.height) + " sensor of the header");
    maxX = std::max(maxX, x);
    maxY = std::max(maxY, y);
    events.push(t, x, y, p == 1 ? 1 : -1);
    if (events.size() >= batch) {
      if (job) {
        job->checkCancelled();
        job->setProgress(double(in.tellg()) / totalBytes, "reading " + path);
      }
      sink(std::move(events));
      events = EventArray();
    }
  }
  if (!events.empty())
    sink(std::move(events));
  RecordingInfo result;
  result.format = EventFormat::Text;
  result.sensorGiven = sensor.valid();
  result.sensor = result.sensorGiven ? sensor : SensorSize{maxX + 1, maxY + 1};
  result.sensorSource = result.sensorGiven ? "the text header's 'width height' line"
                                           : "the largest coordinates of the events";
  return result;
}

} // namespace lumen
