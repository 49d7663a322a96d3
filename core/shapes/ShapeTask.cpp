#include "shapes/ShapeTask.h"

#include "common/Error.h"
#include "common/Job.h"
#include "shapes/ShapeDataset.h"
#include "train/SeededInit.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace lumen {
namespace {

// `count` cached rows of a query set, chosen at random (all of them when there are fewer).
void cacheQueries(const QuerySet& set, int count, std::mt19937_64& rng, torch::Tensor& points,
                  torch::Tensor& occupancy) {
  const size_t n = set.size();
  std::vector<size_t> rows(n);
  std::iota(rows.begin(), rows.end(), 0);
  const size_t keep = std::min(n, size_t(count));
  for (size_t i = 0; i < keep; ++i)
    std::swap(rows[i], rows[i + rng() % (n - i)]);
  points = torch::empty({int64_t(keep), 3}, torch::kFloat32);
  occupancy = torch::empty({int64_t(keep), kHeartClasses}, torch::kUInt8);
  float* p = points.data_ptr<float>();
  uint8_t* o = occupancy.data_ptr<uint8_t>();
  for (size_t i = 0; i < keep; ++i) {
    std::copy_n(set.points.data() + 3 * rows[i], 3, p + 3 * i);
    std::copy_n(set.occupancy.data() + kHeartClasses * rows[i], kHeartClasses,
                o + kHeartClasses * i);
  }
}

torch::Tensor toInputFrame(const torch::Tensor& points, const InputFrame& frame) {
  const auto center =
      torch::tensor({float(frame.center[0]), float(frame.center[1]), float(frame.center[2])});
  return (points - center) / float(frame.scale);
}

struct DiceCounts {
  std::array<double, kHeartClasses> tp{}, fp{}, fn{};
  void add(int c, double t, double f, double n) {
    tp[size_t(c)] += t;
    fp[size_t(c)] += f;
    fn[size_t(c)] += n;
  }
  // Mean Dice over the classes that occur in the truth; NaN when none does.
  double meanDice() const {
    double sum = 0;
    int classes = 0;
    for (size_t c = 0; c < tp.size(); ++c)
      if (tp[c] + fn[c] > 0) {
        sum += 2 * tp[c] / (2 * tp[c] + fp[c] + fn[c]);
        ++classes;
      }
    return classes ? sum / classes : std::nan("");
  }
};

} // namespace

VecSetAutoencoder makeShapeModel(const ShapeModelConfig& c) {
  VecSetOptions o;
  o.width = c.width;
  o.latents = c.latents;
  o.depth = c.depth;
  o.heads = c.heads;
  o.frequencies = c.frequencies;
  o.latentChannels = c.latent_channels;
  o.bottleneck = c.bottleneck;
  o.fpsQueries = c.fps_queries;
  o.ffMultiplier = c.ff_multiplier;
  if (c.width % c.heads != 0)
    throw InputError("model.width (" + std::to_string(c.width) + ") must be divisible by " +
                     "model.heads (" + std::to_string(c.heads) + ")");
  return VecSetAutoencoder(o);
}

CachedShape cacheShape(const PreparedShape& shape, int cachedQueries, uint64_t seed) {
  CachedShape cached;
  cached.caseId = shape.caseId;
  cached.surfacePoints = shape.surfacePoints;
  cached.surfaceLabels = shape.surfaceLabels;
  cached.present = classSetOf(shape.present);
  cached.annotated = classSetOf(shape.annotated);
  std::mt19937_64 rng(seed);
  cacheQueries(shape.volume, cachedQueries, rng, cached.volumePoints, cached.volumeOccupancy);
  cacheQueries(shape.near, cachedQueries, rng, cached.nearPoints, cached.nearOccupancy);
  if (cached.surfaceLabels.empty() || cached.volumePoints.size(0) == 0)
    throw InputError(shape.caseId + ": the prepared case has no surface points or queries");
  return cached;
}

ShapeData loadShapeData(const ShapeDataConfig& config, Job* job) {
  if (config.dirs.empty())
    throw InputError("data.dirs is empty: give at least one prepared dataset folder");
  std::vector<std::pair<std::string, bool>> files; // (path, validation)
  for (const auto& dir : config.dirs) {
    for (const auto& id : readCaseList(dir, "train"))
      files.emplace_back(caseFile(dir, id), false);
    for (const auto& id : readCaseList(dir, "val"))
      files.emplace_back(caseFile(dir, id), true);
  }
  ShapeData data;
  for (size_t i = 0; i < files.size(); ++i) {
    if (job) {
      job->checkCancelled();
      job->setProgress(double(i) / double(files.size()), "loading case " + std::to_string(i + 1) +
                                                             "/" + std::to_string(files.size()));
    }
    auto cached = cacheShape(readPreparedShape(files[i].first), config.cached_queries, i);
    if (cached.available().none())
      continue; // nothing to show the network
    (files[i].second ? data.val : data.train).push_back(std::move(cached));
  }
  if (data.train.empty())
    throw InputError("no training case with an annotated class in " + config.dirs.front() +
                     (config.dirs.size() > 1 ? " and the other data.dirs" : ""));
  return data;
}

ShapeSample makeShapeSample(const CachedShape& shape, ClassSet input, const ShapeDataConfig& data,
                            std::mt19937_64& rng, int64_t volumeQueries, int64_t nearQueries) {
  ShapeSample sample;
  sample.input = input;
  // The same input completion builds: the visible classes' points in their own frame, then
  // `input_points` of them.
  const NetworkInput network = visibleInput(shape.surfacePoints.data(), shape.surfaceLabels.data(),
                                            shape.surfaceLabels.size(), input, data.margin);
  sample.frame = network.frame;
  const size_t n = size_t(data.input_points);
  const auto visible =
      chooseInputPoints(network.labels.data(), network.labels.size(), input, n, rng);
  sample.points = torch::empty({int64_t(n), 3}, torch::kFloat32);
  std::vector<int64_t> labels(n);
  for (size_t i = 0; i < n; ++i) {
    std::copy_n(network.points.data() + 3 * visible[i], 3, sample.points.data_ptr<float>() + 3 * i);
    labels[i] = int64_t(network.labels[visible[i]] - 1);
  }
  sample.classes =
      torch::one_hot(torch::tensor(labels, torch::kInt64), kHeartClasses).to(torch::kFloat32);

  torch::Tensor queries, occupancy;
  if (volumeQueries >= 0) {
    const int64_t nv = std::min(volumeQueries, shape.volumePoints.size(0));
    const int64_t nn = std::min(nearQueries, shape.nearPoints.size(0));
    queries = torch::cat({shape.volumePoints.slice(0, 0, nv), shape.nearPoints.slice(0, 0, nn)});
    occupancy =
        torch::cat({shape.volumeOccupancy.slice(0, 0, nv), shape.nearOccupancy.slice(0, 0, nn)});
  } else {
    const int64_t q = data.queries;
    const int64_t far = int64_t(std::floor(q * data.far_fraction));
    const int64_t nearCount = int64_t(std::floor(q * data.near_fraction));
    const int64_t volumeCount = std::max<int64_t>(0, q - far - nearCount);
    auto pick = [&](const torch::Tensor& p, const torch::Tensor& o, int64_t count) {
      std::vector<int64_t> rows(static_cast<size_t>(count));
      for (auto& r : rows)
        r = int64_t(rng() % uint64_t(p.size(0)));
      const auto index = torch::tensor(rows, torch::kInt64);
      return std::make_pair(p.index_select(0, index), o.index_select(0, index));
    };
    const auto [vp, vo] = pick(shape.volumePoints, shape.volumeOccupancy, volumeCount);
    const auto [np, no] = pick(shape.nearPoints, shape.nearOccupancy, nearCount);
    // Far queries: uniform in the input frame's [-far_extent, far_extent]^3 but outside the case's
    // own [-1, 1]^3, where every label lies, so they are background for every class. They teach
    // the network to leave space empty beyond the region the other queries cover.
    std::uniform_real_distribution<float> uniform(-float(data.far_extent), float(data.far_extent));
    std::vector<float> farPoints;
    farPoints.reserve(size_t(3 * far));
    for (int64_t k = 0, tries = 0; k < far && tries < 64 * far; ++tries) {
      std::array<float, 3> p{};
      for (size_t d = 0; d < 3; ++d)
        p[d] = float(sample.frame.center[d] + sample.frame.scale * uniform(rng));
      if (std::max({std::abs(p[0]), std::abs(p[1]), std::abs(p[2])}) <= 1.0f)
        continue;
      farPoints.insert(farPoints.end(), p.begin(), p.end());
      ++k;
    }
    const int64_t farCount = int64_t(farPoints.size() / 3);
    queries = torch::cat({vp, np, torch::from_blob(farPoints.data(), {farCount, 3}).clone()});
    occupancy = torch::cat({vo, no, torch::zeros({farCount, kHeartClasses}, torch::kUInt8)});
  }
  sample.queries = toInputFrame(queries, sample.frame);
  sample.occupancy = occupancy.to(torch::kFloat32);
  sample.supervised = torch::zeros({kHeartClasses});
  for (int c = 0; c < kHeartClasses; ++c)
    sample.supervised[c] = shape.annotated[size_t(c)] ? 1.0f : 0.0f;
  return sample;
}

torch::Tensor maskedOccupancyLoss(const torch::Tensor& logits, const torch::Tensor& occupancy,
                                  const torch::Tensor& mask) {
  const auto perEntry = torch::binary_cross_entropy_with_logits(logits, occupancy, {}, {},
                                                                at::Reduction::None); // (B, Q, 10)
  const auto weights = mask.unsqueeze(1).expand_as(perEntry);
  return (perEntry * weights).sum() / weights.sum().clamp_min(1.0);
}

torch::Tensor maskedSoftDiceLoss(const torch::Tensor& logits, const torch::Tensor& occupancy,
                                 const torch::Tensor& mask) {
  const auto p = torch::sigmoid(logits);
  const auto overlap = (p * occupancy).sum(1);           // (B, C)
  const auto total = p.sum(1) + occupancy.sum(1);        // (B, C)
  const auto dice = (2 * overlap + 1.0) / (total + 1.0); // smoothed: empty and empty agree
  return ((1 - dice) * mask).sum() / mask.sum().clamp_min(1.0);
}

ShapeCompletionTask::ShapeCompletionTask(const ShapeTrainConfig& config, ShapeData data)
    : config_(config), data_(std::move(data)) {
  if (config.phase == 3)
    parseSubsets(config.phases.subsets); // a bad subset fails before training starts
  model_ = seededInit(uint64_t(config.trainer.seed), [&] { return makeShapeModel(config.model); });
  // Validation inputs are fixed per case (seeded by its position), so epochs compare alike.
  for (size_t i = 0; i < data_.val.size(); ++i) {
    std::mt19937_64 rng(uint64_t(config.trainer.seed) * 7919 + i);
    const auto& shape = data_.val[i];
    const ClassSet input = chooseInputClasses(config.phase, shape.available(), config.phases, rng);
    validation_.push_back(makeShapeSample(shape, input, config.data, rng, config.data.val_queries,
                                          config.data.val_queries));
  }
}

void ShapeCompletionTask::to(const torch::Device& device) {
  device_ = device;
  model_->to(device);
}

int64_t ShapeCompletionTask::batchesPerEpoch() const {
  return shardedBatchCount(int64_t(data_.train.size()), config_.data.batch_size);
}

std::vector<ShapeSample> ShapeCompletionTask::batchSamples(int64_t epoch, int64_t batch) const {
  std::vector<ShapeSample> samples;
  for (const auto& [index, position] :
       shardedBatch(int64_t(data_.train.size()), config_.data.batch_size,
                    uint64_t(config_.trainer.seed), epoch, batch)) {
    // Inputs and queries depend only on (seed, epoch, position): a resumed run repeats them, and
    // a run on several processes draws them as one process would.
    std::mt19937_64 rng(uint64_t(config_.trainer.seed) * 1000003ULL + uint64_t(epoch) * 10007ULL +
                        uint64_t(position));
    const auto& shape = data_.train[size_t(index)];
    const ClassSet input =
        chooseInputClasses(config_.phase, shape.available(), config_.phases, rng);
    samples.push_back(makeShapeSample(shape, input, config_.data, rng));
  }
  return samples;
}

StepOutput ShapeCompletionTask::trainStep(int64_t epoch, int64_t batch) {
  const auto samples = batchSamples(epoch, batch);
  std::vector<torch::Tensor> points, classes, queries, occupancy, supervised, dropped;
  for (const auto& s : samples) {
    points.push_back(s.points);
    classes.push_back(s.classes);
    queries.push_back(s.queries);
    occupancy.push_back(s.occupancy);
    supervised.push_back(s.supervised);
    auto inputMask = torch::zeros({kHeartClasses});
    for (int c = 0; c < kHeartClasses; ++c)
      inputMask[c] = s.input[size_t(c)] ? 1.0f : 0.0f;
    dropped.push_back(s.supervised * (1 - inputMask));
  }
  auto stack = [&](std::vector<torch::Tensor>& t) { return torch::stack(t).to(device_); };
  const auto encoding = model_->encode(stack(points), stack(classes), &generator());
  const auto logits = model_->decode(encoding.latents, stack(queries));
  const auto target = stack(occupancy);
  const auto mask = stack(supervised);
  const auto bce = maskedOccupancyLoss(logits, target, mask);
  const auto dice = maskedSoftDiceLoss(logits, target, mask);
  StepOutput out;
  out.loss = bce + config_.dice_weight * dice + config_.kl_weight * encoding.kl;
  out.extras["bce"] = bce.item<double>();
  out.extras["dice_loss"] = dice.item<double>();
  out.extras["kl"] = encoding.kl.item<double>();
  const auto droppedMask = stack(dropped);
  if (droppedMask.sum().item<double>() > 0)
    out.extras["bce_dropped"] =
        maskedOccupancyLoss(logits.detach(), target, droppedMask).item<double>();
  return out;
}

std::map<std::string, double> ShapeCompletionTask::validate(Job* job) {
  if (validation_.empty())
    return {};
  DiceCounts all, visible, completed;
  double loss = 0;
  for (const auto& s : validation_) {
    if (job)
      job->checkCancelled();
    const auto encoding =
        model_->encode(s.points.unsqueeze(0).to(device_), s.classes.unsqueeze(0).to(device_));
    const auto logits = model_->decode(encoding.latents, s.queries.unsqueeze(0).to(device_));
    const auto target = s.occupancy.unsqueeze(0).to(device_);
    const auto mask = s.supervised.unsqueeze(0).to(device_);
    loss += (maskedOccupancyLoss(logits, target, mask) +
             config_.dice_weight * maskedSoftDiceLoss(logits, target, mask))
                .item<double>();
    const auto predicted = (logits[0] > 0).to(torch::kFloat32).cpu();
    const auto truth = s.occupancy;
    const auto tp = (predicted * truth).sum(0), fp = (predicted * (1 - truth)).sum(0),
               fn = ((1 - predicted) * truth).sum(0);
    for (int c = 0; c < kHeartClasses; ++c) {
      if (s.supervised[c].item<float>() == 0)
        continue;
      const double t = tp[c].item<double>(), f = fp[c].item<double>(), n = fn[c].item<double>();
      all.add(c, t, f, n);
      (s.input[size_t(c)] ? visible : completed).add(c, t, f, n);
    }
  }
  std::map<std::string, double> metrics{{"loss", loss / double(validation_.size())},
                                        {"dice", all.meanDice()}};
  if (const double d = visible.meanDice(); !std::isnan(d))
    metrics["dice_visible"] = d;
  if (const double d = completed.meanDice(); !std::isnan(d))
    metrics["dice_completed"] = d;
  return metrics;
}

} // namespace lumen
