// What the Segment workspace's 3D view shows: the CT's three slices through the crosshair, the
// mask's surface and the prompt points, all in physical millimetres (the slices are the
// direction-free grid placed with the direction matrix, so an oblique scan sits as it was
// scanned). The camera looks at the patient from the front, head up.
#pragma once
#include "io/Volume.h"
#include "segment/PromptPlan.h"
#include "shapes/SurfaceMesh.h"

#include <QColor>
#include <array>
#include <vector>
#include <vtkSmartPointer.h>

class vtkActor;
class vtkImageData;
class vtkImageSlice;
class vtkImageSliceMapper;
class vtkPolyData;

namespace lumen {

class View3D;

class CtScene3D {
public:
  CtScene3D(View3D* view, QColor positive, QColor negative, QColor surface);
  ~CtScene3D();
  CtScene3D(const CtScene3D&) = delete;
  CtScene3D& operator=(const CtScene3D&) = delete;

  // `image` carries the geometry's origin, spacing and direction (toImageData); null clears all.
  void setImage(vtkImageData* image, const ImageGeometry& geometry);
  void setSlices(const VoxelIndex& crosshair);
  // The slices hide the surface behind them; the user may hide them.
  void setSlicesVisible(bool visible);
  void setWindowLevel(double window, double level);
  // A mask surface in physical coordinates; null or empty removes it.
  void setSurface(const TriangleMesh* mesh);
  bool hasSurface() const;
  void setPoints(const std::vector<PromptPoint>& points);
  // Frames the image from the front (anterior, superior up).
  void resetCamera();

private:
  View3D* view_;
  QColor positive_, negative_;
  ImageGeometry geometry_;
  bool hasImage_ = false;
  std::array<vtkSmartPointer<vtkImageSliceMapper>, 3> mappers_;
  std::array<vtkSmartPointer<vtkImageSlice>, 3> slices_;
  vtkSmartPointer<vtkActor> surface_;
  vtkSmartPointer<vtkPolyData> points_;
  vtkSmartPointer<vtkActor> pointActor_;
};

} // namespace lumen
