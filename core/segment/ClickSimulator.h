// A simulated user, for measuring a backend the way people use it: first clicks inside the
// object spread along z (the lowest and highest slices it covers, then the middle), then
// corrections in the largest error region. Each click lands on the voxel of its region farthest
// from the region's border (the most confident place to click, as the interactive-segmentation
// benchmarks of SAM-Med3D and nnInteractive place them), on that region's own slice.
#pragma once
#include "segment/PromptPlan.h"
#include "segment/PromptSegmentation.h"

#include <optional>
#include <vector>

namespace lumen {

// `truth` non-zero inside the object. One click: the middle slice of the object; two: its lowest
// and highest slices; three or more: the lowest, the highest and slices evenly between. Empty
// when the object is empty.
std::vector<PromptPoint> initialClicks(const MaskVolume& truth, int count);

// The next click after `prediction` (non-zero inside): positive in the largest missed region,
// negative in the largest wrongly included one, whichever is larger (26-connected components of
// the error). None when the prediction is exact.
std::optional<PromptPoint> correctionClick(const MaskVolume& truth, const MaskVolume& prediction);

// 2 |A ∩ B| / (|A| + |B|) over non-zero voxels; 1 when both are empty.
double diceScore(const MaskVolume& a, const MaskVolume& b);

} // namespace lumen
