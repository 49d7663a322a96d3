#include "vtk/SliceAnnotations.h"

#include <algorithm>
#include <cmath>
#include <vtkActor.h>
#include <vtkCellArray.h>
#include <vtkImageData.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkUnsignedCharArray.h>

namespace lumen {
namespace {

// Lifts as fractions of the image's largest extent. Points drawn as spheres bulge towards the
// camera by their radius in scene units (a 14 px ring at a whole-slice zoom: about 2 % of the
// extent), so the marker must sit well above its ring to stay in front of it; the parallel
// projection keeps every lift off the screen position.
constexpr double kCrosshairLift = 0.005, kRingLift = 0.01, kMarkerLift = 0.08;

vtkSmartPointer<vtkActor> actorFor(vtkPolyData* data, bool directColors) {
  auto mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
  mapper->SetInputData(data);
  if (directColors) {
    mapper->SetColorModeToDirectScalars();
    mapper->ScalarVisibilityOn();
  } else {
    mapper->ScalarVisibilityOff();
  }
  auto actor = vtkSmartPointer<vtkActor>::New();
  actor->SetMapper(mapper);
  actor->PickableOff();
  actor->VisibilityOff();
  // Flat colours: a marker or a line must read the same whatever the light.
  actor->GetProperty()->LightingOff();
  return actor;
}

void lifted(const SlicePlane& plane, const double ijk[3], double lift, double scene[3]) {
  double onPlane[3] = {ijk[0], ijk[1], ijk[2]};
  onPlane[plane.axis] = plane.slice;
  SliceAnnotations::sceneOf(plane.image, onPlane, scene);
  double bounds[6];
  plane.image->GetBounds(bounds);
  const double extent =
      std::max({bounds[1] - bounds[0], bounds[3] - bounds[2], bounds[5] - bounds[4], 1.0});
  const double step = lift * extent;
  for (int c = 0; c < 3; ++c)
    scene[c] += plane.towardsCamera[c] * step;
}

} // namespace

SliceAnnotations::SliceAnnotations(vtkRenderer* renderer)
    : m_markerPoints(vtkSmartPointer<vtkPolyData>::New()),
      m_ringPoints(vtkSmartPointer<vtkPolyData>::New()),
      m_crosshairLines(vtkSmartPointer<vtkPolyData>::New()) {
  m_markerActor = actorFor(m_markerPoints, true);
  m_markerActor->GetProperty()->SetPointSize(9.0f);
  m_markerActor->GetProperty()->RenderPointsAsSpheresOn();
  m_ringActor = actorFor(m_ringPoints, false);
  m_ringActor->GetProperty()->SetPointSize(14.0f);
  m_ringActor->GetProperty()->RenderPointsAsSpheresOn();
  m_ringActor->GetProperty()->SetColor(1, 1, 1);
  m_crosshairActor = actorFor(m_crosshairLines, false);
  m_crosshairActor->GetProperty()->SetLineWidth(1.0f);
  setCrosshairColor(QColor(255, 170, 0, 200));
  for (vtkActor* actor : {m_crosshairActor.Get(), m_ringActor.Get(), m_markerActor.Get()})
    renderer->AddViewProp(actor);
}

SliceAnnotations::~SliceAnnotations() = default;

void SliceAnnotations::setCrosshairColor(const QColor& color) {
  m_crosshairActor->GetProperty()->SetColor(color.redF(), color.greenF(), color.blueF());
  m_crosshairActor->GetProperty()->SetOpacity(color.alphaF());
}

void SliceAnnotations::sceneOf(vtkImageData* image, const double ijk[3], double scene[3]) {
  const int* extent = image->GetExtent();
  for (int c = 0; c < 3; ++c)
    scene[c] = image->GetOrigin()[c] + image->GetSpacing()[c] * (extent[2 * c] + ijk[c]);
}

void SliceAnnotations::update(const SlicePlane& plane, const std::vector<SliceMarker>& markers,
                              const std::optional<std::array<double, 3>>& crosshair) {
  auto markerPoints = vtkSmartPointer<vtkPoints>::New();
  auto markerVerts = vtkSmartPointer<vtkCellArray>::New();
  auto colors = vtkSmartPointer<vtkUnsignedCharArray>::New();
  colors->SetNumberOfComponents(3);
  auto ringPoints = vtkSmartPointer<vtkPoints>::New();
  auto ringVerts = vtkSmartPointer<vtkCellArray>::New();
  auto linePoints = vtkSmartPointer<vtkPoints>::New();
  auto lines = vtkSmartPointer<vtkCellArray>::New();

  if (plane.image) {
    for (const SliceMarker& marker : markers) {
      if (std::lround(marker.ijk[plane.axis]) != plane.slice)
        continue;
      double p[3];
      lifted(plane, marker.ijk, kMarkerLift, p);
      const vtkIdType id = markerPoints->InsertNextPoint(p);
      markerVerts->InsertNextCell(1, &id);
      colors->InsertNextTuple3(marker.color.red(), marker.color.green(), marker.color.blue());
      if (marker.selected) {
        lifted(plane, marker.ijk, kRingLift, p);
        const vtkIdType ring = ringPoints->InsertNextPoint(p);
        ringVerts->InsertNextCell(1, &ring);
      }
    }
    if (crosshair) {
      // One line along each in-plane axis, edge to edge of the image (voxel borders included).
      int dims[3];
      plane.image->GetDimensions(dims);
      for (int along = 0; along < 3; ++along) {
        if (along == plane.axis)
          continue;
        double from[3] = {(*crosshair)[0], (*crosshair)[1], (*crosshair)[2]};
        double to[3] = {from[0], from[1], from[2]};
        from[along] = -0.5;
        to[along] = dims[along] - 0.5;
        double a[3], b[3];
        lifted(plane, from, kCrosshairLift, a);
        lifted(plane, to, kCrosshairLift, b);
        const vtkIdType ids[2] = {linePoints->InsertNextPoint(a), linePoints->InsertNextPoint(b)};
        lines->InsertNextCell(2, ids);
      }
    }
  }
  m_markerPoints->SetPoints(markerPoints);
  m_markerPoints->SetVerts(markerVerts);
  m_markerPoints->GetPointData()->SetScalars(colors);
  m_ringPoints->SetPoints(ringPoints);
  m_ringPoints->SetVerts(ringVerts);
  m_crosshairLines->SetPoints(linePoints);
  m_crosshairLines->SetLines(lines);
  m_markerActor->SetVisibility(markerPoints->GetNumberOfPoints() > 0);
  m_ringActor->SetVisibility(ringPoints->GetNumberOfPoints() > 0);
  m_crosshairActor->SetVisibility(linePoints->GetNumberOfPoints() > 0);
}

} // namespace lumen
