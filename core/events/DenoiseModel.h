// The event denoiser: a 3D U-Net over voxel grids (bins as depth), its padding to the network's
// spatial multiple and back, and the training task for the shared trainer.
//
// Grids are event counts going in and coming out; data.normalization only conditions what the
// network sees. Each window's counts are normalised (normalizeVoxelGrid, over the whole frame)
// into the network's input, and the network answers in counts: with model.residual a
// correction added to the un-normalised counts (clean = noisy + residual), without it the clean
// counts themselves. Training, validation and inference all go through predictCounts.
#pragma once
#include "common/Job.h"
#include "events/DenoiseConfig.h"
#include "events/VoxelPairs.h"
#include "nn/UNet3d.h"
#include "train/TrainTask.h"

namespace lumen {

UNet3dOptions denoiseUNetOptions(const EventModelConfig& config);
// With model.residual the output convolution starts at zero: an untrained denoiser returns its
// input.
UNet3d makeDenoiseModel(const EventModelConfig& config);

// Refuses settings the U-Net cannot run with, before any data is prepared or loaded: isotropic
// pooling deeper than data.bins allows, a patch that is not a multiple of the network's.
void checkDenoiseModelFits(const EventTrainConfig& config);

// Pads the last two dimensions of x (N, C, D, H, W) up to multiples of `multiple`.
torch::Tensor padToMultiple(const torch::Tensor& x, int multiple, const std::string& mode);
torch::Tensor cropTo(const torch::Tensor& x, int64_t height, int64_t width);

// The network's input for counts (N, 1, B, H, W): each sample normalised as `mode` says (the
// counts themselves for None).
torch::Tensor networkInput(const torch::Tensor& counts, VoxelNormalization mode);

// Denoised counts for `counts` (N, 1, B, H, W), given the network's `input` for the same frames
// (networkInput). The input alone is padded to the network's multiple (data.pad) and the output
// is cropped back, so no padded cell reaches a loss or the decoder.
torch::Tensor predictCounts(UNet3d& model, const torch::Tensor& input, const torch::Tensor& counts,
                            const EventTrainConfig& config);

// Runs the network on grids of counts of one shape (no gradient), as one batch, and returns the
// denoised counts.
std::vector<VoxelGrid> denoiseGrids(UNet3d& model, const std::vector<VoxelGrid>& counts,
                                    const EventTrainConfig& config, const torch::Device& device);

torch::Tensor voxelLoss(const torch::Tensor& prediction, const torch::Tensor& target,
                        const std::string& kind);

class EventDenoiseTask : public TrainTask {
public:
  ~EventDenoiseTask() override;
  // Batches are read from `data` as they are trained (VoxelPairSamples::open streams the
  // prepared file), so the set need not fit in memory.
  EventDenoiseTask(const EventTrainConfig& config, VoxelPairSamples data);
  std::shared_ptr<torch::nn::Module> model() override { return model_.ptr(); }
  UNet3d& unet() { return model_; }
  void to(const torch::Device& device) override;
  int64_t batchesPerEpoch() const override;
  StepOutput trainStep(int64_t epoch, int64_t batch) override;
  // loss, mse and psnr of the network, and loss_noisy_input / psnr_noisy_input of the identity
  // (the noisy counts taken as the answer): the bar a denoiser has to clear.
  std::map<std::string, double> validate(Job* job) override;

private:
  EventTrainConfig config_;
  VoxelNormalization normalization_ = VoxelNormalization::None;
  UNet3d model_{nullptr};
  torch::Device device_ = torch::kCPU;
  using Pair = std::pair<torch::Tensor, torch::Tensor>;
  // Sample k's event counts, raw and label, each (1, 1, B, H, W).
  Pair sample(int64_t k) const;
  // The training pairs of `samples`, batch `batch` of epoch `epoch`: read while the previous
  // step trained (a silent job on the run's pool) when it could be, read now otherwise.
  std::vector<Pair> batchPairs(const std::vector<BatchSample>& samples, int64_t epoch,
                               int64_t batch);
  void prefetch(int64_t epoch, int64_t batch);
  struct Prefetch {
    int64_t epoch = -1, batch = -1;
    JobPtr job;
    std::shared_ptr<std::vector<Pair>> pairs;
  };
  Prefetch prefetch_;
  VoxelPairSamples data_;
  std::vector<int64_t> trainIndex_, valIndex_;
  double dataRange_ = 1.0;
};

} // namespace lumen
