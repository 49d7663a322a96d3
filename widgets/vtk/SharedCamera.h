// One camera seen through several views, so turning one turns all (streams or shapes compare
// point by point). A move re-renders every view; the clipping-range updates that each render
// makes to the camera do not, or the views would keep scheduling each other.
#pragma once
#include <array>
#include <vector>
#include <vtkNew.h>

class vtkCamera;
class vtkObject;

namespace lumen {

class VtkViewWidget;

class SharedCamera {
public:
  SharedCamera();
  ~SharedCamera();
  SharedCamera(const SharedCamera&) = delete;
  SharedCamera& operator=(const SharedCamera&) = delete;

  // Makes the camera the view's active one.
  void attach(VtkViewWidget* view);
  vtkCamera* camera() const { return camera_.GetPointer(); }

private:
  void onModified(vtkObject* caller, unsigned long eventId, void* callData);

  vtkNew<vtkCamera> camera_;
  unsigned long observer_ = 0;
  std::array<double, 10> last_{};
  std::vector<VtkViewWidget*> views_;
};

} // namespace lumen
