// What a SliceView2D draws over its image: point markers (a white ring around the selected one)
// and the crosshair, rebuilt for the current slice. Positions are voxel indices of the shown
// image; everything is lifted from the slice plane towards the camera so the image never hides
// it, the crosshair lowest, the markers on top.
#pragma once

#include <QColor>
#include <array>
#include <optional>
#include <vector>
#include <vtkSmartPointer.h>

class vtkActor;
class vtkImageData;
class vtkPolyData;
class vtkRenderer;

namespace lumen {

struct SliceMarker {
  double ijk[3] = {0.0, 0.0, 0.0}; // voxel indices (continuous)
  QColor color = Qt::yellow;
  bool selected = false; // drawn with a white ring
};

// The slice the annotations are drawn on.
struct SlicePlane {
  vtkImageData* image = nullptr; // the shown image (identity direction)
  int axis = 2;                  // index axis of the slice normal
  int slice = 0;                 // counted from the extent's start
  double towardsCamera[3] = {0, 0, -1};
};

class SliceAnnotations {
public:
  explicit SliceAnnotations(vtkRenderer* renderer);
  ~SliceAnnotations();

  void setCrosshairColor(const QColor& color);
  // Rebuilds the props; markers off the slice and an empty crosshair draw nothing.
  void update(const SlicePlane& plane, const std::vector<SliceMarker>& markers,
              const std::optional<std::array<double, 3>>& crosshair);

  // Scene position of a (continuous) voxel index of the shown image.
  static void sceneOf(vtkImageData* image, const double ijk[3], double scene[3]);

private:
  vtkSmartPointer<vtkPolyData> m_markerPoints, m_ringPoints, m_crosshairLines;
  vtkSmartPointer<vtkActor> m_markerActor, m_ringActor, m_crosshairActor;
};

} // namespace lumen
