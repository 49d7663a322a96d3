// The Segment workspace on a study folder of synthetic chest CTs, driven as a user drives it:
// opening the study serves its first unlabeled image; a mouse click on the aorta in the axial
// view places a point and the mask appears in the overlay colours and as a 3D surface; undo
// removes the point and the mask; Accept writes labels/final/<id>.nii.gz and the table shows it
// labelled; Next Sample moves on; a study's CT file opens in its study, and a label someone else
// saves into the folder appears in the list. An oblique scan maps clicks to the right voxel and the
// crosshair of the other views to the same voxel; the 3D view places it in physical space. A
// folder of two DICOM series asks which one. Run under Xvfb; LUMEN_SCREENSHOT_DIR keeps PNGs.
#include "TestSupport.h"
#include "common/JobPool.h"
#include "io/CtVolumeIO.h"
#include "io/NiftiIO.h"
#include "jobs/JobsDock.h"
#include "monitor/TrainingMonitorDock.h"
#include "segment/ChestClasses.h"
#include "segment/ClickSimulator.h"
#include "segment/Datastore.h"
#include "segment/MaskPanel.h"
#include "segment/PromptPanel.h"
#include "segment/SegmentWorkspace.h"
#include "segment/SeriesDialog.h"
#include "segment/StudyFolder.h"
#include "segment/StudyPanel.h"
#include "support/ThresholdPlugin.h"
#include "segment/SyntheticChestCt.h"
#include "segment/WindowPresets.h"
#include "shapes/SurfaceMesh.h"
#include "shapes/SyntheticHeart.h"
#include "support/DicomSeriesWriter.h"
#include "vtk/SliceView2D.h"
#include "vtk/View3D.h"
#include "workspace/WorkspaceServices.h"

#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QMessageBox>
#include <QPushButton>
#include <QTableWidget>
#include <QToolButton>
#include <QtTest>
#include <cmath>
#include <filesystem>

using namespace lumen;
namespace fs = std::filesystem;

namespace {

constexpr int kCases = 3;

void screenshot(QWidget* widget, const QString& name) {
  const QString dir = qEnvironmentVariable("LUMEN_SCREENSHOT_DIR");
  if (dir.isEmpty())
    return;
  QDir().mkpath(dir);
  widget->grab().save(dir + "/" + name);
}

bool near(const QColor& c, const QColor& target, int tolerance = 40) {
  return std::abs(c.red() - target.red()) + std::abs(c.green() - target.green()) +
             std::abs(c.blue() - target.blue()) <=
         tolerance;
}

int countPixels(const QImage& image, const QColor& target, int tolerance = 40) {
  const QImage pixels = image.convertToFormat(QImage::Format_RGB32);
  int count = 0;
  for (int y = 0; y < pixels.height(); ++y)
    for (int x = 0; x < pixels.width(); ++x)
      count += near(pixels.pixelColor(x, y), target, tolerance) ? 1 : 0;
  return count;
}

QColor pixelAt(const QImage& image, QPointF logical) {
  const double dpr = image.devicePixelRatio();
  return image.pixelColor(QPoint(int(logical.x() * dpr), int(logical.y() * dpr)));
}

// The crosshair's orange (SliceAnnotations) over a black background.
bool isCrosshair(const QColor& c) {
  return c.red() > 150 && c.green() > 70 && c.green() < 190 && c.blue() < 60;
}

MaskVolume objectMask(const LabelVolume& labels, int label) {
  MaskVolume mask;
  mask.geometry = labels.geometry;
  mask.values.resize(labels.values.size());
  for (size_t v = 0; v < mask.values.size(); ++v)
    mask.values[v] = labels.values[v] == label ? 1 : 0;
  return mask;
}

// Air everywhere but a ball of blood-like HU, on a grid rotated about two axes.
struct ObliqueBall {
  CtVolume ct;
  VoxelIndex centre{40, 22, 20};
  double radiusVoxels = 6;
};

ObliqueBall obliqueBall() {
  ObliqueBall ball;
  ImageGeometry& g = ball.ct.geometry;
  g.size = {72, 60, 40};
  g.spacing = {1.0, 1.0, 1.5};
  g.origin = {-40, 25, 310};
  const double a = 0.5, b = -0.35; // Rz(a) * Rx(b), as an oblique cardiac acquisition
  const double ca = std::cos(a), sa = std::sin(a), cb = std::cos(b), sb = std::sin(b);
  g.direction = {ca, -sa * cb, sa * sb, sa, ca * cb, -ca * sb, 0, sb, cb};
  ball.ct.values.assign(g.voxels(), -1000);
  for (int64_t k = 0; k < g.size[2]; ++k)
    for (int64_t j = 0; j < g.size[1]; ++j)
      for (int64_t i = 0; i < g.size[0]; ++i) {
        const double d = std::hypot(double(i - ball.centre[0]), double(j - ball.centre[1]),
                                    double(k - ball.centre[2]) * 1.5);
        if (d <= ball.radiusVoxels)
          ball.ct.values[g.offset(i, j, k)] = 350;
      }
  return ball;
}

double physicalDistance(const ImageGeometry& g, const VoxelIndex& a, const VoxelIndex& b) {
  const Vec3 p = g.indexToPhysical({double(a[0]), double(a[1]), double(a[2])});
  const Vec3 q = g.indexToPhysical({double(b[0]), double(b[1]), double(b[2])});
  return std::hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

} // namespace

static QString readFileText(const QString& path) {
  QFile file(path);
  return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

class TestSegmentWorkspace : public QObject {
  Q_OBJECT
  std::unique_ptr<JobPool> pool_;
  std::unique_ptr<JobsDock> jobs_;
  std::unique_ptr<TrainingMonitorDock> monitor_;
  std::unique_ptr<WorkspaceServices> services_;
  std::unique_ptr<SegmentWorkspace> ws_;
  QString root_, study_;
  std::vector<MaskVolume> aortas_;

  SliceView2D* axial() const { return ws_->sliceView(SegmentViewGrid::Axial); }

  bool waitForMask() {
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 30000) {
      if (!ws_->session().isSegmenting() && ws_->session().resultIsCurrent() &&
          ws_->shownResult() == ws_->session().result())
        return true;
      QTest::qWait(20);
    }
    return false;
  }

  bool waitForImage(const std::string& id) {
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 30000) {
      if (!ws_->session().isLoading() && ws_->session().image() && ws_->session().imageId() == id)
        return true;
      QTest::qWait(20);
    }
    return false;
  }

  // A real mouse click on the voxel in the axial view, after showing its slice.
  void clickAxial(const VoxelIndex& ijk, Qt::KeyboardModifiers modifiers = Qt::NoModifier) {
    ws_->setCrosshair(ijk);
    axial()->grabRendered(); // picking needs a rendered viewport
    const QPointF at = axial()->voxelToWidget(double(ijk[0]), double(ijk[1]), double(ijk[2]));
    QTest::mouseClick(axial(), Qt::LeftButton, modifiers, at.toPoint());
  }

  int overlayPixels(SliceView2D* view) {
    const QImage image = view->grabRendered();
    return countPixels(image, SegmentViewGrid::certainColor()) +
           countPixels(image, SegmentViewGrid::uncertainColor());
  }

private Q_SLOTS:
  void initTestCase() {
    root_ = QString::fromStdString(test::freshDir("segment-gui"));
    study_ = root_ + "/study";
    QDir().mkpath(study_);
    SyntheticChestCtOptions options;
    options.size = {160, 160, 40};
    options.spacing = {2.2, 2.2, 6.0};
    for (int c = 0; c < kCases; ++c) {
      const auto chest = makeSyntheticChestCt(uint64_t(20 + c), options);
      writeCtVolume(
          QStringLiteral("%1/case_%2.nii.gz").arg(study_).arg(c, 3, 10, QChar('0')).toStdString(),
          chest.cta);
      aortas_.push_back(objectMask(chest.labels, kChestAorta));
    }

    pool_ = std::make_unique<JobPool>(2);
    jobs_ = std::make_unique<JobsDock>();
    monitor_ = std::make_unique<TrainingMonitorDock>();
    services_ = std::make_unique<WorkspaceServices>(*pool_, *jobs_, *monitor_);
    ws_ = std::make_unique<SegmentWorkspace>(*services_);
    ws_->resize(1500, 950);
    ws_->show();
    QVERIFY(QTest::qWaitForWindowExposed(ws_.get()));
    // Shortcuts (Ctrl+Z, Delete) only fire in the active window.
    ws_->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(ws_.get()));
  }

  void cleanupTestCase() {
    pool_->cancelAll();
    ws_.reset();
    services_.reset();
    pool_.reset();
  }

  void acceptsCtsAndStudiesNotLabelMaps() {
    const auto info = SegmentWorkspace::info();
    QCOMPARE(info.id, QStringLiteral("segment"));
    QVERIFY(info.accepts(study_));
    QVERIFY(info.accepts(study_ + "/case_001.nii.gz"));
    const QString hearts = root_ + "/hearts";
    SyntheticHeartOptions heart;
    heart.spacing = {4.0, 4.0, 4.0};
    const auto files = writeSyntheticHearts(hearts.toStdString(), 1, 0, heart);
    QVERIFY(!info.accepts(hearts));
    QVERIFY(!info.accepts(QString::fromStdString(files[0])));
    QVERIFY(!info.accepts(root_ + "/missing.nii.gz"));
    QString error;
    QVERIFY(!ws_->openPath(hearts, &error));
    QVERIFY2(error.contains("no CT volumes"), qPrintable(error));
  }

  void studyOpensItsFirstImageAndAClickSegments() {
    QString error;
    QVERIFY2(ws_->openPath(study_, &error), qPrintable(error));
    auto* table = ws_->studyPanel()->table();
    QTRY_COMPARE_WITH_TIMEOUT(table->rowCount(), kCases, 20000);
    QVERIFY(waitForImage("case_000")); // "first unlabeled" served it
    QCOMPARE(ws_->studyPanel()->currentImage(), QStringLiteral("case_000"));
    QCOMPARE(ws_->studyPanel()->finalText(0), QStringLiteral("—"));
    for (int slot = 0; slot < SegmentViewGrid::SliceViewCount; ++slot)
      QVERIFY(ws_->sliceView(SegmentViewGrid::ViewSlot(slot))->image() != nullptr);

    // One real click on the middle of the aorta, as a user does it.
    const PromptPoint aorta = initialClicks(aortas_[0], 1).front();
    clickAxial(aorta.ijk);
    QCOMPARE(int(ws_->session().points().size()), 1);
    QCOMPARE(ws_->session().points()[0].ijk, aorta.ijk);
    QVERIFY(ws_->session().points()[0].positive);
    QVERIFY(waitForMask());
    QVERIFY(ws_->shownResult()->voxels() > 0);
    qInfo("click to mask on screen: %.0f ms, segmentation %.0f ms", ws_->clickToMaskMs(),
          ws_->shownResult()->timings.totalMs);
    QVERIFY(ws_->maskPanel()->statusText().contains("voxels"));

    ws_->maskPanel()->setOpacity(1.0);
    QVERIFY2(overlayPixels(axial()) > 30, "the mask is drawn over the axial slice");
    // The coronal and sagittal views go through the clicked voxel, which the mask covers.
    for (auto slot : {SegmentViewGrid::Coronal, SegmentViewGrid::Sagittal})
      QVERIFY(overlayPixels(ws_->sliceView(slot)) > 10);
    QTRY_VERIFY_WITH_TIMEOUT(ws_->hasSurface(), 20000);
    qInfo("surface extraction: %.1f ms, %zu triangles", ws_->surfaceMs(),
          ws_->shownSurface()->triangleCount());
    ws_->maskPanel()->setOpacity(0.5);
    QTest::qWait(200);
    screenshot(ws_.get(), "segment_one_click.png");
  }

  void undoRemovesThePointAndTheMask() {
    axial()->setFocus();
    QTest::keyClick(axial(), Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(int(ws_->session().points().size()), 0);
    QTRY_VERIFY_WITH_TIMEOUT(ws_->shownResult() == nullptr, 10000);
    ws_->maskPanel()->setOpacity(1.0);
    QVERIFY(!axial()->hasOverlay());
    QVERIFY(overlayPixels(axial()) < 5); // CT greys never come close to the mask colours
    QTRY_VERIFY_WITH_TIMEOUT(!ws_->hasSurface(), 5000);
    QVERIFY(!ws_->maskPanel()->acceptButton()->isEnabled());

    QTest::keyClick(axial(), Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier); // redo
    QCOMPARE(int(ws_->session().points().size()), 1);
    QVERIFY(waitForMask());
    QVERIFY(overlayPixels(axial()) > 30);
    ws_->maskPanel()->setOpacity(0.5);
  }

  void moreClicksAMarkerDragAndDelete() {
    // The lowest and highest slices of the aorta as well (the simulated user's three clicks).
    // (the middle one is the point placed already: a click there selects its marker).
    const auto clicks = initialClicks(aortas_[0], 3);
    QCOMPARE(clicks[1].ijk, ws_->session().points()[0].ijk);
    clickAxial(clicks[0].ijk);
    clickAxial(clicks[2].ijk);
    QCOMPARE(ws_->selectedPoint(), 2);
    clickAxial(clicks[1].ijk); // on the marker: selects it, adds nothing
    QCOMPARE(ws_->selectedPoint(), 0);
    QCOMPARE(int(ws_->session().points().size()), 3);
    QVERIFY(waitForMask());
    QVERIFY2(diceScore(aortas_[0], ws_->shownResult()->mask) > 0.5,
             qPrintable(QString::number(diceScore(aortas_[0], ws_->shownResult()->mask))));

    // A negative point with Shift, then dragged by its marker, then deleted with the key.
    const VoxelIndex background{clicks[2].ijk[0] + 12, clicks[2].ijk[1], clicks[2].ijk[2]};
    clickAxial(background, Qt::ShiftModifier);
    QCOMPARE(int(ws_->session().points().size()), 4);
    QVERIFY(!ws_->session().points()[3].positive);
    QCOMPARE(ws_->selectedPoint(), 3);
    axial()->grabRendered();
    const QPointF from =
        axial()->voxelToWidget(double(background[0]), double(background[1]), double(background[2]));
    const VoxelIndex target{background[0] + 4, background[1] + 3, background[2]};
    const QPointF to =
        axial()->voxelToWidget(double(target[0]), double(target[1]), double(target[2]));
    QTest::mousePress(axial(), Qt::LeftButton, Qt::NoModifier, from.toPoint());
    QMouseEvent move(QEvent::MouseMove, to, axial()->mapToGlobal(to), Qt::NoButton, Qt::LeftButton,
                     Qt::NoModifier);
    QApplication::sendEvent(axial(), &move);
    QTest::mouseRelease(axial(), Qt::LeftButton, Qt::NoModifier, to.toPoint());
    QCOMPARE(ws_->session().points()[3].ijk, target);
    QCOMPARE(ws_->promptPanel()->table()->item(3, PromptPanel::I)->text(),
             QString::number(target[0]));

    QTest::keyClick(axial(), Qt::Key_Delete);
    QCOMPARE(int(ws_->session().points().size()), 3);
    QVERIFY(waitForMask());
    QTest::qWait(300);
    screenshot(ws_.get(), "segment_three_clicks.png");
  }

  void windowLevelAndSlices() {
    const auto& lung = ctWindowPresets()[1];
    ws_->setWindowPreset(1);
    QCOMPARE(axial()->window(), lung.window);
    QCOMPARE(ws_->sliceView(SegmentViewGrid::Sagittal)->level(), lung.level);
    // A right drag widens the window in every view and shows "Custom".
    const QPoint centre(axial()->width() / 2, axial()->height() / 2);
    QTest::mousePress(axial(), Qt::RightButton, Qt::NoModifier, centre);
    const QPointF right = centre + QPointF(60, 0);
    QMouseEvent drag(QEvent::MouseMove, right, axial()->mapToGlobal(right), Qt::NoButton,
                     Qt::RightButton, Qt::NoModifier);
    QApplication::sendEvent(axial(), &drag);
    QTest::mouseRelease(axial(), Qt::RightButton, Qt::NoModifier, right.toPoint());
    QVERIFY(axial()->window() > lung.window);
    QCOMPARE(ws_->sliceView(SegmentViewGrid::Coronal)->window(), axial()->window());
    QVERIFY(ws_->views()->windowPresetBox()->currentText().startsWith("Custom"));
    ws_->setWindowPreset(3); // CTA for the rest

    // The wheel pages the axial view; the crosshair, and the other views' lines, follow.
    const int before = axial()->slice();
    QWheelEvent wheel(QPointF(centre), axial()->mapToGlobal(QPointF(centre)), QPoint(),
                      QPoint(0, 120), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(axial(), &wheel);
    QCOMPARE(axial()->slice(), before + 1);
    QCOMPARE(ws_->crosshair()[2], int64_t(before + 1));
    QCOMPARE(ws_->sliceView(SegmentViewGrid::Coronal)->crosshair()[2], double(before + 1));
  }

  // Next Sample with a mask not accepted yet asks first; Cancel keeps the image, its points and
  // its mask.
  void nextAsksBeforeDiscardingAnUnacceptedMask() {
    QVERIFY(waitForMask());
    const auto points = ws_->session().points().size();
    QTest::mouseClick(ws_->studyPanel()->nextButton(), Qt::LeftButton);
    QMessageBox* question = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT(
        (question = ws_->findChild<QMessageBox*>(QStringLiteral("discardQuestion"))) &&
            question->isVisible(),
        5000);
    QVERIFY(question->text().contains("case_000"));
    QTest::mouseClick(question->button(QMessageBox::Cancel), Qt::LeftButton);
    QTRY_VERIFY(!ws_->findChild<QMessageBox*>(QStringLiteral("discardQuestion")));
    QTest::qWait(300);
    QCOMPARE(ws_->studyPanel()->currentImage(), QStringLiteral("case_000"));
    QCOMPARE(ws_->session().points().size(), points);
    QVERIFY(ws_->shownResult() && ws_->shownResult()->voxels() > 0);
  }

  void acceptWritesTheFinalLabelAndNextMovesOn() {
    QVERIFY(waitForMask());
    const int64_t voxels = ws_->shownResult()->voxels();
    QVERIFY(ws_->maskPanel()->acceptButton()->isEnabled());
    QTest::mouseClick(ws_->maskPanel()->acceptButton(), Qt::LeftButton);
    const QString final = study_ + "/labels/final/case_000.nii.gz";
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(final), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(ws_->studyPanel()->finalText(0), QStringLiteral("yes"), 20000);
    const auto saved = readCtVolume(final.toStdString());
    int64_t inside = 0;
    for (int16_t v : saved.values)
      inside += v != 0;
    QCOMPARE(inside, voxels);
    QVERIFY(ws_->maskPanel()->statusText().contains("final label"));
    QTest::qWait(200);
    screenshot(ws_.get(), "segment_accepted.png");

    QTest::mouseClick(ws_->studyPanel()->nextButton(), Qt::LeftButton);
    QVERIFY(waitForImage("case_001")); // the first image still unlabeled
    QCOMPARE(ws_->studyPanel()->currentImage(), QStringLiteral("case_001"));
    QVERIFY(ws_->session().points().empty());
    QVERIFY(ws_->shownResult() == nullptr);
    QVERIFY(!axial()->hasOverlay());

    // A row click opens that image, labelled or not.
    QTest::mouseClick(ws_->studyPanel()->table()->viewport(), Qt::LeftButton, Qt::NoModifier,
                      ws_->studyPanel()
                          ->table()
                          ->visualItemRect(ws_->studyPanel()->table()->item(2, StudyPanel::Image))
                          .center());
    QVERIFY(waitForImage("case_002"));
  }

  // With a final label in the study, Train starts the learned backend's training on it in the
  // background (its run in the study's models/propagator, curves in the Training Monitor);
  // cancelled, the button comes back.
  void trainLearnsFromTheStudysLabels() {
    QPushButton* train = ws_->maskPanel()->trainButton();
    QTRY_VERIFY_WITH_TIMEOUT(train->isEnabled(), 10000);
    QTest::mouseClick(train, Qt::LeftButton);
    const QString run = study_ + "/models/propagator";
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(run + "/config.yaml"), 20000);
    QVERIFY(!train->isEnabled());
    QVERIFY(readFileText(run + "/config.yaml").contains(study_));
    pool_->cancelAll();
    QTRY_VERIFY_WITH_TIMEOUT(train->isEnabled(), 60000);
    // A cancelled run keeps its last checkpoint to resume from, and the list offers it.
    QVERIFY(ws_->maskPanel()->backendBox()->findText(QStringLiteral("classical")) >= 0);
    const bool saved = QFileInfo::exists(run + "/checkpoints/last.pt");
    QTRY_COMPARE_WITH_TIMEOUT(
        ws_->maskPanel()->backendBox()->findText(QStringLiteral("learned")) >= 0, saved, 10000);
  }

  void aStudyImageOpensWithItsPrompts() {
    // What the demo does: a study image with prompts placed once it has loaded.
    ws_->openStudyImage(QStringLiteral("case_001"), initialClicks(aortas_[1], 3));
    QVERIFY(waitForImage("case_001"));
    QTRY_COMPARE_WITH_TIMEOUT(int(ws_->session().points().size()), 3, 10000);
    QVERIFY(waitForMask());
    QVERIFY(diceScore(aortas_[1], ws_->shownResult()->mask) > 0.5);
    QVERIFY(ws_->maskPanel()->acceptButton()->isEnabled());
  }

  // Model… : a TorchScript plug-in file of the user's segments the open image; a file that is
  // no model is refused with the reason and the backend stays.
  void aModelFileOfTheUsersSegments() {
    QVERIFY(waitForMask());
    const QString before = ws_->maskPanel()->backend();
    const QString junk = root_ + "/not-a-model.ts";
    QFile file(junk);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("not torchscript");
    file.close();
    QVERIFY(!ws_->useModelFile(junk));
    QCOMPARE(ws_->maskPanel()->backend(), before);
    QVERIFY(ws_->maskPanel()->statusText().contains("not-a-model.ts"));

    const QString plugin = root_ + "/threshold.ts";
    test::writeThresholdPlugin(plugin.toStdString(), 64);
    QVERIFY(ws_->useModelFile(plugin));
    QCOMPARE(ws_->maskPanel()->backend(), QStringLiteral("torchscript"));
    QVERIFY(waitForMask());
    QCOMPARE(ws_->shownResult()->backend, std::string("torchscript"));
    QVERIFY(diceScore(aortas_[1], ws_->shownResult()->mask) > 0.5);
    QVERIFY(ws_->maskPanel()->modelButton()->isEnabled());
    // Back to the built-in backend for the tests after this one.
    ws_->maskPanel()->setBackend(QStringLiteral("classical"));
    QVERIFY(waitForMask());
  }

  void aStudyFileOpensInItsStudyAndOthersLabelsAppear() {
    // A CT file of a study folder (one with its datastore_v2.json) opens as that study's image,
    // with the study listed.
    segment::Datastore{study_.toStdString()};
    QString error;
    QVERIFY2(ws_->openPath(study_ + "/case_002.nii.gz", &error), qPrintable(error));
    QVERIFY(waitForImage("case_002"));
    QTRY_COMPARE_WITH_TIMEOUT(ws_->studyPanel()->table()->rowCount(), kCases, 10000);
    QCOMPARE(ws_->studyPanel()->currentImage(), QStringLiteral("case_002"));
    const int row = ws_->studyPanel()->rowOf(QStringLiteral("case_002"));
    QCOMPARE(ws_->studyPanel()->finalText(row), QStringLiteral("—"));

    // Someone else (a MONAI Label server, a colleague's Lumen) saves a final label: the list
    // shows it within the refresh interval.
    {
      segment::Datastore other(study_.toStdString());
      const std::string mask = root_.toStdString() + "/other_mask.nii.gz";
      writeLabelMask(mask, aortas_[2]);
      other.saveLabel("case_002", mask, segment::kFinalTag, segment::Json::object(),
                      "case_002.nii.gz");
    }
    QTRY_COMPARE_WITH_TIMEOUT(ws_->studyPanel()->finalText(row), QStringLiteral("yes"), 10000);
  }

  void obliqueScanMapsClicksToItsVoxels() {
    const ObliqueBall ball = obliqueBall();
    const QString file = root_ + "/oblique/ball.nii.gz";
    QDir().mkpath(root_ + "/oblique");
    writeCtVolume(file.toStdString(), ball.ct);
    QString error;
    QVERIFY2(ws_->openPath(file, &error), qPrintable(error));
    QVERIFY(waitForImage(""));
    QVERIFY(ws_->studyPanel()->table()->rowCount() == 0); // not a study: no list
    const ImageGeometry& g = ws_->session().image()->geometry;
    // The axial view looks along k (nearest to S), coronal along j, sagittal along i.
    QCOMPARE(axial()->sliceAxis(), 2);
    QCOMPARE(ws_->sliceView(SegmentViewGrid::Coronal)->sliceAxis(), 1);
    QCOMPARE(ws_->sliceView(SegmentViewGrid::Sagittal)->sliceAxis(), 0);

    // Crosshair tool: a click on the ball's centre voxel moves the crosshair there; the other
    // views show that voxel's slices and their lines cross on it.
    ws_->setTool(PromptPanel::Tool::Crosshair);
    ws_->setWindowPreset(0);
    clickAxial({ball.centre[0], ball.centre[1], ball.centre[2]});
    QVERIFY(ws_->session().points().empty());
    QCOMPARE(ws_->crosshair(), ball.centre);
    auto* coronal = ws_->sliceView(SegmentViewGrid::Coronal);
    auto* sagittal = ws_->sliceView(SegmentViewGrid::Sagittal);
    QCOMPARE(coronal->slice(), int(ball.centre[1]));
    QCOMPARE(sagittal->slice(), int(ball.centre[0]));
    for (auto* view : {coronal, sagittal}) {
      const QImage image = view->grabRendered();
      // On the lines through the centre voxel, away from the bright ball: crosshair orange.
      const double i = double(ball.centre[0]), j = double(ball.centre[1]),
                   k = double(ball.centre[2]);
      const QPointF up = view->voxelToWidget(i, j, k + 14); // superior is up in both
      const QPointF side =
          view == coronal ? view->voxelToWidget(i + 16, j, k) : view->voxelToWidget(i, j + 16, k);
      QVERIFY2(isCrosshair(pixelAt(image, up)), qPrintable(pixelAt(image, up).name()));
      QVERIFY2(isCrosshair(pixelAt(image, side)), qPrintable(pixelAt(image, side).name()));
      const QPointF off = view->voxelToWidget(i + 9, j + 9, k + 9);
      QVERIFY2(!isCrosshair(pixelAt(image, off)), qPrintable(pixelAt(image, off).name()));
    }

    // Point tool: a click elsewhere in the ball lands on exactly that voxel.
    ws_->setTool(PromptPanel::Tool::Positive);
    const VoxelIndex inside{ball.centre[0] + 2, ball.centre[1] - 1, ball.centre[2]};
    clickAxial(inside);
    QCOMPARE(ws_->session().points().back().ijk, inside);
    QVERIFY(waitForMask());
    QVERIFY(ws_->shownResult()->voxels() > 100);
    // Not part of a study: Accept stays off, Save Mask writes a file.
    QVERIFY(!ws_->maskPanel()->acceptButton()->isEnabled());
    const QString maskFile = root_ + "/oblique/ball_mask.nii.gz";
    auto job = ws_->saveMask(maskFile);
    QTRY_VERIFY_WITH_TIMEOUT(job->finished(), 10000);
    const auto saved = readCtVolume(maskFile.toStdString()).geometry;
    for (size_t e = 0; e < 9; ++e)
      QVERIFY(std::abs(saved.direction[e] - g.direction[e]) < 1e-5);

    // The surface sits on the ball in physical space.
    QTRY_VERIFY_WITH_TIMEOUT(ws_->hasSurface(), 10000);
    const TriangleMesh& mesh = *ws_->shownSurface();
    Vec3 mean{0, 0, 0};
    for (size_t p = 0; p < mesh.points.size(); p += 3)
      for (size_t d = 0; d < 3; ++d)
        mean[d] += mesh.points[p + d] / double(mesh.vertexCount());
    const Vec3 centre =
        g.indexToPhysical({double(ball.centre[0]), double(ball.centre[1]), double(ball.centre[2])});
    QVERIFY2(std::hypot(mean[0] - centre[0], mean[1] - centre[1], mean[2] - centre[2]) < 2.0,
             qPrintable(QString("%1 %2 %3").arg(mean[0]).arg(mean[1]).arg(mean[2])));

    QTest::qWait(300);
    screenshot(ws_.get(), "segment_oblique.png");

    // A click on the 3D view where the ball's centre projects hits its surface (or a slice plane
    // through it): the point lands inside or on the ball, so the 3D scene is placed physically.
    ws_->view3D()->grabRendered();
    const QPointF projected = ws_->view3D()->worldToWidget(centre[0], centre[1], centre[2]);
    QTest::mouseClick(ws_->view3D(), Qt::LeftButton, Qt::NoModifier, projected.toPoint());
    QCOMPARE(int(ws_->session().points().size()), 2);
    const double distance = physicalDistance(g, ws_->session().points().back().ijk, ball.centre);
    QVERIFY2(distance < ball.radiusVoxels + 2.0, qPrintable(QString::number(distance)));
    QVERIFY(waitForMask());
  }

  void dicomFolderWithTwoSeriesAsksWhichOne() {
    const std::string folder = root_.toStdString() + "/dicom";
    fs::create_directories(folder);
    test::SeriesSpec thin, thick;
    thin.geometry.size = {32, 28, 12};
    thin.geometry.spacing = {1.0, 1.0, 1.0};
    thin.description = "thin";
    thick = thin;
    thick.uid = "1.2.826.0.1.3680043.2.1125.2";
    thick.description = "thick";
    thick.geometry.size = {32, 28, 6};
    thick.geometry.spacing = {1.0, 1.0, 2.0};
    test::writeSeries(folder, thin);
    // Another series in the same folder: file names must not collide.
    const std::string other = folder + "/thick";
    fs::create_directories(other);
    test::writeSeries(other, thick);
    for (const auto& entry : fs::directory_iterator(other))
      fs::rename(entry.path(), folder + "/B" + entry.path().filename().string());
    fs::remove(other);

    QVERIFY(SegmentWorkspace::info().accepts(QString::fromStdString(folder)));
    QString error;
    QVERIFY2(ws_->openPath(QString::fromStdString(folder), &error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(ws_->seriesDialog() != nullptr, 20000);
    SeriesDialog* dialog = ws_->seriesDialog();
    QCOMPARE(dialog->table()->rowCount(), 2);
    QTest::qWait(100);
    screenshot(dialog, "segment_series_dialog.png");
    const int thickRow = dialog->table()->item(0, 0)->text() == "thick" ? 0 : 1;
    dialog->selectSeries(thickRow);
    dialog->accept();
    QTRY_VERIFY_WITH_TIMEOUT(ws_->session().image() && !ws_->session().isLoading() &&
                                 ws_->session().image()->geometry.size[2] == 6,
                             20000);
    QCOMPARE(ws_->session().image()->geometry.spacing[2], 2.0);
  }
};

int main(int argc, char** argv) {
  VtkViewWidget::setDefaultSurfaceFormat();
  QApplication app(argc, argv);
  TestSegmentWorkspace test;
  return QTest::qExec(&test, argc, argv);
}
#include "TestSegmentWorkspace.moc"
