#include "events/EventMetrics.h"

#include "common/Error.h"
#include "events/VoxelGrid.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

namespace lumen {

void computeRates(DenoiseMetrics& m) {
  m.precision = m.denoised ? double(m.truePositives) / double(m.denoised) : 0.0;
  m.recall = m.signal ? double(m.truePositives) / double(m.signal) : 0.0;
  m.f1 = (m.precision + m.recall) > 0 ? 2 * m.precision * m.recall / (m.precision + m.recall) : 0;
  m.snrDb = 10.0 * std::log10(double(std::max<uint64_t>(1, m.truePositives)) /
                              double(std::max<uint64_t>(1, m.falsePositives)));
}

namespace {

std::string sensorText(const NamedRecording& r) {
  return std::to_string(r.events.sensor.width) + " x " + std::to_string(r.events.sensor.height) +
         (r.sensorRecorded ? "" : ", inferred");
}

std::string timeText(const EventArray& e) {
  return std::to_string(e.t.front()) + " .. " + std::to_string(e.t.back()) + " µs";
}

} // namespace

void checkComparable(const NamedRecording& denoised, const NamedRecording& reference,
                     int64_t toleranceUs) {
  const SensorSize a = denoised.events.sensor, b = reference.events.sensor;
  bool sameSensor = a.width == b.width && a.height == b.height;
  // An inferred size is only a bound (the largest coordinate seen): it has to fit the other's.
  if (!denoised.sensorRecorded && reference.sensorRecorded)
    sameSensor = a.width <= b.width && a.height <= b.height;
  else if (denoised.sensorRecorded && !reference.sensorRecorded)
    sameSensor = b.width <= a.width && b.height <= a.height;
  else if (!denoised.sensorRecorded && !reference.sensorRecorded)
    sameSensor = true; // two bounds say nothing about each other
  if (!sameSensor)
    throw InputError(denoised.path + " (sensor " + sensorText(denoised) + ") and " +
                     reference.path + " (sensor " + sensorText(reference) +
                     ") come from different sensors; score a denoised file against the "
                     "recording it was made from");
  if (denoised.events.empty() || reference.events.empty())
    return; // nothing kept, or nothing to keep: the scores say so
  // In unsigned arithmetic the widened bounds cannot overflow for extreme timestamps.
  const auto before = [&](int64_t x, int64_t y) { // x + tolerance < y
    return x < y && uint64_t(y) - uint64_t(x) > uint64_t(toleranceUs);
  };
  if (before(denoised.events.t.back(), reference.events.t.front()) ||
      before(reference.events.t.back(), denoised.events.t.front()))
    throw InputError(denoised.path + " (events at " + timeText(denoised.events) + ") and " +
                     reference.path + " (events at " + timeText(reference.events) +
                     ") do not overlap in time (tolerance " + std::to_string(toleranceUs) +
                     " µs), so no event can match; score a denoised file against the recording "
                     "it was made from");
}

DenoiseMetrics compareWithLabels(const EventArray& denoised, const EventArray& reference,
                                 int64_t toleranceUs) {
  if (!reference.hasLabels())
    throw InputError("the reference has no /events/label: signal and noise cannot be told apart");
  DenoiseMetrics m;
  m.denoised = denoised.size();
  for (uint8_t l : reference.label)
    (l ? m.signal : m.noise)++;
  // Reference events grouped by (pixel, polarity), in time order, with a cursor each.
  const uint64_t width = uint64_t(std::max(reference.sensor.width, denoised.sensor.width));
  auto key = [&](uint16_t x, uint16_t y, int8_t p) {
    return (uint64_t(y) * width + x) * 2 + (p > 0 ? 1 : 0);
  };
  std::unordered_map<uint64_t, std::vector<uint32_t>> byPixel;
  byPixel.reserve(reference.size() / 4 + 1);
  for (uint32_t i = 0; i < reference.size(); ++i)
    byPixel[key(reference.x[i], reference.y[i], reference.p[i])].push_back(i);
  std::unordered_map<uint64_t, size_t> cursor;
  std::vector<uint8_t> used(reference.size(), 0);
  uint64_t keptNoise = 0;
  for (size_t j = 0; j < denoised.size(); ++j) {
    const auto it = byPixel.find(key(denoised.x[j], denoised.y[j], denoised.p[j]));
    bool matched = false;
    if (it != byPixel.end()) {
      auto& list = it->second;
      size_t& c = cursor[it->first];
      const int64_t t = denoised.t[j];
      while (c < list.size() && (used[list[c]] || reference.t[list[c]] < t - toleranceUs))
        ++c;
      // The earliest unused reference event within the tolerance.
      for (size_t k = c; k < list.size() && reference.t[list[k]] <= t + toleranceUs; ++k) {
        if (used[list[k]])
          continue;
        used[list[k]] = 1;
        matched = true;
        if (reference.label[list[k]])
          ++m.truePositives;
        else
          ++keptNoise;
        break;
      }
    }
    if (!matched)
      ++keptNoise; // an event that was not in the input
  }
  m.falsePositives = keptNoise;
  m.falseNegatives = m.signal - m.truePositives;
  computeRates(m);
  return m;
}

double rocAuc(const std::vector<float>& scores, const std::vector<uint8_t>& labels) {
  if (scores.size() != labels.size())
    throw InputError("scores and labels differ in length");
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  // Mann-Whitney U with average ranks for ties.
  double rankSumPositive = 0;
  uint64_t positives = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]])
      ++j;
    const double averageRank = (double(i) + double(j - 1)) / 2.0 + 1.0;
    for (size_t k = i; k < j; ++k)
      if (labels[order[k]]) {
        rankSumPositive += averageRank;
        ++positives;
      }
    i = j;
  }
  const uint64_t negatives = labels.size() - positives;
  if (positives == 0 || negatives == 0)
    return 0.5;
  return (rankSumPositive - double(positives) * double(positives + 1) / 2.0) /
         (double(positives) * double(negatives));
}

double eventStructureRatio(const EventArray& events, int64_t windowUs, double m) {
  if (events.empty())
    return 0.0;
  const size_t K = size_t(events.sensor.width) * size_t(events.sensor.height);
  std::vector<uint32_t> counts(K);
  double total = 0;
  int windows = 0;
  for (const auto& w : segmentWindows(events, windowUs)) {
    const double N = double(w.end - w.begin);
    if (N < 2)
      continue;
    std::fill(counts.begin(), counts.end(), 0u);
    for (size_t i = w.begin; i < w.end; ++i)
      counts[size_t(events.y[i]) * size_t(events.sensor.width) + events.x[i]]++;
    const double M = m > 0 ? std::min(m, N) : N / 2.0;
    double ntss = 0, missing = 0;
    for (uint32_t n : counts) {
      if (n == 0) {
        missing += 1.0;
        continue;
      }
      ntss += double(n) * double(n - 1);
      missing += std::pow(1.0 - M / N, double(n));
    }
    ntss /= N * (N - 1.0);
    const double ln = double(K) - missing;
    total += std::sqrt(ntss * ln);
    ++windows;
  }
  return windows ? total / windows : 0.0;
}

} // namespace lumen
