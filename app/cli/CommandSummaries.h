// Names and one-line summaries of the commands that need LibTorch. `lumen-cli` lists them in its
// help and forwards them to `lumen-engine`, which registers them with the same text: one
// definition for both binaries.
#pragma once

namespace lumen::cli {

struct CommandSummary {
  const char* name;
  const char* summary;
};

inline constexpr CommandSummary kDemoCommand{
    "demo", "Run the headless demo: a short real training run in a demo workspace"};
inline constexpr CommandSummary kRegressionCommand{
    "regression", "The built-in regression task (a genuine small training problem)"};
inline constexpr CommandSummary kShapesCommand{
    "shapes",
    "Cardiac shape completion: 10-class hearts, VecSet autoencoder, completion and evaluation"};
inline constexpr CommandSummary kSegmentCommand{
    "segment", "Point-prompted CT segmentation: study-folder datastore shared with MONAI Label"};

// `lumen-cli events ...` commands of the learned denoiser.
inline constexpr CommandSummary kEventsPrepareCommand{
    "prepare",
    "Encode paired recordings into a voxel-pair HDF5 (raw, label) with a train/validation split"};
inline constexpr CommandSummary kEventsTrainCommand{
    "train", "Train the event denoiser (per-event network or 3D U-Net) on paired recordings"};
inline constexpr CommandSummary kEventsTestCommand{
    "test", "Score a trained denoiser against BAF and STCF on held-out labelled pairs"};
inline constexpr CommandSummary kEventsInferCommand{
    "infer", "Denoise a recording with a trained run: by default the recording's own events the "
             "network keeps"};

// Every command `lumen-cli` forwards, in the order its help lists them.
inline constexpr CommandSummary kForwardedRootCommands[] = {kDemoCommand, kRegressionCommand};
inline constexpr CommandSummary kForwardedEventsCommands[] = {
    kEventsPrepareCommand, kEventsTrainCommand, kEventsTestCommand, kEventsInferCommand};

} // namespace lumen::cli
