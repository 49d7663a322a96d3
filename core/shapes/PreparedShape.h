// One prepared case for shape learning (SPEC H3) and its HDF5 file, whose layout other tools read:
//   /surface/points (N x 3 float32, normalised), /surface/labels (N uint8, 1-10)
//   /queries/volume/{points (Q x 3), occupancy (Q x 10 uint8), sdf (Q x 10 float32)}
//   /queries/near/{points, occupancy, sdf}
//   /frame/center_mm (3), /frame/scale_mm (1), /annotated (10 uint8), /present (10 uint8)
//   /source/{spacing, origin (3 float64), direction (9 float64), size (3 int64)}
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

struct PreparedShape {
  std::string caseId;
  ShapeFrame frame;
  std::array<uint8_t, kHeartClasses> annotated{}; // the dataset labels this class at all
  std::array<uint8_t, kHeartClasses> present{};   // this case has voxels of the class
  ImageGeometry source;
  std::vector<float> surfacePoints;   // N x 3
  std::vector<uint8_t> surfaceLabels; // N, 1..10
  QuerySet volume, near;
  size_t surfaceSize() const { return surfaceLabels.size(); }
};

// Atomic write; reading validates every dataset's shape and value range and names the file and
// dataset in its errors.
void writePreparedShape(const std::string& path, const PreparedShape& shape);
PreparedShape readPreparedShape(const std::string& path);

} // namespace lumen
