// Pixel-level tests of the Qt6 <-> VTK bridge and the two views. They need a real OpenGL
// context: run under Xvfb (QT_QPA_PLATFORM=offscreen has no OpenGL). Set LUMEN_SCREENSHOT_DIR
// to keep the grabbed frames as PNGs.
#include "vtk/SliceView2D.h"
#include "vtk/View3D.h"

#include <QApplication>
#include <QDir>
#include <QSignalSpy>
#include <QTest>
#include <QWheelEvent>
#include <cmath>
#include <set>
#include <vtkActor.h>
#include <vtkCallbackCommand.h>
#include <vtkCamera.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkPolyData.h>
#include <vtkRenderer.h>
#include <vtkSphereSource.h>

using lumen::SliceView2D;
using lumen::View3D;

namespace {

constexpr int kDim = 64;

void saveShot(const QImage& image, const QString& name) {
  const QString dir = qEnvironmentVariable("LUMEN_SCREENSHOT_DIR");
  if (dir.isEmpty())
    return;
  QDir().mkpath(dir);
  image.save(QDir(dir).filePath(name + ".png"));
}

// The colour at a widget position given in logical pixels.
QColor pixelAt(const QImage& image, QPointF logical) {
  const double dpr = image.devicePixelRatio();
  return image.pixelColor(QPoint(int(logical.x() * dpr), int(logical.y() * dpr)));
}

QPointF voxelOnScreen(const SliceView2D& view, double i, double j, double k) {
  return view.worldToWidget(i, j, k); // unit spacing, zero origin
}

bool isRed(const QColor& c) {
  return c.red() > 150 && c.green() < 80 && c.blue() < 80;
}
bool isGreen(const QColor& c) {
  return c.green() > 150 && c.red() < 80 && c.blue() < 80;
}
bool isBlue(const QColor& c) {
  return c.blue() > 150 && c.red() < 80 && c.green() < 80;
}
bool isBlack(const QColor& c) {
  return c.red() < 20 && c.green() < 20 && c.blue() < 20;
}
bool isWhite(const QColor& c) {
  return c.red() > 235 && c.green() > 235 && c.blue() > 235;
}

// 64^3 volume: intensity 0 for i < 32, 1000 for i >= 32.
vtkSmartPointer<vtkImageData> halfVolume() {
  auto image = vtkSmartPointer<vtkImageData>::New();
  image->SetDimensions(kDim, kDim, kDim);
  image->AllocateScalars(VTK_SHORT, 1);
  auto* p = static_cast<short*>(image->GetScalarPointer());
  for (int k = 0; k < kDim; ++k)
    for (int j = 0; j < kDim; ++j)
      for (int i = 0; i < kDim; ++i)
        *p++ = i < kDim / 2 ? 0 : 1000;
  return image;
}

// Label 1 in i,j in [8,24), label 2 in i,j in [40,56), every k.
vtkSmartPointer<vtkImageData> labelVolume() {
  auto labels = vtkSmartPointer<vtkImageData>::New();
  labels->SetDimensions(kDim, kDim, kDim);
  labels->AllocateScalars(VTK_UNSIGNED_CHAR, 1);
  auto* p = static_cast<unsigned char*>(labels->GetScalarPointer());
  for (int k = 0; k < kDim; ++k)
    for (int j = 0; j < kDim; ++j)
      for (int i = 0; i < kDim; ++i) {
        unsigned char label = 0;
        if (i >= 8 && i < 24 && j >= 8 && j < 24)
          label = 1;
        else if (i >= 40 && i < 56 && j >= 40 && j < 56)
          label = 2;
        *p++ = label;
      }
  return labels;
}

void sendWheel(QWidget* widget, int angleDeltaY) {
  const QPointF pos(widget->width() / 2.0, widget->height() / 2.0);
  QWheelEvent event(pos, widget->mapToGlobal(pos), QPoint(), QPoint(0, angleDeltaY), Qt::NoButton,
                    Qt::NoModifier, Qt::NoScrollPhase, false);
  QApplication::sendEvent(widget, &event);
}

void sendMouse(QWidget* widget, QEvent::Type type, QPointF pos, Qt::MouseButton button,
               Qt::MouseButtons buttons) {
  QMouseEvent event(type, pos, widget->mapToGlobal(pos), button, buttons, Qt::NoModifier);
  QApplication::sendEvent(widget, &event);
}

double distance(const double* a, const double* b) {
  return std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) +
                   (a[2] - b[2]) * (a[2] - b[2]));
}

} // namespace

class TestVtkViews : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void view3dRendersSphere();
  void view3dInteractorGetsMouseEvents();
  void view3dPicksSphere();
  void view3dSurvivesReparenting();
  void interactorTimersFire();
  void sliceViewAppliesWindowLevel();
  void sliceViewDrawsOverlay();
  void sliceViewWheelPagesSlices();
  void sliceViewDrawsMarkersOnTheirSlice();
  void sliceViewClickReportsVoxel();
  void sliceViewOrientations();
  void sliceViewShowsFlippedScansRadiologically();
  void sliceViewPicksTheNearestAxesOfObliqueScans();
  void sliceViewDragsMarkersAndWindowLevel();
  void sliceViewDrawsTheCrosshair();

private:
  // A red unit sphere at the origin on black, framed by the camera.
  void showSphere(View3D& view) {
    vtkNew<vtkSphereSource> sphere;
    sphere->SetRadius(1.0);
    sphere->SetThetaResolution(48);
    sphere->SetPhiResolution(48);
    sphere->Update();
    view.setBackground(Qt::black);
    view.addPolyData(sphere->GetOutput(), Qt::red);
    show(view);
    view.resetCamera();
  }

  void show(QWidget& widget) {
    widget.resize(400, 300);
    widget.show();
    QVERIFY(QTest::qWaitForWindowExposed(&widget));
  }

  void showVolume(SliceView2D& view) {
    show(view);
    view.setImage(halfVolume());
    // 0 maps to black and 1000 to white.
    view.setWindowLevel(100.0, 500.0);
  }
};

void TestVtkViews::view3dRendersSphere() {
  View3D view;
  showSphere(view);
  const QImage image = view.grabRendered();
  saveShot(image, "view3d_sphere");
  QCOMPARE(image.size(), view.size() * view.devicePixelRatioF());

  const QColor centre = pixelAt(image, QPointF(view.width() / 2.0, view.height() / 2.0));
  QVERIFY2(isRed(centre), qPrintable(centre.name()));
  // The orientation axes sit bottom-left; the top-right corner is plain background.
  const QColor corner = pixelAt(image, QPointF(view.width() - 3, 3));
  QVERIFY2(isBlack(corner), qPrintable(corner.name()));
}

void TestVtkViews::view3dInteractorGetsMouseEvents() {
  View3D view;
  showSphere(view);
  view.grabRendered();
  QSignalSpy picks(&view, &lumen::VtkViewWidget::picked);

  vtkCamera* camera = view.renderer()->GetActiveCamera();
  double before[3];
  camera->GetPosition(before);
  const QPointF start(view.width() / 2.0, view.height() / 2.0);
  sendMouse(&view, QEvent::MouseButtonPress, start, Qt::LeftButton, Qt::LeftButton);
  for (int step = 1; step <= 8; ++step)
    sendMouse(&view, QEvent::MouseMove, start + QPointF(10.0 * step, 4.0 * step), Qt::NoButton,
              Qt::LeftButton);
  sendMouse(&view, QEvent::MouseButtonRelease, start + QPointF(80, 32), Qt::LeftButton,
            Qt::NoButton);
  double after[3];
  camera->GetPosition(after);
  QVERIFY2(distance(before, after) > 0.1, "a drag should rotate the camera");
  QCOMPARE(picks.count(), 0); // drags never pick
  saveShot(view.grabRendered(), "view3d_after_drag");

  // Forward wheel dollies in.
  const double farther = camera->GetDistance();
  sendWheel(&view, 120);
  QVERIFY(camera->GetDistance() < farther);
}

void TestVtkViews::view3dPicksSphere() {
  View3D view;
  showSphere(view);
  view.grabRendered();

  const QPoint centre(view.width() / 2, view.height() / 2);
  const auto hit = view.pickAt(centre);
  QVERIFY(hit.has_value());
  const double origin[3] = {0, 0, 0};
  const double r = distance(hit->position.data(), origin);
  QVERIFY2(r <= 1.01 && r > 0.9, qPrintable(QString::number(r))); // on the sphere's surface
  QVERIFY(hit->prop != nullptr);

  QVERIFY(!view.pickAt(QPoint(3, 3)).has_value()); // background

  QSignalSpy picks(&view, &lumen::VtkViewWidget::picked);
  QTest::mouseClick(&view, Qt::LeftButton, Qt::NoModifier, centre);
  QCOMPARE(picks.count(), 1);
  const double clicked[3] = {picks[0][0].toDouble(), picks[0][1].toDouble(),
                             picks[0][2].toDouble()};
  QVERIFY(distance(clicked, origin) <= 1.01);
}

void TestVtkViews::view3dSurvivesReparenting() {
  // Moving a QOpenGLWidget to another window replaces its GL context; VTK must drop its
  // resources with the old context and rebuild them in the new one.
  auto* view = new View3D;
  showSphere(*view);
  QVERIFY(isRed(pixelAt(view->grabRendered(), QPointF(200, 150))));

  QWidget window;
  view->setParent(&window);
  view->move(0, 0);
  window.resize(400, 300);
  window.show();
  view->show();
  QVERIFY(QTest::qWaitForWindowExposed(&window));
  const QImage image = view->grabRendered();
  saveShot(image, "view3d_reparented");
  const QColor centre = pixelAt(image, QPointF(view->width() / 2.0, view->height() / 2.0));
  QVERIFY2(isRed(centre), qPrintable(centre.name()));
}

void TestVtkViews::interactorTimersFire() {
  View3D view;
  show(view);
  int ticks = 0;
  vtkNew<vtkCallbackCommand> onTimer;
  onTimer->SetClientData(&ticks);
  onTimer->SetCallback(
      [](vtkObject*, unsigned long, void* ticks, void*) { ++*static_cast<int*>(ticks); });
  view.interactor()->AddObserver(vtkCommand::TimerEvent, onTimer);
  const int id = view.interactor()->CreateRepeatingTimer(10);
  QTRY_VERIFY_WITH_TIMEOUT(ticks >= 3, 2000);
  view.interactor()->DestroyTimer(id);
  const int stopped = ticks;
  QTest::qWait(100);
  QCOMPARE(ticks, stopped);
}

void TestVtkViews::sliceViewAppliesWindowLevel() {
  SliceView2D view;
  showVolume(view);
  QCOMPARE(view.sliceCount(), kDim);
  QCOMPARE(view.slice(), kDim / 2);
  const QImage image = view.grabRendered();
  saveShot(image, "slice_window_level");

  const QPointF dark = voxelOnScreen(view, 16, 32, 32);
  const QPointF bright = voxelOnScreen(view, 48, 32, 32);
  QVERIFY2(dark.x() < bright.x(), "axial view puts +i on the right");
  QVERIFY2(isBlack(pixelAt(image, dark)), qPrintable(pixelAt(image, dark).name()));
  QVERIFY2(isWhite(pixelAt(image, bright)), qPrintable(pixelAt(image, bright).name()));
  // The slice fills the view's height: whole screen halves read the same.
  QVERIFY(isBlack(pixelAt(image, QPointF(view.width() / 2.0 - 40, view.height() / 2.0))));
  QVERIFY(isWhite(pixelAt(image, QPointF(view.width() / 2.0 + 40, view.height() / 2.0))));

  // A wide window greys out the bright half.
  view.setWindowLevel(2000.0, 1000.0);
  const QColor grey = pixelAt(view.grabRendered(), bright);
  QVERIFY2(grey.red() > 100 && grey.red() < 160, qPrintable(grey.name()));
}

void TestVtkViews::sliceViewDrawsOverlay() {
  SliceView2D view;
  showVolume(view);
  view.setOverlay(labelVolume(), {Qt::transparent, QColor(0, 255, 0), QColor(0, 0, 255)});
  view.setOverlayOpacity(1.0);
  QImage image = view.grabRendered();
  saveShot(image, "slice_overlay");

  const QPointF label1 = voxelOnScreen(view, 16, 16, 32);
  const QPointF label2 = voxelOnScreen(view, 48, 48, 32);
  const QPointF unlabelledDark = voxelOnScreen(view, 16, 40, 32);
  const QPointF unlabelledBright = voxelOnScreen(view, 48, 30, 32);
  QVERIFY2(isGreen(pixelAt(image, label1)), qPrintable(pixelAt(image, label1).name()));
  QVERIFY2(isBlue(pixelAt(image, label2)), qPrintable(pixelAt(image, label2).name()));
  QVERIFY(isBlack(pixelAt(image, unlabelledDark)));
  QVERIFY(isWhite(pixelAt(image, unlabelledBright)));

  // Half opacity blends the blue label with the white image underneath.
  view.setOverlayOpacity(0.5);
  image = view.grabRendered();
  saveShot(image, "slice_overlay_half");
  const QColor blended = pixelAt(image, label2);
  QVERIFY2(blended.blue() > 200 && blended.red() > 90 && blended.red() < 170,
           qPrintable(blended.name()));

  view.clearOverlay();
  QVERIFY(isWhite(pixelAt(view.grabRendered(), label2)));
}

void TestVtkViews::sliceViewWheelPagesSlices() {
  SliceView2D view;
  showVolume(view);
  QSignalSpy changes(&view, &SliceView2D::sliceChanged);

  sendWheel(&view, 120);
  QCOMPARE(view.slice(), kDim / 2 + 1);
  QCOMPARE(changes.count(), 1);
  QCOMPARE(changes[0][0].toInt(), kDim / 2 + 1);

  sendWheel(&view, -240);
  QCOMPARE(view.slice(), kDim / 2 - 1);

  // Half notches accumulate.
  sendWheel(&view, 60);
  QCOMPARE(view.slice(), kDim / 2 - 1);
  sendWheel(&view, 60);
  QCOMPARE(view.slice(), kDim / 2);

  view.setSlice(1000);
  QCOMPARE(view.slice(), kDim - 1);
  view.setSlice(-5);
  QCOMPARE(view.slice(), 0);
}

void TestVtkViews::sliceViewDrawsMarkersOnTheirSlice() {
  SliceView2D view;
  showVolume(view);
  SliceView2D::Marker here{{48, 16, 32}, QColor(255, 0, 0)};
  SliceView2D::Marker elsewhere{{40, 24, 10}, QColor(0, 255, 0)};
  view.setMarkers({here, elsewhere});

  QImage image = view.grabRendered();
  saveShot(image, "slice_markers");
  const QPointF herePos = voxelOnScreen(view, 48, 16, 32);
  const QPointF elsewherePos = voxelOnScreen(view, 40, 24, 32);
  QVERIFY2(isRed(pixelAt(image, herePos)), qPrintable(pixelAt(image, herePos).name()));
  QVERIFY(isWhite(pixelAt(image, elsewherePos)));

  view.setSlice(10);
  image = view.grabRendered();
  QVERIFY2(isGreen(pixelAt(image, elsewherePos)), qPrintable(pixelAt(image, elsewherePos).name()));
  QVERIFY(isWhite(pixelAt(image, herePos)));
}

void TestVtkViews::sliceViewClickReportsVoxel() {
  SliceView2D view;
  showVolume(view);
  view.grabRendered();
  QSignalSpy voxels(&view, &SliceView2D::voxelClicked);
  QSignalSpy worlds(&view, &SliceView2D::worldClicked);

  const QPointF target = voxelOnScreen(view, 48, 20, 32);
  QTest::mouseClick(&view, Qt::LeftButton, Qt::NoModifier, target.toPoint());
  QCOMPARE(voxels.count(), 1);
  QCOMPARE(voxels[0][0].toInt(), 48);
  QCOMPARE(voxels[0][1].toInt(), 20);
  QCOMPARE(voxels[0][2].toInt(), 32);
  QCOMPARE(worlds.count(), 1);
  QVERIFY(std::abs(worlds[0][0].toDouble() - 48) < 0.75);
  QVERIFY(std::abs(worlds[0][2].toDouble() - 32) < 1e-6); // on the slice plane

  // Outside the image: nothing.
  QTest::mouseClick(&view, Qt::LeftButton, Qt::NoModifier, QPoint(2, 2));
  QCOMPARE(voxels.count(), 1);
}

void TestVtkViews::sliceViewOrientations() {
  SliceView2D view;
  showVolume(view);
  view.setOverlay(labelVolume(), {Qt::transparent, QColor(0, 255, 0), QColor(0, 0, 255)});
  view.setOverlayOpacity(1.0);

  view.setOrientation(SliceView2D::Orientation::Coronal);
  QCOMPARE(view.slice(), kDim / 2);
  QImage image = view.grabRendered();
  saveShot(image, "slice_coronal");
  QVERIFY(isBlack(pixelAt(image, voxelOnScreen(view, 16, 32, 32))));
  QVERIFY(isWhite(pixelAt(image, voxelOnScreen(view, 48, 32, 32))));
  // Superior (+k) is up.
  QVERIFY(voxelOnScreen(view, 32, 32, 50).y() < voxelOnScreen(view, 32, 32, 10).y());

  view.setOrientation(SliceView2D::Orientation::Sagittal);
  view.setSlice(16); // the dark half, with label 1 at j in [8,24)
  image = view.grabRendered();
  saveShot(image, "slice_sagittal");
  QVERIFY(isGreen(pixelAt(image, voxelOnScreen(view, 16, 16, 32))));
  QVERIFY(isBlack(pixelAt(image, voxelOnScreen(view, 16, 40, 32))));
}

void TestVtkViews::sliceViewShowsFlippedScansRadiologically() {
  // Stored RAS (as many NIfTI files are): +i points to the patient's right, +j to anterior.
  SliceView2D view;
  show(view);
  auto image = halfVolume();
  image->SetDirectionMatrix(-1, 0, 0, 0, -1, 0, 0, 0, 1);
  view.setImage(image);
  view.setWindowLevel(100.0, 500.0);
  const QImage shot = view.grabRendered();
  saveShot(shot, "slice_flipped_axial");
  // Patient left (-i) on the screen's right, anterior (+j) up.
  QVERIFY(view.voxelToWidget(16, 32, 32).x() > view.voxelToWidget(48, 32, 32).x());
  QVERIFY(view.voxelToWidget(32, 48, 32).y() < view.voxelToWidget(32, 16, 32).y());
  QVERIFY(isWhite(pixelAt(shot, view.voxelToWidget(48, 32, 32))));
  QVERIFY(isBlack(pixelAt(shot, view.voxelToWidget(16, 32, 32))));

  QSignalSpy voxels(&view, &SliceView2D::voxelClicked);
  QSignalSpy worlds(&view, &SliceView2D::worldClicked);
  QTest::mouseClick(&view, Qt::LeftButton, Qt::ShiftModifier,
                    view.voxelToWidget(48, 20, 32).toPoint());
  QCOMPARE(voxels.count(), 1);
  QCOMPARE(voxels[0][0].toInt(), 48);
  QCOMPARE(voxels[0][1].toInt(), 20);
  QCOMPARE(voxels[0][2].toInt(), 32);
  QCOMPARE(voxels[0][3].value<Qt::KeyboardModifiers>(), Qt::KeyboardModifiers(Qt::ShiftModifier));
  // The physical position has the direction applied.
  QVERIFY(std::abs(worlds[0][0].toDouble() + 48) < 0.75);
  QVERIFY(std::abs(worlds[0][1].toDouble() + 20) < 0.75);

  // Coronal: left on the right, superior up; sagittal: anterior (+j here) on the left.
  view.setOrientation(SliceView2D::Orientation::Coronal);
  QCOMPARE(view.sliceAxis(), 1);
  QVERIFY(view.voxelToWidget(16, 32, 32).x() > view.voxelToWidget(48, 32, 32).x());
  QVERIFY(view.voxelToWidget(32, 32, 50).y() < view.voxelToWidget(32, 32, 10).y());
  view.setOrientation(SliceView2D::Orientation::Sagittal);
  QCOMPARE(view.sliceAxis(), 0);
  QVERIFY(view.voxelToWidget(32, 48, 32).x() < view.voxelToWidget(32, 16, 32).x());
}

void TestVtkViews::sliceViewPicksTheNearestAxesOfObliqueScans() {
  SliceView2D view;
  show(view);
  auto image = halfVolume();
  // A sagittal acquisition: i runs posterior, j inferior, k to the patient's left.
  image->SetDirectionMatrix(0, 0, 1, 1, 0, 0, 0, -1, 0);
  view.setImage(image);
  QCOMPARE(view.sliceAxis(), 1); // axial slices are along j, the superior-inferior axis
  view.setOrientation(SliceView2D::Orientation::Coronal);
  QCOMPARE(view.sliceAxis(), 0);
  view.setOrientation(SliceView2D::Orientation::Sagittal);
  QCOMPARE(view.sliceAxis(), 2);

  // Tilted 45° about x: j and k lean equally towards P and S, and still get one view each.
  const double c = std::sqrt(0.5);
  image->SetDirectionMatrix(1, 0, 0, 0, c, -c, 0, c, c);
  std::set<int> axes;
  for (auto o : {SliceView2D::Orientation::Axial, SliceView2D::Orientation::Coronal,
                 SliceView2D::Orientation::Sagittal}) {
    SliceView2D each;
    each.setOrientation(o);
    each.setImage(image);
    axes.insert(each.sliceAxis());
  }
  QCOMPARE(int(axes.size()), 3);
}

void TestVtkViews::sliceViewDragsMarkersAndWindowLevel() {
  SliceView2D view;
  showVolume(view);
  view.setMarkers({{{40, 20, 32}, QColor(255, 0, 0)}});
  view.grabRendered();
  QSignalSpy moved(&view, &SliceView2D::markerMoved);
  QSignalSpy clicked(&view, &SliceView2D::markerClicked);
  QSignalSpy voxels(&view, &SliceView2D::voxelClicked);
  const QPointF from = view.voxelToWidget(40, 20, 32), to = view.voxelToWidget(44, 26, 32);
  QTest::mouseClick(&view, Qt::LeftButton, Qt::NoModifier, from.toPoint());
  QCOMPARE(clicked.count(), 1); // a click on a marker is the marker's, not a new voxel
  QCOMPARE(voxels.count(), 0);
  QTest::mousePress(&view, Qt::LeftButton, Qt::NoModifier, from.toPoint());
  sendMouse(&view, QEvent::MouseMove, to, Qt::NoButton, Qt::LeftButton);
  QTest::mouseRelease(&view, Qt::LeftButton, Qt::NoModifier, to.toPoint());
  QCOMPARE(moved.count(), 1);
  QCOMPARE(moved[0][0].toInt(), 0);
  QCOMPARE(moved[0][1].toInt(), 44);
  QCOMPARE(moved[0][2].toInt(), 26);
  QCOMPARE(moved[0][3].toInt(), 32);
  QVERIFY(isRed(pixelAt(view.grabRendered(), to)));

  // Right drag: right widens the window, down raises the level.
  QSignalSpy windowed(&view, &SliceView2D::windowLevelDragged);
  const QPointF centre(200, 150);
  sendMouse(&view, QEvent::MouseButtonPress, centre, Qt::RightButton, Qt::RightButton);
  sendMouse(&view, QEvent::MouseMove, centre + QPointF(30, 60), Qt::NoButton, Qt::RightButton);
  sendMouse(&view, QEvent::MouseButtonRelease, centre + QPointF(30, 60), Qt::RightButton,
            Qt::NoButton);
  QVERIFY(windowed.count() >= 1);
  QVERIFY(view.window() > 100.0);
  QVERIFY(view.level() > 500.0);
}

void TestVtkViews::sliceViewDrawsTheCrosshair() {
  SliceView2D view;
  showVolume(view);
  view.setCrosshair(20, 40, 10);
  QCOMPARE(view.slice(), 10); // the axial view moved to the crosshair's slice
  const QImage shot = view.grabRendered();
  saveShot(shot, "slice_crosshair");
  auto orange = [](const QColor& c) { return c.red() > 150 && c.green() > 70 && c.blue() < 60; };
  QVERIFY(orange(pixelAt(shot, view.voxelToWidget(20, 5, 10)))); // the vertical line
  QVERIFY(orange(pixelAt(shot, view.voxelToWidget(8, 40, 10)))); // the horizontal line
  QVERIFY(!orange(pixelAt(shot, view.voxelToWidget(8, 5, 10)))); // off both
  view.setCrosshairVisible(false);
  QVERIFY(!orange(pixelAt(view.grabRendered(), view.voxelToWidget(20, 5, 10))));
}

int main(int argc, char** argv) {
  lumen::VtkViewWidget::setDefaultSurfaceFormat();
  QApplication app(argc, argv);
  TestVtkViews suite;
  return QTest::qExec(&suite, argc, argv);
}

#include "TestVtkViews.moc"
