// Event stream <-> voxel grid (SPEC E3-E6).
//
// Encoding spreads each event over B temporal bins with bilinear weights,
//   V[b, y, x] += p * max(0, 1 - |tn - b|),  tn = (B - 1) (t - t_start) / (t_end - t_start),
// where [t_start, t_end] is the window (window-anchored, the default) or the first and last
// event of the window (event-anchored: the event_utils / E2VID voxel grid). Hard binning puts
// each event whole into bin floor(B (t - t_start) / (t_end - t_start)).
//
// Decoding turns a grid back into events: per pixel the total |V| is rounded to a count, the
// count is shared among bins by largest remainder, each bin's events take the sign of V as
// polarity and timestamps spread inside the bin (evenly, or with seeded jitter).
#pragma once
#include "events/EventArray.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lumen {

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
VoxelGrid encodeVoxelGrid(const EventArray& events, size_t begin, size_t end, int64_t windowStart,
                          int64_t windowEnd, const VoxelOptions& options);

// In-place normalisation of a grid's values.
void normalizeVoxelGrid(VoxelGrid& grid, VoxelNormalization mode, double percentile = 99.0);

struct DecodeOptions {
  bool hard = false;   // the grid was hard-binned (bins cover [k, k+1) of span/B)
  bool jitter = false; // seeded random timestamps inside each bin instead of even spacing
  uint64_t seed = 0;
  float threshold = 0.5f; // pixels whose total |V| rounds below one event emit nothing
};

// Decodes a grid back to events (sorted by time) on a sensor of the grid's size.
EventArray decodeVoxelGrid(const VoxelGrid& grid, const DecodeOptions& options);

// Fixed windows over a stream (SPEC E3): [t0 + k w, t0 + (k+1) w). The last partial window is
// kept or dropped.
struct EventWindow {
  int64_t tStart, tEnd;
  size_t begin, end; // event index range
};
std::vector<EventWindow> segmentWindows(const EventArray& events, int64_t windowUs,
                                        std::optional<int64_t> t0 = std::nullopt,
                                        bool keepPartial = true);

} // namespace lumen
