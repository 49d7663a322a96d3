// Triangle meshes of class surfaces: extraction from a scalar field (VTK flying edges, no
// rendering), smoothing, areas, area-weighted point sampling and mesh files.
#pragma once
#include "io/Volume.h"

#include <random>
#include <string>
#include <vector>

namespace lumen {

struct TriangleMesh {
  std::vector<float> points;      // x, y, z per vertex
  std::vector<int32_t> triangles; // three vertex indices per triangle
  size_t vertexCount() const { return points.size() / 3; }
  size_t triangleCount() const { return triangles.size() / 3; }
  double area() const;
};

// Grid of `size` samples (x-fastest) whose sample (i, j, k) sits at origin + spacing * (i, j, k).
struct GridSpec {
  std::array<int64_t, 3> size{0, 0, 0};
  Vec3 origin{0, 0, 0};
  Vec3 spacing{1, 1, 1};
};

// The `iso` level set of `field` as triangles in the grid's coordinates. `first`/`last` restrict
// extraction to a sub-box of sample indices (inclusive) to save time on small structures.
TriangleMesh extractIsoSurface(const std::vector<float>& field, const GridSpec& grid, double iso,
                               std::array<int64_t, 3> first, std::array<int64_t, 3> last);

// Windowed-sinc smoothing (Taubin), which keeps volume, unlike Laplacian smoothing.
TriangleMesh smoothMesh(const TriangleMesh& mesh, int iterations = 15);

// Writes the mesh atomically; the format follows the extension (.vtp, .stl, .obj, .ply).
void writeMesh(const std::string& path, const TriangleMesh& mesh);

// `count` points uniformly distributed over the mesh's area.
std::vector<Vec3> sampleSurface(const TriangleMesh& mesh, size_t count, std::mt19937_64& rng);

} // namespace lumen
