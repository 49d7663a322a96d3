#include "train/LrSchedule.h"

#include <algorithm>
#include <cmath>

namespace lumen {

LrSchedule::LrSchedule(const ScheduleConfig& config, double baseLr, int64_t totalSteps,
                       int64_t stepsPerEpoch)
    : config_(config), baseLr_(baseLr), totalSteps_(std::max<int64_t>(1, totalSteps)),
      stepsPerEpoch_(std::max<int64_t>(1, stepsPerEpoch)) {}

double LrSchedule::lrAt(int64_t step) const {
  const int64_t warmup = config_.warmup_steps;
  const double warm = (warmup > 0 && step < warmup) ? double(step + 1) / double(warmup) : 1.0;
  if (config_.name == "warmup_cosine") {
    if (step < warmup)
      return baseLr_ * warm;
    const double span = double(std::max<int64_t>(1, totalSteps_ - warmup));
    const double progress = std::clamp(double(step - warmup) / span, 0.0, 1.0);
    const double floor = config_.min_lr_ratio;
    return baseLr_ * (floor + (1.0 - floor) * 0.5 * (1.0 + std::cos(M_PI * progress)));
  }
  if (config_.name == "step") {
    const int64_t epoch = step / stepsPerEpoch_;
    return baseLr_ * warm * std::pow(config_.gamma, double(epoch / config_.step_epochs));
  }
  if (config_.name == "plateau")
    return std::max(config_.min_lr, baseLr_ * warm * state_.plateauScale);
  return baseLr_ * warm;
}

void LrSchedule::observe(double value, bool lowerIsBetter) {
  if (config_.name != "plateau" || !std::isfinite(value))
    return;
  const double margin = config_.threshold * std::abs(state_.plateauBest);
  const bool improved =
      !state_.plateauHasBest ||
      (lowerIsBetter ? value < state_.plateauBest - margin : value > state_.plateauBest + margin);
  if (improved) {
    state_.plateauBest = value;
    state_.plateauHasBest = true;
    state_.plateauBadEpochs = 0;
    return;
  }
  if (++state_.plateauBadEpochs > config_.patience) {
    state_.plateauScale *= config_.factor;
    state_.plateauBadEpochs = 0;
  }
}

} // namespace lumen
