// Using a trained denoiser: `infer` turns a noisy recording into a denoised one,
// window by window (encode -> network -> decode), and `test` scores the network against the
// BAF and STCF baselines on held-out labelled pairs.
#pragma once
#include "events/DenoiseConfig.h"
#include "events/EventMetrics.h"
#include "events/VoxelGrid.h"

#include <memory>
#include <string>
#include <vector>

namespace lumen {

class Job;

class TrainedDenoiser {
public:
  // checkpoint: <run>/checkpoints/best.pt (or last.pt); <run>/config.yaml describes the model
  // and the voxel encoding it was trained with.
  TrainedDenoiser(const std::string& checkpoint, const std::string& device);
  ~TrainedDenoiser();
  const EventTrainConfig& config() const;
  VoxelGrid denoise(const VoxelGrid& grid) const;

private:
  struct State;
  std::unique_ptr<State> state_;
};

struct DenoiseFileResult {
  uint64_t windows = 0, eventsIn = 0, eventsOut = 0;
};

DenoiseFileResult denoiseEventFile(const TrainedDenoiser& denoiser, const std::string& in,
                                   const std::string& out, const DecodeOptions& decode,
                                   Job* job = nullptr);

struct MethodScore {
  std::string method; // "network", "stcf", "baf", "noisy input"
  DenoiseMetrics metrics;
  double esr = 0;
};

// Per method: metrics summed over all held-out files (micro-averaged), in the order network,
// stcf, baf, noisy input (the bar: everything kept). Writes each file's network output and
// results.json (summary and per-file scores, atomically) into config.output_dir.
std::vector<MethodScore> compareDenoisers(const EventTestConfig& config, Job* job = nullptr);

} // namespace lumen
