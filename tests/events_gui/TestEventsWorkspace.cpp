// The Events workspace on a real synthetic pair: opening the noisy file loads it with its clean
// partner; the statistics, the 3D clouds (red and blue events, linked cameras), the frame with
// playback and the voxel tiles show the data; Train and Denoise run real jobs whose result opens
// in the "denoised" slot.
#include "TestSupport.h"
#include "common/JobPool.h"
#include "events/EventCloudView.h"
#include "events/EventFile.h"
#include "events/EventFrameView.h"
#include "events/EventStreamPanel.h"
#include "events/EventsWorkspace.h"
#include "events/SyntheticEvents.h"
#include "events/VoxelTilesView.h"
#include "jobs/JobsDock.h"
#include "monitor/TrainingMonitorDock.h"
#include "vtk/VtkViewWidget.h"
#include "workspace/WorkspaceServices.h"

#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QtTest>
#include <memory>
#include <vtkCamera.h>
#include <vtkRenderer.h>

using namespace lumen;

namespace {

struct ColourCounts {
  int red = 0, blue = 0;
};

ColourCounts countColours(const QImage& image) {
  ColourCounts counts;
  const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
  for (int y = 0; y < rgb.height(); ++y)
    for (int x = 0; x < rgb.width(); ++x) {
      const QColor c = rgb.pixelColor(x, y);
      if (c.red() > 120 && c.red() > c.blue() + 60 && c.red() > c.green() + 40)
        ++counts.red;
      if (c.blue() > 120 && c.blue() > c.red() + 60)
        ++counts.blue;
    }
  return counts;
}

bool isRedOrBlue(QColor c) {
  return (c.red() > c.blue() + 60 && c.red() > 120) || (c.blue() > c.red() + 60 && c.blue() > 120);
}

void screenshot(QWidget* widget, const QString& name) {
  if (qEnvironmentVariableIsSet("LUMEN_SCREENSHOT_DIR"))
    widget->grab().save(qEnvironmentVariable("LUMEN_SCREENSHOT_DIR") + "/" + name);
}

} // namespace

class TestEventsWorkspace : public QObject {
  Q_OBJECT
  std::unique_ptr<JobPool> pool_;
  std::unique_ptr<JobsDock> jobs_;
  std::unique_ptr<TrainingMonitorDock> monitor_;
  std::unique_ptr<WorkspaceServices> services_;
  std::unique_ptr<EventsWorkspace> ws_;
  QString noisy_, clean_;

private Q_SLOTS:
  void initTestCase() {
    const std::string dir = test::freshDir("events-gui");
    SyntheticEventConfig config;
    config.width = 96;
    config.height = 64;
    // Five pairs: training holds a fifth of the files out for validation.
    QVERIFY(writeSyntheticEventDataset(dir, 5, 7, config) > 0);
    const QDir noisyDir(QString::fromStdString(dir) + "/" + kNoisyFolder);
    const QStringList files = noisyDir.entryList({"*.h5"}, QDir::Files);
    QCOMPARE(files.size(), 5);
    noisy_ = noisyDir.absoluteFilePath(files.first());
    clean_ = QDir::cleanPath(noisyDir.absolutePath() + "/../" + kCleanFolder + "/" + files.first());
    QVERIFY(QFile::exists(clean_));

    pool_ = std::make_unique<JobPool>(2);
    jobs_ = std::make_unique<JobsDock>();
    monitor_ = std::make_unique<TrainingMonitorDock>();
    services_ = std::make_unique<WorkspaceServices>(*pool_, *jobs_, *monitor_);
    ws_ = std::make_unique<EventsWorkspace>(*services_);
    ws_->resize(1500, 950);
    ws_->show();
    QVERIFY(QTest::qWaitForWindowExposed(ws_.get()));
  }

  void cleanupTestCase() {
    pool_->cancelAll();
    ws_.reset();
    services_.reset();
    pool_.reset();
  }

  void aBrokenFileIsReportedInItsSlot() {
    const auto info = EventsWorkspace::info();
    QCOMPARE(info.id, QStringLiteral("events"));
    QVERIFY(info.accepts(noisy_));
    QVERIFY(!info.accepts(QStringLiteral("/nonexistent/rec.aedat4")));
    // Accepted by name (File > Open never reads a file on the UI thread); the load job finds
    // out what it holds and the slot says so.
    const QString other =
        QString::fromStdString(test::freshDir("events-gui-other")) + "/not-events.h5";
    QFile file(other);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("not hdf5");
    file.close();
    QVERIFY(info.accepts(other));
    QSignalSpy status(ws_.get(), &Workspace::statusMessage);
    QString error;
    QVERIFY2(ws_->openPath(other, &error), qPrintable(error));
    auto* noisy = ws_->panel(EventsWorkspace::Noisy);
    QTRY_VERIFY_WITH_TIMEOUT(noisy->statsLabel()->text().contains("not an HDF5 file"), 10000);
    QVERIFY(!noisy->hasStream());
    bool reported = false;
    for (const auto& args : status)
      reported = reported || args.at(0).toString().contains("Cannot open " + other);
    QVERIFY(reported);
    // A folder is no recording: refused at once with its reason.
    QVERIFY(!ws_->openPath(QFileInfo(other).absolutePath(), &error));
    QVERIFY2(error.contains("is a folder"), qPrintable(error));
  }

  void opensNoisyFileWithItsCleanPartner() {
    QString error;
    QVERIFY2(ws_->openPath(noisy_, &error), qPrintable(error));
    auto* noisy = ws_->panel(EventsWorkspace::Noisy);
    auto* clean = ws_->panel(EventsWorkspace::Clean);
    QTRY_VERIFY_WITH_TIMEOUT(noisy->hasStream() && clean->hasStream(), 20000);
    const uint64_t count = EventFileReader(noisy_.toStdString()).size();
    QVERIFY(count > 100);
    const QString grouped = QLocale(QLocale::English).toString(qulonglong(count));
    QVERIFY2(noisy->statsLabel()->text().contains(grouped),
             qPrintable(noisy->statsLabel()->text()));
    QVERIFY(noisy->statsLabel()->text().contains(QStringLiteral("96 × 64")));
    QCOMPARE(QFileInfo(QString::fromStdString(clean->stream().path)).canonicalFilePath(),
             QFileInfo(clean_).canonicalFilePath());
    QVERIFY(clean->stream().stats.numEvents < count); // the noise is gone from the clean stream
    QVERIFY(!ws_->panel(EventsWorkspace::Denoised)->hasStream());
    QVERIFY(ws_->trainButton()->isEnabled());
    QTest::qWait(300);
    screenshot(ws_.get(), "events_workspace.png");
  }

  void cloudShowsRedAndBlueEvents() {
    auto* cloud = ws_->panel(EventsWorkspace::Noisy)->cloud();
    QVERIFY(cloud->displayedPoints() > 100);
    QVERIFY(cloud->displayedPoints() <= EventCloudView::maxPoints());
    const QImage image = cloud->grabRendered();
    QVERIFY(!image.isNull());
    const ColourCounts counts = countColours(image);
    QVERIFY2(counts.red > 50 && counts.blue > 50,
             qPrintable(QStringLiteral("red %1 blue %2").arg(counts.red).arg(counts.blue)));
    QVERIFY(!isRedOrBlue(image.pixelColor(2, 2)));
    QVERIFY(!isRedOrBlue(image.pixelColor(image.width() - 3, 2)));
  }

  void timeRangeReselectsEvents() {
    auto* cloud = ws_->panel(EventsWorkspace::Noisy)->cloud();
    const size_t all = cloud->eventsInRange();
    const int64_t t0 = ws_->rangeStart(), t1 = ws_->rangeEnd();
    QVERIFY(t1 > ws_->panel(EventsWorkspace::Noisy)->stream().stats.tLast);
    ws_->setTimeRange(t0 + 10000, t0 + 30000);
    QVERIFY(cloud->eventsInRange() > 0);
    QVERIFY(cloud->eventsInRange() < all);
    const auto& events = *ws_->panel(EventsWorkspace::Noisy)->stream().events;
    QCOMPARE(cloud->eventsInRange(), events.lowerBound(t0 + 30000) - events.lowerBound(t0 + 10000));
    ws_->setTimeRange(t0, t1);
    QCOMPARE(cloud->eventsInRange(), all);
  }

  void linkedCamerasMoveTogether() {
    auto* noisy = ws_->panel(EventsWorkspace::Noisy)->cloud();
    auto* clean = ws_->panel(EventsWorkspace::Clean)->cloud();
    QCOMPARE(noisy->renderer()->GetActiveCamera(), clean->renderer()->GetActiveCamera());
    QCOMPARE(noisy->renderer()->GetActiveCamera(), ws_->sharedCamera());
    const QImage before = clean->grabRendered();
    ws_->sharedCamera()->Azimuth(30);
    const QImage after = clean->grabRendered();
    QVERIFY(before != after);
    // A mouse drag in the noisy view turns the camera the clean view renders with.
    double position[3];
    ws_->sharedCamera()->GetPosition(position);
    const QPoint centre = noisy->rect().center();
    QTest::mousePress(noisy, Qt::LeftButton, {}, centre);
    for (int i = 1; i <= 5; ++i)
      QTest::mouseMove(noisy, centre + QPoint(12 * i, 0), 10);
    QTest::mouseRelease(noisy, Qt::LeftButton, {}, centre + QPoint(60, 0));
    double moved[3];
    ws_->sharedCamera()->GetPosition(moved);
    QVERIFY(moved[0] != position[0] || moved[2] != position[2]);
    QVERIFY(clean->grabRendered() != after);
    ws_->panel(EventsWorkspace::Noisy)->cloud()->resetView();
  }

  void frameShowsWindowAndPlays() {
    auto* frame = ws_->frameView();
    QCOMPARE(frame->windowUs(), int64_t(20000));
    const auto& events = *ws_->panel(EventsWorkspace::Noisy)->stream().events;
    frame->setTime(events.t.front());
    const QImage first = frame->image();
    QCOMPARE(first.size(), QSize(96, 64));
    const ColourCounts counts = countColours(first);
    QVERIFY2(counts.red > 0 && counts.blue > 0,
             qPrintable(QStringLiteral("red %1 blue %2").arg(counts.red).arg(counts.blue)));
    QTest::mouseClick(frame->playButton(), Qt::LeftButton);
    QVERIFY(frame->isPlaying());
    QTRY_VERIFY_WITH_TIMEOUT(frame->time() != events.t.front(), 2000);
    QTest::mouseClick(frame->playButton(), Qt::LeftButton);
    QVERIFY(!frame->isPlaying());
    QVERIFY(frame->image() != first);
    frame->setTime(events.t.front() + 20000);
  }

  void voxelTilesShowTheWindow() {
    auto* tiles = ws_->voxelTiles();
    QCOMPARE(int(tiles->tiles().size()), tiles->bins());
    int nonBlank = 0;
    for (const QImage& tile : tiles->tiles()) {
      QCOMPARE(tile.size(), QSize(96, 64));
      const ColourCounts counts = countColours(tile);
      if (counts.red + counts.blue > 0)
        ++nonBlank;
    }
    QVERIFY2(nonBlank >= tiles->bins() - 1, qPrintable(QString::number(nonBlank)));
    QTest::qWait(200);
    screenshot(ws_.get(), "events_workspace_frame.png");
  }

  void trainThenDenoiseOpensTheResult() {
    QTest::mouseClick(ws_->trainButton(), Qt::LeftButton);
    const QString runDir = ws_->lastRunDir();
    QVERIFY(!runDir.isEmpty());
    QVERIFY(runDir.contains("/runs/events-"));
    QCOMPARE(jobs_->rowCount(), 1);
    // While it trains, a second click would only start a second run: the button says so.
    QVERIFY(!ws_->trainButton()->isEnabled());
    QVERIFY_THROWS_EXCEPTION(InputError, ws_->startTraining());
    JobPtr job = jobs_->job(0);
    // A short run is enough to test the wiring: stop it once it has a checkpoint.
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(runDir + "/config.yaml"), 60000);
    QTRY_VERIFY_WITH_TIMEOUT(job->finished() || QFile::exists(runDir + "/checkpoints/best.pt"),
                             240000);
    job->requestCancel();
    QTRY_VERIFY_WITH_TIMEOUT(job->finished(), 60000);
    QVERIFY2(job->state() != JobState::Failed, job->errorMessage().c_str());
    const QString checkpoint = runDir + "/checkpoints/best.pt";
    QVERIFY(QFile::exists(checkpoint));

    JobPtr infer = ws_->startInference(checkpoint);
    QTRY_VERIFY_WITH_TIMEOUT(infer->finished(), 120000);
    QVERIFY2(infer->state() == JobState::Succeeded, infer->errorMessage().c_str());
    auto* denoised = ws_->panel(EventsWorkspace::Denoised);
    QTRY_VERIFY_WITH_TIMEOUT(denoised->hasStream(), 20000);
    QCOMPARE(QString::fromStdString(denoised->stream().path),
             EventsWorkspace::denoisedPathFor(noisy_));
    // A denoiser starts as the identity (the per-event network keeps every event, the residual
    // U-Net returns its input), so even a short run writes events to show.
    QVERIFY(denoised->stream().stats.numEvents > 0);
    QVERIFY(denoised->cloud()->displayedPoints() > 0);
    // What it kept, beside BAF and STCF on the same stream: every output a subset of the input.
    auto* kept = ws_->keptEventsTable();
    QTRY_COMPARE_WITH_TIMEOUT(kept->rowCount(), 4, 60000);
    const QStringList methods = {"input", "baf", "stcf", "network"};
    for (int r = 0; r < 4; ++r) {
      QCOMPARE(kept->item(r, 0)->text(), methods[r]);
      QCOMPARE(kept->item(r, 4)->text(), QString("yes"));
      QVERIFY(kept->item(r, 3)->text().toDouble() > 0);
    }
    QCOMPARE(kept->item(3, 1)->text(),
             QLocale().toString(qulonglong(denoised->stream().stats.numEvents)));
    QCOMPARE(kept->item(0, 2)->text(), QString("100.0"));
    QTest::qWait(300);
    screenshot(ws_.get(), "events_workspace_denoised.png");
  }
};

int main(int argc, char** argv) {
  VtkViewWidget::setDefaultSurfaceFormat();
  QApplication app(argc, argv);
  TestEventsWorkspace test;
  return QTest::qExec(&test, argc, argv);
}
#include "TestEventsWorkspace.moc"
