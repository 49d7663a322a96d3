// The main window as users get it: it opens with its workspaces and docks; File ▸ Open routes a
// run to the Runs workspace and the monitor; recent files persist; About lists the library
// versions; the demo trains real models whose curves reach the monitor and segments the aorta of
// a synthetic chest CT study; a training job cancelled from the Jobs dock stops and can be
// resumed. A CT goes to the Segment workspace, a heart label map to the Shapes workspace.
#include "AboutDialog.h"
#include "MainWindow.h"
#include "RegisterWorkspaces.h"
#include "TestSupport.h"
#include "common/Job.h"
#include "common/StreamServer.h"
#include "io/CtVolumeIO.h"
#include "jobs/JobsDock.h"
#include "monitor/ConnectRunDialog.h"
#include "monitor/TrainingMonitorDock.h"
#include "runs/RunsWorkspace.h"
#include "segment/MaskPanel.h"
#include "segment/SegmentWorkspace.h"
#include "segment/StudyFolder.h"
#include "segment/StudyPanel.h"
#include "shapes/SyntheticHeart.h"
#include "train/MetricsLog.h"
#include "train/RunDirectory.h"
#include "vtk/VtkViewWidget.h"
#include "workspace/WorkspaceRegistry.h"

#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QTableWidget>
#include <QtTest>
#include <unistd.h>

using namespace lumen;

class TestMainWindow : public QObject {
  Q_OBJECT
  WorkspaceRegistry registry_;

private Q_SLOTS:
  void initTestCase() {
    QApplication::setOrganizationName(QStringLiteral("LumenTests"));
    QApplication::setApplicationName(QStringLiteral("test_main_window"));
    QSettings().clear();
    qputenv("LUMEN_NO_CONFIRM", "1");
    registerWorkspaces(registry_);
  }

  void opensWithWorkspacesAndDocks() {
    MainWindow window(registry_);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.workspace(QStringLiteral("runs")) != nullptr);
    QVERIFY(window.monitorDock()->isVisible());
    QVERIFY(window.jobsDock() != nullptr);
    const QImage shot = window.grab().toImage();
    QVERIFY(shot.width() > 800 && shot.height() > 600);
    if (qEnvironmentVariableIsSet("LUMEN_SCREENSHOT_DIR"))
      shot.save(qEnvironmentVariable("LUMEN_SCREENSHOT_DIR") + "/main_window.png");
  }

  void fileOpenRoutesARunToTheRunsWorkspace() {
    const auto root = test::freshDir("app-open");
    RunDirectory run(root + "/first");
    {
      MetricsWriter writer(run.metricsPath());
      for (int step = 1; step <= 5; ++step)
        writer.append({step, 0, 0.0, {{"train/loss", 1.0 / step}}});
    }
    RunStatus status;
    status.state = "finished";
    status.step = 5;
    status.totalSteps = 5;
    status.task = "regression";
    run.writeStatus(status);

    MainWindow window(registry_);
    window.show();
    QString error;
    QVERIFY2(window.openPath(QString::fromStdString(run.metricsPath()), &error), qPrintable(error));
    QCOMPARE(window.currentWorkspace()->objectName(), QStringLiteral("runs"));
    auto* runs = static_cast<RunsWorkspace*>(window.currentWorkspace());
    QCOMPARE(runs->folder(), QString::fromStdString(root));
    runs->refreshNow();
    QCOMPARE(runs->table()->rowCount(), 1);
    QCOMPARE(runs->table()->item(0, 2)->text(), QStringLiteral("finished"));
    window.monitorDock()->pollNow();
    QCOMPARE(
        window.monitorDock()->pointCount(QStringLiteral("first"), QStringLiteral("train/loss")), 5);
    QCOMPARE(window.recentFiles().first(), QString::fromStdString(run.metricsPath()));

    // A file no workspace handles is refused with a message naming it.
    const std::string unknown = root + "/notes.xyz";
    test::writeText(unknown, "x");
    QVERIFY(!window.openPath(QString::fromStdString(unknown), &error));
    QVERIFY(error.contains("notes.xyz"));
    QVERIFY(!window.openPath(QString::fromStdString(root + "/missing.nii"), &error));
    QVERIFY(error.contains("does not exist"));

    // A folder of runs is the Runs workspace's; a folder of label maps is the Shapes workspace's.
    QVERIFY2(window.openPath(QString::fromStdString(root), &error), qPrintable(error));
    QCOMPARE(window.currentWorkspace()->objectName(), QStringLiteral("runs"));
    const std::string hearts = root + "/hearts";
    SyntheticHeartOptions heart;
    heart.spacing = {4.0, 4.0, 4.0};
    const auto heartFiles = writeSyntheticHearts(hearts, 1, 0, heart);
    QVERIFY2(window.openPath(QString::fromStdString(hearts), &error), qPrintable(error));
    QCOMPARE(window.currentWorkspace()->objectName(), QStringLiteral("shapes"));
    QVERIFY2(window.openPath(QString::fromStdString(heartFiles.front()), &error),
             qPrintable(error));
    QCOMPARE(window.currentWorkspace()->objectName(), QStringLiteral("shapes"));
    // A CT, and a folder of CTs (a study), are the Segment workspace's.
    const std::string cts = root + "/cts";
    QDir().mkpath(QString::fromStdString(cts));
    CtVolume ct;
    ct.geometry.size = {16, 16, 8};
    ct.values.assign(ct.geometry.voxels(), -1000);
    writeCtVolume(cts + "/chest.nii.gz", ct);
    QVERIFY2(window.openPath(QString::fromStdString(cts + "/chest.nii.gz"), &error),
             qPrintable(error));
    QCOMPARE(window.currentWorkspace()->objectName(), QStringLiteral("segment"));
    QVERIFY2(window.openPath(QString::fromStdString(cts), &error), qPrintable(error));
    QCOMPARE(window.currentWorkspace()->objectName(), QStringLiteral("segment"));
  }

  // File > Connect to Run... follows a stream (a headless run elsewhere) into the monitor.
  void connectToRunShowsAStreamedRunInTheMonitor() {
    MainWindow window(registry_);
    bool hasAction = false;
    for (QAction* menu : window.menuBar()->actions())
      if (menu->menu())
        for (QAction* action : menu->menu()->actions())
          hasAction = hasAction || action->text().startsWith(QStringLiteral("&Connect to Run"));
    QVERIFY(hasAction);
    // The dialog says what is wrong before it lets the user connect.
    ConnectRunDialog dialog(&window);
    dialog.setAddress(QStringLiteral("gpu-server"));
    dialog.setToken(QStringLiteral("main-window-stream-token"));
    QVERIFY(!dialog.connectButton()->isEnabled());
    QVERIFY2(dialog.problem().contains("HOST:PORT"), qPrintable(dialog.problem()));
    dialog.setAddress(QStringLiteral("127.0.0.1:7070"));
    dialog.setToken(QStringLiteral("short"));
    QVERIFY(dialog.problem().contains("16"));
    dialog.setToken(QStringLiteral("main-window-stream-token"));
    QVERIFY(dialog.problem().isEmpty() && dialog.connectButton()->isEnabled());
    if (qEnvironmentVariableIsSet("LUMEN_SCREENSHOT_DIR")) {
      dialog.show();
      QVERIFY(QTest::qWaitForWindowExposed(&dialog));
      dialog.grab().save(qEnvironmentVariable("LUMEN_SCREENSHOT_DIR") + "/connect_to_run.png");
      dialog.hide();
    }
    // A server of its own: this process's log is not published, or the follower's replayed
    // lines would come back to it.
    StreamServerOptions options;
    options.token = "main-window-stream-token";
    StreamServer server(options);
    const std::string runName = "streamed-run-" + std::to_string(::getpid());
    auto job = window.followStream(QStringLiteral("127.0.0.1:%1").arg(server.port()),
                                   QString::fromStdString(options.token));
    QVERIFY(job);
    QVERIFY(test::pollUntil([] { QCoreApplication::processEvents(); },
                            [&] { return server.clients() == 1; }, 10));
    for (int step = 1; step <= 20; ++step) {
      MetricsRecord record;
      record.step = step;
      record.scalars["train/loss"] = 1.0 / step;
      server.publish({{"type", "metrics"},
                      {"run", runName},
                      {"record", nlohmann::json::parse(metricsRecordToJson(record))}});
    }
    QVERIFY(test::pollUntil(
        [&] {
          QCoreApplication::processEvents();
          window.monitorDock()->pollNow();
        },
        [&] {
          return window.monitorDock()->runNames().contains(QString::fromStdString(runName)) &&
                 window.monitorDock()->pointCount(QString::fromStdString(runName),
                                                  QStringLiteral("train/loss")) == 20;
        },
        20));
    if (qEnvironmentVariableIsSet("LUMEN_SCREENSHOT_DIR")) {
      window.show();
      QVERIFY(QTest::qWaitForWindowExposed(&window));
      window.monitorDock()->setMetric(QStringLiteral("train/loss"));
      QTest::qWait(200);
      window.grab().save(qEnvironmentVariable("LUMEN_SCREENSHOT_DIR") + "/streamed_run.png");
    }
    job->requestCancel();
    QVERIFY(job->wait(std::chrono::seconds(10)));
  }

  void aboutListsLibraryVersions() {
    const QString all = AboutDialog::componentVersions().join('\n');
    for (const char* name : {"Lumen ", "LibTorch 1.", "Qt 6.", "VTK 9.", "ITK 5."})
      QVERIFY2(all.contains(QLatin1String(name)), qPrintable(all));
  }

  void demoTrainsAndCancelFromJobsDockStops() {
    const auto folder = test::freshDir("app-demo");
    MainWindow window(registry_);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.startDemo(QString::fromStdString(folder));
    // Two regression runs, the segmentation study's chest CTAs and the event recordings.
    QCOMPARE(window.jobsDock()->rowCount(), 4);
    // Curves arrive in the monitor while the runs train.
    QTRY_VERIFY_WITH_TIMEOUT(window.monitorDock()->metricNames().contains("train/loss"), 30000);
    if (qEnvironmentVariableIsSet("LUMEN_SCREENSHOT_DIR")) {
      QTest::qWait(3000);
      window.grab().save(qEnvironmentVariable("LUMEN_SCREENSHOT_DIR") + "/demo.png");
    }
    // The user looks at the first run (adamw) while it trains: its row stays selected through
    // the cancel, so the Resume button must follow the run's new state without a new selection.
    auto* runs = static_cast<RunsWorkspace*>(window.workspace("runs"));
    runs->refreshNow();
    for (int row = 0; row < runs->table()->rowCount(); ++row)
      if (runs->table()->item(row, 0)->text().contains("adamw"))
        runs->table()->selectRow(row);
    // Cancel the first run with its button, as a user would.
    QPushButton* cancel = window.jobsDock()->cancelButton(0);
    QVERIFY(cancel->isEnabled());
    QTest::mouseClick(cancel, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(window.jobsDock()->job(0)->state(), JobState::Cancelled, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(window.jobsDock()->stateText(0), QStringLiteral("cancelled"), 1000);
    QVERIFY(!window.jobsDock()->cancelButton(0)->isEnabled());
    runs->refreshNow();
    QStringList states;
    int cancelledRow = -1;
    for (int row = 0; row < runs->table()->rowCount(); ++row) {
      states << runs->table()->item(row, 2)->text();
      if (states.last() == "cancelled")
        cancelledRow = row;
    }
    QVERIFY2(cancelledRow >= 0, qPrintable(states.join(',')));
    // Resume continues it from its checkpoint, with its own config.yaml, to the end.
    QVERIFY2(runs->table()->item(cancelledRow, 0)->text().contains("adamw"),
             qPrintable(states.join(',')));
    QVERIFY(runs->table()->item(cancelledRow, 0)->isSelected());
    const QString runDir = runs->table()->item(cancelledRow, 0)->data(Qt::UserRole).toString();
    QVERIFY2(runs->resumeButton()->isEnabled(), qPrintable(runs->resumeButton()->toolTip()));
    QTest::mouseClick(runs->resumeButton(), Qt::LeftButton);
    // The rest of a 5,120-step run shares two cores with the demo's other jobs: 45 s on an idle
    // machine, past 60 s on a busy one.
    QTRY_COMPARE_WITH_TIMEOUT(readRunStatus(runDir.toStdString())->state, std::string("finished"),
                              180000);
    QVERIFY(test::readText(runDir.toStdString() + "/log.txt").find("resuming") !=
            std::string::npos);
    QString why;
    QVERIFY(!RunsWorkspace::canResume(runDir, &why));
    QCOMPARE(why, QStringLiteral("This run has finished"));

    // Meanwhile the Segment tab got its study, the aorta clicked and segmented, ready to accept.
    auto* segment = static_cast<SegmentWorkspace*>(window.workspace("segment"));
    QTRY_VERIFY_WITH_TIMEOUT(segment->shownResult() && segment->shownResult()->voxels() > 0 &&
                                 segment->maskPanel()->acceptButton()->isEnabled(),
                             120000);
    QCOMPARE(int(segment->session().points().size()), 3);
    QVERIFY(segment->studyPanel()->nextButton()->isEnabled());
    QCOMPARE(segment->study().images().size(), size_t(3));
    if (qEnvironmentVariableIsSet("LUMEN_SCREENSHOT_DIR")) {
      window.showWorkspace(QStringLiteral("segment"));
      QTest::qWait(1500); // the surface job and one repaint of every view
      window.grab().save(qEnvironmentVariable("LUMEN_SCREENSHOT_DIR") + "/demo_segment.png");
    }
  }
};

int main(int argc, char** argv) {
  VtkViewWidget::setDefaultSurfaceFormat();
  QApplication app(argc, argv);
  TestMainWindow test;
  return QTest::qExec(&test, argc, argv);
}
#include "TestMainWindow.moc"
