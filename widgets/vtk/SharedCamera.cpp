#include "vtk/SharedCamera.h"

#include "vtk/VtkViewWidget.h"

#include <vtkCamera.h>
#include <vtkCommand.h>
#include <vtkRenderer.h>

namespace lumen {

SharedCamera::SharedCamera() {
  observer_ = camera_->AddObserver(vtkCommand::ModifiedEvent, this, &SharedCamera::onModified);
}

SharedCamera::~SharedCamera() {
  camera_->RemoveObserver(observer_);
}

void SharedCamera::attach(VtkViewWidget* view) {
  view->renderer()->SetActiveCamera(camera_);
  views_.push_back(view);
}

void SharedCamera::onModified(vtkObject*, unsigned long, void*) {
  // Only real moves (position, focus, up, zoom) count.
  std::array<double, 10> state{};
  camera_->GetPosition(state.data());
  camera_->GetFocalPoint(state.data() + 3);
  camera_->GetViewUp(state.data() + 6);
  state[9] = camera_->GetViewAngle() + camera_->GetParallelScale();
  if (state == last_)
    return;
  last_ = state;
  for (auto* view : views_)
    view->requestRender();
}

} // namespace lumen
