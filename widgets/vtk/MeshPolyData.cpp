#include "vtk/MeshPolyData.h"

#include <cmath>
#include <vtkCellArray.h>
#include <vtkFloatArray.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>

namespace lumen {
namespace {

// Area-weighted vertex normals: the meshes come without normals, and flat-shaded facets of a
// voxel-derived surface would look like a staircase.
vtkSmartPointer<vtkFloatArray> vertexNormals(const TriangleMesh& mesh) {
  std::vector<float> sum(mesh.points.size(), 0.0f);
  const float* p = mesh.points.data();
  for (size_t t = 0; t < mesh.triangles.size(); t += 3) {
    const int32_t a = mesh.triangles[t], b = mesh.triangles[t + 1], c = mesh.triangles[t + 2];
    const float u[3] = {p[3 * b] - p[3 * a], p[3 * b + 1] - p[3 * a + 1],
                        p[3 * b + 2] - p[3 * a + 2]};
    const float v[3] = {p[3 * c] - p[3 * a], p[3 * c + 1] - p[3 * a + 1],
                        p[3 * c + 2] - p[3 * a + 2]};
    const float n[3] = {u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2],
                        u[0] * v[1] - u[1] * v[0]};
    for (int32_t vertex : {a, b, c})
      for (int d = 0; d < 3; ++d)
        sum[size_t(3 * vertex + d)] += n[d];
  }
  auto normals = vtkSmartPointer<vtkFloatArray>::New();
  normals->SetNumberOfComponents(3);
  normals->SetNumberOfTuples(vtkIdType(mesh.vertexCount()));
  for (size_t i = 0; i < mesh.vertexCount(); ++i) {
    float* n = &sum[3 * i];
    const float length = std::sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
    const float scale = length > 0 ? 1.0f / length : 0.0f;
    normals->SetTuple3(vtkIdType(i), n[0] * scale, n[1] * scale, n[2] * scale);
  }
  return normals;
}

} // namespace

vtkSmartPointer<vtkPolyData> meshPolyData(const TriangleMesh& mesh) {
  vtkNew<vtkPoints> points;
  points->SetDataTypeToFloat();
  points->SetNumberOfPoints(vtkIdType(mesh.vertexCount()));
  for (size_t i = 0; i < mesh.vertexCount(); ++i)
    points->SetPoint(vtkIdType(i), mesh.points[3 * i], mesh.points[3 * i + 1],
                     mesh.points[3 * i + 2]);
  vtkNew<vtkCellArray> polys;
  polys->AllocateExact(vtkIdType(mesh.triangleCount()), vtkIdType(mesh.triangles.size()));
  for (size_t t = 0; t < mesh.triangles.size(); t += 3) {
    const vtkIdType ids[3] = {mesh.triangles[t], mesh.triangles[t + 1], mesh.triangles[t + 2]};
    polys->InsertNextCell(3, ids);
  }
  auto data = vtkSmartPointer<vtkPolyData>::New();
  data->SetPoints(points);
  data->SetPolys(polys);
  data->GetPointData()->SetNormals(vertexNormals(mesh));
  return data;
}

} // namespace lumen
