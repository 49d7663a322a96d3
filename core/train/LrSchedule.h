// Learning-rate schedules: constant, linear warm-up + cosine decay, step decay, and
// reduce-on-plateau. The state that changes during training is plain numbers so it can be
// checkpointed and restored exactly.
#pragma once
#include "train/TrainerConfig.h"

namespace lumen {

class LrSchedule {
public:
  LrSchedule(const ScheduleConfig& config, double baseLr, int64_t totalSteps,
             int64_t stepsPerEpoch);

  // The learning rate for optimisation step `step` (0-based).
  double lrAt(int64_t step) const;
  // Called after each validation with the monitored value (reduce-on-plateau only).
  void observe(double value, bool lowerIsBetter);

  struct State {
    double plateauScale = 1.0;
    double plateauBest = 0.0;
    bool plateauHasBest = false;
    int plateauBadEpochs = 0;
  };
  const State& state() const { return state_; }
  void restore(const State& state) { state_ = state; }

private:
  ScheduleConfig config_;
  double baseLr_;
  int64_t totalSteps_;
  int64_t stepsPerEpoch_;
  State state_;
};

} // namespace lumen
