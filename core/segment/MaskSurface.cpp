#include "segment/MaskSurface.h"

#include "common/Job.h"
#include "segment/MaskExtent.h"

#include <utility>

namespace lumen {

TriangleMesh maskSurface(const MaskVolume& mask, const MaskSurfaceOptions& options, Job* job) {
  const ImageGeometry& g = mask.geometry;
  const MaskExtent extent = maskExtent(mask);
  if (extent.empty())
    return {};
  if (job)
    job->checkCancelled();
  // Index space around the box: sample (0,0,0) of the grid is voxel lo - 1.
  GridSpec box;
  for (size_t d = 0; d < 3; ++d) {
    box.size[d] = extent.hi[d] - extent.lo[d] + 3;
    box.origin[d] = double(extent.lo[d] - 1);
  }
  std::vector<float> inside(size_t(box.size[0] * box.size[1] * box.size[2]), 0.0f);
  for (int64_t z = 0; z < extent.depth(); ++z)
    for (int64_t y = 0; y < extent.height(); ++y) {
      const uint8_t* row = mask.values.data() + extent.full(0, y, z);
      float* out = inside.data() + size_t(((z + 1) * box.size[1] + y + 1) * box.size[0] + 1);
      for (int64_t x = 0; x < extent.width(); ++x)
        out[x] = row[x] ? 1.0f : 0.0f;
    }
  if (job)
    job->checkCancelled();
  TriangleMesh mesh = extractIsoSurface(inside, box, 0.5, {0, 0, 0},
                                        {box.size[0] - 1, box.size[1] - 1, box.size[2] - 1});
  if (job)
    job->checkCancelled();
  mesh = smoothMesh(mesh, options.smoothingIterations);
  for (size_t p = 0; p < mesh.points.size(); p += 3) {
    const Vec3 mm = g.indexToPhysical({mesh.points[p], mesh.points[p + 1], mesh.points[p + 2]});
    for (size_t d = 0; d < 3; ++d)
      mesh.points[p + d] = float(mm[d]);
  }
  // Spacing is positive, so only a mirroring direction (det < 0) turns triangles inside out.
  const auto& m = g.direction;
  const double det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) +
                     m[2] * (m[3] * m[7] - m[4] * m[6]);
  if (det < 0)
    for (size_t t = 0; t + 2 < mesh.triangles.size(); t += 3)
      std::swap(mesh.triangles[t + 1], mesh.triangles[t + 2]);
  return mesh;
}

} // namespace lumen
