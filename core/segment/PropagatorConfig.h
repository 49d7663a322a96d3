// Configuration of the learned slice propagator: where its training cases come from (a study
// folder's `final` labels), how training examples are drawn, the 2D U-Net and the shared
// trainer. Defaults live in resources/configs/segment/propagator.yaml.
#pragma once
#include "train/TrainerConfig.h"

#include <string>

namespace lumen {

struct PropagatorDataConfig {
  std::string studies;       // a study folder (datastore_v2.json); every image with a `final` label
  double val_fraction = 0.2; // cases held out for validation (by sorted id)
  int input_size = 64;       // S of the tensor contract (SliceNetInput.h)
  int batch_size = 16;
  int samples_per_epoch = 2048;
  int val_samples = 256;
  double margin_mm = 20;              // the prompt plan's box margin the examples imitate
  double key_fraction = 0.3;          // examples of a pass's first slice: clicks, no previous mask
  double click_fraction = 0.15;       // other examples that also carry a click on their slice
  double negative_fraction = 0.25;    // examples with a negative click on a look-alike neighbour
  double single_slice_fraction = 0.3; // examples boxed from one slice's clicks
  int min_voxels = 200;               // smaller objects of a label map are not trained on
  int max_cases = 64;                 // cases held in memory at once

  template <class V> void visit(V& v) {
    v.field("studies", studies);
    v.field("val_fraction", val_fraction, range(0.0, 0.9));
    v.field("input_size", input_size, range(16, 512));
    v.field("batch_size", batch_size, range(1, 4096));
    v.field("samples_per_epoch", samples_per_epoch, range(1, 10000000));
    v.field("val_samples", val_samples, range(1, 1000000));
    v.field("margin_mm", margin_mm, range(0.0, 500.0));
    v.field("key_fraction", key_fraction, range(0.0, 1.0));
    v.field("click_fraction", click_fraction, range(0.0, 1.0));
    v.field("negative_fraction", negative_fraction, range(0.0, 1.0));
    v.field("single_slice_fraction", single_slice_fraction, range(0.0, 1.0));
    v.field("min_voxels", min_voxels, atLeast(1));
    v.field("max_cases", max_cases, range(1, 100000));
  }
};

struct PropagatorModelConfig {
  int f_maps = 16;
  int levels = 3;
  int groups = 4;
  template <class V> void visit(V& v) {
    v.field("f_maps", f_maps, range(1, 256));
    v.field("levels", levels, range(1, 6));
    v.field("groups", groups, range(1, 64));
  }
};

struct PropagatorTrainConfig {
  PropagatorDataConfig data;
  PropagatorModelConfig model;
  TrainerConfig trainer;
  template <class V> void visit(V& v) {
    v.section("data", data);
    v.section("model", model);
    v.section("trainer", trainer);
  }
};

} // namespace lumen
