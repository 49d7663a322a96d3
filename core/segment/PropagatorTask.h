// Training the learned slice propagator: examples drawn afresh each batch from the training
// cases (PropagatorExamples.h; the draw depends only on seed, epoch and batch, so a resumed run
// sees the same ones), binary cross-entropy + soft Dice. Validation scores fixed examples of the
// held-out cases (val/loss, val/dice per slice) and, what users get, the whole prompt pipeline
// on their objects with three simulated clicks (val/pipeline_dice), next to the classical
// backend's score on the same clicks (val/classical_dice, computed once).
#pragma once
#include "nn/UNet2d.h"
#include "segment/PropagatorExamples.h"
#include "train/TrainTask.h"

namespace lumen {

struct PropagatorData {
  std::vector<PropagatorCase> train, val;
};

class PropagatorTask : public TrainTask {
public:
  PropagatorTask(const PropagatorTrainConfig& config, PropagatorData data);
  std::shared_ptr<torch::nn::Module> model() override { return net_.ptr(); }
  void to(const torch::Device& device) override;
  int64_t batchesPerEpoch() const override;
  StepOutput trainStep(int64_t epoch, int64_t batch) override;
  std::map<std::string, double> validate(Job* job) override;

private:
  PropagatorTrainConfig config_;
  PropagatorData data_;
  std::vector<const PropagatorCase*> trainCases_;
  UNet2d net_{nullptr};
  torch::Device device_ = torch::kCPU;
  torch::Tensor valInput_, valTarget_;
  double classicalDice_ = -1;
};

// Soft Dice loss per example, averaged; (N, 1, S, S) logits and targets.
torch::Tensor softDiceLoss(const torch::Tensor& logits, const torch::Tensor& target);

} // namespace lumen
