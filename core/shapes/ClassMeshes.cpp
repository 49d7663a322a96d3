#include "shapes/ClassMeshes.h"

#include "common/Error.h"
#include "common/Job.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace lumen {

ClassMeshes labelMapMeshes(const Volume<uint8_t>& classes, Job* job) {
  const ImageGeometry& g = classes.geometry;
  std::array<std::array<int64_t, 3>, kHeartClasses> lo, hi;
  lo.fill(g.size);
  hi.fill({-1, -1, -1});
  for (int64_t k = 0; k < g.size[2]; ++k)
    for (int64_t j = 0; j < g.size[1]; ++j)
      for (int64_t i = 0; i < g.size[0]; ++i) {
        const uint8_t c = classes.values[g.offset(i, j, k)];
        if (c == 0 || c > kHeartClasses)
          continue;
        auto& a = lo[size_t(c - 1)];
        auto& b = hi[size_t(c - 1)];
        a = {std::min(a[0], i), std::min(a[1], j), std::min(a[2], k)};
        b = {std::max(b[0], i), std::max(b[1], j), std::max(b[2], k)};
      }
  const auto& m = g.direction;
  const double det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) +
                     m[2] * (m[3] * m[7] - m[4] * m[6]);
  // Meshes are extracted in index space and mapped through the direction matrix; a mirroring
  // one (det < 0, e.g. LAS data) turns every triangle inside out, so its winding is reversed.
  const bool mirrored = det < 0;
  ClassMeshes meshes;
  for (int c = 1; c <= kHeartClasses; ++c) {
    if (job) {
      job->checkCancelled();
      job->setProgress(double(c - 1) / kHeartClasses, "surface of " + heartClassName(c));
    }
    const auto& a = lo[size_t(c - 1)];
    const auto& b = hi[size_t(c - 1)];
    if (b[0] < 0)
      continue;
    // A one-voxel empty border around the class box closes the surface at the image edge.
    GridSpec box;
    for (size_t d = 0; d < 3; ++d) {
      box.size[d] = b[d] - a[d] + 3;
      box.origin[d] = double(a[d] - 1);
    }
    std::vector<float> mask(size_t(box.size[0] * box.size[1] * box.size[2]), 0.0f);
    for (int64_t k = a[2]; k <= b[2]; ++k)
      for (int64_t j = a[1]; j <= b[1]; ++j)
        for (int64_t i = a[0]; i <= b[0]; ++i)
          if (classes.values[g.offset(i, j, k)] == c)
            mask[size_t(((k - a[2] + 1) * box.size[1] + j - a[1] + 1) * box.size[0] + i - a[0] +
                        1)] = 1.0f;
    TriangleMesh mesh = smoothMesh(extractIsoSurface(
        mask, box, 0.5, {0, 0, 0}, {box.size[0] - 1, box.size[1] - 1, box.size[2] - 1}));
    for (size_t p = 0; p < mesh.points.size(); p += 3) {
      const Vec3 mm = g.indexToPhysical({mesh.points[p], mesh.points[p + 1], mesh.points[p + 2]});
      for (size_t d = 0; d < 3; ++d)
        mesh.points[p + d] = float(mm[d]);
    }
    if (mirrored)
      for (size_t t = 0; t + 2 < mesh.triangles.size(); t += 3)
        std::swap(mesh.triangles[t + 1], mesh.triangles[t + 2]);
    meshes[size_t(c - 1)] = std::move(mesh);
  }
  return meshes;
}

std::vector<std::string> writeClassMeshes(const std::string& dir, const ClassMeshes& meshes,
                                          const std::vector<std::string>& formats) {
  std::filesystem::create_directories(dir);
  std::vector<std::string> written;
  for (int c = 1; c <= kHeartClasses; ++c) {
    const auto& mesh = meshes[size_t(c - 1)];
    if (mesh.triangleCount() == 0)
      continue;
    std::string name = heartClassName(c);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) {
      return std::isalnum(ch) ? char(std::tolower(ch)) : '_';
    });
    char prefix[8];
    std::snprintf(prefix, sizeof prefix, "%02d_", c);
    for (const auto& format : formats) {
      const std::string path =
          (std::filesystem::path(dir) / (prefix + name + "." + format)).string();
      writeMesh(path, mesh);
      written.push_back(path);
    }
  }
  return written;
}

} // namespace lumen
