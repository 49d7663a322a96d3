// Per-class surface meshes in millimetres: from a label volume (the input or ground truth shown
// next to a completion), and written to files per class.
#pragma once
#include "shapes/HeartClasses.h"
#include "shapes/SurfaceMesh.h"

#include <array>
#include <string>
#include <vector>

namespace lumen {

class Job;

using ClassMeshes = std::array<TriangleMesh, kHeartClasses>;

// The boundary of each class's voxels (half-way between inside and outside voxel centres),
// lightly smoothed, in physical coordinates (the volume's direction, spacing and origin), with
// outward normals by the right-hand rule whatever the direction's handedness (LAS data too).
ClassMeshes labelMapMeshes(const Volume<uint8_t>& classes, Job* job = nullptr);

// Writes every non-empty class as <dir>/<NN>_<name>.<ext> for each extension in `formats`
// (e.g. {"vtp", "stl"}); returns the files written.
std::vector<std::string> writeClassMeshes(const std::string& dir, const ClassMeshes& meshes,
                                          const std::vector<std::string>& formats);

} // namespace lumen
