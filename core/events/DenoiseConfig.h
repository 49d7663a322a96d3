// Configuration of event denoising: the data (paired folders, windows, voxel
// encoding, split, patches), the 3D U-Net, the loss and the shared trainer. Defaults live in
// resources/configs/events/{train,test,infer}.yaml.
#pragma once
#include "train/TrainerConfig.h"

#include <string>

namespace lumen {

struct EventDataConfig {
  std::string noisy_dir = "background_with_flare_events";
  std::string clean_dir = "background_with_light_events";
  std::string prepared; // voxel-pair cache (HDF5); empty: <run dir>/prepared.h5 (see
                        // ensurePreparedPairs: made again when its settings differ)
  int64_t window_us = 20000;
  int bins = 8;
  std::string anchor = "window";
  std::string normalization = "none"; // of the network's input only (DenoiseModel.h)
  double val_fraction = 0.2;
  int split_seed = 0;
  int patch = 64; // training crops of patch x patch pixels; 0 = whole frames
  int batch_size = 4;
  std::string pad = "reflect"; // reflect | zero: padding to the network's multiple

  template <class V> void visit(V& v) {
    v.field("noisy_dir", noisy_dir);
    v.field("clean_dir", clean_dir);
    v.field("prepared", prepared);
    v.field("window_us", window_us, atLeast<int64_t>(1));
    v.field("bins", bins, range(1, 64));
    v.field("anchor", anchor, oneOf({"window", "events"}));
    v.field("normalization", normalization, oneOf({"none", "nonzero", "percentile"}));
    v.field("val_fraction", val_fraction, range(0.0, 0.9));
    v.field("split_seed", split_seed, atLeast(0));
    v.field("patch", patch, range(0, 4096));
    v.field("batch_size", batch_size, range(1, 1024));
    v.field("pad", pad, oneOf({"reflect", "zero"}));
  }
};

struct EventModelConfig {
  // local: the per-event network (LocalDenoiser.h), computing only where events are;
  // unet3d: the 3D U-Net over whole voxel grids (DenoiseModel.h), which can also decode.
  std::string kind = "local";
  int radius = 2;  // local: neighbourhood of (2 radius + 1)^2 pixels
  int hidden = 32; // local: width of the two hidden layers
  int f_maps = 8;
  int levels = 3;
  int groups = 4;
  bool residual = true;
  bool anisotropic_pooling = true;
  template <class V> void visit(V& v) {
    v.field("kind", kind, oneOf({"local", "unet3d"}));
    v.field("radius", radius, range(0, 8));
    v.field("hidden", hidden, range(1, 1024));
    v.field("f_maps", f_maps, range(1, 512));
    v.field("levels", levels, range(1, 6));
    v.field("groups", groups, range(1, 64));
    v.field("residual", residual);
    v.field("anisotropic_pooling", anisotropic_pooling);
  }
};

struct EventTrainConfig {
  EventDataConfig data;
  EventModelConfig model;
  std::string loss = "mse";
  TrainerConfig trainer;
  template <class V> void visit(V& v) {
    v.section("data", data);
    v.section("model", model);
    v.field("loss", loss, oneOf({"mse", "l1", "smooth_l1"}));
    v.section("trainer", trainer);
  }
};

// infer.yaml: a trained run and how its output is made; the recording and the output file are
// the command's IN and OUT (`lumen-cli events infer IN OUT`).
struct EventInferConfig {
  std::string checkpoint; // <run>/checkpoints/best.pt; the run's config.yaml gives the model
  std::string input;
  std::string output;
  std::string device = "auto";
  std::string emit = "keep"; // keep: the input's events the network keeps; decode: new events
  double threshold = 0.5;    // keep: the lowest score (share of the voxel's activity kept)
  int batch_windows = 8;     // windows per network call
  bool jitter = false;       // decode: timestamps evenly spread (false) or seeded jitter
  int seed = 0;
  template <class V> void visit(V& v) {
    v.field("checkpoint", checkpoint);
    v.field("input", input);
    v.field("output", output);
    v.field("device", device);
    v.field("emit", emit, oneOf({"keep", "decode"}));
    v.field("threshold", threshold, range(0.0, 10.0));
    v.field("batch_windows", batch_windows, range(1, 256));
    v.field("jitter", jitter);
    v.field("seed", seed, atLeast(0));
  }
};

// test.yaml: a trained run evaluated on held-out pairs next to the BAF and STCF baselines.
struct EventTestConfig {
  std::string checkpoint;
  std::string noisy_dir;
  std::string clean_dir;
  std::string output_dir = "event-test";
  std::string device = "auto";
  int64_t baseline_dt_us = 10000;
  int stcf_k = 2;
  template <class V> void visit(V& v) {
    v.field("checkpoint", checkpoint);
    v.field("noisy_dir", noisy_dir);
    v.field("clean_dir", clean_dir);
    v.field("output_dir", output_dir);
    v.field("device", device);
    v.field("baseline_dt_us", baseline_dt_us, atLeast<int64_t>(1));
    v.field("stcf_k", stcf_k, range(1, 8));
  }
};

} // namespace lumen
