// What a training step drives the optimisation with (train/TrainTask.h): backward a loss, step
// or zero an optimiser by name, log scalars. Behind each call is what the trainer does for every
// task alike:
//  * backward: the loss's mean over the data-parallel ranks decides, on every rank alike,
//    whether it is finite; it is scaled by the loss scaler when mixed precision is on, and
//    autocast is off for the backward pass itself;
//  * step: the optimiser's gradients are averaged over the ranks, unscaled (a step with an
//    infinity at this scale is skipped, as PyTorch's GradScaler.step skips it), clipped to its
//    own norm, checked, applied with its own learning rate, and its networks' EMA updated;
//  * log: a scalar for train/<name>, averaged over the ranks at the end of the step.
// A loss or gradient that is not finite throws NonFiniteStep before it reaches any weight.
#pragma once
#include "common/Error.h"
#include "train/OptimizerSlots.h"

#include <map>
#include <string>
#include <torch/torch.h>
#include <vector>

namespace lumen {

class DataParallelGroup;
class GradScaler;

class NonFiniteStep : public Error {
public:
  explicit NonFiniteStep(const std::string& message) : Error(ErrorKind::Runtime, message) {}
};

class StepContext {
public:
  StepContext(std::vector<OptimizerSlot>& slots, DataParallelGroup* group, GradScaler* scaler,
              int64_t globalStep, int64_t epoch);

  // Backpropagates `loss` and returns its mean over the ranks, logged as train/<logAs> unless
  // `logAs` is empty. Keep the graph (`retainGraph`) when a second backward goes through it.
  double backward(const torch::Tensor& loss, const std::string& logAs = "loss",
                  bool retainGraph = false);
  // Applies the optimiser's accumulated gradients; returns their norm before clipping (logged as
  // train/grad_norm, or train/grad_norm_<name> when the task has several optimisers). When the
  // loss scaler finds an overflow it changes nothing and returns 0. An optimiser steps at most
  // once between two zeroGrad calls (its gradients are unscaled in place).
  double step(const std::string& optimizer);
  void zeroGrad(const std::string& optimizer);
  void log(const std::string& name, double value);

  // Optimisation steps done before this one, and the epoch (0-based).
  int64_t globalStep() const { return globalStep_; }
  int64_t epoch() const { return epoch_; }

  // For the trainer, after the task's step.
  const std::map<std::string, double>& logged() const { return logged_; }
  bool overflowed() const { return overflowed_; }
  int optimizerSteps() const { return optimizerSteps_; }

private:
  OptimizerSlot& slot(const std::string& name);
  const OptimizerSlot& slot(const std::string& name) const;

  std::vector<OptimizerSlot>& slots_;
  DataParallelGroup* group_;
  GradScaler* scaler_;
  int64_t globalStep_;
  int64_t epoch_;
  std::map<std::string, double> logged_;
  double lastLoss_ = 0.0;
  bool overflowed_ = false;
  int optimizerSteps_ = 0;
  std::vector<std::string> stepped_; // since their last zeroGrad
};

} // namespace lumen
