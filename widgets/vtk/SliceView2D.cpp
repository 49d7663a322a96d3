#include "vtk/SliceView2D.h"

#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <vtkActor.h>
#include <vtkCallbackCommand.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkCommand.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkImageData.h>
#include <vtkImageProperty.h>
#include <vtkImageSlice.h>
#include <vtkImageSliceMapper.h>
#include <vtkImageStack.h>
#include <vtkInteractorStyleImage.h>
#include <vtkLookupTable.h>
#include <vtkObjectFactory.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkUnsignedCharArray.h>

namespace lumen {

namespace {

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

// Camera direction of projection and view-up per orientation, in radiological convention
// (patient left on screen right for axial and coronal, assuming LPS-like axes).
struct CameraFrame {
  double direction[3];
  double viewUp[3];
};

CameraFrame frameFor(SliceView2D::Orientation orientation) {
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

} // namespace

SliceView2D::SliceView2D(QWidget* parent) : VtkViewWidget(parent) {
  auto style = vtkSmartPointer<SliceInteractorStyle>::New();
  style->SetInteractionModeToImage2D();
  style->SetDefaultRenderer(renderer());
  // Once the user pans or zooms, resizes keep their framing instead of refitting.
  m_styleObserver = style->AddObserver(vtkCommand::StartInteractionEvent, this,
                                       &SliceView2D::onInteractionStarted);
  interactor()->SetInteractorStyle(style);

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

  m_markerPoints = vtkSmartPointer<vtkPolyData>::New();
  auto markerMapper = vtkSmartPointer<vtkPolyDataMapper>::New();
  markerMapper->SetInputData(m_markerPoints);
  markerMapper->SetColorModeToDirectScalars();
  markerMapper->ScalarVisibilityOn();
  m_markerActor = vtkSmartPointer<vtkActor>::New();
  m_markerActor->SetMapper(markerMapper);
  m_markerActor->GetProperty()->SetPointSize(10.0f);
  m_markerActor->GetProperty()->RenderPointsAsSpheresOn();
  m_markerActor->PickableOff();
  m_markerActor->VisibilityOff();
  renderer()->AddViewProp(m_markerActor);

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

void SliceView2D::setImage(vtkImageData* image) {
  m_image = image;
  if (!image) {
    renderer()->RemoveViewProp(m_stack);
    m_stack->RemoveImage(m_imageSlice);
    requestRender();
    return;
  }
  m_imageMapper->SetInputData(image);
  if (!m_stack->HasImage(m_imageSlice))
    m_stack->AddImage(m_imageSlice);
  if (!renderer()->HasViewProp(m_stack))
    renderer()->AddViewProp(m_stack);

  double range[2];
  image->GetScalarRange(range);
  setWindowLevel(std::max(range[1] - range[0], 1e-6), 0.5 * (range[0] + range[1]));
  m_slice = -1; // forces sliceChanged for the new volume
  setSlice(sliceCount() / 2);
  resetCamera();
}

vtkImageData* SliceView2D::image() const {
  return m_image;
}

void SliceView2D::setOverlay(vtkImageData* labels, vtkLookupTable* table) {
  m_labels = labels;
  if (!labels || !table) {
    clearOverlay();
    return;
  }
  // Label 0 must stay see-through whatever table the caller built.
  double rgba[4];
  table->GetTableValue(0, rgba);
  table->SetTableValue(0, rgba[0], rgba[1], rgba[2], 0.0);
  m_overlaySlice->GetProperty()->SetLookupTable(table);
  m_overlayMapper->SetInputData(labels);
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
  m_slice = -1;
  setSlice(sliceCount() / 2);
  resetCamera();
}

SliceView2D::Orientation SliceView2D::orientation() const {
  return m_orientation;
}

int SliceView2D::sliceAxis() const {
  switch (m_orientation) {
  case Orientation::Sagittal:
    return 0;
  case Orientation::Coronal:
    return 1;
  case Orientation::Axial:
  default:
    return 2;
  }
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

double SliceView2D::slicePlane() const {
  const int axis = sliceAxis();
  const int index = m_image->GetExtent()[2 * axis] + m_slice;
  return m_image->GetOrigin()[axis] + m_image->GetSpacing()[axis] * index;
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
  updateMarkers();
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
  updateMarkers();
  requestRender();
}

void SliceView2D::updateMarkers() {
  auto points = vtkSmartPointer<vtkPoints>::New();
  auto verts = vtkSmartPointer<vtkCellArray>::New();
  auto colors = vtkSmartPointer<vtkUnsignedCharArray>::New();
  colors->SetNumberOfComponents(3);
  if (m_image) {
    const int axis = sliceAxis();
    const double spacing = m_image->GetSpacing()[axis];
    const CameraFrame frame = frameFor(m_orientation);
    for (const Marker& marker : m_markers) {
      double ijk[3];
      m_image->TransformPhysicalPointToContinuousIndex(marker.xyz, ijk);
      if (std::lround(ijk[axis]) - m_image->GetExtent()[2 * axis] != m_slice)
        continue;
      // Lift the marker onto the slice plane and slightly towards the camera so the image
      // never hides it.
      double p[3] = {marker.xyz[0], marker.xyz[1], marker.xyz[2]};
      p[axis] = slicePlane();
      for (int c = 0; c < 3; ++c)
        p[c] -= frame.direction[c] * 0.25 * spacing;
      const vtkIdType id = points->InsertNextPoint(p);
      verts->InsertNextCell(1, &id);
      colors->InsertNextTuple3(marker.color.red(), marker.color.green(), marker.color.blue());
    }
  }
  m_markerPoints->SetPoints(points);
  m_markerPoints->SetVerts(verts);
  m_markerPoints->GetPointData()->SetScalars(colors);
  m_markerActor->SetVisibility(points->GetNumberOfPoints() > 0);
}

void SliceView2D::resetCamera() {
  if (!m_image)
    return;
  const CameraFrame frame = frameFor(m_orientation);
  double bounds[6];
  m_image->GetBounds(bounds);
  const int axis = sliceAxis();
  double center[3];
  for (int c = 0; c < 3; ++c)
    center[c] = 0.5 * (bounds[2 * c] + bounds[2 * c + 1]);
  center[axis] = slicePlane();

  // Half extents along the screen's vertical (view-up) and horizontal axes, plus half a voxel
  // because voxels are drawn as squares around their centres.
  double halfHeight = 0.0;
  double halfWidth = 0.0;
  for (int c = 0; c < 3; ++c) {
    if (c == axis)
      continue;
    const double half = 0.5 * (bounds[2 * c + 1] - bounds[2 * c]) + 0.5 * m_image->GetSpacing()[c];
    (frame.viewUp[c] != 0.0 ? halfHeight : halfWidth) = half;
  }
  const double aspect = height() > 0 ? double(width()) / height() : 1.0;
  const double distance = 4.0 * std::max(halfHeight, halfWidth) + 1.0;

  vtkCamera* camera = renderer()->GetActiveCamera();
  camera->ParallelProjectionOn();
  camera->SetFocalPoint(center);
  camera->SetPosition(center[0] - frame.direction[0] * distance,
                      center[1] - frame.direction[1] * distance,
                      center[2] - frame.direction[2] * distance);
  camera->SetViewUp(frame.viewUp);
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
  // Trackpads send fractions of a notch; page once per accumulated notch (120 units).
  m_wheelRemainder += event->angleDelta().y();
  const int steps = m_wheelRemainder / 120;
  m_wheelRemainder -= steps * 120;
  if (steps != 0)
    setSlice(m_slice + steps);
  event->accept();
}

void SliceView2D::onPicked(double x, double y, double z) {
  if (!m_image)
    return;
  double ijk[3];
  m_image->TransformPhysicalPointToContinuousIndex(x, y, z, ijk);
  const int* extent = m_image->GetExtent();
  int voxel[3];
  for (int c = 0; c < 3; ++c) {
    voxel[c] = static_cast<int>(std::lround(ijk[c]));
    if (voxel[c] < extent[2 * c] || voxel[c] > extent[2 * c + 1])
      return;
  }
  Q_EMIT worldClicked(x, y, z);
  Q_EMIT voxelClicked(voxel[0] - extent[0], voxel[1] - extent[2], voxel[2] - extent[4]);
}

} // namespace lumen
