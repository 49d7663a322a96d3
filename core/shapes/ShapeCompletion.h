// Completing a heart with a trained autoencoder (SPEC H6): the visible classes' surface points
// are encoded once; the latent set is decoded into per-class fields on a grid, coarse to fine
// (exact evaluation only where the coarser level sees a class boundary or an uncertain value);
// the argmax gives a label volume, which maps back to the input image's geometry, and the
// per-class fields give meshes in millimetres. Torch-free interface (widgets may include it).
#pragma once
#include "io/Volume.h"
#include "shapes/ShapeConfig.h"
#include "shapes/ShapeSampling.h"
#include "shapes/SurfaceMesh.h"

#include <array>
#include <memory>
#include <string>
#include <vector>

namespace lumen {

class Job;

struct ShapeDecodeOptions {
  int coarsest = 32;        // the coarsest level has at most this many samples per axis
  float uncertainty = 2.0f; // also refine where some class logit lies within +-this of 0
  bool keepFields = false;  // keep per-class fields (for meshes)
  // A heart is one connected object: keep only the largest 26-connected labelled component and
  // clear stray islands the network may predict far from the input.
  bool largestComponent = true;
  int64_t chunk = 32768; // queries per network call
};

// Labels on a grid (x fastest), and optionally per-class fields: logit_c - max(other logits, 0),
// positive where class c wins the argmax, so each field's zero level is that class's boundary.
struct DecodedGrid {
  GridSpec grid; // in the network's input frame
  std::vector<uint8_t> labels;
  std::array<std::vector<float>, kHeartClasses> fields;
  int64_t evaluated = 0; // network queries spent
  size_t samples() const { return labels.size(); }
};

class TrainedShapeModel {
public:
  // checkpoint: <run>/checkpoints/best.pt (or last.pt); <run>/config.yaml gives the model.
  TrainedShapeModel(const std::string& checkpoint, const std::string& device = "auto");
  ~TrainedShapeModel();
  TrainedShapeModel(const TrainedShapeModel&) = delete;
  TrainedShapeModel& operator=(const TrainedShapeModel&) = delete;
  const ShapeTrainConfig& config() const;

  // Surface points (N x 3, already in the input frame) and their classes 1..10; the network sees
  // config().data.input_points of them, chosen with `seed`. Then decodes on `grid`.
  DecodedGrid decode(const std::vector<float>& points, const std::vector<uint8_t>& labels,
                     const GridSpec& grid, const ShapeDecodeOptions& options = {},
                     uint64_t seed = 0, Job* job = nullptr) const;

private:
  struct State;
  std::unique_ptr<State> state_;
};

struct CompletionOptions {
  std::string classMap = "heart10";
  std::vector<int> keep;        // input classes; empty: every present, annotated class
  int resolution = 128;         // fine grid samples along the completed heart's longest side
  bool modelOnly = false;       // false: visible classes keep the input's voxels exactly
  bool largestComponent = true; // see ShapeDecodeOptions
  uint64_t seed = 0;
  int surfacePoints = 8192; // sampled from the visible classes, as in preparation
};

struct CompletionResult {
  LabelVolume labels; // in the input's geometry, values 0..10
  ClassSet visible;   // classes given to the network
  ClassSet completed; // classes the network added (present in the output, not in the input)
  std::array<TriangleMesh, kHeartClasses> meshes; // per class, in millimetres
  ShapeFrame frame;                               // the input frame in millimetres
  int64_t gridSamples = 0, evaluated = 0;
  double seconds = 0;
};

// Completes a label map (raw values, mapped with options.classMap). Throws InputError when none of
// the kept classes has a voxel.
CompletionResult completeLabelMap(const TrainedShapeModel& model, const LabelVolume& input,
                                  const CompletionOptions& options, Job* job = nullptr);

} // namespace lumen
