// The per-case normalisation frame (SPEC H2): a centre and an isotropic scale that map the union
// of a case's labels into [-1, 1]^3 with a margin. Stored with the prepared case so that
// completions, meshes and distances map back to millimetres.
#pragma once
#include "io/Volume.h"

namespace lumen {

struct ShapeFrame {
  Vec3 centerMm{0, 0, 0};
  double scaleMm = 1.0; // millimetres per normalised unit

  Vec3 toNormalized(const Vec3& mm) const {
    return {(mm[0] - centerMm[0]) / scaleMm, (mm[1] - centerMm[1]) / scaleMm,
            (mm[2] - centerMm[2]) / scaleMm};
  }
  Vec3 toMm(const Vec3& n) const {
    return {centerMm[0] + n[0] * scaleMm, centerMm[1] + n[1] * scaleMm,
            centerMm[2] + n[2] * scaleMm};
  }
};

// The frame of every non-zero voxel of `labels` (voxels as boxes, so one voxel still has extent):
// the physical bounding box's centre, and a scale so its longest half-side ends at 1 - margin.
// Throws InputError when no voxel is labelled.
ShapeFrame computeShapeFrame(const LabelVolume& labels, double margin = 0.1);
ShapeFrame computeShapeFrame(const Volume<uint8_t>& classes, double margin = 0.1);

// The frame of a box [lo, hi] by the same rule (centre, longest half-side at 1 - margin).
ShapeFrame frameOfBox(const Vec3& lo, const Vec3& hi, double margin);

} // namespace lumen
