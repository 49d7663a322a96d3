// Preparation of one label map for shape learning: class mapping, normalisation
// frame, per-class signed distance fields from exact Euclidean distance transforms on a grid
// over [-1, 1]^3 (never signed with mesh normals, which fail on thin touching structures),
// area-weighted surface points, and volume + near-surface queries with per-class occupancy
// (looked up in the label map itself) and signed distance (trilinear in the field).
#pragma once
#include "io/Volume.h"
#include "shapes/PreparedShape.h"

#include <array>
#include <memory>
#include <string>
#include <vector>

namespace lumen {

struct ShapePrepareOptions {
  std::string classMap = "heart10";
  int points = 8192;          // surface points in total
  int minPointsPerClass = 64; // floor for small classes (coronaries)
  int volumeQueries = 100000;
  int nearQueries = 100000;
  double nearSigmaSmall = 0.01; // near-surface offsets, normalised units (two scales)
  double nearSigmaLarge = 0.05;
  int grid = 128; // distance-field resolution over [-1, 1]^3 (8..256)
  double margin = 0.1;
  uint64_t seed = 0;
  // Classes this dataset is taken not to label (1..10): their voxels become background and the
  // classes are marked unannotated, as in a partially labelled dataset (training phase 4).
  std::vector<int> unannotated;
};

// The distance-field grid per axis. Preparation keeps a float field of grid^3 values for each of
// the 10 classes, and prepares one case per core at once: 256 costs 640 MB per case (with the
// transforms' scratch under 1 GB), while 1024 would need 40 GB per case.
constexpr int kMinPreparationGrid = 8, kMaxPreparationGrid = 256;
// InputError, saying why, for a grid outside those bounds.
void requirePreparationGrid(int n);

// Maps raw values to classes (InputError naming unknown values and the likely fix).
Volume<uint8_t> mapClasses(const LabelVolume& labels, const ClassMap& map);
ClassGrid resampleToFrame(const Volume<uint8_t>& classes, const ShapeFrame& frame, int n);

// Per-class signed distance fields on the grid (normalised units); absent classes stay empty.
struct ClassDistanceFields {
  int n = 0;
  std::array<std::vector<float>, kHeartClasses> sdf;
  // Trilinear value of class c (1..10) at a normalised point; outside the grid the nearest
  // grid value plus the distance to the grid; kAbsentClassDistance for an absent class.
  float at(int label, const Vec3& p) const;
};
ClassDistanceFields computeDistanceFields(const ClassGrid& grid);

// Everything above for one case. `caseId` names it in errors and in the file.
PreparedShape prepareShape(const LabelVolume& labels, const std::string& caseId,
                           const ShapePrepareOptions& options);
// The same from classes already mapped to 1..10, with the classes the source annotates.
PreparedShape prepareClasses(Volume<uint8_t> classes,
                             const std::array<uint8_t, kHeartClasses>& annotated,
                             const std::string& caseId, const ShapePrepareOptions& options);

} // namespace lumen
