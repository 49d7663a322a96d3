// The propagator's network from its configuration: a 2D U-Net taking the kSliceNetChannels of
// SliceNetInput.h, one logit channel out.
#pragma once
#include "nn/UNet2d.h"
#include "segment/PropagatorConfig.h"

namespace lumen {

UNet2d makePropagatorNet(const PropagatorModelConfig& config);

} // namespace lumen
