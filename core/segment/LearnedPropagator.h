// The learned slice propagator as a segmentation backend ("learned"): the 2D U-Net a
// `segment train` run trained, loaded from the run (its config.yaml describes the network, its
// checkpoints/best.pt holds the weights).
#pragma once
#include "segment/NetworkSliceBackend.h"

#include <memory>
#include <string>

namespace lumen {

// `model`: a run folder (checkpoints/best.pt, else last.pt) or one of its checkpoint files.
// Throws InputError naming the path when it is neither, IoError when the weights do not load.
std::shared_ptr<const SegmentationBackend> loadLearnedPropagator(const std::string& model);

// The checkpoint a run folder or checkpoint path stands for; empty when there is none.
std::string propagatorCheckpointOf(const std::string& model);

} // namespace lumen
