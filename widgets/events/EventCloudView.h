// Events as a 3D point cloud: x and y on the sensor plane, time along the third axis (scaled so
// a time range is about as long as the sensor is wide), positive events red-orange, negative
// blue. Level of detail: at most maxPoints() are drawn, a uniform subsample when there are more.
#pragma once
#include "events/EventArray.h"
#include "vtk/View3D.h"

#include <memory>

class vtkActor;
class vtkCamera;
class vtkPolyData;

namespace lumen {

class EventCloudView : public View3D {
  Q_OBJECT
public:
  explicit EventCloudView(QWidget* parent = nullptr);
  ~EventCloudView() override;

  // Shows the events with t0 <= t < t1. A null stream clears the view.
  void setEvents(std::shared_ptr<const EventArray> events, int64_t t0, int64_t t1);
  // Re-selects the displayed time range of the current stream.
  void setTimeRange(int64_t t0, int64_t t1);

  // Looks at the cloud from the front and slightly above, the sensor upright.
  void resetView();

  static constexpr size_t maxPoints() { return 1'000'000; }
  size_t displayedPoints() const { return displayed_; }
  size_t eventsInRange() const { return inRange_; }

protected:
  void paintGL() override;

private:
  void rebuild();

  std::shared_ptr<const EventArray> events_;
  int64_t t0_ = 0, t1_ = 0;
  size_t displayed_ = 0, inRange_ = 0;
  vtkNew<vtkPolyData> cloud_;
  vtkNew<vtkActor> points_;
  vtkNew<vtkActor> outline_;
  vtkNew<vtkPolyData> box_;
};

} // namespace lumen
