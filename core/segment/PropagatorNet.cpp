#include "segment/PropagatorNet.h"

#include "segment/SliceNetInput.h"

namespace lumen {

UNet2d makePropagatorNet(const PropagatorModelConfig& config) {
  UNet2dOptions options;
  options.inChannels = kSliceNetChannels;
  options.outChannels = 1;
  options.fMaps = config.f_maps;
  options.levels = config.levels;
  options.groups = config.groups;
  return UNet2d(options);
}

} // namespace lumen
