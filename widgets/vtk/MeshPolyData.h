// Core triangle meshes (plain data, made off the UI thread) as VTK poly data for the 3D views,
// with smooth vertex normals.
#pragma once
#include "shapes/SurfaceMesh.h"

#include <vtkSmartPointer.h>

class vtkPolyData;

namespace lumen {

// Points, triangles and area-weighted vertex normals: the meshes come without normals, and
// flat-shaded facets of a voxel-derived surface would look like a staircase.
vtkSmartPointer<vtkPolyData> meshPolyData(const TriangleMesh& mesh);

} // namespace lumen
