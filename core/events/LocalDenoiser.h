// The per-event denoiser: a small network that scores each event from the noisy voxel grid
// around it, computing only where events are (EDnCNN's idea, Baldwin et al. 2020, on Lumen's
// voxel grids). A 20 ms DAVIS346 window holds about 12 k events over 720 k voxels: a dense 3D
// U-Net pays for every voxel, this network for every event.
//
// An event's features are the grid's counts in the (2r+1) x (2r+1) pixels around it, over all
// bins, signed by the event's polarity (same-polarity activity is positive) and compressed as
// sign(v) log(1 + |v|), followed by the event's own temporal weights over the bins. The network
// (two hidden layers) answers the share of the activity at the event's voxel that is signal;
// training reads it off the voxel pairs as clamp(clean / noisy, 0, 1) at every non-zero noisy
// voxel, so the prepared pairs of the 3D U-Net serve this network unchanged.
#pragma once
#include "events/DenoiseConfig.h"
#include "events/VoxelGrid.h"
#include "events/VoxelPairs.h"
#include "train/TrainTask.h"

#include <torch/torch.h>

namespace lumen {

int localFeatureCount(int bins, int radius);

// sign(v) log(1 + |v|) of every count: what the network sees of the grid.
std::vector<float> compressCounts(const float* counts, size_t n);

// Features (count x localFeatureCount) of voxels given by pixel, polarity and bin weights (the
// weight of bin b0 and, w1, of bin b0 + 1), read from one compressed grid (bins x H x W).
struct LocalQuery {
  int x = 0, y = 0, b0 = 0;
  float w1 = 0.0f;
  float polarity = 1.0f;
};
void localFeatures(const float* compressed, int bins, int height, int width, int radius,
                   const std::vector<LocalQuery>& queries, float* out);

class LocalEventNetImpl : public torch::nn::Module {
public:
  LocalEventNetImpl(int bins, int radius, int hidden);
  // Logits of the signal share, (N) from features (N, localFeatureCount).
  torch::Tensor forward(const torch::Tensor& features);
  int bins() const { return bins_; }
  int radius() const { return radius_; }

private:
  int bins_, radius_;
  torch::nn::Linear in_{nullptr}, mid_{nullptr}, out_{nullptr};
};
TORCH_MODULE(LocalEventNet);

LocalEventNet makeLocalEventNet(const EventTrainConfig& config);

// Each event's score (the predicted signal share, 0..1) for events [begin, end), encoded into
// `grid` with `options`.
std::vector<float> scoreEventsLocally(LocalEventNet& net, const EventArray& events, size_t begin,
                                      size_t end, const VoxelGrid& grid,
                                      const VoxelOptions& options, const torch::Device& device);

class EventLocalTask : public TrainTask {
public:
  EventLocalTask(const EventTrainConfig& config, VoxelPairSet data);
  std::shared_ptr<torch::nn::Module> model() override { return net_.ptr(); }
  void to(const torch::Device& device) override;
  int64_t batchesPerEpoch() const override;
  StepOutput trainStep(int64_t epoch, int64_t batch) override;
  // loss (BCE of the share), mse and psnr of the share (data range 1), and mse_noisy_input /
  // psnr_noisy_input of keeping everything (share 1): the bar a denoiser has to clear.
  std::map<std::string, double> validate(Job* job) override;

private:
  struct Voxels {
    torch::Tensor features, target; // (N, F), (N)
  };
  // The non-zero voxels of samples `index` (at most `limit`, drawn with `generator` when more).
  Voxels gather(const std::vector<int64_t>& index, size_t limit, at::Generator* generator) const;

  EventTrainConfig config_;
  VoxelPairSet data_;
  std::vector<float> compressedRaw_; // compressCounts of data_.raw
  std::vector<int64_t> trainIndex_, valIndex_;
  LocalEventNet net_{nullptr};
  torch::Device device_ = torch::kCPU;
};

} // namespace lumen
