#include "common/Error.h"
#include "common/Job.h"
#include "events/EventImport.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sys/stat.h>

namespace lumen {
namespace {

// Splits a line into up to 5 whitespace-separated fields.
int fields(const std::string& line, std::string_view* out) {
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
    out[n++] = std::string_view(line).substr(start, i - start);
  }
  return n;
}

template <class T> bool parse(std::string_view text, T& value) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

} // namespace

SensorSize readTextEvents(const std::string& path, const EventSink& sink, uint64_t batch,
                          Job* job) {
  std::ifstream in(path);
  if (!in)
    throw IoError(path + ": cannot open text recording");
  struct stat info {};
  ::stat(path.c_str(), &info);
  const double totalBytes = double(std::max<off_t>(1, info.st_size));
  SensorSize sensor;
  EventArray events;
  std::string line;
  std::string_view f[5];
  uint64_t lineNumber = 0;
  int maxX = -1, maxY = -1;
  bool first = true;
  while (std::getline(in, line)) {
    ++lineNumber;
    if (line.empty() || line[0] == '#' || line[0] == '%')
      continue;
    const int n = fields(line, f);
    if (n == 0)
      continue;
    if (first && n == 2) { // "width height" header
      first = false;
      if (!parse(f[0], sensor.width) || !parse(f[1], sensor.height) || !sensor.valid())
        throw InputError(path + ":" + std::to_string(lineNumber) +
                         ": expected a 'width height' header with positive integers");
      continue;
    }
    first = false;
    if (n != 4)
      throw InputError(path + ":" + std::to_string(lineNumber) + ": expected 't x y p', found " +
                       std::to_string(n) + " fields");
    int64_t t = 0;
    if (f[0].find('.') != std::string_view::npos || f[0].find('e') != std::string_view::npos) {
      double seconds = 0;
      if (!parse(f[0], seconds) || !std::isfinite(seconds))
        throw InputError(path + ":" + std::to_string(lineNumber) + ": bad timestamp '" +
                         std::string(f[0]) + "'");
      t = std::llround(seconds * 1e6);
    } else if (!parse(f[0], t)) {
      throw InputError(path + ":" + std::to_string(lineNumber) + ": bad timestamp '" +
                       std::string(f[0]) + "'");
    }
    int x = 0, y = 0, p = 0;
    if (!parse(f[1], x) || !parse(f[2], y) || x < 0 || y < 0 || x > 65535 || y > 65535)
      throw InputError(path + ":" + std::to_string(lineNumber) +
                       ": x and y must be integers in [0, 65535]");
    if (!parse(f[3], p) || (p != 0 && p != 1 && p != -1))
      throw InputError(path + ":" + std::to_string(lineNumber) +
                       ": polarity must be 0, 1 or -1, found '" + std::string(f[3]) + "'");
    if (sensor.valid() && (x >= sensor.width || y >= sensor.height))
      throw InputError(path + ":" + std::to_string(lineNumber) + ": (x=" + std::to_string(x) +
                       ", y=" + std::to_string(y) + ") lies outside the " +
                       std::to_string(sensor.width) + "x" + std::to_string(sensor.height) +
                       " sensor of the header");
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
  return sensor.valid() ? sensor : SensorSize{maxX + 1, maxY + 1};
}

} // namespace lumen
