// The prompt pipeline's first stage (the seed's MedSAM2 recipe): 3D point prompts, given as voxel
// indices of the image as stored (i, j along a slice, k the slice, as MONAI Label's clients send
// them), become key-slice boxes that the propagation passes follow.
//
// The positive points are sorted by k ("z"); each pair of consecutive distinct z values
// (z_i, z_i+1) gives a box (the x/y extent of the points on those two slices, plus a margin) on
// the key slice (z_i + z_i+1) / 2, and that box holds for every slice from z_i to z_i+1 (a slice
// shared by two pairs gets the union of both boxes). z_min and z_max, the lowest and highest
// points, are strict bounds: nothing outside them is segmented.
//
// Points that all lie on one slice (one click, or several on one slice) have no second z to
// bound them, and no second point to size the box: the box is their extent plus the margin on
// that slice (the key slice); each pass then continues away from it until the object ends, every
// slice's box following the slice before's mask, and takes a second look at the key slice with
// the mask of the slice beyond it (see SliceSegmenter.h).
#pragma once
#include "io/Volume.h"

#include <array>
#include <cstdint>
#include <vector>

namespace lumen {

using VoxelIndex = std::array<int64_t, 3>;

struct PromptPoint {
  VoxelIndex ijk{0, 0, 0};
  bool positive = true; // negative points mark background the mask must not reach
};

// Inclusive voxel bounds on one slice; empty when x1 < x0.
struct SliceBox {
  int64_t x0 = 0, y0 = 0, x1 = -1, y1 = -1;

  bool empty() const { return x1 < x0 || y1 < y0; }
  bool contains(int64_t x, int64_t y) const { return x >= x0 && x <= x1 && y >= y0 && y <= y1; }
  SliceBox united(const SliceBox& other) const;
};

struct PromptPlanOptions {
  // Added around the points' extent on each side, in millimetres of the slice's own spacing, so
  // the box encloses the object around points clicked inside it.
  double marginMm = 20;
};

struct PromptPlan {
  int64_t zMin = 0, zMax = -1;
  bool singleSlice = false;
  double marginMm = 20; // the options' margin, for the boxes a single-slice pass derives itself
  std::vector<int64_t> keySlices;  // one per pair of consecutive z values
  std::vector<SliceBox> boxes;     // boxes[z - zMin] for every slice in [zMin, zMax]
  std::vector<PromptPoint> points; // every prompt, positive and negative, as given

  const SliceBox& boxOf(int64_t z) const { return boxes[size_t(z - zMin)]; }
  bool isKeySlice(int64_t z) const;
};

// Throws InputError naming the offending point when there is no positive point or a point lies
// outside the image.
PromptPlan planPrompts(const std::vector<PromptPoint>& points, const ImageGeometry& geometry,
                       const PromptPlanOptions& options = {});

// "i,j,k;i,j,k;...": the command line's and the tests' way of writing points. Throws InputError
// naming the item that is not three integers.
std::vector<PromptPoint> parsePromptPoints(const std::string& text, bool positive);

} // namespace lumen
