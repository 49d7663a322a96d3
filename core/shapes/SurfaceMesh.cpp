#include "shapes/SurfaceMesh.h"

#include "common/AtomicFile.h"
#include "common/Error.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <vtkCellArray.h>
#include <vtkFloatArray.h>
#include <vtkFlyingEdges3D.h>
#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkOBJWriter.h>
#include <vtkPLYWriter.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkSTLWriter.h>
#include <vtkWindowedSincPolyDataFilter.h>
#include <vtkXMLPolyDataWriter.h>

namespace lumen {
namespace {

TriangleMesh fromPolyData(vtkPolyData* polyData) {
  TriangleMesh mesh;
  const vtkIdType n = polyData->GetNumberOfPoints();
  mesh.points.resize(size_t(n) * 3);
  for (vtkIdType v = 0; v < n; ++v) {
    double p[3];
    polyData->GetPoint(v, p);
    for (int d = 0; d < 3; ++d)
      mesh.points[size_t(v) * 3 + size_t(d)] = float(p[d]);
  }
  vtkCellArray* polys = polyData->GetPolys();
  const vtkIdType* ids = nullptr;
  vtkIdType count = 0;
  mesh.triangles.reserve(size_t(polys->GetNumberOfCells()) * 3);
  for (polys->InitTraversal(); polys->GetNextCell(count, ids);)
    if (count == 3)
      for (int k = 0; k < 3; ++k)
        mesh.triangles.push_back(int32_t(ids[k]));
  return mesh;
}

double triangleArea(const float* a, const float* b, const float* c) {
  const double u[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
  const double v[3] = {c[0] - a[0], c[1] - a[1], c[2] - a[2]};
  const double n[3] = {u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2],
                       u[0] * v[1] - u[1] * v[0]};
  return 0.5 * std::sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
}

vtkSmartPointer<vtkPolyData> toPolyData(const TriangleMesh& mesh) {
  vtkNew<vtkPoints> points;
  points->SetDataTypeToFloat();
  points->SetNumberOfPoints(vtkIdType(mesh.vertexCount()));
  for (size_t v = 0; v < mesh.vertexCount(); ++v)
    points->SetPoint(vtkIdType(v), mesh.points[3 * v], mesh.points[3 * v + 1],
                     mesh.points[3 * v + 2]);
  vtkNew<vtkCellArray> polys;
  for (size_t t = 0; t < mesh.triangleCount(); ++t) {
    const vtkIdType ids[3] = {mesh.triangles[3 * t], mesh.triangles[3 * t + 1],
                              mesh.triangles[3 * t + 2]};
    polys->InsertNextCell(3, ids);
  }
  auto polyData = vtkSmartPointer<vtkPolyData>::New();
  polyData->SetPoints(points);
  polyData->SetPolys(polys);
  return polyData;
}

} // namespace

TriangleMesh smoothMesh(const TriangleMesh& mesh, int iterations) {
  if (mesh.triangleCount() == 0 || iterations <= 0)
    return mesh;
  vtkNew<vtkWindowedSincPolyDataFilter> smoother;
  smoother->SetInputData(toPolyData(mesh));
  smoother->SetNumberOfIterations(iterations);
  smoother->SetPassBand(0.1);
  smoother->BoundarySmoothingOff();
  smoother->FeatureEdgeSmoothingOff();
  smoother->NonManifoldSmoothingOn();
  smoother->NormalizeCoordinatesOn();
  smoother->Update();
  return fromPolyData(smoother->GetOutput());
}

void writeMesh(const std::string& path, const TriangleMesh& mesh) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (ext != ".vtp" && ext != ".stl" && ext != ".obj" && ext != ".ply")
    throw InputError(path + ": unknown mesh format '" + ext +
                     "', expected .vtp, .stl, .obj or .ply");
  const auto polyData = toPolyData(mesh);
  replaceFileAtomically(
      path,
      [&](const std::string& temp) {
        int ok = 0;
        if (ext == ".vtp") {
          vtkNew<vtkXMLPolyDataWriter> writer;
          writer->SetFileName(temp.c_str());
          writer->SetInputData(polyData);
          writer->SetDataModeToBinary();
          ok = writer->Write();
        } else if (ext == ".stl") {
          vtkNew<vtkSTLWriter> writer;
          writer->SetFileName(temp.c_str());
          writer->SetInputData(polyData);
          writer->SetFileTypeToBinary();
          ok = writer->Write();
        } else if (ext == ".obj") {
          vtkNew<vtkOBJWriter> writer;
          writer->SetFileName(temp.c_str());
          writer->SetInputData(polyData);
          writer->Write();
          ok = std::filesystem::exists(temp);
        } else {
          vtkNew<vtkPLYWriter> writer;
          writer->SetFileName(temp.c_str());
          writer->SetInputData(polyData);
          writer->SetFileTypeToBinary();
          ok = writer->Write();
        }
        if (!ok)
          throw IoError("could not write mesh " + path);
      },
      ext);
}

double TriangleMesh::area() const {
  double total = 0;
  for (size_t t = 0; t < triangleCount(); ++t)
    total += triangleArea(&points[3 * size_t(triangles[3 * t])],
                          &points[3 * size_t(triangles[3 * t + 1])],
                          &points[3 * size_t(triangles[3 * t + 2])]);
  return total;
}

TriangleMesh extractIsoSurface(const std::vector<float>& field, const GridSpec& grid, double iso,
                               std::array<int64_t, 3> first, std::array<int64_t, 3> last) {
  for (size_t d = 0; d < 3; ++d) {
    first[d] = std::clamp<int64_t>(first[d], 0, grid.size[d] - 1);
    last[d] = std::clamp<int64_t>(last[d], first[d], grid.size[d] - 1);
  }
  const int64_t nx = last[0] - first[0] + 1, ny = last[1] - first[1] + 1,
                nz = last[2] - first[2] + 1;
  vtkNew<vtkImageData> image;
  image->SetDimensions(int(nx), int(ny), int(nz));
  image->SetOrigin(grid.origin[0] + grid.spacing[0] * double(first[0]),
                   grid.origin[1] + grid.spacing[1] * double(first[1]),
                   grid.origin[2] + grid.spacing[2] * double(first[2]));
  image->SetSpacing(grid.spacing[0], grid.spacing[1], grid.spacing[2]);
  vtkNew<vtkFloatArray> scalars;
  scalars->SetNumberOfValues(nx * ny * nz);
  vtkIdType at = 0;
  for (int64_t k = first[2]; k <= last[2]; ++k)
    for (int64_t j = first[1]; j <= last[1]; ++j) {
      const float* row = field.data() + size_t((k * grid.size[1] + j) * grid.size[0]);
      for (int64_t i = first[0]; i <= last[0]; ++i)
        scalars->SetValue(at++, row[i]);
    }
  image->GetPointData()->SetScalars(scalars);
  vtkNew<vtkFlyingEdges3D> contour;
  contour->SetInputData(image);
  contour->SetValue(0, iso);
  contour->ComputeNormalsOff();
  contour->ComputeGradientsOff();
  contour->ComputeScalarsOff();
  contour->Update();
  return fromPolyData(contour->GetOutput());
}

std::vector<Vec3> sampleSurface(const TriangleMesh& mesh, size_t count, std::mt19937_64& rng) {
  std::vector<Vec3> samples;
  if (mesh.triangleCount() == 0 || count == 0)
    return samples;
  std::vector<double> cumulative(mesh.triangleCount());
  double total = 0;
  for (size_t t = 0; t < mesh.triangleCount(); ++t) {
    total += triangleArea(&mesh.points[3 * size_t(mesh.triangles[3 * t])],
                          &mesh.points[3 * size_t(mesh.triangles[3 * t + 1])],
                          &mesh.points[3 * size_t(mesh.triangles[3 * t + 2])]);
    cumulative[t] = total;
  }
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  samples.reserve(count);
  for (size_t s = 0; s < count; ++s) {
    const double pick = unit(rng) * total;
    const size_t t = std::min(
        mesh.triangleCount() - 1,
        size_t(std::upper_bound(cumulative.begin(), cumulative.end(), pick) - cumulative.begin()));
    // Uniform barycentric coordinates by reflecting the unit square's upper triangle.
    double a = unit(rng), b = unit(rng);
    if (a + b > 1.0) {
      a = 1.0 - a;
      b = 1.0 - b;
    }
    const float* p0 = &mesh.points[3 * size_t(mesh.triangles[3 * t])];
    const float* p1 = &mesh.points[3 * size_t(mesh.triangles[3 * t + 1])];
    const float* p2 = &mesh.points[3 * size_t(mesh.triangles[3 * t + 2])];
    Vec3 p{};
    for (size_t d = 0; d < 3; ++d)
      p[d] = p0[d] + a * (p1[d] - p0[d]) + b * (p2[d] - p0[d]);
    samples.push_back(p);
  }
  return samples;
}

} // namespace lumen
