// The Shapes workspace on real synthetic hearts: opening the folder lists the cases with their
// classes; the selected case's class meshes appear in the class colours in the ground-truth
// view, follow the class table's "show" and "input" columns and share one camera; the overlay
// layout draws into one view; and Prepare, Train (two phases, the second from the first's
// checkpoint), Complete and Save run real jobs whose results reach the views, the metrics
// table and the disk.
#include "TestSupport.h"
#include "common/JobPool.h"
#include "io/NiftiIO.h"
#include "jobs/JobsDock.h"
#include "monitor/TrainingMonitorDock.h"
#include "shapes/CaseTable.h"
#include "shapes/ClassTable.h"
#include "shapes/CompletionPanel.h"
#include "shapes/MetricsTable.h"
#include "shapes/ShapeCaseData.h"
#include "shapes/ShapesWorkspace.h"
#include "shapes/SyntheticHeart.h"
#include "shapes/TrainingPanel.h"
#include "vtk/View3D.h"
#include "workspace/WorkspaceServices.h"

#include <QDir>
#include <QFile>
#include <QPushButton>
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <memory>
#include <vtkCamera.h>
#include <vtkRenderer.h>

using namespace lumen;

namespace {

// Pixels of a class's colour under shading: same hue and about the same saturation (diffuse
// shading scales all channels alike), not dark. Saturation tells the LV from the myocardium,
// whose hues are close; the view's low-saturation blue-grey background never counts.
int countClassPixels(const QImage& image, int label) {
  const auto rgb = heartClassColor(label);
  const QColor target(rgb[0], rgb[1], rgb[2]);
  const QImage pixels = image.convertToFormat(QImage::Format_RGB32);
  int count = 0;
  for (int y = 0; y < pixels.height(); ++y)
    for (int x = 0; x < pixels.width(); ++x) {
      const QColor c = pixels.pixelColor(x, y);
      if (c.hsvSaturationF() < 0.45 || c.value() < 50 ||
          std::abs(c.hsvSaturationF() - target.hsvSaturationF()) > 0.2)
        continue;
      const int dh = std::abs(c.hsvHue() - target.hsvHue());
      if (std::min(dh, 360 - dh) <= 10)
        ++count;
    }
  return count;
}

// Pixels that differ clearly from the view's gradient background at the same row, outside the
// orientation axes in the lower left corner.
int countForeground(const QImage& image) {
  const QImage pixels = image.convertToFormat(QImage::Format_RGB32);
  int count = 0;
  for (int y = 0; y < pixels.height(); ++y) {
    const QColor background = pixels.pixelColor(pixels.width() - 2, y);
    const bool axesRow = y > pixels.height() * 3 / 4;
    for (int x = axesRow ? pixels.width() / 4 : 0; x < pixels.width(); ++x) {
      const QColor c = pixels.pixelColor(x, y);
      if (std::abs(c.red() - background.red()) + std::abs(c.green() - background.green()) +
              std::abs(c.blue() - background.blue()) >
          60)
        ++count;
    }
  }
  return count;
}

void screenshot(QWidget* widget, const QString& name) {
  if (qEnvironmentVariableIsSet("LUMEN_SCREENSHOT_DIR"))
    widget->grab().save(qEnvironmentVariable("LUMEN_SCREENSHOT_DIR") + "/" + name);
}

bool waitFor(const JobPtr& job, int timeoutMs) {
  QElapsedTimer timer;
  timer.start();
  while (!job->finished() && timer.elapsed() < timeoutMs)
    QTest::qWait(50);
  // One more turn of the event loop lets the workspace run its continuation.
  QTest::qWait(400);
  return job->finished();
}

} // namespace

class TestShapesWorkspace : public QObject {
  Q_OBJECT
  std::unique_ptr<JobPool> pool_;
  std::unique_ptr<JobsDock> jobs_;
  std::unique_ptr<TrainingMonitorDock> monitor_;
  std::unique_ptr<WorkspaceServices> services_;
  std::unique_ptr<ShapesWorkspace> ws_;
  QString root_, hearts_;
  std::vector<std::string> files_;

private Q_SLOTS:
  void initTestCase() {
    root_ = QString::fromStdString(test::freshDir("shapes-gui"));
    hearts_ = root_ + "/hearts";
    SyntheticHeartOptions options;
    options.spacing = {2.0, 2.0, 2.0};
    files_ = writeSyntheticHearts(hearts_.toStdString(), 3, 11, options);
    QCOMPARE(int(files_.size()), 3);

    pool_ = std::make_unique<JobPool>(2);
    jobs_ = std::make_unique<JobsDock>();
    monitor_ = std::make_unique<TrainingMonitorDock>();
    services_ = std::make_unique<WorkspaceServices>(*pool_, *jobs_, *monitor_);
    ws_ = std::make_unique<ShapesWorkspace>(*services_);
    ws_->resize(1700, 1000);
    ws_->show();
    QVERIFY(QTest::qWaitForWindowExposed(ws_.get()));
  }

  void cleanupTestCase() {
    pool_->cancelAll();
    ws_.reset();
    services_.reset();
    pool_.reset();
  }

  void acceptsLabelMapsAndTheirFolders() {
    const auto info = ShapesWorkspace::info();
    QCOMPARE(info.id, QStringLiteral("shapes"));
    QCOMPARE(info.title, QStringLiteral("Shapes"));
    QVERIFY(info.accepts(hearts_));
    QVERIFY(info.accepts(QString::fromStdString(files_[0])));
    const QString empty = QString::fromStdString(test::freshDir("shapes-gui-empty"));
    QVERIFY(!info.accepts(empty));
    QVERIFY(!info.accepts(empty + "/missing.nii.gz"));
    QString error;
    QVERIFY(!ws_->openPath(empty, &error));
    QVERIFY2(error.contains("no label maps"), qPrintable(error));
  }

  void opensTheFolderWithEachCasesClasses() {
    QString error;
    // A single file lists its folder and opens that case.
    QVERIFY2(ws_->openPath(QString::fromStdString(files_[1]), &error), qPrintable(error));
    auto* cases = ws_->caseTable();
    QCOMPARE(cases->rowCount(), 3);
    QCOMPARE(ws_->currentCase(), 1);
    for (int row = 0; row < 3; ++row)
      QTRY_VERIFY_WITH_TIMEOUT(!cases->classesText(row).isEmpty(), 30000);
    QCOMPARE(cases->classesText(0), QStringLiteral("Myo LA LV RA RV Aorta PA LAA Coronary PV"));
    QTRY_VERIFY_WITH_TIMEOUT(ws_->loadedCase() != nullptr, 30000);
    QCOMPARE(QString::fromStdString(ws_->loadedCase()->path),
             QFileInfo(QString::fromStdString(files_[1])).absoluteFilePath());
    QCOMPARE(int(ws_->loadedCase()->present.count()), kHeartClasses);
    for (int c = 1; c <= kHeartClasses; ++c)
      QVERIFY2(!ws_->loadedCase()->meshes[size_t(c - 1)].triangles.empty(),
               heartClassName(c).c_str());
    QCOMPARE(ws_->classTable()->present(), ws_->loadedCase()->present);

    // Selecting another row loads that case.
    ws_->selectCase(0);
    QTRY_VERIFY_WITH_TIMEOUT(
        ws_->loadedCase() && QString::fromStdString(ws_->loadedCase()->path)
                                 .endsWith(QFileInfo(QString::fromStdString(files_[0])).fileName()),
        30000);
    QCOMPARE(ws_->currentCase(), 0);
    QTest::qWait(300);
    screenshot(ws_.get(), "shapes_workspace.png");
  }

  void classMapMapsOtherDatasets() {
    // An MM-WHS style map (challenge values) of three classes: Myo 205, LV 500, RV 600.
    const QString dir = QString::fromStdString(test::freshDir("shapes-gui-mmwhs"));
    LabelVolume labels = readLabelVolume(files_[0]);
    for (int32_t& v : labels.values)
      v = v == kMyocardium ? 205 : v == kLeftVentricle ? 500 : v == kRightVentricle ? 600 : 0;
    writeLabelVolume((dir + "/mmwhs_case.nii.gz").toStdString(), labels);

    ws_->setClassMap("mmwhs7");
    QString error;
    QVERIFY2(ws_->openPath(dir, &error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(!ws_->caseTable()->classesText(0).isEmpty(), 30000);
    QCOMPARE(ws_->caseTable()->classesText(0), QStringLiteral("Myo · LV · RV · · · · ·"));
    QTRY_VERIFY_WITH_TIMEOUT(ws_->loadedCase() != nullptr, 30000);
    QCOMPARE(ws_->classTable()->present(),
             classSetOf(std::vector<int>{kMyocardium, kLeftVentricle, kRightVentricle}));
    QVERIFY(!(ws_->classTable()->item(kAorta - 1, ClassTable::Input)->flags() &
              Qt::ItemIsEnabled)); // absent classes are greyed out
    QVERIFY(countClassPixels(ws_->truthView()->grabRendered(), kRightVentricle) > 100);
    QCOMPARE(countClassPixels(ws_->truthView()->grabRendered(), kAorta), 0);

    // heart10 does not know 205..600: the case is marked unreadable and nothing is shown.
    ws_->setClassMap("heart10");
    QTRY_VERIFY_WITH_TIMEOUT(
        ws_->caseTable()->item(0, CaseTable::Classes)->text().startsWith("cannot read"), 30000);
    QTRY_VERIFY_WITH_TIMEOUT(ws_->loadedCase() == nullptr, 30000);
    QCOMPARE(countClassPixels(ws_->truthView()->grabRendered(), kRightVentricle), 0);

    // Back to the synthetic hearts.
    QVERIFY(ws_->openPath(hearts_, &error));
    QTRY_VERIFY_WITH_TIMEOUT(ws_->loadedCase() != nullptr, 30000);
    QTest::qWait(200);
  }

  void truthViewDrawsClassColoursAndFollowsShow() {
    auto* truth = ws_->truthView();
    const QImage image = truth->grabRendered();
    QVERIFY(!image.isNull());
    const int area = image.width() * image.height();
    for (int c : {int(kAorta), int(kPulmonaryArtery), int(kLeftAtrium)}) {
      const int pixels = countClassPixels(image, c);
      QVERIFY2(pixels > area / 400, qPrintable(QStringLiteral("%1: %2 of %3 pixels")
                                                   .arg(heartClassName(c).c_str())
                                                   .arg(pixels)
                                                   .arg(area)));
    }
    // The corners show the background, not a class.
    QVERIFY(image.pixelColor(image.width() - 3, 3).hsvSaturationF() < 0.45);

    const int aorta = countClassPixels(image, kAorta);
    ws_->classTable()->setShown(kAorta, false);
    const int hidden = countClassPixels(truth->grabRendered(), kAorta);
    QVERIFY2(hidden < aorta / 20, qPrintable(QStringLiteral("%1 -> %2").arg(aorta).arg(hidden)));
    ws_->classTable()->setShown(kAorta, true);
    QCOMPARE(countClassPixels(truth->grabRendered(), kAorta), aorta);

    // Opacity 0 takes a class out too; the myocardium hides most of the LV cavity.
    const int lv = countClassPixels(truth->grabRendered(), kLeftVentricle);
    ws_->classTable()->setOpacity(kMyocardium, 0.0);
    const int uncovered = countClassPixels(truth->grabRendered(), kLeftVentricle);
    QVERIFY2(uncovered > lv + area / 400,
             qPrintable(QStringLiteral("LV %1 -> %2").arg(lv).arg(uncovered)));
    ws_->classTable()->setOpacity(kMyocardium, 1.0);
  }

  void inputViewShowsOnlyInputClasses() {
    ws_->setInputClasses({1, 2, 3, 4, 5, 7, 8, 9, 10}); // the aorta is to be completed
    QCOMPARE(ws_->classTable()->inputClasses(),
             classSetOf(std::vector<int>{1, 2, 3, 4, 5, 7, 8, 9, 10}));
    QTest::qWait(100);
    const int inInput = countClassPixels(ws_->inputView()->grabRendered(), kAorta);
    const int inTruth = countClassPixels(ws_->truthView()->grabRendered(), kAorta);
    QVERIFY2(inTruth > 100 && inInput < inTruth / 20,
             qPrintable(QStringLiteral("input %1 truth %2").arg(inInput).arg(inTruth)));
    QVERIFY(countClassPixels(ws_->inputView()->grabRendered(), kPulmonaryArtery) > 100);
    ws_->setInputClasses({1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  }

  void viewsShareOneCamera() {
    for (View3D* view : {ws_->inputView(), ws_->completionView(), ws_->truthView()})
      QCOMPARE(view->renderer()->GetActiveCamera(), ws_->sharedCamera());
    auto* truth = ws_->truthView();
    const QImage before = truth->grabRendered();
    // A drag in the input view turns the camera the ground-truth view renders with.
    auto* input = ws_->inputView();
    const QPoint centre = input->rect().center();
    QTest::mousePress(input, Qt::LeftButton, {}, centre);
    for (int i = 1; i <= 5; ++i)
      QTest::mouseMove(input, centre + QPoint(15 * i, 0), 10);
    QTest::mouseRelease(input, Qt::LeftButton, {}, centre + QPoint(75, 0));
    QVERIFY(truth->grabRendered() != before);

    // Reset View looks at the heart from the front again (LPS: anterior is -y).
    QPushButton* reset = nullptr;
    for (auto* button : ws_->findChildren<QPushButton*>())
      if (button->text() == QStringLiteral("Reset View"))
        reset = button;
    QVERIFY(reset);
    QTest::mouseClick(reset, Qt::LeftButton);
    double position[3], focus[3];
    ws_->sharedCamera()->GetPosition(position);
    ws_->sharedCamera()->GetFocalPoint(focus);
    QVERIFY(focus[1] - position[1] >
            0.99 *
                std::hypot(focus[0] - position[0], focus[1] - position[1], focus[2] - position[2]));
  }

  void overlayDrawsInOneView() {
    ws_->setInputClasses({1, 2, 3, 4, 5});
    ws_->setViewLayout(ShapesWorkspace::Overlay);
    QTest::qWait(200);
    QVERIFY(!ws_->inputView()->isVisible());
    QVERIFY(!ws_->truthView()->isVisible());
    QVERIFY(ws_->completionView()->isVisible());
    // Before a completion: the input classes solid, the ones to complete as wireframe.
    const QImage overlay = ws_->completionView()->grabRendered();
    QVERIFY(countClassPixels(overlay, kRightVentricle) > 100);
    QVERIFY(countForeground(overlay) > overlay.width() * overlay.height() / 100);
    screenshot(ws_.get(), "shapes_workspace_overlay.png");
    ws_->setViewLayout(ShapesWorkspace::SideBySide);
    QTest::qWait(200);
    QVERIFY(ws_->truthView()->isVisible());
    // Without a completion the completion view is empty in the side-by-side layout.
    const QImage empty = ws_->completionView()->grabRendered();
    QCOMPARE(countForeground(empty), 0);
  }

  void prepareTrainCompleteAndSave() {
    const QString prepared = root_ + "/hearts-prepared";
    JobPtr prepare = ws_->startPreparation(hearts_, prepared);
    QVERIFY(waitFor(prepare, 120000));
    QVERIFY2(prepare->state() == JobState::Succeeded, prepare->errorMessage().c_str());
    QVERIFY(QFile::exists(prepared + "/train.csv"));
    QCOMPARE(ws_->trainingPanel()->preparedDir(), prepared);
    QVERIFY(ws_->trainingPanel()->trainButton()->isEnabled());

    // Enough steps that the model predicts the large chambers, so the checks below can fail.
    const std::vector<std::string> tiny = {"trainer.epochs=150",
                                           "trainer.validate_every=50",
                                           "trainer.schedule.warmup_steps=5",
                                           "trainer.optimizer.lr=0.003",
                                           "model.width=32",
                                           "model.latents=16",
                                           "model.depth=1",
                                           "model.heads=2",
                                           "data.input_points=256",
                                           "data.queries=256",
                                           "data.cached_queries=2048",
                                           "data.val_queries=512"};
    QCOMPARE(ws_->initCheckpointFor(1, prepared), QString());
    JobPtr phase1 = ws_->startTraining(1, prepared, {}, tiny);
    const QString run1 = ws_->lastRunDir();
    QVERIFY2(run1.startsWith(root_ + "/runs/shapes-p1-"), qPrintable(run1));
    QVERIFY(waitFor(phase1, 180000));
    QVERIFY2(phase1->state() == JobState::Succeeded, phase1->errorMessage().c_str());
    QCOMPARE(ws_->checkpoint(), run1 + "/checkpoints/best.pt");

    // Phase 2 starts from phase 1's checkpoint, with its architecture whatever the overrides.
    QCOMPARE(ws_->initCheckpointFor(2, prepared), run1 + "/checkpoints/best.pt");
    JobPtr phase2 = ws_->startTraining(2, prepared, ws_->initCheckpointFor(2, prepared),
                                       {"trainer.epochs=1"}, root_ + "/runs/phase2");
    QVERIFY(waitFor(phase2, 180000));
    QVERIFY2(phase2->state() == JobState::Succeeded, phase2->errorMessage().c_str());
    QCOMPARE(ws_->checkpoint(), root_ + "/runs/phase2/checkpoints/best.pt");
    QVERIFY(test::readText((root_ + "/runs/phase2/config.yaml").toStdString()).find("width: 32") !=
            std::string::npos);

    ws_->completionPanel()->setResolution(48);
    ws_->setInputClasses({1, 2, 3, 4, 5, 7, 8, 9, 10});
    QVERIFY(ws_->completionPanel()->completeButton()->isEnabled());
    JobPtr complete = ws_->startCompletion();
    QVERIFY(!ws_->completionPanel()->completeButton()->isEnabled()); // one at a time
    QVERIFY(waitFor(complete, 180000));
    QVERIFY2(complete->state() == JobState::Succeeded, complete->errorMessage().c_str());
    QVERIFY(ws_->completion() != nullptr);
    QVERIFY(ws_->completionPanel()->completeButton()->isEnabled());

    auto* metrics = ws_->metricsTable();
    QCOMPARE(metrics->rowCount(), kHeartClasses);
    for (int row = 0; row < metrics->rowCount(); ++row) {
      const QString name = metrics->item(row, MetricsTable::Class)->text();
      QCOMPARE(name, QString::fromStdString(heartClassName(row + 1)));
      const double dice = metrics->value(row, MetricsTable::Dice);
      QVERIFY2(std::isfinite(dice) && dice >= 0.0 && dice <= 1.0,
               qPrintable(QStringLiteral("%1: %2").arg(name).arg(dice)));
      QCOMPARE(metrics->item(row, MetricsTable::Role)->text(),
               row + 1 == kAorta ? QStringLiteral("completed") : QStringLiteral("visible"));
    }
    // The table shows what was computed: the first row's Dice is the core's score.
    QCOMPARE(metrics->value(0, MetricsTable::Dice), ws_->completion()->scores[0].dice);
    QVERIFY(ws_->completion()->hidden == classSetOf(std::vector<int>{kAorta}));

    // The trained model predicts the chambers it was shown, and the prediction is drawn.
    int64_t predicted = 0;
    for (const auto& s : ws_->completion()->scores)
      predicted += s.predictedVoxels;
    QVERIFY2(predicted > 0, "the trained model predicts no voxel at all");
    int overlapping = 0;
    for (const auto& s : ws_->completion()->scores)
      overlapping += s.label != kAorta && s.dice > 0.05;
    QVERIFY2(overlapping >= 3,
             qPrintable(QStringLiteral("%1 visible classes overlap their truth").arg(overlapping)));
    QVERIFY(countForeground(ws_->completionView()->grabRendered()) > 0);
    screenshot(ws_.get(), "shapes_workspace_completed.png");

    const QString out = root_ + "/completed/heart_completed.nii.gz";
    JobPtr save = ws_->saveCompletion(out);
    QVERIFY(waitFor(save, 60000));
    QVERIFY2(save->state() == JobState::Succeeded, save->errorMessage().c_str());
    const LabelVolume saved = readLabelVolume(out.toStdString());
    QCOMPARE(saved.geometry.size, ws_->loadedCase()->labels.geometry.size);
    QVERIFY(saved.values == ws_->completion()->result.labels.values);
    QVERIFY(!QDir(root_ + "/completed/heart_completed_meshes").entryList({"*.vtp"}).isEmpty());

    // Completing right after selecting another case completes that case once it has loaded.
    ws_->selectCase(2);
    JobPtr next = ws_->startCompletion();
    QVERIFY(waitFor(next, 180000));
    QVERIFY2(next->state() == JobState::Succeeded, next->errorMessage().c_str());
    QCOMPARE(QString::fromStdString(ws_->loadedCase()->path),
             QFileInfo(QString::fromStdString(files_[2])).absoluteFilePath());
    QVERIFY(ws_->completion() != nullptr);
    // Scored on the case's prepared grid, as `shapes eval` scores it.
    const auto& truth = ws_->completion()->result.prepared.grid.labels;
    QCOMPARE(ws_->completion()->scores[0].truthVoxels,
             int64_t(std::count(truth.begin(), truth.end(), uint8_t(kMyocardium))));
    QCOMPARE(ws_->completion()->result.labels.geometry.size,
             ws_->loadedCase()->labels.geometry.size);

    // The same state in a small window (docs): the views keep most of the height.
    ws_->resize(1000, 600);
    QTest::qWait(300);
    QVERIFY(ws_->truthView()->height() > ws_->metricsTable()->height());
    screenshot(ws_.get(), "shapes_workspace_small.png");
  }
};

int main(int argc, char** argv) {
  VtkViewWidget::setDefaultSurfaceFormat();
  QApplication app(argc, argv);
  TestShapesWorkspace test;
  return QTest::qExec(&test, argc, argv);
}
#include "TestShapesWorkspace.moc"
