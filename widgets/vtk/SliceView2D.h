// A 2D slice viewer for one volume: grayscale window/level, an optional label overlay and point
// markers on the current slice. Assumes axis-aligned volumes (identity direction matrix).
#pragma once

#include "vtk/VtkViewWidget.h"

#include <QColor>
#include <vector>
#include <vtkSmartPointer.h>

class vtkActor;
class vtkImageData;
class vtkImageSlice;
class vtkImageSliceMapper;
class vtkImageStack;
class vtkLookupTable;
class vtkPolyData;

namespace lumen {

class SliceView2D : public VtkViewWidget {
  Q_OBJECT

public:
  enum class Orientation { Axial, Coronal, Sagittal };

  struct Marker {
    double xyz[3] = {0.0, 0.0, 0.0};
    QColor color = Qt::yellow;
  };

  explicit SliceView2D(QWidget* parent = nullptr);
  ~SliceView2D() override;

  // Shows the middle slice of the current orientation, with window/level over the full range.
  void setImage(vtkImageData* image);
  vtkImageData* image() const;

  // Labels share the image's geometry. Label 0 is always transparent; label n takes
  // labelColors[n] (so labelColors[0] is ignored) or the table's colour for n.
  void setOverlay(vtkImageData* labels, vtkLookupTable* table);
  void setOverlay(vtkImageData* labels, const std::vector<QColor>& labelColors);
  void clearOverlay();
  void setOverlayOpacity(double opacity);
  double overlayOpacity() const;

  void setOrientation(Orientation orientation);
  Orientation orientation() const;

  // Slices count from 0 along the orientation's axis (k for axial, j coronal, i sagittal);
  // out-of-range values are clamped.
  void setSlice(int slice);
  int slice() const;
  int sliceCount() const;

  void setWindowLevel(double window, double level);
  double window() const;
  double level() const;

  // Markers are drawn only on the slice they lie in (nearest slice).
  void setMarkers(const std::vector<Marker>& markers);

  // Fits the whole slice into the view.
  void resetCamera();

Q_SIGNALS:
  void sliceChanged(int slice);
  // A plain left click on the image: the voxel under the cursor and its world position.
  void voxelClicked(int i, int j, int k);
  void worldClicked(double x, double y, double z);

protected:
  // The wheel pages through slices instead of zooming (right-drag zooms).
  void wheelEvent(QWheelEvent* event) override;
  void resizeGL(int w, int h) override;

private:
  int sliceAxis() const;
  // World coordinate of the current slice along the slice axis.
  double slicePlane() const;
  void onInteractionStarted(vtkObject* caller, unsigned long eventId, void* callData);
  void applySlice();
  void updateMarkers();
  void onPicked(double x, double y, double z);

  vtkSmartPointer<vtkImageData> m_image;
  vtkSmartPointer<vtkImageData> m_labels;
  vtkSmartPointer<vtkImageStack> m_stack;
  vtkSmartPointer<vtkImageSliceMapper> m_imageMapper;
  vtkSmartPointer<vtkImageSlice> m_imageSlice;
  vtkSmartPointer<vtkImageSliceMapper> m_overlayMapper;
  vtkSmartPointer<vtkImageSlice> m_overlaySlice;
  vtkSmartPointer<vtkPolyData> m_markerPoints;
  vtkSmartPointer<vtkActor> m_markerActor;

  std::vector<Marker> m_markers;
  Orientation m_orientation = Orientation::Axial;
  int m_slice = 0;
  int m_wheelRemainder = 0;
  bool m_cameraFitted = false;
  unsigned long m_styleObserver = 0;
};

} // namespace lumen
