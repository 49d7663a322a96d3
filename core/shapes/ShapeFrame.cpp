#include "shapes/ShapeFrame.h"

#include "common/Error.h"
#include "common/Text.h"

#include <algorithm>
#include <cmath>

namespace lumen {

namespace {

template <class T> ShapeFrame frameOfLabelled(const Volume<T>& labels, double margin) {
  if (!(margin >= 0.0 && margin < 0.9))
    throw InputError("the frame margin must be in [0, 0.9), got " + formatNumber(margin));
  const ImageGeometry& g = labels.geometry;
  // Index-space bounding box of the labelled voxels first (cheap), then its physical corners.
  std::array<int64_t, 3> lo{g.size}, hi{-1, -1, -1};
  for (int64_t k = 0; k < g.size[2]; ++k)
    for (int64_t j = 0; j < g.size[1]; ++j) {
      const T* row = labels.values.data() + g.offset(0, j, k);
      for (int64_t i = 0; i < g.size[0]; ++i)
        if (row[i] != 0) {
          lo = {std::min(lo[0], i), std::min(lo[1], j), std::min(lo[2], k)};
          hi = {std::max(hi[0], i), std::max(hi[1], j), std::max(hi[2], k)};
        }
    }
  if (hi[0] < 0)
    throw InputError("the label map has no labelled voxel: there is no shape to normalise");
  Vec3 pmin{1e300, 1e300, 1e300}, pmax{-1e300, -1e300, -1e300};
  for (int corner = 0; corner < 8; ++corner) {
    const Vec3 index{corner & 1 ? hi[0] + 0.5 : lo[0] - 0.5, corner & 2 ? hi[1] + 0.5 : lo[1] - 0.5,
                     corner & 4 ? hi[2] + 0.5 : lo[2] - 0.5};
    const Vec3 p = g.indexToPhysical(index);
    for (size_t d = 0; d < 3; ++d) {
      pmin[d] = std::min(pmin[d], p[d]);
      pmax[d] = std::max(pmax[d], p[d]);
    }
  }
  return frameOfBox(pmin, pmax, margin);
}

} // namespace

namespace {

void centerAndScale(const Vec3& lo, const Vec3& hi, double margin, Vec3& center, double& scale) {
  double half = 0;
  for (size_t d = 0; d < 3; ++d) {
    center[d] = 0.5 * (lo[d] + hi[d]);
    half = std::max(half, 0.5 * (hi[d] - lo[d]));
  }
  scale = std::max(half, 1e-9) / (1.0 - margin);
}

} // namespace

ShapeFrame frameOfBox(const Vec3& lo, const Vec3& hi, double margin) {
  ShapeFrame frame;
  centerAndScale(lo, hi, margin, frame.centerMm, frame.scaleMm);
  return frame;
}

InputFrame inputFrameOfBox(const Vec3& lo, const Vec3& hi, double margin) {
  InputFrame frame;
  centerAndScale(lo, hi, margin, frame.center, frame.scale);
  return frame;
}

ShapeFrame inputFrameInMm(const ShapeFrame& caseFrame, const InputFrame& input) {
  ShapeFrame frame;
  frame.centerMm = caseFrame.toMm(input.center);
  frame.scaleMm = caseFrame.scaleMm * input.scale;
  return frame;
}

ShapeFrame computeShapeFrame(const LabelVolume& labels, double margin) {
  return frameOfLabelled(labels, margin);
}

ShapeFrame computeShapeFrame(const Volume<uint8_t>& classes, double margin) {
  return frameOfLabelled(classes, margin);
}

} // namespace lumen
