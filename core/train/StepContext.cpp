#include "train/StepContext.h"

#include "train/Autocast.h"
#include "train/DataParallel.h"
#include "train/GradScaler.h"

#include <algorithm>
#include <cmath>

namespace lumen {
namespace {

std::string formatValue(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", v);
  return buffer;
}

std::string nonFiniteName(double v) {
  return std::isnan(v) ? "NaN" : "infinite";
}

} // namespace

StepContext::StepContext(std::vector<OptimizerSlot>& slots, DataParallelGroup* group,
                         GradScaler* scaler, int64_t globalStep, int64_t epoch)
    : slots_(slots), group_(group), scaler_(scaler), globalStep_(globalStep), epoch_(epoch) {}

OptimizerSlot& StepContext::slot(const std::string& name) {
  return const_cast<OptimizerSlot&>(std::as_const(*this).slot(name));
}

const OptimizerSlot& StepContext::slot(const std::string& name) const {
  for (const auto& s : slots_)
    if (s.name == name)
      return s;
  std::string known;
  for (const auto& s : slots_)
    known += (known.empty() ? "" : ", ") + s.name;
  throw InputError("the training step names optimizer '" + name + "', but the task has " + known);
}

double StepContext::backward(const torch::Tensor& loss, const std::string& logAs,
                             bool retainGraph) {
  double value = loss.item<double>();
  // Every rank must take the same branch below, or the gradient averaging would wait forever
  // for a rank that refused its step: they decide on the mean.
  if (group_) {
    auto mean = torch::tensor({value}, torch::kFloat64);
    group_->averageInPlace({mean}, kGradientBucketBytes);
    value = mean.item<double>();
  }
  lastLoss_ = value;
  if (!logAs.empty())
    log(logAs, value);
  if (!std::isfinite(value))
    throw NonFiniteStep("training loss" + (logAs.empty() || logAs == "loss" ? "" : " " + logAs) +
                        " became " + nonFiniteName(value));
  AutocastScope noAutocast(false);
  (scaler_ ? scaler_->scaled(loss) : loss).backward({}, retainGraph);
  return value;
}

double StepContext::step(const std::string& name) {
  OptimizerSlot& s = slot(name);
  if (std::find(stepped_.begin(), stepped_.end(), name) != stepped_.end())
    throw InputError("the training step stepped optimizer '" + name +
                     "' twice without zeroing its gradients in between");
  stepped_.push_back(name);
  if (group_)
    averageGradients(*group_, s.parameters, kGradientBucketBytes);
  if (scaler_ && !scaler_->unscale(s.parameters)) {
    // An overflow at this scale is the scaler's business, not a broken run: this optimiser
    // skips the step and the scale backs off after it.
    overflowed_ = true;
    for (auto& p : s.parameters)
      if (p.grad().defined())
        p.grad().zero_();
    return 0.0;
  }
  const double norm = torch::nn::utils::clip_grad_norm_(
      s.parameters, s.gradClipNorm > 0 ? s.gradClipNorm : INFINITY);
  log(slots_.size() == 1 ? "grad_norm" : "grad_norm_" + name, norm);
  if (!std::isfinite(norm))
    throw NonFiniteStep("gradients" + (slots_.size() == 1 ? "" : " of " + name) + " became " +
                        nonFiniteName(norm) + " (the loss was " + formatValue(lastLoss_) + ")");
  s.optimizer->step();
  for (auto& [ema, network] : s.emas)
    ema->update(*network);
  ++optimizerSteps_;
  return norm;
}

void StepContext::zeroGrad(const std::string& name) {
  slot(name).optimizer->zero_grad();
  stepped_.erase(std::remove(stepped_.begin(), stepped_.end(), name), stepped_.end());
}

void StepContext::log(const std::string& name, double value) {
  logged_[name] = value;
}

} // namespace lumen
