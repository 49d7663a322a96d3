#include "events/EventCloudView.h"

#include <algorithm>
#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkOutlineSource.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkUnsignedCharArray.h>

namespace lumen {

EventCloudView::EventCloudView(QWidget* parent) : View3D(parent) {
  vtkNew<vtkPolyDataMapper> mapper;
  mapper->SetInputData(cloud_);
  mapper->SetScalarModeToUsePointData();
  mapper->SetColorModeToDirectScalars();
  points_->SetMapper(mapper);
  points_->GetProperty()->SetPointSize(2.0f);
  points_->GetProperty()->LightingOff();

  vtkNew<vtkPolyDataMapper> boxMapper;
  boxMapper->SetInputData(box_);
  outline_->SetMapper(boxMapper);
  outline_->GetProperty()->SetColor(0.75, 0.75, 0.75);
  outline_->PickableOff();

  // A dark flat background keeps red and blue events apart from it at a glance.
  setBackground(QColor(28, 30, 36));
  setMinimumSize(200, 160);
}

EventCloudView::~EventCloudView() = default;

void EventCloudView::setEvents(std::shared_ptr<const EventArray> events, int64_t t0, int64_t t1) {
  const bool first = !events_ && events;
  events_ = std::move(events);
  t0_ = t0;
  t1_ = t1;
  rebuild();
  if (first)
    resetView();
}

void EventCloudView::setTimeRange(int64_t t0, int64_t t1) {
  t0_ = t0;
  t1_ = t1;
  rebuild();
}

void EventCloudView::rebuild() {
  renderer()->RemoveViewProp(points_);
  renderer()->RemoveViewProp(outline_);
  displayed_ = inRange_ = 0;
  if (!events_ || !events_->sensor.valid() || t1_ <= t0_) {
    requestRender();
    return;
  }
  const EventArray& ev = *events_;
  const size_t begin = ev.lowerBound(t0_), end = ev.lowerBound(t1_);
  inRange_ = end - begin;
  const size_t count = std::min(inRange_, maxPoints());
  const double width = ev.sensor.width, height = ev.sensor.height;
  // The time axis gets the sensor's width, so any range reads as a box, not a needle or slab.
  const double zScale = width / double(t1_ - t0_);

  vtkNew<vtkPoints> points;
  points->SetDataTypeToFloat();
  points->SetNumberOfPoints(vtkIdType(count));
  vtkNew<vtkUnsignedCharArray> colours;
  colours->SetNumberOfComponents(3);
  colours->SetNumberOfTuples(vtkIdType(count));
  vtkNew<vtkCellArray> verts;
  verts->AllocateExact(vtkIdType(count), vtkIdType(count));
  for (size_t i = 0; i < count; ++i) {
    // Uniform subsampling: every (inRange/count)-th event, exact when nothing is dropped.
    const size_t k = begin + (count == inRange_ ? i : size_t(double(i) * inRange_ / count));
    // Sensor rows grow downwards; flipping y shows the scene upright.
    points->SetPoint(vtkIdType(i), ev.x[k], height - 1 - ev.y[k], double(ev.t[k] - t0_) * zScale);
    const bool positive = ev.p[k] > 0;
    const unsigned char rgb[3] = {static_cast<unsigned char>(positive ? 255 : 40),
                                  static_cast<unsigned char>(positive ? 110 : 120),
                                  static_cast<unsigned char>(positive ? 40 : 255)};
    colours->SetTypedTuple(vtkIdType(i), rgb);
    const vtkIdType id = vtkIdType(i);
    verts->InsertNextCell(1, &id);
  }
  cloud_->Initialize();
  cloud_->SetPoints(points);
  cloud_->SetVerts(verts);
  cloud_->GetPointData()->SetScalars(colours);
  cloud_->Modified();
  displayed_ = count;

  vtkNew<vtkOutlineSource> outline;
  outline->SetBounds(0, width - 1, 0, height - 1, 0, width);
  outline->Update();
  box_->DeepCopy(outline->GetOutput());

  renderer()->AddViewProp(outline_);
  renderer()->AddViewProp(points_);
  requestRender();
}

void EventCloudView::resetView() {
  if (!events_ || !events_->sensor.valid())
    return;
  const double w = events_->sensor.width, h = events_->sensor.height;
  vtkCamera* camera = renderer()->GetActiveCamera();
  camera->SetFocalPoint(w / 2, h / 2, w / 2);
  // In front of the first time slice, time running away from the viewer, turned so the time
  // axis is visible as depth.
  camera->SetPosition(w / 2, h / 2, -1.6 * w);
  camera->SetViewUp(0, 1, 0);
  camera->Azimuth(-35);
  camera->Elevation(20);
  camera->OrthogonalizeViewUp();
  renderer()->ResetCamera();
  requestRender();
}

void EventCloudView::paintGL() {
  // Another view may have moved the shared camera since this one last set its clipping range.
  renderer()->ResetCameraClippingRange();
  View3D::paintGL();
}

} // namespace lumen
