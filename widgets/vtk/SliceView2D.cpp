#include "vtk/SliceView2D.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <vtkCallbackCommand.h>
#include <vtkCamera.h>
#include <vtkCommand.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkImageData.h>
#include <vtkImageProperty.h>
#include <vtkImageSlice.h>
#include <vtkImageSliceMapper.h>
#include <vtkImageStack.h>
#include <vtkInteractorStyleImage.h>
#include <vtkLookupTable.h>
#include <vtkMatrix3x3.h>
#include <vtkObjectFactory.h>
#include <vtkRenderer.h>

namespace lumen {

namespace {

// A press within this many logical pixels of a marker's centre grabs the marker.
constexpr double kMarkerGrabPixels = 8.0;
// Right drag: this many pixels change the window by its own width (and the level as much).
constexpr double kWindowDragPixels = 300.0;

// Image-style interaction where a left drag pans instead of changing window/level: the view
// owns window/level through setWindowLevel(), and a left click must stay free for picking.
class SliceInteractorStyle : public vtkInteractorStyleImage {
public:
  static SliceInteractorStyle* New();
  vtkTypeMacro(SliceInteractorStyle, vtkInteractorStyleImage)

      void OnLeftButtonDown() override {
    const int* pos = this->Interactor->GetEventPosition();
    this->FindPokedRenderer(pos[0], pos[1]);
    if (!this->CurrentRenderer)
      return;
    this->GrabFocus(this->EventCallbackCommand);
    this->StartPan();
  }

  void OnLeftButtonUp() override {
    if (this->State == VTKIS_PAN) {
      this->EndPan();
      if (this->Interactor)
        this->ReleaseFocus();
    }
  }

  // Keys would otherwise reset window/level or re-orient the camera behind the view's back.
  void OnChar() override {}
};

vtkStandardNewMacro(SliceInteractorStyle);

// Physical (LPS) direction of projection and view-up per orientation, radiological convention:
// axial seen from the feet (patient left on screen right, anterior up), coronal from the front
// (left on the right, superior up), sagittal from the patient's left (anterior on the left).
struct PhysicalFrame {
  double direction[3];
  double viewUp[3];
};

PhysicalFrame physicalFrameFor(SliceView2D::Orientation orientation) {
  switch (orientation) {
  case SliceView2D::Orientation::Coronal:
    return {{0, 1, 0}, {0, 0, 1}};
  case SliceView2D::Orientation::Sagittal:
    return {{-1, 0, 0}, {0, 0, 1}};
  case SliceView2D::Orientation::Axial:
  default:
    return {{0, 0, 1}, {0, -1, 0}};
  }
}

vtkSmartPointer<vtkLookupTable> tableFromColors(const std::vector<QColor>& colors) {
  auto table = vtkSmartPointer<vtkLookupTable>::New();
  const int count = std::max<int>(2, static_cast<int>(colors.size()));
  table->SetNumberOfTableValues(count);
  table->SetTableRange(0, count - 1);
  for (int label = 0; label < count; ++label) {
    const QColor c = label < static_cast<int>(colors.size()) ? colors[label] : QColor(Qt::black);
    table->SetTableValue(label, c.redF(), c.greenF(), c.blueF(), label == 0 ? 0.0 : c.alphaF());
  }
  table->Build();
  return table;
}

// A copy sharing the voxels, without the direction matrix: the mappers then draw the grid along
// the scene's axes, which is what the view's frame assumes.
vtkSmartPointer<vtkImageData> withoutDirection(vtkImageData* image) {
  auto shown = vtkSmartPointer<vtkImageData>::New();
  shown->ShallowCopy(image);
  shown->SetDirectionMatrix(1, 0, 0, 0, 1, 0, 0, 0, 1);
  return shown;
}

} // namespace

SliceView2D::SliceView2D(QWidget* parent) : VtkViewWidget(parent) {
  auto style = vtkSmartPointer<SliceInteractorStyle>::New();
  style->SetInteractionModeToImage2D();
  style->SetDefaultRenderer(renderer());
  // Once the user pans or zooms, resizes keep their framing instead of refitting.
  m_styleObserver = style->AddObserver(vtkCommand::StartInteractionEvent, this,
                                       &SliceView2D::onInteractionStarted);
  interactor()->SetInteractorStyle(style);
  setCursor(Qt::CrossCursor);

  renderer()->SetBackground(0, 0, 0);
  renderer()->GetActiveCamera()->ParallelProjectionOn();

  // Nearest-neighbour shows the voxels as they are, which is what a labelling workbench needs.
  m_imageMapper = vtkSmartPointer<vtkImageSliceMapper>::New();
  m_imageSlice = vtkSmartPointer<vtkImageSlice>::New();
  m_imageSlice->SetMapper(m_imageMapper);
  m_imageSlice->GetProperty()->SetInterpolationTypeToNearest();
  m_imageSlice->GetProperty()->SetLayerNumber(0);

  m_overlayMapper = vtkSmartPointer<vtkImageSliceMapper>::New();
  m_overlaySlice = vtkSmartPointer<vtkImageSlice>::New();
  m_overlaySlice->SetMapper(m_overlayMapper);
  m_overlaySlice->GetProperty()->SetInterpolationTypeToNearest();
  m_overlaySlice->GetProperty()->UseLookupTableScalarRangeOn();
  m_overlaySlice->GetProperty()->SetLayerNumber(1);
  m_overlaySlice->GetProperty()->SetOpacity(0.5);

  // A stack draws its layers in order; two coplanar slices as separate props would z-fight.
  m_stack = vtkSmartPointer<vtkImageStack>::New();
  m_stack->SetActiveLayer(0);

  m_annotations = std::make_unique<SliceAnnotations>(renderer());

  connect(this, &VtkViewWidget::picked, this, &SliceView2D::onPicked);
}

SliceView2D::~SliceView2D() {
  // The style belongs to the interactor, which may outlive this view.
  if (vtkInteractorObserver* style = interactor()->GetInteractorStyle())
    style->RemoveObserver(m_styleObserver);
}

void SliceView2D::onInteractionStarted(vtkObject*, unsigned long, void*) {
  m_cameraFitted = false;
}

void SliceView2D::setImage(vtkImageData* image, bool fitWindowLevel) {
  m_crosshairSet = false;
  m_markers.clear();
  if (!image) {
    m_image = nullptr;
    renderer()->RemoveViewProp(m_stack);
    m_stack->RemoveImage(m_imageSlice);
    updateAnnotations();
    requestRender();
    return;
  }
  vtkMatrix3x3* direction = image->GetDirectionMatrix();
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c)
      m_direction[size_t(3 * r + c)] = direction->GetElement(r, c);
  m_image = withoutDirection(image);
  updateFrame();
  m_imageMapper->SetInputData(m_image);
  if (!m_stack->HasImage(m_imageSlice))
    m_stack->AddImage(m_imageSlice);
  if (!renderer()->HasViewProp(m_stack))
    renderer()->AddViewProp(m_stack);

  if (fitWindowLevel) {
    double range[2];
    m_image->GetScalarRange(range);
    setWindowLevel(std::max(range[1] - range[0], 1e-6), 0.5 * (range[0] + range[1]));
  }
  m_slice = -1; // forces sliceChanged for the new volume
  setSlice(sliceCount() / 2);
  resetCamera();
}

vtkImageData* SliceView2D::image() const {
  return m_image;
}

void SliceView2D::setOverlay(vtkImageData* labels, vtkLookupTable* table) {
  if (!labels || !table) {
    clearOverlay();
    return;
  }
  m_labels = withoutDirection(labels);
  // Label 0 must stay see-through whatever table the caller built.
  double rgba[4];
  table->GetTableValue(0, rgba);
  table->SetTableValue(0, rgba[0], rgba[1], rgba[2], 0.0);
  m_overlaySlice->GetProperty()->SetLookupTable(table);
  m_overlayMapper->SetInputData(m_labels);
  if (!m_stack->HasImage(m_overlaySlice))
    m_stack->AddImage(m_overlaySlice);
  applySlice();
}

void SliceView2D::setOverlay(vtkImageData* labels, const std::vector<QColor>& labelColors) {
  setOverlay(labels, tableFromColors(labelColors));
}

void SliceView2D::clearOverlay() {
  m_labels = nullptr;
  m_stack->RemoveImage(m_overlaySlice);
  m_overlayMapper->SetInputData(nullptr);
  requestRender();
}

bool SliceView2D::hasOverlay() const {
  return m_labels != nullptr;
}

void SliceView2D::setOverlayOpacity(double opacity) {
  m_overlaySlice->GetProperty()->SetOpacity(std::clamp(opacity, 0.0, 1.0));
  requestRender();
}

double SliceView2D::overlayOpacity() const {
  return m_overlaySlice->GetProperty()->GetOpacity();
}

void SliceView2D::setOrientation(Orientation orientation) {
  if (orientation == m_orientation)
    return;
  m_orientation = orientation;
  updateFrame();
  m_slice = -1;
  setSlice(sliceCount() / 2);
  resetCamera();
}

SliceView2D::Orientation SliceView2D::orientation() const {
  return m_orientation;
}

void SliceView2D::updateFrame() {
  // Index axis a points along column a of the direction matrix. Each physical axis (x: L, y: P,
  // z: S) gets the index axis whose column leans most towards it, chosen jointly (the best of the
  // six one-to-one assignments) so that even a 45° oblique scan shows three different slicings.
  auto lean = [this](int physical, int axis) { return m_direction[size_t(3 * physical + axis)]; };
  static const int permutations[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                         {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
  const int* axisOf = permutations[0];
  double best = -1.0;
  for (const auto& permutation : permutations) {
    double score = 0.0;
    for (int physical = 0; physical < 3; ++physical)
      score += std::abs(lean(physical, permutation[physical]));
    if (score > best + 1e-12) {
      best = score;
      axisOf = permutation;
    }
  }
  // The orientation's frame vectors are signed physical axes; each becomes its index axis, with
  // the sign that keeps the convention.
  const PhysicalFrame physical = physicalFrameFor(m_orientation);
  auto place = [&](const double v[3], double out[3]) {
    const int p = v[0] != 0.0 ? 0 : (v[1] != 0.0 ? 1 : 2);
    const int axis = axisOf[p];
    for (int c = 0; c < 3; ++c)
      out[c] = 0.0;
    out[axis] = v[p] * lean(p, axis) < 0 ? -1.0 : 1.0;
    return axis;
  };
  ViewFrame frame;
  frame.sliceAxis = place(physical.direction, frame.direction);
  place(physical.viewUp, frame.viewUp);
  m_frame = frame;
}

int SliceView2D::sliceAxis() const {
  return m_frame.sliceAxis;
}

int SliceView2D::sliceCount() const {
  if (!m_image)
    return 0;
  int dims[3];
  m_image->GetDimensions(dims);
  return dims[sliceAxis()];
}

int SliceView2D::slice() const {
  return m_slice;
}

void SliceView2D::setSlice(int slice) {
  if (!m_image)
    return;
  const int clamped = std::clamp(slice, 0, std::max(0, sliceCount() - 1));
  if (clamped == m_slice)
    return;
  m_slice = clamped;
  applySlice();
  Q_EMIT sliceChanged(m_slice);
}

void SliceView2D::applySlice() {
  if (!m_image)
    return;
  // The mappers number slices in extent coordinates, which need not start at 0.
  const int axis = sliceAxis();
  const int number = m_image->GetExtent()[2 * axis] + m_slice;
  for (vtkImageSliceMapper* mapper : {m_imageMapper.Get(), m_overlayMapper.Get()}) {
    mapper->SetOrientation(axis);
    mapper->SetSliceNumber(number);
  }
  updateAnnotations();
  renderer()->ResetCameraClippingRange();
  requestRender();
}

void SliceView2D::setWindowLevel(double window, double level) {
  m_imageSlice->GetProperty()->SetColorWindow(window);
  m_imageSlice->GetProperty()->SetColorLevel(level);
  requestRender();
}

double SliceView2D::window() const {
  return m_imageSlice->GetProperty()->GetColorWindow();
}

double SliceView2D::level() const {
  return m_imageSlice->GetProperty()->GetColorLevel();
}

void SliceView2D::setMarkers(const std::vector<Marker>& markers) {
  m_markers = markers;
  m_markerDrag.reset(); // the indices a drag holds may be stale now
  updateAnnotations();
  requestRender();
}

void SliceView2D::setCrosshair(double i, double j, double k) {
  m_crosshair = {i, j, k};
  m_crosshairSet = true;
  const int before = m_slice;
  setSlice(static_cast<int>(std::lround(m_crosshair[size_t(sliceAxis())])));
  if (m_slice == before) { // setSlice redrew nothing
    updateAnnotations();
    requestRender();
  }
}

void SliceView2D::setCrosshairVisible(bool visible) {
  m_crosshairVisible = visible;
  updateAnnotations();
  requestRender();
}

bool SliceView2D::crosshairVisible() const {
  return m_crosshairVisible;
}

void SliceView2D::updateAnnotations() {
  SlicePlane plane;
  plane.image = m_image;
  plane.axis = sliceAxis();
  plane.slice = m_slice;
  for (int c = 0; c < 3; ++c)
    plane.towardsCamera[c] = -m_frame.direction[c];
  std::optional<std::array<double, 3>> crosshair;
  if (m_crosshairSet && m_crosshairVisible)
    crosshair = m_crosshair;
  m_annotations->update(plane, m_markers, crosshair);
  // The lifted annotations lie outside the slice's own bounds, which the clipping range hugs.
  renderer()->ResetCameraClippingRange();
}

QPointF SliceView2D::voxelToWidget(double i, double j, double k) const {
  if (!m_image)
    return {};
  const double ijk[3] = {i, j, k};
  double scene[3];
  SliceAnnotations::sceneOf(m_image, ijk, scene);
  return worldToWidget(scene[0], scene[1], scene[2]);
}

std::optional<std::array<int, 3>> SliceView2D::voxelAt(QPointF widgetPos) {
  if (!m_image)
    return std::nullopt;
  const auto hit = pickAt(widgetPos.toPoint());
  if (!hit)
    return std::nullopt;
  const int* extent = m_image->GetExtent();
  std::array<int, 3> voxel{};
  for (int c = 0; c < 3; ++c) {
    const double index =
        (hit->position[size_t(c)] - m_image->GetOrigin()[c]) / m_image->GetSpacing()[c] -
        extent[2 * c];
    voxel[size_t(c)] = static_cast<int>(std::lround(index));
    if (voxel[size_t(c)] < 0 || voxel[size_t(c)] > extent[2 * c + 1] - extent[2 * c])
      return std::nullopt;
  }
  voxel[size_t(sliceAxis())] = m_slice; // the pick lies on the plane; rounding must not move it
  return voxel;
}

int SliceView2D::markerAt(QPointF widgetPos) const {
  int best = -1;
  double bestDistance = kMarkerGrabPixels;
  const int axis = sliceAxis();
  for (size_t index = 0; index < m_markers.size(); ++index) {
    const Marker& marker = m_markers[index];
    if (std::lround(marker.ijk[axis]) != m_slice)
      continue;
    const QPointF at = voxelToWidget(marker.ijk[0], marker.ijk[1], marker.ijk[2]);
    const double distance = std::hypot(at.x() - widgetPos.x(), at.y() - widgetPos.y());
    if (distance <= bestDistance) {
      best = static_cast<int>(index);
      bestDistance = distance;
    }
  }
  return best;
}

void SliceView2D::resetCamera() {
  if (!m_image)
    return;
  double bounds[6];
  m_image->GetBounds(bounds);
  const int axis = sliceAxis();
  double center[3];
  for (int c = 0; c < 3; ++c)
    center[c] = 0.5 * (bounds[2 * c] + bounds[2 * c + 1]);
  center[axis] = m_image->GetOrigin()[axis] +
                 m_image->GetSpacing()[axis] * (m_image->GetExtent()[2 * axis] + m_slice);

  // Half extents along the screen's vertical (view-up) and horizontal axes, plus half a voxel
  // because voxels are drawn as squares around their centres.
  double halfHeight = 0.0;
  double halfWidth = 0.0;
  for (int c = 0; c < 3; ++c) {
    if (c == axis)
      continue;
    const double half = 0.5 * (bounds[2 * c + 1] - bounds[2 * c]) + 0.5 * m_image->GetSpacing()[c];
    (m_frame.viewUp[c] != 0.0 ? halfHeight : halfWidth) = half;
  }
  const double aspect = height() > 0 ? double(width()) / height() : 1.0;
  const double distance = 4.0 * std::max(halfHeight, halfWidth) + 1.0;

  vtkCamera* camera = renderer()->GetActiveCamera();
  camera->ParallelProjectionOn();
  camera->SetFocalPoint(center);
  camera->SetPosition(center[0] - m_frame.direction[0] * distance,
                      center[1] - m_frame.direction[1] * distance,
                      center[2] - m_frame.direction[2] * distance);
  camera->SetViewUp(m_frame.viewUp);
  camera->SetParallelScale(1.02 * std::max(halfHeight, halfWidth / aspect));
  renderer()->ResetCameraClippingRange();
  m_cameraFitted = true;
  requestRender();
}

void SliceView2D::resizeGL(int w, int h) {
  VtkViewWidget::resizeGL(w, h);
  if (m_cameraFitted)
    resetCamera();
}

void SliceView2D::wheelEvent(QWheelEvent* event) {
  if (event->modifiers().testFlag(Qt::ControlModifier)) {
    VtkViewWidget::wheelEvent(event); // the image style dollies: a zoom
    return;
  }
  // Trackpads send fractions of a notch; page once per accumulated notch (120 units).
  m_wheelRemainder += event->angleDelta().y();
  const int steps = m_wheelRemainder / 120;
  m_wheelRemainder -= steps * 120;
  if (steps != 0)
    setSlice(m_slice + steps);
  event->accept();
}

bool SliceView2D::startDrag(QMouseEvent* event) {
  if (event->button() == Qt::LeftButton && m_image) {
    const int marker = markerAt(event->position());
    if (marker >= 0) {
      m_markerDrag = MarkerDrag{marker, false};
      return true;
    }
  }
  if (event->button() == Qt::RightButton && m_image &&
      !event->modifiers().testFlag(Qt::ControlModifier)) {
    m_windowDrag = WindowDrag{event->position(), window(), level()};
    return true;
  }
  return false;
}

void SliceView2D::mousePressEvent(QMouseEvent* event) {
  if (startDrag(event)) {
    event->accept();
    return;
  }
  VtkViewWidget::mousePressEvent(event);
}

void SliceView2D::mouseDoubleClickEvent(QMouseEvent* event) {
  if (startDrag(event)) {
    event->accept();
    return;
  }
  VtkViewWidget::mouseDoubleClickEvent(event);
}

void SliceView2D::mouseMoveEvent(QMouseEvent* event) {
  if (m_markerDrag) {
    if (const auto voxel = voxelAt(event->position())) {
      Marker& marker = m_markers[size_t(m_markerDrag->index)];
      bool changed = false;
      for (int c = 0; c < 3; ++c)
        if (std::lround(marker.ijk[c]) != (*voxel)[size_t(c)]) {
          marker.ijk[c] = (*voxel)[size_t(c)];
          changed = true;
        }
      if (changed) {
        m_markerDrag->moved = true;
        updateAnnotations();
        requestRender();
      }
    }
    event->accept();
    return;
  }
  if (m_windowDrag) {
    const QPointF travel = event->position() - m_windowDrag->start;
    const double rate = std::max(m_windowDrag->window, 10.0) / kWindowDragPixels;
    const double window = std::max(1.0, m_windowDrag->window + travel.x() * rate);
    const double level = m_windowDrag->level + travel.y() * rate;
    setWindowLevel(window, level);
    Q_EMIT windowLevelDragged(window, level);
    event->accept();
    return;
  }
  VtkViewWidget::mouseMoveEvent(event);
}

void SliceView2D::mouseReleaseEvent(QMouseEvent* event) {
  if (m_markerDrag && event->button() == Qt::LeftButton) {
    const MarkerDrag drag = *m_markerDrag;
    m_markerDrag.reset();
    event->accept();
    if (drag.moved) {
      const Marker& marker = m_markers[size_t(drag.index)];
      Q_EMIT markerMoved(drag.index, int(std::lround(marker.ijk[0])),
                         int(std::lround(marker.ijk[1])), int(std::lround(marker.ijk[2])));
    } else {
      Q_EMIT markerClicked(drag.index, event->modifiers());
    }
    return;
  }
  if (m_windowDrag && event->button() == Qt::RightButton) {
    m_windowDrag.reset();
    event->accept();
    return;
  }
  VtkViewWidget::mouseReleaseEvent(event);
}

void SliceView2D::keyPressEvent(QKeyEvent* event) {
  int step = 0;
  switch (event->key()) {
  case Qt::Key_Up:
    step = 1;
    break;
  case Qt::Key_Down:
    step = -1;
    break;
  case Qt::Key_PageUp:
    step = 10;
    break;
  case Qt::Key_PageDown:
    step = -10;
    break;
  default:
    VtkViewWidget::keyPressEvent(event);
    return;
  }
  setSlice(m_slice + step);
  event->accept();
}

void SliceView2D::onPicked(double x, double y, double z, Qt::KeyboardModifiers modifiers) {
  if (!m_image)
    return;
  const double scene[3] = {x, y, z};
  const int* extent = m_image->GetExtent();
  int voxel[3];
  for (int c = 0; c < 3; ++c) {
    const double index =
        (scene[c] - m_image->GetOrigin()[c]) / m_image->GetSpacing()[c] - extent[2 * c];
    voxel[c] = static_cast<int>(std::lround(index));
    if (voxel[c] < 0 || voxel[c] > extent[2 * c + 1] - extent[2 * c])
      return;
  }
  voxel[sliceAxis()] = m_slice;
  // The scene is the grid without its rotation: physical = origin + direction * (scene - origin).
  double offset[3], physical[3];
  for (int c = 0; c < 3; ++c)
    offset[c] = scene[c] - m_image->GetOrigin()[c];
  for (int r = 0; r < 3; ++r) {
    physical[r] = m_image->GetOrigin()[r];
    for (int c = 0; c < 3; ++c)
      physical[r] += m_direction[size_t(3 * r + c)] * offset[c];
  }
  Q_EMIT worldClicked(physical[0], physical[1], physical[2]);
  Q_EMIT voxelClicked(voxel[0], voxel[1], voxel[2], modifiers);
}

} // namespace lumen
