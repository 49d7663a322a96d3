#include "events/EventArray.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

namespace lumen {

void EventArray::reserve(size_t n) {
  t.reserve(n);
  x.reserve(n);
  y.reserve(n);
  p.reserve(n);
}

void EventArray::push(int64_t time, int px, int py, int polarity) {
  t.push_back(time);
  x.push_back(uint16_t(px));
  y.push_back(uint16_t(py));
  p.push_back(polarity > 0 ? 1 : -1);
}

void EventArray::push(int64_t time, int px, int py, int polarity, uint8_t isSignal) {
  push(time, px, py, polarity);
  label.push_back(isSignal);
}

void TriggerArray::push(int64_t time, int channel, int edge) {
  t.push_back(time);
  id.push_back(uint8_t(channel));
  value.push_back(edge ? 1 : 0);
}

EventArray EventArray::slice(size_t begin, size_t end) const {
  EventArray out;
  out.sensor = sensor;
  end = std::min(end, size());
  begin = std::min(begin, end);
  out.t.assign(t.begin() + long(begin), t.begin() + long(end));
  out.x.assign(x.begin() + long(begin), x.begin() + long(end));
  out.y.assign(y.begin() + long(begin), y.begin() + long(end));
  out.p.assign(p.begin() + long(begin), p.begin() + long(end));
  if (hasLabels())
    out.label.assign(label.begin() + long(begin), label.begin() + long(end));
  return out;
}

EventArray EventArray::select(const std::vector<uint8_t>& keep) const {
  if (keep.size() != size())
    throw std::invalid_argument("EventArray::select: " + std::to_string(keep.size()) +
                                " flags for " + std::to_string(size()) + " events");
  EventArray out;
  out.sensor = sensor;
  const size_t kept = size_t(std::count_if(keep.begin(), keep.end(), [](uint8_t k) { return k; }));
  out.reserve(kept);
  if (hasLabels())
    out.label.reserve(kept);
  for (size_t i = 0; i < size(); ++i) {
    if (!keep[i])
      continue;
    out.t.push_back(t[i]);
    out.x.push_back(x[i]);
    out.y.push_back(y[i]);
    out.p.push_back(p[i]);
    if (hasLabels())
      out.label.push_back(label[i]);
  }
  return out;
}

void EventArray::append(const EventArray& other) {
  t.insert(t.end(), other.t.begin(), other.t.end());
  x.insert(x.end(), other.x.begin(), other.x.end());
  y.insert(y.end(), other.y.begin(), other.y.end());
  p.insert(p.end(), other.p.begin(), other.p.end());
  label.insert(label.end(), other.label.begin(), other.label.end());
}

void EventArray::sortByTime() {
  if (std::is_sorted(t.begin(), t.end()))
    return;
  // Stable either way: equal times keep their order. Timestamps are whole microseconds, so when
  // the span is small next to the count (a decoded window, a short recording) a counting sort
  // over the span is O(events + span) instead of a comparison sort.
  const auto [lo, hi] = std::minmax_element(t.begin(), t.end());
  const int64_t first = *lo;
  // In unsigned arithmetic: *hi - *lo overflows int64 for timestamps of opposite extremes.
  const uint64_t span = uint64_t(*hi) - uint64_t(first);
  std::vector<size_t> order(size());
  if (span < (uint64_t{1} << 24) && span <= 8 * uint64_t(size())) {
    std::vector<size_t> start(size_t(span) + 2, 0);
    for (int64_t time : t)
      ++start[size_t(uint64_t(time) - uint64_t(first)) + 1];
    std::partial_sum(start.begin(), start.end(), start.begin());
    for (size_t i = 0; i < size(); ++i)
      order[start[size_t(uint64_t(t[i]) - uint64_t(first))]++] = i;
  } else {
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return t[a] < t[b]; });
  }
  auto permute = [&](auto& values) {
    if (values.empty())
      return;
    auto copy = values;
    for (size_t i = 0; i < order.size(); ++i)
      values[i] = copy[order[i]];
  };
  permute(t);
  permute(x);
  permute(y);
  permute(p);
  permute(label);
}

size_t EventArray::lowerBound(int64_t time) const {
  return size_t(std::lower_bound(t.begin(), t.end(), time) - t.begin());
}

double EventStats::durationSeconds() const {
  // In doubles: tLast - tFirst overflows int64 for timestamps of opposite extremes.
  return (double(tLast) - double(tFirst)) * 1e-6;
}

double EventStats::eventsPerSecond() const {
  const double seconds = durationSeconds();
  return seconds > 0 ? double(numEvents) / seconds : 0.0;
}

void accumulateStats(EventStats& stats, const EventArray& chunk) {
  if (chunk.empty())
    return;
  if (stats.numEvents == 0)
    stats.tFirst = chunk.t.front();
  stats.tLast = chunk.t.back();
  stats.numEvents += chunk.size();
  for (int8_t polarity : chunk.p)
    (polarity > 0 ? stats.numPositive : stats.numNegative)++;
  stats.sensor = chunk.sensor;
}

EventStats computeStats(const EventArray& events) {
  EventStats stats;
  stats.sensor = events.sensor;
  accumulateStats(stats, events);
  return stats;
}

} // namespace lumen
