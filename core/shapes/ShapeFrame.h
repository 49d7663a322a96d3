// The per-case normalisation frame: a centre and an isotropic scale that map the union
// of a case's labels into [-1, 1]^3 with a margin. Stored with the prepared case so that
// completions, meshes and distances map back to millimetres. Inside it, the network's input frame
// (the visible classes' box, ShapeSampling) is a second frame in case units; the two compose.
#pragma once
#include "io/Volume.h"

namespace lumen {

// Millimetres <-> the case's normalised units.
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

// The network's input frame inside a case's normalised space (both numbers in case units): a
// point p of the case is shown to the network as (p - center) / scale.
struct InputFrame {
  Vec3 center{0, 0, 0};
  double scale = 1.0; // case units per input unit

  Vec3 toInput(const Vec3& p) const {
    return {(p[0] - center[0]) / scale, (p[1] - center[1]) / scale, (p[2] - center[2]) / scale};
  }
};

// The input frame in millimetres: millimetres -> case units -> input units in one step.
ShapeFrame inputFrameInMm(const ShapeFrame& caseFrame, const InputFrame& input);

// The frame of every non-zero voxel of `labels` (voxels as boxes, so one voxel still has extent):
// the physical bounding box's centre, and a scale so its longest half-side ends at 1 - margin.
// Throws InputError when no voxel is labelled.
ShapeFrame computeShapeFrame(const LabelVolume& labels, double margin = 0.1);
ShapeFrame computeShapeFrame(const Volume<uint8_t>& classes, double margin = 0.1);

// The same rule (centre, longest half-side at 1 - margin) for a box [lo, hi] in millimetres, and
// for a box in case units.
ShapeFrame frameOfBox(const Vec3& lo, const Vec3& hi, double margin);
InputFrame inputFrameOfBox(const Vec3& lo, const Vec3& hi, double margin);

} // namespace lumen
