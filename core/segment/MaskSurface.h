// The 3D surface of a segmentation mask, for the Segment workspace's 3D view: one closed surface
// around every non-zero voxel (certain and uncertain alike), in physical millimetres.
#pragma once
#include "segment/PromptSegmentation.h"
#include "shapes/SurfaceMesh.h"

namespace lumen {

class Job;

struct MaskSurfaceOptions {
  int smoothingIterations = 10; // windowed-sinc passes; 0 keeps the voxel staircase
};

// The boundary half-way between inside and outside voxel centres, extracted inside the mask's
// bounding box (plus a one-voxel border, so the surface closes at the image edge), smoothed, then
// mapped through the mask's geometry (origin, spacing, the full direction matrix) with the
// winding kept outward for mirroring directions (LAS, RAS-stored files). Empty for an empty mask.
TriangleMesh maskSurface(const MaskVolume& mask, const MaskSurfaceOptions& options = {},
                         Job* job = nullptr);

} // namespace lumen
