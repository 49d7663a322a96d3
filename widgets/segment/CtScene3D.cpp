#include "segment/CtScene3D.h"

#include "segment/CtImageData.h"
#include "vtk/MeshPolyData.h"
#include "vtk/View3D.h"

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkImageData.h>
#include <vtkImageProperty.h>
#include <vtkImageSlice.h>
#include <vtkImageSliceMapper.h>
#include <vtkMatrix4x4.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkUnsignedCharArray.h>

namespace lumen {

CtScene3D::CtScene3D(View3D* view, QColor positive, QColor negative, QColor surface)
    : view_(view), positive_(positive), negative_(negative),
      points_(vtkSmartPointer<vtkPolyData>::New()) {
  for (size_t axis = 0; axis < 3; ++axis) {
    mappers_[axis] = vtkSmartPointer<vtkImageSliceMapper>::New();
    mappers_[axis]->SetOrientation(int(axis));
    slices_[axis] = vtkSmartPointer<vtkImageSlice>::New();
    slices_[axis]->SetMapper(mappers_[axis]);
    slices_[axis]->GetProperty()->SetInterpolationTypeToLinear();
  }
  surface_ = vtkSmartPointer<vtkActor>::New();
  auto surfaceMapper = vtkSmartPointer<vtkPolyDataMapper>::New();
  surfaceMapper->ScalarVisibilityOff();
  surface_->SetMapper(surfaceMapper);
  surface_->GetProperty()->SetColor(surface.redF(), surface.greenF(), surface.blueF());
  surface_->GetProperty()->SetSpecular(0.3);
  surface_->GetProperty()->SetSpecularPower(25);

  auto pointMapper = vtkSmartPointer<vtkPolyDataMapper>::New();
  pointMapper->SetInputData(points_);
  pointMapper->SetColorModeToDirectScalars();
  pointMapper->ScalarVisibilityOn();
  pointActor_ = vtkSmartPointer<vtkActor>::New();
  pointActor_->SetMapper(pointMapper);
  pointActor_->GetProperty()->SetPointSize(12.0f);
  pointActor_->GetProperty()->RenderPointsAsSpheresOn();
  pointActor_->PickableOff();
}

CtScene3D::~CtScene3D() = default;

void CtScene3D::setImage(vtkImageData* image, const ImageGeometry& geometry) {
  view_->clearProps();
  hasImage_ = image != nullptr;
  geometry_ = geometry;
  if (!image)
    return;
  // The mappers would read the direction themselves in some VTK versions and not in others: give
  // them the plain grid and place it with the prop's matrix.
  auto grid = vtkSmartPointer<vtkImageData>::New();
  grid->ShallowCopy(image);
  grid->SetDirectionMatrix(1, 0, 0, 0, 1, 0, 0, 0, 1);
  const auto placement = sceneToPhysical(geometry);
  for (size_t axis = 0; axis < 3; ++axis) {
    mappers_[axis]->SetInputData(grid);
    slices_[axis]->SetUserMatrix(placement);
    view_->addProp(slices_[axis]);
  }
  view_->addProp(pointActor_);
  setPoints({});
}

void CtScene3D::setSlices(const VoxelIndex& crosshair) {
  if (!hasImage_)
    return;
  for (size_t axis = 0; axis < 3; ++axis)
    mappers_[axis]->SetSliceNumber(int(crosshair[axis]));
  view_->requestRender();
}

void CtScene3D::setSlicesVisible(bool visible) {
  for (auto& slice : slices_)
    slice->SetVisibility(visible ? 1 : 0);
  view_->requestRender();
}

void CtScene3D::setWindowLevel(double window, double level) {
  for (auto& slice : slices_) {
    slice->GetProperty()->SetColorWindow(window);
    slice->GetProperty()->SetColorLevel(level);
  }
  view_->requestRender();
}

void CtScene3D::setSurface(const TriangleMesh* mesh) {
  view_->removeProp(surface_);
  if (!hasImage_ || !mesh || mesh->triangleCount() == 0)
    return;
  static_cast<vtkPolyDataMapper*>(surface_->GetMapper())->SetInputData(meshPolyData(*mesh));
  view_->addProp(surface_);
}

bool CtScene3D::hasSurface() const {
  return view_->renderer()->HasViewProp(surface_);
}

void CtScene3D::setPoints(const std::vector<PromptPoint>& prompts) {
  auto points = vtkSmartPointer<vtkPoints>::New();
  auto verts = vtkSmartPointer<vtkCellArray>::New();
  auto colors = vtkSmartPointer<vtkUnsignedCharArray>::New();
  colors->SetNumberOfComponents(3);
  for (const PromptPoint& prompt : prompts) {
    const Vec3 at = geometry_.indexToPhysical(
        {double(prompt.ijk[0]), double(prompt.ijk[1]), double(prompt.ijk[2])});
    const vtkIdType id = points->InsertNextPoint(at.data());
    verts->InsertNextCell(1, &id);
    const QColor& c = prompt.positive ? positive_ : negative_;
    colors->InsertNextTuple3(c.red(), c.green(), c.blue());
  }
  points_->SetPoints(points);
  points_->SetVerts(verts);
  points_->GetPointData()->SetScalars(colors);
  pointActor_->SetVisibility(points->GetNumberOfPoints() > 0);
  view_->requestRender();
}

void CtScene3D::resetCamera() {
  if (!hasImage_)
    return;
  // LPS: anterior is -y, superior +z.
  vtkCamera* camera = view_->renderer()->GetActiveCamera();
  camera->SetFocalPoint(0, 0, 0);
  camera->SetPosition(0, -1, 0);
  camera->SetViewUp(0, 0, 1);
  view_->renderer()->ResetCamera();
  view_->requestRender();
}

} // namespace lumen
