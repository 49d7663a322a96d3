// Event stream <-> voxel grid: fixed windows, encoding, normalisation and decoding.
//
// Encoding spreads each event over B temporal bins with bilinear weights,
//   V[b, y, x] += p * max(0, 1 - |tn - b|),  tn = (B - 1) (t - t_start) / (t_end - t_start),
// where [t_start, t_end] is the window (window-anchored, the default) or the first and last
// event of the window (event-anchored: the event_utils / E2VID voxel grid). Hard binning puts
// each event whole into bin floor(B (t - t_start) / (t_end - t_start)), computed exactly in
// integers with the last bin closed (an event at t_end is in bin B - 1).
//
// Decoding turns a grid back into events: per pixel the total |V| is rounded to a count, the
// count is shared among bins by largest remainder, each bin's events take the sign of V as
// polarity and timestamps spread inside the bin (evenly, or with seeded jitter). For a
// hard-binned grid of counts, encoding the decoded events with the same options gives the grid
// back exactly (SPEC E6): timestamps are whole microseconds of the bin under the encoder's
// integer rule, and the decoded events span what the grid spans.
#pragma once
#include "events/EventArray.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lumen {

// What a grid, a stream's windows and a decoded grid may amount to. Window lengths, sensor sizes
// and grid values come from files and command lines: a 1 µs window over an hour would be 3.6
// billion windows, and a grid of huge values would decode into billions of events.
constexpr uint64_t kMaxVoxelWindows = 10'000'000;
constexpr uint64_t kMaxVoxelGridValues = uint64_t(1) << 30; // 4 GiB of floats
constexpr uint64_t kMaxDecodedEventsPerPixel = 1'000'000;
constexpr uint64_t kMaxDecodedEventsPerGrid = 100'000'000;

enum class VoxelAnchor { Window, Events };
enum class VoxelNormalization { None, NonzeroMeanStd, Percentile };

struct VoxelOptions {
  int bins = 8;
  VoxelAnchor anchor = VoxelAnchor::Window;
  bool hard = false;
  VoxelNormalization normalization = VoxelNormalization::None;
  double percentile = 99.0; // Percentile normalisation: this percentile of |V| maps to 1
};

VoxelAnchor parseVoxelAnchor(const std::string& text);
VoxelNormalization parseVoxelNormalization(const std::string& text);

// A B x H x W float grid for one time window.
struct VoxelGrid {
  int bins = 0, height = 0, width = 0;
  int64_t tStart = 0, tEnd = 0; // the span the bins cover
  std::vector<float> values;    // [bin][y][x]
  float& at(int b, int y, int x) { return values[(size_t(b) * height + y) * width + x]; }
  float at(int b, int y, int x) const { return values[(size_t(b) * height + y) * width + x]; }
};

// Encodes events [begin, end) of `events`, which lie in the window [windowStart, windowEnd).
// InputError when the grid would hold more than kMaxVoxelGridValues values or the times lie
// further apart than int64 microseconds can say.
VoxelGrid encodeVoxelGrid(const EventArray& events, size_t begin, size_t end, int64_t windowStart,
                          int64_t windowEnd, const VoxelOptions& options);

// The same into `grid`, reusing its memory: a stream encoded window by window allocates (and the
// kernel zeroes) one VGA grid of 9.8 MB per window otherwise.
void encodeVoxelGridInto(VoxelGrid& grid, const EventArray& events, size_t begin, size_t end,
                         int64_t windowStart, int64_t windowEnd, const VoxelOptions& options);

// InputError when a bins x height x width grid would hold more than kMaxVoxelGridValues values.
void checkVoxelGridSize(int bins, int height, int width);

// In-place normalisation of a grid's values.
void normalizeVoxelGrid(VoxelGrid& grid, VoxelNormalization mode, double percentile = 99.0);

struct DecodeOptions {
  bool hard = false; // the grid was hard-binned (bins cover [k, k+1) of span/B)
  // How the grid's [tStart, tEnd] was chosen. Hard-binned: a window's grid holds events before
  // tEnd only; an event-anchored grid's last event sits on tEnd and decodes there again.
  VoxelAnchor anchor = VoxelAnchor::Window;
  bool jitter = false; // seeded random timestamps inside each bin instead of even spacing
  uint64_t seed = 0;
  float threshold = 0.5f; // pixels whose total |V| rounds below one event emit nothing
};

// Decodes a grid back to events (sorted by time) on a sensor of the grid's size. InputError for a
// non-finite value, a pixel that would emit more than kMaxDecodedEventsPerPixel events or a grid
// more than kMaxDecodedEventsPerGrid: such a grid holds no event counts (normalised, or corrupt).
EventArray decodeVoxelGrid(const VoxelGrid& grid, const DecodeOptions& options);

// Fixed windows over a stream: [t0 + k w, t0 + (k+1) w). The last partial window is
// kept or dropped.
struct EventWindow {
  int64_t tStart, tEnd;
  size_t begin, end; // event index range
};
std::vector<EventWindow> segmentWindows(const EventArray& events, int64_t windowUs,
                                        std::optional<int64_t> t0 = std::nullopt,
                                        bool keepPartial = true);

// How many windows of `windowUs` cover [start, last]: whole ones, plus the partial last one when
// kept. InputError naming --window-us when that is more than kMaxVoxelWindows, or when the span
// or the last window's end does not fit int64 microseconds.
uint64_t countWindows(int64_t start, int64_t last, int64_t windowUs, bool keepPartial);

} // namespace lumen
