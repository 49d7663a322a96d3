#include "events/VoxelGrid.h"

#include "common/Checked.h"
#include "common/Error.h"
#include "common/Text.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace lumen {

VoxelAnchor parseVoxelAnchor(const std::string& text) {
  if (text == "window")
    return VoxelAnchor::Window;
  if (text == "events")
    return VoxelAnchor::Events;
  throw InputError("unknown voxel anchor '" + text + "': expected window or events");
}

VoxelNormalization parseVoxelNormalization(const std::string& text) {
  if (text == "none")
    return VoxelNormalization::None;
  if (text == "nonzero")
    return VoxelNormalization::NonzeroMeanStd;
  if (text == "percentile")
    return VoxelNormalization::Percentile;
  throw InputError("unknown voxel normalisation '" + text +
                   "': expected none, nonzero or "
                   "percentile");
}

void checkVoxelGridSize(int bins, int height, int width) {
  const auto values = checkedProduct({uint64_t(bins), uint64_t(height), uint64_t(width)});
  if (!values || *values > kMaxVoxelGridValues)
    throw InputError("a " + std::to_string(bins) + " x " + std::to_string(height) + " x " +
                     std::to_string(width) + " voxel grid holds more than the " +
                     std::to_string(kMaxVoxelGridValues) +
                     " values supported; use fewer --bins or a smaller sensor");
}

namespace {

// tEnd - tStart, refused when extreme timestamps would overflow it.
int64_t spanOf(int64_t tStart, int64_t tEnd) {
  const auto span = checkedSubtract(tEnd, tStart);
  if (!span)
    throw InputError("the time span " + std::to_string(tStart) + ".." + std::to_string(tEnd) +
                     " µs is longer than int64 microseconds can hold");
  return *span;
}

// Hard bins in whole microseconds. An offset d = t - t_start in [0, span] falls in bin
// floor(B d / span), the last bin closed (d = span is in bin B - 1); a zero span counts as 1 µs,
// as in encoding. Products are taken in 128 bits: B d overflows int64 for long spans. Floating
// point would not do: for spans where B d / span is a whole number, d * (B / span) can round
// just below it, moving an event on a bin edge into the bin before.
__extension__ using Int128 = __int128;

struct HardBins {
  int bins;
  int64_t span;       // > 0
  int64_t lastOffset; // the largest offset decoded events may take

  // The bin of offset d; `estimate` is floor(d * bins / span) in floating point, off by at most
  // one, and corrected with exact products so that no division is needed per event.
  int binOf(int64_t d, int64_t estimate) const {
    d = std::clamp<int64_t>(d, 0, span);
    const Int128 scaled = Int128(d) * bins;
    int64_t b = std::clamp<int64_t>(estimate, 0, bins);
    if (Int128(b) * span > scaled)
      --b;
    else if (Int128(b + 1) * span <= scaled)
      ++b;
    return int(std::min<int64_t>(b, bins - 1));
  }
  // The first offset of bin b: ceil(b span / B), the inverse of binOf.
  int64_t firstOffset(int b) const { return int64_t((Int128(b) * span + bins - 1) / bins); }
  // The last offset of bin b; the last bin ends at lastOffset.
  int64_t lastOffsetOf(int b) const { return b == bins - 1 ? lastOffset : firstOffset(b + 1) - 1; }
};

} // namespace

VoxelGrid encodeVoxelGrid(const EventArray& events, size_t begin, size_t end, int64_t windowStart,
                          int64_t windowEnd, const VoxelOptions& options) {
  VoxelGrid grid;
  encodeVoxelGridInto(grid, events, begin, end, windowStart, windowEnd, options);
  return grid;
}

void encodeVoxelGridInto(VoxelGrid& grid, const EventArray& events, size_t begin, size_t end,
                         int64_t windowStart, int64_t windowEnd, const VoxelOptions& options) {
  if (options.bins < 1)
    throw InputError("voxel grids need at least one bin");
  if (!events.sensor.valid())
    throw InputError("cannot encode events without a sensor size");
  checkVoxelGridSize(options.bins, events.sensor.height, events.sensor.width);
  grid.bins = options.bins;
  grid.width = events.sensor.width;
  grid.height = events.sensor.height;
  end = std::min(end, events.size());
  begin = std::min(begin, end);
  grid.tStart = windowStart;
  grid.tEnd = windowEnd;
  if (options.anchor == VoxelAnchor::Events && end > begin) {
    grid.tStart = events.t[begin];
    grid.tEnd = events.t[end - 1];
  }
  // Events are sorted, so when the first and last lie within int64 reach of the start, all do.
  const int64_t t0 = grid.tStart;
  const int64_t rawSpan = spanOf(grid.tStart, grid.tEnd);
  if (end > begin) {
    spanOf(t0, events.t[begin]);
    spanOf(t0, events.t[end - 1]);
  }
  const size_t plane = size_t(grid.width) * size_t(grid.height);
  grid.values.assign(plane * size_t(grid.bins), 0.0f);
  // A zero span (one event, or all at one instant) would divide by zero: as event_utils does,
  // treat it as 1 µs so every event lands in the first bin.
  const double span = rawSpan > 0 ? double(rawSpan) : 1.0;
  const int64_t* t = events.t.data();
  const uint16_t* xs = events.x.data();
  const uint16_t* ys = events.y.data();
  const int8_t* ps = events.p.data();
  float* v = grid.values.data();
  const int width = grid.width;
  const int lastBin = grid.bins - 1;
  // Hard binning puts each event whole into bin floor(B * tn); bilinear splits it between the
  // two nearest of B - 1 intervals.
  const bool hard = options.hard;
  const double scale = hard ? double(grid.bins) / span : double(lastBin) / span;
  const HardBins hardBins{grid.bins, rawSpan > 0 ? rawSpan : 1, 0};
  // Two passes per block: the first computes targets and weights (vectorisable), the second
  // scatters them while prefetching targets a few events ahead. Random pixels miss the cache
  // on every event once the grid outgrows L2 (VGA and up); the prefetch overlaps those misses.
  constexpr size_t kBlock = 256, kAhead = 16;
  size_t target[kBlock];
  float nextWeight[kBlock];
  bool hasNext[kBlock];
  for (size_t blockBegin = begin; blockBegin < end; blockBegin += kBlock) {
    const size_t n = std::min(kBlock, end - blockBegin);
    for (size_t k = 0; k < n; ++k) {
      const size_t i = blockBegin + k;
      if (hard) {
        const int64_t d = t[i] - t0;
        const int b =
            hardBins.binOf(d, int64_t(std::clamp(double(d) * scale, 0.0, double(lastBin))));
        target[k] = size_t(b) * plane + size_t(ys[i]) * size_t(width) + xs[i];
        nextWeight[k] = 0.0f;
        hasNext[k] = false;
        continue;
      }
      const double tn = std::clamp(double(t[i] - t0) * scale, 0.0, double(lastBin));
      const int b0 = int(tn);
      target[k] = size_t(b0) * plane + size_t(ys[i]) * size_t(width) + xs[i];
      nextWeight[k] = float(tn - b0);
      hasNext[k] = b0 < lastBin;
    }
    for (size_t k = 0; k < n; ++k) {
      if (k + kAhead < n) {
        __builtin_prefetch(v + target[k + kAhead], 1);
        __builtin_prefetch(v + target[k + kAhead] + (hasNext[k + kAhead] ? plane : 0), 1);
      }
      const float p = float(ps[blockBegin + k]);
      float* cell = v + target[k];
      cell[0] += p * (1.0f - nextWeight[k]);
      if (hasNext[k])
        cell[plane] += p * nextWeight[k];
    }
  }
  if (options.normalization != VoxelNormalization::None)
    normalizeVoxelGrid(grid, options.normalization, options.percentile);
}

void normalizeVoxelGrid(VoxelGrid& grid, VoxelNormalization mode, double percentile) {
  auto& v = grid.values;
  if (mode == VoxelNormalization::NonzeroMeanStd) {
    // E2VID: statistics over the non-zero cells only, applied to them only.
    double sum = 0, sumSq = 0;
    size_t n = 0;
    for (float value : v)
      if (value != 0.0f) {
        sum += value;
        sumSq += double(value) * value;
        ++n;
      }
    if (n == 0)
      return;
    const double mean = sum / double(n);
    const double std = std::sqrt(std::max(0.0, sumSq / double(n) - mean * mean));
    const double inv = std > 0 ? 1.0 / std : 1.0;
    for (float& value : v)
      if (value != 0.0f)
        value = float((value - mean) * inv);
  } else if (mode == VoxelNormalization::Percentile) {
    std::vector<float> magnitudes;
    magnitudes.reserve(v.size());
    for (float value : v)
      if (value != 0.0f)
        magnitudes.push_back(std::abs(value));
    if (magnitudes.empty())
      return;
    const size_t k = std::min(magnitudes.size() - 1, size_t(std::clamp(percentile, 0.0, 100.0) /
                                                            100.0 * double(magnitudes.size() - 1)));
    std::nth_element(magnitudes.begin(), magnitudes.begin() + long(k), magnitudes.end());
    const float scale = magnitudes[k] > 0 ? 1.0f / magnitudes[k] : 1.0f;
    for (float& value : v)
      value = std::clamp(value * scale, -1.0f, 1.0f);
  }
}

namespace {

// The events each pixel emits: lround(sum over bins of |V|), or none below the threshold. Checks
// what decoding would produce before anything is allocated for it.
std::vector<double> pixelTotals(const VoxelGrid& grid, const DecodeOptions& options,
                                uint64_t& eventCount) {
  const size_t plane = size_t(grid.width) * size_t(grid.height);
  std::vector<double> totals(plane, 0.0);
  for (size_t b = 0; b < size_t(grid.bins); ++b) {
    const float* values = grid.values.data() + b * plane;
    for (size_t pixel = 0; pixel < plane; ++pixel)
      totals[pixel] += std::abs(double(values[pixel]));
  }
  eventCount = 0;
  for (size_t pixel = 0; pixel < plane; ++pixel) {
    const double total = totals[pixel];
    const auto where = [&] {
      return "pixel (" + std::to_string(pixel % size_t(grid.width)) + ", " +
             std::to_string(pixel / size_t(grid.width)) + ")";
    };
    if (!std::isfinite(total)) // NaN and infinities survive the sum of magnitudes
      for (int b = 0; b < grid.bins; ++b)
        if (const float v = grid.values[size_t(b) * plane + pixel]; !std::isfinite(v))
          throw InputError("the voxel value at bin " + std::to_string(b) + ", " + where() + " is " +
                           formatNumber(v) + "; voxel grids hold finite numbers");
    if (total > double(kMaxDecodedEventsPerPixel))
      throw InputError(where() + " would emit " + formatNumber(std::round(total)) +
                       " events, more than the " + std::to_string(kMaxDecodedEventsPerPixel) +
                       " a pixel may; the grid does not hold event counts");
    if (total >= options.threshold)
      eventCount += uint64_t(std::lround(total));
  }
  if (eventCount > kMaxDecodedEventsPerGrid)
    throw InputError("the grid would decode into " + std::to_string(eventCount) +
                     " events, more than the " + std::to_string(kMaxDecodedEventsPerGrid) +
                     " supported; the grid does not hold event counts");
  return totals;
}

} // namespace

EventArray decodeVoxelGrid(const VoxelGrid& grid, const DecodeOptions& options) {
  if (grid.bins < 1 || grid.width < 1 || grid.height < 1 || grid.width > kMaxSensorSide ||
      grid.height > kMaxSensorSide)
    throw InputError("cannot decode a " + std::to_string(grid.bins) + " x " +
                     std::to_string(grid.height) + " x " + std::to_string(grid.width) +
                     " voxel grid");
  checkVoxelGridSize(grid.bins, grid.height, grid.width);
  const int B = grid.bins;
  const size_t plane = size_t(grid.width) * size_t(grid.height);
  if (grid.values.size() != plane * size_t(B))
    throw InputError("a " + std::to_string(B) + " x " + std::to_string(grid.height) + " x " +
                     std::to_string(grid.width) + " voxel grid needs " +
                     std::to_string(plane * size_t(B)) + " values, has " +
                     std::to_string(grid.values.size()));
  const int64_t rawSpan = spanOf(grid.tStart, grid.tEnd);
  uint64_t eventCount = 0;
  const std::vector<double> totals = pixelTotals(grid, options, eventCount);
  EventArray events;
  events.sensor = {grid.width, grid.height};
  events.reserve(size_t(eventCount));
  const double span = rawSpan > 0 ? double(rawSpan) : 1.0;
  // With bilinear weights bin k is centred on k * span/(B-1) and reaches half a bin to each side
  // (clipped to the window); a single bin covers the window.
  auto binRange = [&](int b) -> std::pair<double, double> {
    if (B == 1)
      return {0.0, span};
    const double step = span / (B - 1);
    return {std::max(0.0, (b - 0.5) * step), std::min(span, (b + 0.5) * step)};
  };
  // Hard bins hold the whole microseconds encoding puts in them. A window-anchored grid covers
  // the half-open window; an event-anchored one ends at its last event, inclusive.
  const int64_t hardSpan = rawSpan > 0 ? rawSpan : 1;
  const HardBins hardBins{B, hardSpan,
                          options.anchor == VoxelAnchor::Events ? std::max<int64_t>(rawSpan, 0)
                                                                : hardSpan - 1};
  // The whole microseconds [first, last] (offsets from tStart) that bin b's events take.
  auto offsetRange = [&](int b) -> std::pair<int64_t, int64_t> {
    if (options.hard) {
      // A bin too short to hold a whole microsecond (span < B) gets no events from encoding;
      // counts a network put there go to the nearest microsecond of the grid.
      const int64_t first = std::min(hardBins.firstOffset(b), hardBins.lastOffset);
      return {first, std::max(first, hardBins.lastOffsetOf(b))};
    }
    const auto [lo, hi] = binRange(b);
    const double first = std::ceil(lo);
    return {int64_t(first), int64_t(std::max(first, std::ceil(hi) - 1.0))};
  };
  // Re-encoding a hard grid gives it back only when the decoded events span what the grid
  // spanned: the first decoded event of bin 0 is put on tStart (where a window's stream starts),
  // and under the event anchor the last of bin B - 1 on tEnd. Both stay inside their bins.
  std::optional<size_t> startEvent, endEvent;
  std::mt19937_64 random(options.seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  const size_t binCount = static_cast<size_t>(B);
  std::vector<double> magnitude(binCount);
  std::vector<int> counts(binCount);
  std::vector<double> remainder(binCount);
  for (size_t pixel = 0; pixel < plane; ++pixel) {
    const double total = totals[pixel];
    const long n = std::lround(total);
    if (n < 1 || total < options.threshold)
      continue;
    for (int b = 0; b < B; ++b)
      magnitude[size_t(b)] = std::abs(double(grid.values[size_t(b) * plane + pixel]));
    // Largest remainder: floors first, then the bins with the largest fractions get one more
    // (ties to the earlier bin). Fewer than B remain, so picking maxima one by one is cheap.
    long assigned = 0;
    for (size_t b = 0; b < binCount; ++b) {
      const double share = magnitude[b] * double(n) / total;
      counts[b] = int(std::floor(share));
      remainder[b] = share - counts[b];
      assigned += counts[b];
    }
    for (; assigned < n; ++assigned) {
      const size_t best =
          size_t(std::max_element(remainder.begin(), remainder.end()) - remainder.begin());
      counts[best]++;
      remainder[best] = -1.0;
    }
    const int x = int(pixel % size_t(grid.width));
    const int y = int(pixel / size_t(grid.width));
    for (int b = 0; b < B; ++b) {
      const int c = counts[size_t(b)];
      if (c == 0)
        continue;
      const int polarity = grid.values[size_t(b) * plane + pixel] >= 0 ? 1 : -1;
      // Whole microseconds inside the bin, so re-encoding puts each event back in its bin.
      const auto [first, last] = offsetRange(b);
      const int64_t width = last - first;
      for (int k = 0; k < c; ++k) {
        const double fraction = options.jitter ? uniform(random) : (k + 0.5) / c;
        const double step = std::floor(fraction * (double(width) + 1.0));
        const int64_t offset = first + (step >= double(width) ? width : int64_t(step));
        if (b == 0 && !startEvent)
          startEvent = events.size();
        if (b == B - 1)
          endEvent = events.size();
        events.push(grid.tStart + offset, x, y, polarity);
      }
    }
  }
  if (options.hard && startEvent)
    events.t[*startEvent] = grid.tStart;
  if (options.hard && options.anchor == VoxelAnchor::Events && endEvent && endEvent != startEvent &&
      hardBins.firstOffset(B - 1) <= hardBins.lastOffset)
    events.t[*endEvent] = grid.tStart + hardBins.lastOffset;
  // Pixel by pixel so far; a counting sort over the window's microseconds (see sortByTime).
  events.sortByTime();
  return events;
}

uint64_t countWindows(int64_t start, int64_t last, int64_t windowUs, bool keepPartial) {
  if (windowUs <= 0)
    throw InputError("--window-us must be positive (got " + std::to_string(windowUs) + " µs)");
  if (last < start)
    return 0;
  const auto difference = checkedSubtract(last, start);
  const auto span = difference ? checkedAdd(*difference, 1) : std::nullopt;
  if (!span)
    throw InputError("events from " + std::to_string(start) + " to " + std::to_string(last) +
                     " µs span more than int64 microseconds can hold; no window length covers "
                     "them (corrupt timestamps?)");
  const uint64_t full = uint64_t(*span / windowUs);
  const bool partial = *span % windowUs != 0;
  const uint64_t count = full + ((partial && keepPartial) ? 1 : 0);
  if (count > kMaxVoxelWindows)
    throw InputError("events from " + std::to_string(start) + " to " + std::to_string(last) +
                     " µs (" + formatNumber(double(*span) * 1e-6) + " s) make " +
                     std::to_string(count) + " windows of " + std::to_string(windowUs) +
                     " µs, more than the " + std::to_string(kMaxVoxelWindows) +
                     " supported; choose a longer --window-us");
  // The last window's end, start + count * windowUs, must be a timestamp too.
  const auto reach = checkedMultiply(count, uint64_t(windowUs));
  if (!reach || *reach > uint64_t(INT64_MAX) || !checkedAdd(start, int64_t(*reach)))
    throw InputError("windows of " + std::to_string(windowUs) + " µs from " +
                     std::to_string(start) + " µs end past the largest int64 timestamp");
  return count;
}

std::vector<EventWindow> segmentWindows(const EventArray& events, int64_t windowUs,
                                        std::optional<int64_t> t0, bool keepPartial) {
  if (windowUs <= 0)
    throw InputError("--window-us must be positive (got " + std::to_string(windowUs) + " µs)");
  std::vector<EventWindow> windows;
  if (events.empty())
    return windows;
  const int64_t start = t0.value_or(events.t.front());
  const uint64_t count = countWindows(start, events.t.back(), windowUs, keepPartial);
  windows.reserve(size_t(count));
  for (uint64_t k = 0; k < count; ++k) {
    const int64_t ws = start + int64_t(k) * windowUs, we = ws + windowUs;
    windows.push_back({ws, we, events.lowerBound(ws), events.lowerBound(we)});
  }
  return windows;
}

} // namespace lumen
