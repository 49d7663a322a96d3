// The Segment workspace's four views (axial, 3D; coronal, sagittal, as 3D Slicer's four-up) with
// the window/level toolbar, kept in step: one crosshair (each slice view shows its slice and
// lines, the 3D view its three planes; the wheel in one view moves it), one window/level, the
// prompt markers, the certain/uncertain overlay and the mask's surface. Clicks come out as voxel
// indices of the shown CT, whichever view they land in; what they mean is the workspace's.
#pragma once
#include "io/Volume.h"
#include "segment/PromptPlan.h"

#include <QColor>
#include <QWidget>
#include <array>
#include <memory>
#include <vector>
#include <vtkSmartPointer.h>

class QCheckBox;
class QComboBox;
class QLabel;
class vtkImageData;

namespace lumen {

class CtScene3D;
class SliceView2D;
class View3D;
struct SegmentationResult;
struct TriangleMesh;

class SegmentViewGrid : public QWidget {
  Q_OBJECT
public:
  enum ViewSlot { Axial, Coronal, Sagittal, SliceViewCount };

  explicit SegmentViewGrid(QWidget* parent = nullptr);
  ~SegmentViewGrid() override;

  // The overlay's colours: label 1 (both passes agree) and label 2 (one pass only), and the
  // markers' colours.
  static QColor certainColor();
  static QColor uncertainColor();
  static QColor positiveColor();
  static QColor negativeColor();

  // Shows a CT with the current window/level; the crosshair goes to its centre, the 3D camera to
  // the front. The grid keeps the volume while it shows it.
  void setImage(std::shared_ptr<const CtVolume> image);
  bool hasImage() const { return image_ != nullptr; }
  void setPoints(const std::vector<PromptPoint>& points, int selected);
  // The mask over the slices (null or empty: none), with "extracting…" in the 3D title until
  // setSurface brings its surface.
  void setMask(std::shared_ptr<const SegmentationResult> result);
  bool hasMask() const { return mask_ != nullptr; }
  void setMaskOpacity(double opacity);
  void setSurface(std::shared_ptr<const TriangleMesh> mesh, double milliseconds);
  bool hasSurface() const;
  const TriangleMesh* surface() const { return surface_.get(); }

  // Clamped to the image.
  void setCrosshair(const VoxelIndex& ijk);
  VoxelIndex crosshair() const { return crosshair_; }
  void setWindowLevel(double window, double level);
  void setWindowPreset(int index); // into ctWindowPresets(); others are ignored

  SliceView2D* sliceView(ViewSlot slot) const { return views_[size_t(slot)]; }
  View3D* view3D() const { return view3d_; }
  QComboBox* windowPresetBox() const { return windowPreset_; }

Q_SIGNALS:
  // A click on a voxel of a slice view, or where a click on the 3D view hit the CT or the mask.
  void voxelClicked(const VoxelIndex& ijk, Qt::KeyboardModifiers modifiers);
  void markerClicked(int index);
  void markerMoved(int index, const VoxelIndex& ijk);

private:
  QWidget* makeFrame(QWidget* view, QLabel* title, const QString& accent);
  QLayout* makeToolbar();
  void connectViews();
  void updateTitles();

  std::array<SliceView2D*, SliceViewCount> views_{};
  std::array<QLabel*, SliceViewCount + 1> titles_{}; // the slice views', then the 3D view's
  View3D* view3d_;
  std::unique_ptr<CtScene3D> scene3d_;
  QComboBox* windowPreset_;
  QCheckBox* showCrosshair_;

  std::shared_ptr<const CtVolume> image_;
  std::shared_ptr<const SegmentationResult> mask_;
  std::shared_ptr<const TriangleMesh> surface_;
  double surfaceMs_ = 0;
  // The views keep VTK copies of these voxels.
  vtkSmartPointer<vtkImageData> imageData_, maskData_;
  VoxelIndex crosshair_{0, 0, 0};
};

} // namespace lumen
