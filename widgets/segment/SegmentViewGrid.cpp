#include "segment/SegmentViewGrid.h"

#include "segment/CtImageData.h"
#include "segment/CtScene3D.h"
#include "segment/PromptSegmentation.h"
#include "segment/WindowPresets.h"
#include "shapes/SurfaceMesh.h"
#include "vtk/SliceView2D.h"
#include "vtk/View3D.h"

#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <vtkImageData.h>

namespace lumen {
namespace {

// Slicer's view colours: red axial, green coronal, yellow sagittal; the 3D view in blue-grey.
const char* kAccents[] = {"#d0504a", "#5aa55a", "#d8c040", "#7088a8"};
const char* kViewNames[] = {"Axial", "Coronal", "Sagittal"};

} // namespace

QColor SegmentViewGrid::certainColor() {
  return QColor(30, 144, 255);
}
QColor SegmentViewGrid::uncertainColor() {
  return QColor(255, 200, 0);
}
QColor SegmentViewGrid::positiveColor() {
  return QColor(40, 230, 60);
}
QColor SegmentViewGrid::negativeColor() {
  return QColor(255, 50, 50);
}

SegmentViewGrid::SegmentViewGrid(QWidget* parent)
    : QWidget(parent), view3d_(new View3D(this)), windowPreset_(new QComboBox(this)),
      showCrosshair_(new QCheckBox(tr("Crosshair"), this)) {
  for (size_t slot = 0; slot < SliceViewCount; ++slot) {
    views_[slot] = new SliceView2D(this);
    views_[slot]->setObjectName(QString::fromLatin1(kViewNames[slot]).toLower());
  }
  views_[Coronal]->setOrientation(SliceView2D::Orientation::Coronal);
  views_[Sagittal]->setOrientation(SliceView2D::Orientation::Sagittal);
  for (auto& title : titles_)
    title = new QLabel(this);
  scene3d_ = std::make_unique<CtScene3D>(view3d_, positiveColor(), negativeColor(),
                                         certainColor().lighter(115));

  auto* grid = new QGridLayout;
  grid->setSpacing(4);
  grid->addWidget(makeFrame(views_[Axial], titles_[Axial], kAccents[Axial]), 0, 0);
  grid->addWidget(makeFrame(view3d_, titles_[SliceViewCount], kAccents[3]), 0, 1);
  grid->addWidget(makeFrame(views_[Coronal], titles_[Coronal], kAccents[Coronal]), 1, 0);
  grid->addWidget(makeFrame(views_[Sagittal], titles_[Sagittal], kAccents[Sagittal]), 1, 1);
  for (int i = 0; i < 2; ++i) {
    grid->setRowStretch(i, 1);
    grid->setColumnStretch(i, 1);
  }
  // The mouse's less obvious gestures, under the views where the user looks while using them.
  auto* hint = new QLabel(tr("<small>Wheel, ↑/↓: slices · right drag: window/level · Ctrl+wheel: "
                             "zoom · Shift+click: negative point · drag a marker to move it · "
                             "Del: remove the selected point · P / N / C: tool · Ctrl+Z / "
                             "Ctrl+Shift+Z: undo / redo · Ctrl+S: accept · Ctrl+N: next "
                             "sample</small>"),
                          this);
  hint->setTextFormat(Qt::RichText);
  hint->setWordWrap(true);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(makeToolbar());
  layout->addLayout(grid, 1);
  layout->addWidget(hint);
  connectViews();
  setWindowPreset(0);
  updateTitles();
}

SegmentViewGrid::~SegmentViewGrid() = default;

QWidget* SegmentViewGrid::makeFrame(QWidget* view, QLabel* title, const QString& accent) {
  auto* frame = new QWidget(this);
  auto* layout = new QVBoxLayout(frame);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  title->setTextFormat(Qt::RichText);
  title->setStyleSheet(
      QStringLiteral("QLabel { background: %1; color: white; padding: 1px 6px; }").arg(accent));
  title->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
  layout->addWidget(title);
  layout->addWidget(view, 1);
  view->setMinimumSize(160, 140);
  return frame;
}

QLayout* SegmentViewGrid::makeToolbar() {
  for (const auto& preset : ctWindowPresets())
    windowPreset_->addItem(
        tr("%1 (W%2 L%3)").arg(preset.name).arg(preset.window).arg(preset.level));
  windowPreset_->addItem(tr("Custom"));
  windowPreset_->setToolTip(tr("Window/level preset; right drag in a slice view adjusts it"));
  showCrosshair_->setChecked(true);
  showCrosshair_->setToolTip(tr("Show the crosshair lines in the slice views"));
  auto* slices3d = new QCheckBox(tr("Slices in 3D"), this);
  slices3d->setChecked(true);
  slices3d->setToolTip(tr("Show the three slices through the crosshair in the 3D view"));
  auto* resetViews = new QPushButton(tr("Reset Views"), this);
  resetViews->setToolTip(tr("Fit every slice and look at the patient from the front in 3D"));
  auto* toolbar = new QHBoxLayout;
  toolbar->addWidget(new QLabel(tr("Window"), this));
  toolbar->addWidget(windowPreset_);
  toolbar->addWidget(showCrosshair_);
  toolbar->addWidget(slices3d);
  toolbar->addWidget(resetViews);
  toolbar->addStretch(1);

  connect(windowPreset_, qOverload<int>(&QComboBox::activated), this,
          &SegmentViewGrid::setWindowPreset);
  connect(showCrosshair_, &QCheckBox::toggled, this, [this](bool on) {
    for (auto* view : views_)
      view->setCrosshairVisible(on);
  });
  connect(slices3d, &QCheckBox::toggled, this, [this](bool on) { scene3d_->setSlicesVisible(on); });
  connect(resetViews, &QPushButton::clicked, this, [this] {
    for (auto* view : views_)
      view->resetCamera();
    scene3d_->resetCamera();
  });
  return toolbar;
}

void SegmentViewGrid::connectViews() {
  for (SliceView2D* view : views_) {
    connect(view, &SliceView2D::voxelClicked, this,
            [this](int i, int j, int k, Qt::KeyboardModifiers modifiers) {
              Q_EMIT voxelClicked({i, j, k}, modifiers);
            });
    connect(view, &SliceView2D::markerClicked, this,
            [this](int index, Qt::KeyboardModifiers) { Q_EMIT markerClicked(index); });
    connect(view, &SliceView2D::markerMoved, this, [this](int index, int i, int j, int k) {
      Q_EMIT markerMoved(index, {i, j, k});
    });
    connect(view, &SliceView2D::sliceChanged, this, [this, view](int slice) {
      if (!image_)
        return;
      // The wheel moved this view: the crosshair follows, and with it the other views' lines.
      VoxelIndex moved = crosshair_;
      moved[size_t(view->sliceAxis())] = slice;
      if (moved != crosshair_)
        setCrosshair(moved);
    });
    connect(view, &SliceView2D::windowLevelDragged, this, [this](double window, double level) {
      setWindowLevel(window, level);
      windowPreset_->setCurrentIndex(windowPreset_->count() - 1); // Custom
    });
  }
  // A click on the 3D view lands on a slice plane or the surface, in millimetres.
  connect(
      view3d_, &VtkViewWidget::picked, this,
      [this](double x, double y, double z, Qt::KeyboardModifiers modifiers) {
        if (!image_)
          return;
        const ImageGeometry& g = image_->geometry;
        try {
          const Vec3 index = g.physicalToIndex({x, y, z});
          const VoxelIndex ijk{std::lround(index[0]), std::lround(index[1]), std::lround(index[2])};
          if (g.contains(ijk[0], ijk[1], ijk[2]))
            Q_EMIT voxelClicked(ijk, modifiers);
        } catch (const std::exception&) {
          // A singular direction matrix has no voxel for a point; the readers refuse those.
        }
      });
}

void SegmentViewGrid::setImage(std::shared_ptr<const CtVolume> image) {
  image_ = std::move(image);
  mask_.reset();
  surface_.reset();
  maskData_ = nullptr;
  imageData_ = image_ ? toImageData(*image_) : nullptr;
  for (auto* view : views_) {
    view->setImage(imageData_, false);
    view->clearOverlay();
  }
  scene3d_->setImage(imageData_, image_ ? image_->geometry : ImageGeometry{});
  if (!image_) {
    updateTitles();
    return;
  }
  // The preset (or the custom window) applies to the new image's views too.
  setWindowLevel(views_[Axial]->window(), views_[Axial]->level());
  const auto& size = image_->geometry.size;
  setCrosshair({size[0] / 2, size[1] / 2, size[2] / 2});
  scene3d_->resetCamera();
}

void SegmentViewGrid::setPoints(const std::vector<PromptPoint>& points, int selected) {
  std::vector<SliceView2D::Marker> markers;
  for (size_t index = 0; index < points.size(); ++index) {
    SliceView2D::Marker marker;
    for (size_t c = 0; c < 3; ++c)
      marker.ijk[c] = double(points[index].ijk[c]);
    marker.color = points[index].positive ? positiveColor() : negativeColor();
    marker.selected = int(index) == selected;
    markers.push_back(marker);
  }
  for (auto* view : views_)
    view->setMarkers(markers);
  scene3d_->setPoints(points);
}

void SegmentViewGrid::setMask(std::shared_ptr<const SegmentationResult> result) {
  const bool shown = result && result->error.empty() && result->voxels() > 0;
  mask_ = shown ? std::move(result) : nullptr;
  surface_.reset();
  scene3d_->setSurface(nullptr);
  if (!mask_) {
    maskData_ = nullptr;
    for (auto* view : views_)
      view->clearOverlay();
  } else {
    maskData_ = toImageData(mask_->mask);
    const std::vector<QColor> colors = {Qt::transparent, certainColor(), uncertainColor()};
    const double opacity = views_[Axial]->overlayOpacity();
    for (auto* view : views_) {
      view->setOverlay(maskData_, colors);
      view->setOverlayOpacity(opacity);
    }
  }
  updateTitles();
}

void SegmentViewGrid::setMaskOpacity(double opacity) {
  for (auto* view : views_)
    view->setOverlayOpacity(opacity);
}

void SegmentViewGrid::setSurface(std::shared_ptr<const TriangleMesh> mesh, double milliseconds) {
  if (!mask_)
    return; // the mask it belonged to is gone
  surface_ = std::move(mesh);
  surfaceMs_ = milliseconds;
  scene3d_->setSurface(surface_.get());
  updateTitles();
}

bool SegmentViewGrid::hasSurface() const {
  return scene3d_->hasSurface();
}

void SegmentViewGrid::setCrosshair(const VoxelIndex& ijk) {
  if (!image_)
    return;
  const auto& size = image_->geometry.size;
  for (size_t a = 0; a < 3; ++a)
    crosshair_[a] = std::clamp<int64_t>(ijk[a], 0, size[a] - 1);
  for (auto* view : views_)
    view->setCrosshair(double(crosshair_[0]), double(crosshair_[1]), double(crosshair_[2]));
  scene3d_->setSlices(crosshair_);
  updateTitles();
}

void SegmentViewGrid::setWindowLevel(double window, double level) {
  for (auto* view : views_)
    view->setWindowLevel(window, level);
  scene3d_->setWindowLevel(window, level);
}

void SegmentViewGrid::setWindowPreset(int index) {
  const auto& presets = ctWindowPresets();
  if (index < 0 || index >= int(presets.size()))
    return; // "Custom" stays as the drag left it
  windowPreset_->setCurrentIndex(index);
  setWindowLevel(presets[size_t(index)].window, presets[size_t(index)].level);
}

void SegmentViewGrid::updateTitles() {
  for (size_t slot = 0; slot < SliceViewCount; ++slot) {
    const SliceView2D* view = views_[slot];
    const QString name = tr(kViewNames[slot]);
    titles_[slot]->setText(image_ ? tr("<b>%1</b> · slice %2 / %3")
                                        .arg(name)
                                        .arg(view->slice() + 1)
                                        .arg(view->sliceCount())
                                  : tr("<b>%1</b>").arg(name));
  }
  QString surface = tr("no mask yet");
  if (surface_)
    surface = tr("mask surface, %L1 triangles in %2 ms")
                  .arg(surface_->triangleCount())
                  .arg(surfaceMs_, 0, 'f', 0);
  else if (mask_)
    surface = tr("extracting the surface…");
  titles_[SliceViewCount]->setText(tr("<b>3D</b> · %1").arg(surface));
}

} // namespace lumen
