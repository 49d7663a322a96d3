// What the clicked points say about the object's intensity: the window the classical backend
// grows in and the learned backends' relative-HU channel (SliceNetInput.h).
#pragma once
#include "segment/PromptPlan.h"

#include <vector>

namespace lumen {

struct ObjectIntensity {
  double mean = 0;
  double halfWidth = 80; // max(3 sd, minimum)
};

// From the 5x5 in-slice neighbourhoods of the positive points (the classical backend's intensity
// window too).
ObjectIntensity objectIntensity(const CtVolume& image, const std::vector<PromptPoint>& points,
                                double minimumHalfWidthHu = 80);

} // namespace lumen
