// Using a trained denoiser: `infer` turns a noisy recording into a denoised one, window by
// window (encode -> network -> the input's events the network keeps, or a decoded grid), and
// `test` scores the network against the BAF and STCF baselines on held-out labelled pairs.
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
  // Whether the model makes denoised grids (a 3D U-Net) or only scores events (the per-event
  // network).
  bool decodes() const;
  // Grids of one shape denoised as one batch (U-Net only; InputError for a per-event model).
  std::vector<VoxelGrid> denoise(const std::vector<VoxelGrid>& grids) const;
  // Each event's score (EventScoring.h / LocalDenoiser.h) for events encoded into `noisy`.
  std::vector<float> scoreEvents(const EventArray& events, const VoxelGrid& noisy) const;

private:
  struct State;
  std::unique_ptr<State> state_;
};

// What a denoised recording holds.
//  Keep (the default): the input's own events whose score (EventScoring.h) reaches `threshold`,
//    with their exact timestamps, coordinates, polarities (and labels, when the input has them)
//    and each kept event's score as /events/score: the output is a subset of the input.
//  Decode: the denoised grid decoded into new events (SPEC E6, the seed's inference), their
//    timestamps spread inside each bin and held inside the input's time range.
enum class DenoiseEmit { Keep, Decode };
DenoiseEmit parseDenoiseEmit(const std::string& text);

struct DenoiseRunOptions {
  DenoiseEmit emit = DenoiseEmit::Keep;
  float threshold = 0.5f; // Keep: the lowest score kept
  DecodeOptions decode;   // Decode: how grids turn back into events
  int batchWindows = 8;   // windows per network call (fewer when frames are large)
};

struct DenoiseFileResult {
  uint64_t windows = 0, eventsIn = 0, eventsOut = 0;
};

DenoiseFileResult denoiseEventFile(const TrainedDenoiser& denoiser, const std::string& in,
                                   const std::string& out, const DenoiseRunOptions& options = {},
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
