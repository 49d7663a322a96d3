// Reading a denoised voxel grid back at the input's own events: the denoiser's default output
// keeps the recorded events (exact timestamps, coordinates and polarities) that the network
// keeps, instead of synthesising new ones from the grid.
//
// An event's score is the share of the activity at its voxel that survives denoising:
//   score = p * D(t, y, x) / max(p * V(t, y, x), own)
// where V is the noisy grid, D the denoised one, both read at the event's time with the
// encoder's own temporal weights (bilinear or hard), and `own` is what the event alone adds at
// that place (the sum of its squared weights), so a lone event of a cancelled pair still divides
// by its own weight. A lone signal event the network keeps scores about 1, a lone noise event it
// removes about 0.
#pragma once
#include "events/VoxelGrid.h"

#include <vector>

namespace lumen {

// One score per event [begin, end) of `events`, which were encoded into `noisy` with `options`
// (bins, anchor and hard binning as the network saw them); `denoised` has the same shape.
std::vector<float> scoreEventsOnGrid(const EventArray& events, size_t begin, size_t end,
                                     const VoxelGrid& noisy, const VoxelGrid& denoised,
                                     const VoxelOptions& options);

} // namespace lumen
