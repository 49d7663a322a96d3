#include "vtk/View3D.h"

#include <vtkActor.h>
#include <vtkAxesActor.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkNew.h>
#include <vtkOrientationMarkerWidget.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>

namespace lumen {

View3D::View3D(QWidget* parent) : VtkViewWidget(parent) {
  vtkNew<vtkInteractorStyleTrackballCamera> style;
  style->SetDefaultRenderer(renderer());
  interactor()->SetInteractorStyle(style);

  setGradientBackground(QColor(20, 24, 32), QColor(70, 80, 100));

  vtkNew<vtkAxesActor> axes;
  m_axes->SetOrientationMarker(axes);
  m_axes->SetInteractor(interactor());
  // Without an explicit renderer the widget would look for one under the last mouse position,
  // which does not exist before the first event.
  m_axes->SetDefaultRenderer(renderer());
  m_axes->SetCurrentRenderer(renderer());
  m_axes->SetViewport(0.0, 0.0, 0.18, 0.18);
  setOrientationAxesVisible(true);
}

View3D::~View3D() {
  // Disabling detaches the marker's renderer and observers from the shared interactor.
  m_axes->SetEnabled(0);
}

void View3D::addProp(vtkProp* prop) {
  renderer()->AddViewProp(prop);
  requestRender();
}

void View3D::removeProp(vtkProp* prop) {
  renderer()->RemoveViewProp(prop);
  requestRender();
}

void View3D::clearProps() {
  renderer()->RemoveAllViewProps();
  requestRender();
}

vtkActor* View3D::addPolyData(vtkPolyData* data, const QColor& color, double opacity) {
  vtkNew<vtkPolyDataMapper> mapper;
  mapper->SetInputData(data);
  mapper->ScalarVisibilityOff();
  vtkNew<vtkActor> actor;
  actor->SetMapper(mapper);
  actor->GetProperty()->SetColor(color.redF(), color.greenF(), color.blueF());
  actor->GetProperty()->SetOpacity(opacity);
  addProp(actor);
  return actor;
}

void View3D::resetCamera() {
  renderer()->ResetCamera();
  requestRender();
}

void View3D::setBackground(const QColor& color) {
  renderer()->GradientBackgroundOff();
  renderer()->SetBackground(color.redF(), color.greenF(), color.blueF());
  requestRender();
}

void View3D::setGradientBackground(const QColor& bottom, const QColor& top) {
  renderer()->GradientBackgroundOn();
  renderer()->SetBackground(bottom.redF(), bottom.greenF(), bottom.blueF());
  renderer()->SetBackground2(top.redF(), top.greenF(), top.blueF());
  requestRender();
}

void View3D::setOrientationAxesVisible(bool visible) {
  m_axes->SetEnabled(visible ? 1 : 0);
  // Interactive mode would let a drag in the corner move the marker instead of the camera.
  if (visible)
    m_axes->InteractiveOff();
  requestRender();
}

bool View3D::orientationAxesVisible() const {
  return m_axes->GetEnabled() != 0;
}

} // namespace lumen
