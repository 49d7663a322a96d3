// The trainer's configuration: the `trainer:` section of every pipeline's training YAML.
#pragma once
#include "common/Config.h"

#include <cstdint>
#include <string>

namespace lumen {

struct OptimizerConfig {
  std::string name = "adamw";
  double lr = 1e-3;
  double weight_decay = 0.0;
  double momentum = 0.9; // SGD
  bool nesterov = false; // SGD
  double beta1 = 0.9;    // Adam, AdamW
  double beta2 = 0.999;
  double eps = 1e-8;

  template <class V> void visit(V& v) {
    v.field("name", name, oneOf({"adam", "adamw", "sgd"}));
    v.field("lr", lr, greaterThan(0.0));
    v.field("weight_decay", weight_decay, atLeast(0.0));
    v.field("momentum", momentum, range(0.0, 1.0));
    v.field("nesterov", nesterov);
    v.field("beta1", beta1, range(0.0, 1.0));
    v.field("beta2", beta2, range(0.0, 1.0));
    v.field("eps", eps, greaterThan(0.0));
  }
};

struct ScheduleConfig {
  // constant | warmup_cosine | step | plateau
  std::string name = "constant";
  int64_t warmup_steps = 0;  // linear warm-up from 0 (warmup_cosine; also honoured by others)
  double min_lr_ratio = 0.0; // warmup_cosine: floor as a fraction of the base lr
  int step_epochs = 10;      // step: decay every this many epochs
  double gamma = 0.1;        // step: decay factor
  int patience = 3;          // plateau: epochs without improvement before decaying
  double factor = 0.5;       // plateau: decay factor
  double threshold = 1e-4;   // plateau: relative improvement that counts
  double min_lr = 0.0;       // plateau: never below

  template <class V> void visit(V& v) {
    v.field("name", name, oneOf({"constant", "warmup_cosine", "step", "plateau"}));
    v.field("warmup_steps", warmup_steps, atLeast<int64_t>(0));
    v.field("min_lr_ratio", min_lr_ratio, range(0.0, 1.0));
    v.field("step_epochs", step_epochs, atLeast(1));
    v.field("gamma", gamma, range(0.0, 1.0));
    v.field("patience", patience, atLeast(0));
    v.field("factor", factor, range(0.0, 1.0));
    v.field("threshold", threshold, atLeast(0.0));
    v.field("min_lr", min_lr, atLeast(0.0));
  }
};

struct EmaConfig {
  bool enabled = false;
  double decay = 0.999;
  template <class V> void visit(V& v) {
    v.field("enabled", enabled);
    v.field("decay", decay, range(0.0, 1.0));
  }
};

// What one optimiser of a task with several networks is configured with (train/TrainTask.h):
// a multi-network task's config holds one such section per optimiser it names, e.g.
// `optimizers: {G: {...}, D: {...}}`. A task with one network takes the trainer's own
// optimizer, schedule, grad_clip_norm and ema (TrainerConfig::optimizerGroup).
struct OptimizerGroupConfig {
  OptimizerConfig optimizer;
  ScheduleConfig schedule;
  double grad_clip_norm = 0.0; // 0: no clipping
  // An exponential moving average of the networks this optimiser steps.
  EmaConfig ema;

  template <class V> void visit(V& v) {
    v.section("optimizer", optimizer);
    v.section("schedule", schedule);
    v.field("grad_clip_norm", grad_clip_norm, atLeast(0.0));
    v.section("ema", ema);
  }
};

struct TrainerConfig {
  int epochs = 10;
  int64_t max_steps = 0;              // 0: no limit beyond epochs
  double grad_clip_norm = 0.0;        // 0: no clipping
  int validate_every = 1;             // epochs
  int log_every = 10;                 // steps between metrics records
  int64_t checkpoint_every_steps = 0; // 0: at the end of each epoch only
  std::string best_metric = "val/loss";
  std::string best_mode = "min";
  int seed = 0;
  std::string device = "auto"; // auto | cpu | cuda | cuda:N
  int threads = 0;             // 0: one per core
  bool stop_on_nan = true;
  // Mixed precision on CUDA: autocast in the training step and a dynamic loss scaler
  // (train/GradScaler.h); the CPU always trains in float32.
  bool amp = false;
  OptimizerConfig optimizer;
  ScheduleConfig schedule;
  EmaConfig ema;

  template <class V> void visit(V& v) {
    v.field("epochs", epochs, atLeast(1));
    v.field("max_steps", max_steps, atLeast<int64_t>(0));
    v.field("grad_clip_norm", grad_clip_norm, atLeast(0.0));
    v.field("validate_every", validate_every, atLeast(1));
    v.field("log_every", log_every, atLeast(1));
    v.field("checkpoint_every_steps", checkpoint_every_steps, atLeast<int64_t>(0));
    v.field("best_metric", best_metric);
    v.field("best_mode", best_mode, oneOf({"min", "max"}));
    v.field("seed", seed, atLeast(0));
    v.field("device", device);
    v.field("threads", threads, atLeast(0));
    v.field("stop_on_nan", stop_on_nan);
    v.field("amp", amp);
    v.section("optimizer", optimizer);
    v.section("schedule", schedule);
    v.section("ema", ema);
  }

  OptimizerGroupConfig optimizerGroup() const { return {optimizer, schedule, grad_clip_norm, ema}; }
};

} // namespace lumen
