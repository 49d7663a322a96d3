// Training the VecSet autoencoder on prepared shapes: cases cached in memory,
// per-case samples built for a phase (visible classes in, every annotated class supervised), and
// the TrainTask the shared trainer runs. A class dropped from the input is still supervised; a
// class the dataset does not annotate never is.
#pragma once
#include "nn/VecSet.h"
#include "shapes/PreparedShape.h"
#include "shapes/ShapeConfig.h"
#include "shapes/ShapeSampling.h"
#include "train/TrainTask.h"

#include <random>
#include <vector>

namespace lumen {

class Job;

VecSetAutoencoder makeShapeModel(const ShapeModelConfig& config);

// A prepared case as training keeps it: all surface points and a random subset of each query set.
struct CachedShape {
  std::string caseId;
  std::vector<float> surfacePoints; // N x 3, case frame
  std::vector<uint8_t> surfaceLabels;
  torch::Tensor volumePoints, volumeOccupancy; // (Qc, 3) float, (Qc, 10) uint8
  torch::Tensor nearPoints, nearOccupancy;
  ClassSet present, annotated;
  ClassSet available() const { return present & annotated; }
};
CachedShape cacheShape(const PreparedShape& shape, int cachedQueries, uint64_t seed);

// Training and validation cases of every configured dataset (train.csv / val.csv).
struct ShapeData {
  std::vector<CachedShape> train, val;
};
ShapeData loadShapeData(const ShapeDataConfig& config, Job* job = nullptr);

// One case as the network sees it: everything in the input classes' frame.
struct ShapeSample {
  torch::Tensor points;     // (N, 3)
  torch::Tensor classes;    // (N, 10) one-hot
  torch::Tensor queries;    // (Q, 3)
  torch::Tensor occupancy;  // (Q, 10) float 0/1
  torch::Tensor supervised; // (10) float: 1 for annotated classes
  ClassSet input;
  InputFrame frame; // the visible classes' frame in case units
};

// `volumeQueries`/`nearQueries` < 0: the data config's random mix (with far background queries);
// otherwise the first that many cached queries of each set, in order (validation).
ShapeSample makeShapeSample(const CachedShape& shape, ClassSet input, const ShapeDataConfig& data,
                            std::mt19937_64& rng, int64_t volumeQueries = -1,
                            int64_t nearQueries = -1);

// Mean binary cross-entropy over supervised (query, class) pairs; logits (B, Q, 10).
torch::Tensor maskedOccupancyLoss(const torch::Tensor& logits, const torch::Tensor& occupancy,
                                  const torch::Tensor& mask);

// 1 - soft Dice over the queries of each (case, supervised class), averaged: it keeps small
// classes (coronaries, LAA) from drowning in the background the cross-entropy is dominated by.
torch::Tensor maskedSoftDiceLoss(const torch::Tensor& logits, const torch::Tensor& occupancy,
                                 const torch::Tensor& mask);

class ShapeCompletionTask : public TrainTask {
public:
  ShapeCompletionTask(const ShapeTrainConfig& config, ShapeData data);
  std::shared_ptr<torch::nn::Module> model() override { return model_.ptr(); }
  VecSetAutoencoder& network() { return model_; }
  void to(const torch::Device& device) override;
  int64_t batchesPerEpoch() const override;
  StepOutput trainStep(int64_t epoch, int64_t batch) override;
  std::map<std::string, double> validate(Job* job) override;

  // The batch of trainStep(epoch, batch), exposed so tests can check what is supervised.
  std::vector<ShapeSample> batchSamples(int64_t epoch, int64_t batch) const;

private:
  ShapeTrainConfig config_;
  ShapeData data_;
  VecSetAutoencoder model_{nullptr};
  torch::Device device_ = torch::kCPU;
  std::vector<ShapeSample> validation_;
};

} // namespace lumen
