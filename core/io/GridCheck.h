// Whether two images share one voxel grid, voxel for voxel, before they are compared or paired.
#pragma once
#include "io/Volume.h"

#include <string>

namespace lumen {

// Empty when `a` and `b` are the same voxel grid: equal sizes, and spacings, origins and
// directions equal within 1e-3 of the spacing (1e-4 for the direction cosines); otherwise what
// differs, e.g. "sizes 64x64x20 and 64x64x21", for an error message that names both files.
std::string gridDifference(const ImageGeometry& a, const ImageGeometry& b);

// Throws InputError "<what>: <the difference>" unless `a` and `b` are the same grid.
void requireSameGrid(const ImageGeometry& a, const ImageGeometry& b, const std::string& what);

} // namespace lumen
