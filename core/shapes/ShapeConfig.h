// Configuration of shape-completion training: the prepared datasets, how a batch
// is sampled, the VecSet autoencoder, the training phase and the shared trainer. Defaults live in
// resources/configs/shapes/{small,paper}.yaml.
#pragma once
#include "train/TrainerConfig.h"

#include <string>
#include <vector>

namespace lumen {

struct ShapeDataConfig {
  std::vector<std::string> dirs{"shapes-prepared"}; // prepared datasets (train.csv, val.csv)
  int input_points = 2048;    // surface points of the visible classes per case
  int queries = 2048;         // supervised points per case: volume, near-surface and far
  double near_fraction = 0.5; // share of near-surface queries
  double far_fraction = 0.1;  // share of queries beyond the case's frame (known background)
  double far_extent = 2.0;    // far queries lie within [-far_extent, far_extent]^3 (input frame)
  int cached_queries = 32768; // per query set and case, kept in memory
  int batch_size = 8;
  double margin = 0.1;    // frame of the visible classes, as in preparation
  int val_queries = 8192; // per query set and validation case

  template <class V> void visit(V& v) {
    v.field("dirs", dirs);
    v.field("input_points", input_points, range(16, 1 << 20));
    v.field("queries", queries, range(16, 1 << 22));
    v.field("near_fraction", near_fraction, range(0.0, 1.0));
    v.field("far_fraction", far_fraction, range(0.0, 0.9));
    v.field("far_extent", far_extent, range(1.0, 8.0));
    v.field("cached_queries", cached_queries, range(256, 1 << 24));
    v.field("batch_size", batch_size, range(1, 4096));
    v.field("margin", margin, range(0.0, 0.5));
    v.field("val_queries", val_queries, range(256, 1 << 24));
  }
};

struct ShapeModelConfig {
  int width = 128;
  int latents = 128;
  int depth = 4;
  int heads = 4;
  int frequencies = 8;
  int latent_channels = 32;
  std::string bottleneck = "layernorm";
  bool fps_queries = false;
  int ff_multiplier = 4;

  template <class V> void visit(V& v) {
    v.field("width", width, range(8, 4096));
    v.field("latents", latents, range(1, 4096));
    v.field("depth", depth, range(0, 64));
    v.field("heads", heads, range(1, 64));
    v.field("frequencies", frequencies, range(0, 16));
    v.field("latent_channels", latent_channels, range(1, 1024));
    v.field("bottleneck", bottleneck, oneOf({"kl", "layernorm"}));
    v.field("fps_queries", fps_queries);
    v.field("ff_multiplier", ff_multiplier, range(1, 16));
  }
};

// What the input of a training case holds in each phase.
struct ShapePhaseConfig {
  int drop_min = 2; // phase 2: classes dropped from the input
  int drop_max = 5;
  // phase 3: class subsets (lists as `lumen-cli shapes complete --keep` takes them); the input is
  // a random non-empty union of them
  std::vector<std::string> subsets{"myo,la,lv,ra,rv", "ao,pa,laa,cor,pv"};

  template <class V> void visit(V& v) {
    v.field("drop_min", drop_min, range(0, 9));
    v.field("drop_max", drop_max, range(0, 9));
    v.field("subsets", subsets);
  }
};

struct ShapeTrainConfig {
  int phase = 1;    // 1 reconstruction, 2 random drops, 3 subsets, 4 partial labels
  std::string init; // weights to start from (the previous phase's best.pt); empty: random
  double kl_weight = 1e-3;
  double dice_weight = 1.0; // soft Dice added to the cross-entropy
  ShapeDataConfig data;
  ShapeModelConfig model;
  ShapePhaseConfig phases;
  TrainerConfig trainer;

  template <class V> void visit(V& v) {
    v.field("phase", phase, range(1, 4));
    v.field("init", init);
    v.field("kl_weight", kl_weight, atLeast(0.0));
    v.field("dice_weight", dice_weight, atLeast(0.0));
    v.section("data", data);
    v.section("model", model);
    v.section("phases", phases);
    v.section("trainer", trainer);
  }
};

} // namespace lumen
