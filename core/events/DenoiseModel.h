// The event denoiser: a 3D U-Net over voxel grids (bins as depth), its padding to the network's
// spatial multiple and back (SPEC E5), and the training task for the shared trainer.
#pragma once
#include "events/DenoiseConfig.h"
#include "events/VoxelPairs.h"
#include "nn/UNet3d.h"
#include "train/TrainTask.h"

namespace lumen {

UNet3d makeDenoiseModel(const EventModelConfig& config);

// Pads the last two dimensions of x (N, C, D, H, W) up to multiples of `multiple`.
torch::Tensor padToMultiple(const torch::Tensor& x, int multiple, const std::string& mode);
torch::Tensor cropTo(const torch::Tensor& x, int64_t height, int64_t width);

// Runs the network on one grid (no gradient) and returns the denoised grid.
VoxelGrid denoiseGrid(UNet3d& model, const VoxelGrid& grid, const std::string& padMode,
                      const torch::Device& device);

torch::Tensor voxelLoss(const torch::Tensor& prediction, const torch::Tensor& target,
                        const std::string& kind);

class EventDenoiseTask : public TrainTask {
public:
  EventDenoiseTask(const EventTrainConfig& config, VoxelPairSet data);
  std::shared_ptr<torch::nn::Module> model() override { return model_.ptr(); }
  UNet3d& unet() { return model_; }
  void to(const torch::Device& device) override;
  int64_t batchesPerEpoch() const override;
  StepOutput trainStep(int64_t epoch, int64_t batch) override;
  std::map<std::string, double> validate(Job* job) override;

private:
  EventTrainConfig config_;
  UNet3d model_{nullptr};
  torch::Device device_ = torch::kCPU;
  torch::Tensor trainRaw_, trainLabel_, valRaw_, valLabel_; // (S, 1, B, H, W)
  double dataRange_ = 1.0;
};

} // namespace lumen
