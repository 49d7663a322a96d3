#include "segment/LearnedPropagator.h"

#include "common/Config.h"
#include "common/Error.h"
#include "nn/UNet2d.h"
#include "segment/PropagatorConfig.h"
#include "segment/PropagatorNet.h"
#include "train/Checkpoint.h"
#include "train/RunDirectory.h"

#include <filesystem>

namespace lumen {

namespace fs = std::filesystem;

namespace {

class TrainedNetwork : public SliceNetwork {
public:
  TrainedNetwork(const PropagatorTrainConfig& config, const std::string& checkpoint)
      : size_(config.data.input_size), net_(makePropagatorNet(config.model)) {
    loadModelWeights(checkpoint, *net_);
    net_->eval();
  }
  int inputSize() const override { return size_; }
  at::Tensor forward(const at::Tensor& input) const override { return net_->forward(input); }

private:
  int size_;
  // Forward changes nothing in eval mode without gradients; the holder is not const.
  mutable UNet2d net_{nullptr};
};

} // namespace

std::string propagatorCheckpointOf(const std::string& model) {
  std::error_code ec;
  if (fs::is_regular_file(model, ec))
    return model;
  for (const char* name : {"checkpoints/best.pt", "checkpoints/last.pt"}) {
    const fs::path candidate = fs::path(model) / name;
    if (fs::is_regular_file(candidate, ec))
      return candidate.string();
  }
  return {};
}

std::shared_ptr<const SegmentationBackend> loadLearnedPropagator(const std::string& model) {
  const std::string checkpoint = propagatorCheckpointOf(model);
  if (checkpoint.empty())
    throw InputError(model + " holds no trained propagator (checkpoints/best.pt): train one with "
                             "`lumen-cli segment train --studies DIR` or give its run folder");
  const auto config = loadConfig<PropagatorTrainConfig>(runConfigOfCheckpoint(checkpoint));
  auto network = std::make_shared<TrainedNetwork>(config, checkpoint);
  return std::make_shared<NetworkSliceBackend>(
      "learned",
      "Learned 2D propagator: a small U-Net on slice + prompt + previous mask, trained on the "
      "study's final labels (" +
          fs::path(checkpoint).parent_path().parent_path().filename().string() + ")",
      std::move(network));
}

} // namespace lumen
