// One prepared case for shape learning and its HDF5 file, whose layout other tools read:
//   /surface/points (N x 3 float32, normalised), /surface/labels (N uint8, 1-10)
//   /queries/volume/{points (Q x 3), occupancy (Q x 10 uint8), sdf (Q x 10 float32)}
//   /queries/near/{points, occupancy, sdf}
//   /frame/center_mm (3), /frame/scale_mm (1), /annotated (10 uint8), /present (10 uint8)
//   /source/{spacing, origin (3 float64), direction (9 float64), size (3 int64)}
//   /grid/labels (G x G x G uint8, z slowest): the class map resampled into the frame at
//     -1 + 2 i / (G - 1), the dense ground truth that evaluation and retrieval compare against
// SDF values are in normalised units, negative inside; a class absent from the case has +4
// (farther than any point of the [-1, 1]^3 cube can be).
#pragma once
#include "io/Volume.h"
#include "shapes/HeartClasses.h"
#include "shapes/ShapeFrame.h"

#include <array>
#include <string>
#include <vector>

namespace lumen {

constexpr float kAbsentClassDistance = 4.0f;

struct QuerySet {
  std::vector<float> points;      // Q x 3
  std::vector<uint8_t> occupancy; // Q x 10
  std::vector<float> sdf;         // Q x 10
  size_t size() const { return points.size() / 3; }
};

// The label map resampled into a case's frame: `n`^3 samples at -1 + 2 i / (n - 1).
struct ClassGrid {
  int n = 0;
  std::vector<uint8_t> labels; // 0..10, x-fastest
  double step() const { return 2.0 / double(n - 1); }
  size_t index(int i, int j, int k) const {
    return (size_t(k) * size_t(n) + size_t(j)) * size_t(n) + size_t(i);
  }
};

struct PreparedShape {
  std::string caseId;
  ShapeFrame frame;
  std::array<uint8_t, kHeartClasses> annotated{}; // the dataset labels this class at all
  std::array<uint8_t, kHeartClasses> present{};   // this case has voxels of the class
  ImageGeometry source;
  std::vector<float> surfacePoints;   // N x 3
  std::vector<uint8_t> surfaceLabels; // N, 1..10
  QuerySet volume, near;
  ClassGrid grid;
  size_t surfaceSize() const { return surfaceLabels.size(); }
};

// Atomic write; reading validates every dataset's shape and value range and names the file and
// dataset in its errors.
void writePreparedShape(const std::string& path, const PreparedShape& shape);
PreparedShape readPreparedShape(const std::string& path);

} // namespace lumen
