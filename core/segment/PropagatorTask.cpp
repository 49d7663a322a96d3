#include "segment/PropagatorTask.h"

#include "common/Error.h"
#include "common/Job.h"
#include "segment/ClickSimulator.h"
#include "segment/NetworkSliceBackend.h"
#include "segment/PropagatorNet.h"
#include "segment/RegionGrowingBackend.h"
#include "train/SeededInit.h"

namespace lumen {

namespace {

std::vector<const PropagatorCase*> usable(const std::vector<PropagatorCase>& cases) {
  std::vector<const PropagatorCase*> out;
  for (const auto& c : cases)
    if (!c.objects.empty())
      out.push_back(&c);
  return out;
}

// The network being trained, as the pipeline's backend sees it (on the CPU, eval mode).
class LiveNetwork : public SliceNetwork {
public:
  LiveNetwork(UNet2d net, int size, torch::Device device)
      : net_(std::move(net)), size_(size), device_(device) {}
  int inputSize() const override { return size_; }
  at::Tensor forward(const at::Tensor& input) const override {
    return net_->forward(input.to(device_)).to(torch::kCPU);
  }

private:
  mutable UNet2d net_;
  int size_;
  torch::Device device_;
};

// The objects validation runs the pipeline on: up to this many, spread over the cases.
constexpr size_t kPipelineObjects = 8;

std::vector<std::pair<const PropagatorCase*, int>>
pipelineObjects(const std::vector<PropagatorCase>& cases) {
  std::vector<std::pair<const PropagatorCase*, int>> all;
  for (size_t round = 0; all.size() < kPipelineObjects; ++round) {
    bool any = false;
    for (const auto& c : cases)
      if (round < c.objects.size()) {
        all.push_back({&c, c.objects[round].label});
        any = true;
        if (all.size() == kPipelineObjects)
          break;
      }
    if (!any)
      break;
  }
  return all;
}

double pipelineDice(const std::vector<std::pair<const PropagatorCase*, int>>& objects,
                    const SegmentationBackend& backend, Job* job) {
  if (objects.empty())
    return 0;
  double sum = 0;
  for (const auto& [c, label] : objects) {
    if (job)
      job->checkCancelled();
    MaskVolume truth;
    truth.geometry = c->labels.geometry;
    truth.values.resize(c->labels.values.size());
    for (size_t n = 0; n < truth.values.size(); ++n)
      truth.values[n] = c->labels.values[n] == label ? 1 : 0;
    SegmentationRequest request;
    request.points = initialClicks(truth, 3);
    const auto result = segmentWithPrompts(c->image, request, backend, job);
    sum += diceScore(truth, result.mask);
  }
  return sum / double(objects.size());
}

} // namespace

torch::Tensor softDiceLoss(const torch::Tensor& logits, const torch::Tensor& target) {
  const auto p = torch::sigmoid(logits).flatten(1);
  const auto t = target.flatten(1);
  const auto dice = (2 * (p * t).sum(1) + 1.0) / (p.sum(1) + t.sum(1) + 1.0);
  return (1 - dice).mean();
}

PropagatorTask::PropagatorTask(const PropagatorTrainConfig& config, PropagatorData data)
    : config_(config), data_(std::move(data)) {
  trainCases_ = usable(data_.train);
  if (trainCases_.empty())
    throw InputError("the propagator has nothing to train on: no training case has an object of "
                     "at least " +
                     std::to_string(config.data.min_voxels) + " voxels");
  const int multiple = 1 << (config.model.levels - 1);
  if (config.data.input_size % multiple != 0)
    throw InputError("data.input_size " + std::to_string(config.data.input_size) +
                     " must be a multiple of " + std::to_string(multiple) + " for a " +
                     std::to_string(config.model.levels) + "-level U-Net");
  net_ = seededInit(uint64_t(config.trainer.seed), [&] { return makePropagatorNet(config.model); });
  // Fixed validation examples, so epochs compare alike.
  auto valCases = usable(data_.val);
  if (valCases.empty())
    valCases = trainCases_;
  std::mt19937_64 rng(uint64_t(config.trainer.seed) * 7919 + 17);
  std::vector<torch::Tensor> inputs, targets;
  for (int n = 0; n < config.data.val_samples; ++n) {
    auto example = drawPropagatorExample(valCases, config.data, rng);
    inputs.push_back(example.input);
    targets.push_back(example.target);
  }
  valInput_ = torch::stack(inputs);
  valTarget_ = torch::stack(targets);
}

void PropagatorTask::to(const torch::Device& device) {
  device_ = device;
  net_->to(device);
}

int64_t PropagatorTask::batchesPerEpoch() const {
  return shardedBatchCount(config_.data.samples_per_epoch, config_.data.batch_size);
}

StepOutput PropagatorTask::trainStep(int64_t epoch, int64_t batch) {
  std::vector<torch::Tensor> inputs, targets;
  for (const auto& sample : shardedBatch(config_.data.samples_per_epoch, config_.data.batch_size,
                                         uint64_t(config_.trainer.seed), epoch, batch)) {
    // Each example depends only on (seed, epoch, position): a resumed run draws it again, and
    // the processes of a data-parallel run draw different ones.
    std::mt19937_64 rng(uint64_t(config_.trainer.seed) * 1000003ULL + uint64_t(epoch) * 10007ULL +
                        uint64_t(sample.position));
    auto example = drawPropagatorExample(trainCases_, config_.data, rng);
    inputs.push_back(example.input);
    targets.push_back(example.target);
  }
  const auto input = torch::stack(inputs).to(device_);
  const auto target = torch::stack(targets).to(device_);
  const auto logits = net_->forward(input);
  const auto bce = torch::binary_cross_entropy_with_logits(logits, target);
  const auto dice = softDiceLoss(logits, target);
  StepOutput out;
  out.loss = bce + dice;
  out.extras["bce"] = bce.item<double>();
  out.extras["soft_dice_loss"] = dice.item<double>();
  return out;
}

std::map<std::string, double> PropagatorTask::validate(Job* job) {
  std::map<std::string, double> metrics;
  double loss = 0, dice = 0;
  const int64_t n = valInput_.size(0), chunk = 64;
  for (int64_t begin = 0; begin < n; begin += chunk) {
    if (job)
      job->checkCancelled();
    const int64_t end = std::min(n, begin + chunk);
    const auto input = valInput_.slice(0, begin, end).to(device_);
    const auto target = valTarget_.slice(0, begin, end).to(device_);
    const auto logits = net_->forward(input);
    loss += (torch::binary_cross_entropy_with_logits(logits, target) + softDiceLoss(logits, target))
                .item<double>() *
            double(end - begin);
    const auto hard = logits.gt(0).to(torch::kFloat32).flatten(1);
    const auto t = target.flatten(1);
    const auto perExample = (2 * (hard * t).sum(1) + 1.0) / (hard.sum(1) + t.sum(1) + 1.0);
    dice += perExample.sum().item<double>();
  }
  metrics["loss"] = loss / double(n);
  metrics["dice"] = dice / double(n);

  const auto& cases = data_.val.empty() ? data_.train : data_.val;
  const auto objects = pipelineObjects(cases);
  NetworkSliceBackend live("learned", "in training",
                           std::make_shared<LiveNetwork>(net_, config_.data.input_size, device_));
  metrics["pipeline_dice"] = pipelineDice(objects, live, job);
  if (classicalDice_ < 0)
    classicalDice_ = pipelineDice(objects, RegionGrowingBackend(), job);
  metrics["classical_dice"] = classicalDice_;
  return metrics;
}

} // namespace lumen
