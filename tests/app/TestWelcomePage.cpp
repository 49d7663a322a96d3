// The Welcome page users see at first launch: the window opens on it, sized to the screen; its
// workspace lines are the registry's; a recent item opens in the workspace that handles it, a
// missing one is explained on the page and can be removed; the demo button starts the demo in
// the application data folder without blocking the window.
#include "MainWindow.h"
#include "RecentItemsPanel.h"
#include "RegisterWorkspaces.h"
#include "TestSupport.h"
#include "WelcomePage.h"
#include "jobs/JobsDock.h"
#include "runs/RunsWorkspace.h"
#include "shapes/SyntheticHeart.h"
#include "train/MetricsLog.h"
#include "train/RunDirectory.h"
#include "vtk/VtkViewWidget.h"
#include "workspace/WorkspaceRegistry.h"

#include <QCommandLinkButton>
#include <QElapsedTimer>
#include <QLabel>
#include <QMenuBar>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QtTest>

using namespace lumen;

namespace {

// A finished run of one step: the Runs workspace's.
std::string writeRun(const std::string& dir) {
  RunDirectory run(dir);
  {
    MetricsWriter writer(run.metricsPath());
    writer.append({1, 0, 0.0, {{"train/loss", 1.0}}});
  }
  RunStatus status;
  status.state = "finished";
  status.step = status.totalSteps = 1;
  status.task = "regression";
  run.writeStatus(status);
  return run.metricsPath();
}

// A workspace registered after the built-in ones, as the Segment workspace will be: the page
// must name it without being told.
class ScanWorkspace : public Workspace {
public:
  using Workspace::Workspace;
  bool openPath(const QString&, QString*) override { return true; }
};

QCommandLinkButton* recentButton(MainWindow& window, const QString& name) {
  RecentItemsPanel* recent = window.welcomePage()->recent();
  for (int row = 0; row < recent->count(); ++row)
    if (recent->button(row)->text() == name)
      return recent->button(row);
  return nullptr;
}

} // namespace

class TestWelcomePage : public QObject {
  Q_OBJECT
  WorkspaceRegistry registry_;
  QString dataHome_;

private Q_SLOTS:
  void initTestCase() {
    QApplication::setOrganizationName(QStringLiteral("LumenTests"));
    QApplication::setApplicationName(QStringLiteral("test_welcome_page"));
    // The demo goes to the application data folder: here one under the build tree.
    dataHome_ = QString::fromStdString(test::freshDir("welcome-data-home"));
    qputenv("XDG_DATA_HOME", dataHome_.toUtf8());
    QSettings().clear();
    qputenv("LUMEN_NO_CONFIRM", "1");
    registerWorkspaces(registry_);
  }

  void init() { QSettings().clear(); }

  void opensOnTheWelcomePageSizedToTheScreen() {
    MainWindow window(registry_);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.isWelcomeShown());
    QVERIFY(window.currentWorkspace() == nullptr);
    auto* tabs = window.findChild<QTabWidget*>();
    QCOMPARE(tabs->tabText(0), QStringLiteral("Welcome"));
    QCOMPARE(tabs->count(), int(registry_.workspaces().size()) + 1);

    // ~85 % of the screen, all of it on the screen.
    const QRect available = window.screen()->availableGeometry();
    QVERIFY2(available.contains(window.geometry()),
             qPrintable(QStringLiteral("%1x%2+%3+%4 outside %5x%6")
                            .arg(window.width())
                            .arg(window.height())
                            .arg(window.x())
                            .arg(window.y())
                            .arg(available.width())
                            .arg(available.height())));
    QVERIFY(window.width() >= available.width() * 3 / 4);
    QVERIFY(window.height() >= available.height() * 3 / 4);
    QTest::qWait(200); // the first-launch dock sizes apply once the event loop runs
    const QImage shot = window.grab().toImage();
    QCOMPARE(shot.size(), window.size() * shot.devicePixelRatio());
    if (qEnvironmentVariableIsSet("LUMEN_SCREENSHOT_DIR"))
      shot.save(qEnvironmentVariable("LUMEN_SCREENSHOT_DIR") + "/welcome.png");

    // It stays reachable: Help ▸ Welcome Page brings it back from a workspace.
    window.showWorkspace(QStringLiteral("runs"));
    QVERIFY(!window.isWelcomeShown());
    QAction* help = nullptr;
    for (QAction* action : window.menuBar()->actions())
      if (action->text() == QStringLiteral("&Help"))
        help = action;
    QVERIFY(help && help->menu());
    QAction* welcome = help->menu()->actions().value(0);
    QCOMPARE(welcome->text(), QStringLiteral("&Welcome Page"));
    welcome->trigger();
    QVERIFY(window.isWelcomeShown());

    // A path (as on the command line) opens its workspace instead.
    const auto root = test::freshDir("welcome-start");
    QString error;
    QVERIFY2(window.openPath(QString::fromStdString(writeRun(root + "/run")), &error),
             qPrintable(error));
    QVERIFY(!window.isWelcomeShown());
    QCOMPARE(window.currentWorkspace()->objectName(), QStringLiteral("runs"));
  }

  void restoresTheSavedGeometry() {
    {
      MainWindow first(registry_);
      first.show();
      QVERIFY(QTest::qWaitForWindowExposed(&first));
      // Below the first-launch size.
      first.resize(1400, 860);
      QTRY_COMPARE(first.size(), QSize(1400, 860));
      first.close(); // saves the geometry, as quitting does
    }
    MainWindow second(registry_);
    QCOMPARE(second.size(), QSize(1400, 860));
  }

  // A 1366 x 768 laptop screen less a panel: every workspace and the docks fit, the workspaces
  // scroll where their panels need more room.
  void fitsALaptopScreen() {
    MainWindow window(registry_);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const QSize least = window.minimumSizeHint().expandedTo(window.minimumSize());
    QVERIFY2(least.width() <= 1366 && least.height() <= 728,
             qPrintable(QString("%1 x %2").arg(least.width()).arg(least.height())));
    window.resize(1366, 728);
    QTRY_COMPARE(window.size(), QSize(1366, 728));
    for (const char* id : {"runs", "events", "shapes", "segment"}) {
      QVERIFY(window.showWorkspace(QString::fromLatin1(id)));
      QTest::qWait(50);
      QVERIFY(window.currentWorkspace()->isVisible());
    }
    if (qEnvironmentVariableIsSet("LUMEN_SCREENSHOT_DIR"))
      window.grab().save(qEnvironmentVariable("LUMEN_SCREENSHOT_DIR") + "/laptop_segment.png");
  }

  void workspaceLinesAreTheRegistrysEntries() {
    WorkspaceRegistry registry;
    registerWorkspaces(registry);
    WorkspaceInfo scans;
    scans.id = QStringLiteral("scans");
    scans.title = QStringLiteral("Scans");
    scans.description = QStringLiteral("CT scans & their outlines");
    scans.fileFilter = QStringLiteral("CT images (*.mha)");
    scans.accepts = [](const QString& path) { return path.endsWith(QStringLiteral(".mha")); };
    scans.create = [](WorkspaceServices& services, QWidget* parent) -> Workspace* {
      return new ScanWorkspace(services, parent);
    };
    registry.add(scans);

    MainWindow window(registry);
    window.show();
    WelcomePage* page = window.welcomePage();
    const auto lines = page->findChildren<QLabel*>(
        QRegularExpression(QStringLiteral("^workspace:")), Qt::FindChildrenRecursively);
    QCOMPARE(lines.size(), int(registry.workspaces().size()));
    for (size_t i = 0; i < registry.workspaces().size(); ++i) {
      const WorkspaceInfo& info = registry.workspaces()[i];
      QLabel* line = lines[int(i)];
      QCOMPARE(line->objectName(), QStringLiteral("workspace:") + info.id);
      QVERIFY2(line->text().contains(info.title.toHtmlEscaped()), qPrintable(line->text()));
      QVERIFY2(line->text().contains(info.description.toHtmlEscaped()), qPrintable(line->text()));
    }
    // Its link shows the workspace; "Open a file…" names its files.
    Q_EMIT lines.last()->linkActivated(QStringLiteral("scans"));
    QCOMPARE(window.currentWorkspace()->objectName(), QStringLiteral("scans"));
    auto* openFile = page->findChild<QCommandLinkButton*>(QStringLiteral("openFileButton"));
    QVERIFY2(openFile->description().contains(QStringLiteral("heart label maps or CT images")),
             qPrintable(openFile->description()));
  }

  void recentItemsOpenInTheirWorkspaces() {
    const auto root = test::freshDir("welcome-recent");
    const QString metrics = QString::fromStdString(writeRun(root + "/first"));
    const std::string hearts = root + "/hearts";
    SyntheticHeartOptions heart;
    heart.spacing = {4.0, 4.0, 4.0};
    writeSyntheticHearts(hearts, 1, 0, heart);
    const QString missing = QString::fromStdString(root + "/gone/patient-042.nii.gz");
    QSettings().setValue("recentFiles",
                         QStringList{metrics, QString::fromStdString(hearts), missing});

    MainWindow window(registry_);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    RecentItemsPanel* recent = window.welcomePage()->recent();
    QCOMPARE(recent->paths(), window.recentFiles());
    QTRY_VERIFY_WITH_TIMEOUT(recent->checked(), 10000);
    QCOMPARE(recent->count(), 3);
    QCOMPARE(recent->button(0)->text(), QStringLiteral("metrics.jsonl"));
    QVERIFY2(recent->button(0)->description().endsWith(QStringLiteral("Opens in Runs.")),
             qPrintable(recent->button(0)->description()));
    QVERIFY2(recent->button(1)->description().endsWith(QStringLiteral("Opens in Shapes.")),
             qPrintable(recent->button(1)->description()));
    QVERIFY2(recent->button(2)->description().startsWith(QStringLiteral("Not found")),
             qPrintable(recent->button(2)->description()));

    QTest::mouseClick(recent->button(1), Qt::LeftButton);
    QCOMPARE(window.currentWorkspace()->objectName(), QStringLiteral("shapes"));
    QCOMPARE(window.recentFiles().first(), QString::fromStdString(hearts));

    window.showWelcome();
    QTRY_VERIFY_WITH_TIMEOUT(recent->checked(), 10000);
    QCommandLinkButton* run = recentButton(window, QStringLiteral("metrics.jsonl"));
    QVERIFY(run);
    QTest::mouseClick(run, Qt::LeftButton);
    QCOMPARE(window.currentWorkspace()->objectName(), QStringLiteral("runs"));
    auto* runs = static_cast<RunsWorkspace*>(window.currentWorkspace());
    QCOMPARE(runs->folder(), QString::fromStdString(root));
    runs->refreshNow();
    QCOMPARE(runs->table()->rowCount(), 1);
    QCOMPARE(runs->table()->item(0, 0)->text(), QStringLiteral("first"));
  }

  void aMissingRecentItemIsExplainedAndCanBeRemoved() {
    const auto root = test::freshDir("welcome-missing");
    const QString missing = QString::fromStdString(root + "/gone/patient-042.nii.gz");
    const QString notes = QString::fromStdString(root + "/notes.xyz");
    test::writeText(notes.toStdString(), "x");
    QSettings().setValue("recentFiles", QStringList{missing, notes});

    MainWindow window(registry_);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    WelcomePage* page = window.welcomePage();
    QTRY_VERIFY_WITH_TIMEOUT(page->recent()->checked(), 10000);
    QVERIFY(page->notice().isEmpty());

    QTest::mouseClick(recentButton(window, QStringLiteral("patient-042.nii.gz")), Qt::LeftButton);
    QVERIFY(window.isWelcomeShown());
    QVERIFY2(page->notice().contains(QStringLiteral("cannot find")), qPrintable(page->notice()));
    QVERIFY(page->notice().contains(QStringLiteral("patient-042.nii.gz")));
    QVERIFY(page->forgetButton()->isVisible());
    if (qEnvironmentVariableIsSet("LUMEN_SCREENSHOT_DIR")) {
      QTest::qWait(200); // the page lays out again with the notice
      window.grab().save(qEnvironmentVariable("LUMEN_SCREENSHOT_DIR") + "/welcome-missing.png");
    }
    QTest::mouseClick(page->forgetButton(), Qt::LeftButton);
    QVERIFY(page->notice().isEmpty());
    QCOMPARE(window.recentFiles(), QStringList{notes});
    QCOMPARE(page->recent()->count(), 1);

    // A file no workspace opens is explained the same way, without leaving the page.
    QTRY_VERIFY_WITH_TIMEOUT(page->recent()->checked(), 10000);
    QVERIFY2(page->recent()->button(0)->description().endsWith(
                 QStringLiteral("Lumen can no longer open this.")),
             qPrintable(page->recent()->button(0)->description()));
    QTest::mouseClick(page->recent()->button(0), Qt::LeftButton);
    QVERIFY(window.isWelcomeShown());
    QVERIFY2(page->notice().contains(QStringLiteral("cannot open “notes.xyz”")),
             qPrintable(page->notice()));
    QTest::mouseClick(page->forgetButton(), Qt::LeftButton);
    QVERIFY(window.recentFiles().isEmpty());
    QCOMPARE(page->recent()->count(), 0);
    QVERIFY(page->findChild<QPushButton*>(QStringLiteral("clearRecentButton"))->isHidden());
  }

  void theDemoStartsInTheApplicationDataFolder() {
    const QString folder = MainWindow::defaultDemoFolder();
    QVERIFY2(folder.startsWith(dataHome_), qPrintable(folder));
    MainWindow window(registry_);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCommandLinkButton* demo = window.welcomePage()->demoButton();
    QVERIFY(demo->description().contains(folder)); // the user is told where before clicking

    QElapsedTimer clock;
    clock.start();
    QTest::mouseClick(demo, Qt::LeftButton);
    // The demo trains for minutes; the click only queues its jobs.
    QVERIFY2(clock.elapsed() < 5000, qPrintable(QString::number(clock.elapsed())));
    // Two regression runs, the event recordings and the chest CTAs of the segmentation study.
    QCOMPARE(window.jobsDock()->rowCount(), 4);
    QCOMPARE(window.currentWorkspace()->objectName(), QStringLiteral("runs"));
    auto* runs = static_cast<RunsWorkspace*>(window.currentWorkspace());
    QCOMPARE(runs->folder(), folder + "/runs");
    QVERIFY(window.statusBar()->currentMessage().contains(folder));
    QVERIFY(!demo->isEnabled()); // once per session: a second click would train it all again
    QVERIFY(demo->description().contains(folder));
    if (qEnvironmentVariableIsSet("LUMEN_SCREENSHOT_DIR")) {
      window.showWelcome();
      QTest::qWait(500);
      window.grab().save(qEnvironmentVariable("LUMEN_SCREENSHOT_DIR") + "/welcome-demo.png");
    }
    // The runs really start: their run folders appear.
    QTRY_VERIFY_WITH_TIMEOUT(QDir(folder + "/runs")
                                     .entryList(QDir::Dirs | QDir::NoDotAndDotDot)
                                     .filter(QStringLiteral("regression-"))
                                     .size() == 2,
                             30000);
  }
};

int main(int argc, char** argv) {
  VtkViewWidget::setDefaultSurfaceFormat();
  QApplication app(argc, argv);
  TestWelcomePage test;
  return QTest::qExec(&test, argc, argv);
}
#include "TestWelcomePage.moc"
