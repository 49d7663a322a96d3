// A 2D slice viewer for one volume: grayscale window/level, an optional label overlay, point
// markers and a crosshair on the current slice.
//
// The image is shown along its own voxel axes and never resampled: the scene puts voxel (i, j, k)
// at origin + spacing ⊙ (i, j, k), whatever direction matrix the image carries, so one screen
// square is one stored voxel and a click maps to exactly one voxel of an oblique scan too. The
// direction matrix only chooses, per orientation, the index axis nearest to the anatomical normal
// and the flips that give the radiological convention (patient left on screen right in axial and
// coronal, anterior left in sagittal, anterior and superior up), as ITK-SNAP shows an oblique scan
// in its nearest orthogonal frame. Markers, the crosshair and clicks are in voxel indices,
// counted from the image's first voxel.
//
// Mouse: left click reports the voxel (voxelClicked) or, on a marker, the marker (markerClicked);
// left drag on a marker moves it (markerMoved), elsewhere it pans, as the middle button does;
// right drag sets window (horizontal) and level (vertical); Ctrl + right drag and Ctrl + wheel
// zoom; the wheel and the Up/Down and Page Up/Down keys page through slices.
#pragma once

#include "vtk/SliceAnnotations.h"
#include "vtk/VtkViewWidget.h"

#include <QColor>
#include <array>
#include <memory>
#include <optional>
#include <vector>
#include <vtkSmartPointer.h>

class vtkImageData;
class vtkImageSlice;
class vtkImageSliceMapper;
class vtkImageStack;
class vtkLookupTable;

namespace lumen {

class SliceView2D : public VtkViewWidget {
  Q_OBJECT

public:
  enum class Orientation { Axial, Coronal, Sagittal };

  using Marker = SliceMarker;

  explicit SliceView2D(QWidget* parent = nullptr);
  ~SliceView2D() override;

  // Shows the middle slice of the current orientation. `fitWindowLevel` spans window/level over
  // the full value range (a pass over every voxel; CT callers set a preset instead). The view
  // keeps a direction-free shallow copy of the image, sharing its voxels.
  void setImage(vtkImageData* image, bool fitWindowLevel = true);
  // The image as shown: the caller's voxels, origin and spacing, identity direction.
  vtkImageData* image() const;
  // The caller's direction matrix (row-major, columns are the index axes' physical directions).
  const std::array<double, 9>& direction() const { return m_direction; }

  // Labels share the image's grid. Label 0 is always transparent; label n takes
  // labelColors[n] (so labelColors[0] is ignored) or the table's colour for n.
  void setOverlay(vtkImageData* labels, vtkLookupTable* table);
  void setOverlay(vtkImageData* labels, const std::vector<QColor>& labelColors);
  void clearOverlay();
  bool hasOverlay() const;
  void setOverlayOpacity(double opacity);
  double overlayOpacity() const;

  void setOrientation(Orientation orientation);
  Orientation orientation() const;
  // The index axis slices count along (0 i, 1 j, 2 k): the one nearest to the orientation's
  // normal (k for axial, j coronal, i sagittal in an axis-aligned scan).
  int sliceAxis() const;

  // Slices count from 0 along sliceAxis(); out-of-range values are clamped.
  void setSlice(int slice);
  int slice() const;
  int sliceCount() const;

  void setWindowLevel(double window, double level);
  double window() const;
  double level() const;

  // Markers are drawn only on the slice they lie in (nearest slice). Their indices in the list
  // are what markerClicked and markerMoved report.
  void setMarkers(const std::vector<Marker>& markers);
  const std::vector<Marker>& markers() const { return m_markers; }

  // Two lines through the voxel across the slice, shown once set; moves to the voxel's slice.
  void setCrosshair(double i, double j, double k);
  void setCrosshairVisible(bool visible);
  bool crosshairVisible() const;
  std::array<double, 3> crosshair() const { return m_crosshair; }

  // Where a voxel centre is drawn, in logical widget pixels (top-left origin).
  QPointF voxelToWidget(double i, double j, double k) const;
  // The voxel under a widget position on the current slice; empty outside the image. Needs one
  // render first, like pickAt.
  std::optional<std::array<int, 3>> voxelAt(QPointF widgetPos);

  // Fits the whole slice into the view.
  void resetCamera();

Q_SIGNALS:
  void sliceChanged(int slice);
  // A left click on the image (not on a marker): the voxel under the cursor, and the modifiers.
  void voxelClicked(int i, int j, int k, Qt::KeyboardModifiers modifiers);
  // The same click's physical position in millimetres (the direction matrix applied).
  void worldClicked(double x, double y, double z);
  void markerClicked(int index, Qt::KeyboardModifiers modifiers);
  // A marker dragged to another voxel of the slice (the view already draws it there).
  void markerMoved(int index, int i, int j, int k);
  // Right drag changed window/level.
  void windowLevelDragged(double window, double level);

protected:
  void wheelEvent(QWheelEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  void resizeGL(int w, int h) override;

private:
  // How the scene is looked at for the orientation: along an index axis, in scene coordinates.
  struct ViewFrame {
    int sliceAxis = 2;
    double direction[3] = {0, 0, 1}; // direction of projection
    double viewUp[3] = {0, -1, 0};
  };

  void updateFrame();
  void onInteractionStarted(vtkObject* caller, unsigned long eventId, void* callData);
  void applySlice();
  void updateAnnotations();
  void onPicked(double x, double y, double z, Qt::KeyboardModifiers modifiers);
  // A press that starts the view's own drag (a marker, window/level) rather than VTK's.
  bool startDrag(QMouseEvent* event);
  // The marker drawn within a few pixels of the position on the current slice, or -1.
  int markerAt(QPointF widgetPos) const;

  vtkSmartPointer<vtkImageData> m_image;
  std::array<double, 9> m_direction{1, 0, 0, 0, 1, 0, 0, 0, 1};
  vtkSmartPointer<vtkImageData> m_labels;
  vtkSmartPointer<vtkImageStack> m_stack;
  vtkSmartPointer<vtkImageSliceMapper> m_imageMapper;
  vtkSmartPointer<vtkImageSlice> m_imageSlice;
  vtkSmartPointer<vtkImageSliceMapper> m_overlayMapper;
  vtkSmartPointer<vtkImageSlice> m_overlaySlice;
  std::unique_ptr<SliceAnnotations> m_annotations;

  std::vector<Marker> m_markers;
  std::array<double, 3> m_crosshair{0, 0, 0};
  bool m_crosshairSet = false;
  bool m_crosshairVisible = true;
  Orientation m_orientation = Orientation::Axial;
  ViewFrame m_frame;
  int m_slice = 0;
  int m_wheelRemainder = 0;
  bool m_cameraFitted = false;
  unsigned long m_styleObserver = 0;

  struct MarkerDrag {
    int index = -1;
    bool moved = false;
  };
  std::optional<MarkerDrag> m_markerDrag;
  struct WindowDrag {
    QPointF start;
    double window = 1, level = 0;
  };
  std::optional<WindowDrag> m_windowDrag;
};

} // namespace lumen
