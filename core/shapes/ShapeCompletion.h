// Completing a heart with a trained autoencoder: the visible classes' surface points
// are encoded once; the latent set is decoded into per-class fields on a grid, coarse to fine
// (exact evaluation only where the coarser level sees a class boundary or an uncertain value);
// the argmax gives a label volume, which maps back to the input image's geometry, and the
// per-class fields give meshes in millimetres. Torch-free interface (widgets may include it).
#pragma once
#include "io/Volume.h"
#include "shapes/PreparedShape.h"
#include "shapes/ShapeConfig.h"
#include "shapes/ShapePreparation.h"
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

// The completion grid's samples along the heart's longest side: at least a few per class, and at
// most what one job can decode and hold (512^3 samples x 10 fields of 4 bytes is 5 GB).
constexpr int kMinCompletionResolution = 8, kMaxCompletionResolution = 512;

struct CompletionOptions {
  std::vector<int> keep;        // input classes; empty: every present, annotated class
  int resolution = 128;         // fine grid samples along the completed heart's longest side
  bool modelOnly = false;       // false: visible classes keep the input's voxels exactly
  bool largestComponent = true; // see ShapeDecodeOptions
  uint64_t seed = 0;            // the network's choice of input points
  // How the input is sampled, as `shapes prepare` sampled the training data (class map, grid,
  // surface points, margin, seed; query counts are ignored), so the network sees the input as it
  // saw training cases. With prepare.seed = caseSeed(dataset seed, case id), a label map of a
  // prepared folder gives exactly its prepared case.
  ShapePrepareOptions prepare;
};

// What a completion shows the network: the label map prepared as `shapes prepare` does (the case
// frame from every annotated class present, surface points sampled over all of them), then the
// kept classes' points in their own frame, exactly as training builds its inputs.
struct CompletionInput {
  Volume<uint8_t> classes; // the input's classes 0..10
  PreparedShape prepared;  // case frame, surface points and /grid/labels (the ground truth)
  ClassSet visible;        // kept classes with a voxel
  NetworkInput network;    // what TrainedShapeModel::decode receives
  ShapeFrame frameMm;      // the input frame in millimetres (case frame composed with network's)
};
// `margin`: the model's data.margin. Throws InputError when none of the kept classes has a voxel.
CompletionInput completionInput(const LabelVolume& input, const CompletionOptions& options,
                                double margin);

struct CompletionResult {
  LabelVolume labels; // in the input's geometry, values 0..10
  ClassSet visible;   // classes given to the network
  ClassSet completed; // classes the network added (present in the output, not in the input)
  std::array<TriangleMesh, kHeartClasses> meshes; // per class, in millimetres
  ShapeFrame frame;                               // the input frame in millimetres
  PreparedShape prepared;                         // the input as preparation samples it
  int64_t gridSamples = 0, evaluated = 0;
  double seconds = 0;
};

// Completes a label map (raw values, mapped with options.prepare.classMap). Throws InputError
// when none of the kept classes has a voxel or the resolution is outside 8..512.
CompletionResult completeLabelMap(const TrainedShapeModel& model, const LabelVolume& input,
                                  const CompletionOptions& options, Job* job = nullptr);

} // namespace lumen
