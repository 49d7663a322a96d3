// Negative clicks in 3D. Propagation slice by slice can carry a region the user did not want (a
// chamber of the same density touching a vessel) along many slices before the slice the user
// clicked as background. After the passes are combined, the mask is split between the positive
// and the negative clicks: every mask voxel goes to the clicks it is geodesically nearest to
// (the shortest path through the mask, in millimetres, 26-connected), and the negative side is
// removed. A mask without negative clicks inside it is left as it is.
#pragma once
#include "segment/PromptPlan.h"
#include "segment/PromptSegmentation.h"

namespace lumen {

// Returns how many voxels were removed.
int64_t splitByNegativeClicks(MaskVolume& mask, const std::vector<PromptPoint>& points);

} // namespace lumen
