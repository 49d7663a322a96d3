#include "MainWindow.h"

#include "AboutDialog.h"
#include "WelcomePage.h"
#include "common/JobPool.h"
#include "common/Log.h"
#include "jobs/JobsDock.h"
#include "log/LogDock.h"
#include "monitor/ConnectRunDialog.h"
#include "monitor/TrainingMonitorDock.h"
#include "train/RunStream.h"
#include "workspace/WorkspaceRegistry.h"
#include "workspace/WorkspaceServices.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QPointer>
#include <QRegularExpression>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QTimer>
#include <thread>

// lumen.qrc is compiled into the static lumen_app library, and the linker drops its object file
// unless something references it: without this the window, About and Welcome icons are blank.
// Registering it again (a second window) is a no-op. Q_INIT_RESOURCE must be outside namespaces.
static void initLumenResources() {
  Q_INIT_RESOURCE(lumen);
}

namespace lumen {
namespace {
constexpr int kMaxRecent = 10;
const char* kRecentKey = "recentFiles";
} // namespace

MainWindow::MainWindow(const WorkspaceRegistry& registry, QWidget* parent)
    : QMainWindow(parent), registry_(registry),
      // At least two workers so a second job (a comparison run) does not wait for the first.
      pool_(std::make_unique<JobPool>(int(std::max(2u, std::thread::hardware_concurrency())))),
      monitor_(new TrainingMonitorDock(this)), jobs_(new JobsDock(this)), log_(new LogDock(this)),
      services_(std::make_unique<WorkspaceServices>(*pool_, *jobs_, *monitor_)),
      tabs_(new QTabWidget(this)) {
  initLumenResources();
  welcome_ = new WelcomePage(registry_, *services_, defaultDemoFolder(), tabs_);
  setWindowTitle(QStringLiteral("Lumen"));
  setWindowIcon(QIcon(QStringLiteral(":/lumen/lumen.svg")));
  setObjectName(QStringLiteral("LumenMainWindow"));
  monitor_->setObjectName(QStringLiteral("TrainingMonitorDock"));
  jobs_->setObjectName(QStringLiteral("JobsDock"));
  log_->setObjectName(QStringLiteral("LogDock"));

  tabs_->setDocumentMode(true);
  welcome_->setObjectName(QStringLiteral("WelcomePage"));
  tabs_->addTab(welcome_, style()->standardIcon(QStyle::SP_DirHomeIcon), tr("Welcome"));
  tabs_->setTabToolTip(0, tr("Where to start: open a file or a folder, recent items, the demo"));
  for (const auto& info : registry_.workspaces()) {
    Workspace* page = info.create(*services_, tabs_);
    page->setObjectName(info.id);
    // Each workspace scrolls rather than forcing its minimum size on the window: a laptop's
    // 1366 x 768 screen is smaller than the Segment workspace's panels and the docks together.
    auto* scroll = new QScrollArea(tabs_);
    scroll->setWidget(page);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    const int index = tabs_->addTab(scroll, info.title);
    tabs_->setTabToolTip(index, info.description);
    connect(page, &Workspace::pathOpened, this, &MainWindow::addRecentFile);
    connect(page, &Workspace::statusMessage, this, &MainWindow::showStatus);
  }
  setCentralWidget(tabs_);
  addDockWidget(Qt::RightDockWidgetArea, monitor_);
  addDockWidget(Qt::BottomDockWidgetArea, jobs_);
  addDockWidget(Qt::BottomDockWidgetArea, log_);
  tabifyDockWidget(jobs_, log_);
  jobs_->raise();
  connect(jobs_, &JobsDock::jobFinished, this, [this](const QString& title, int, const QString& m) {
    statusBar()->showMessage(m.isEmpty() ? tr("%1 finished").arg(title) : m, 8000);
  });
  connectWelcome();
  buildMenus();
  statusBar()->showMessage(tr("Ready"));
  restoreSettings();
  showWelcome(); // a path given on the command line then opens its workspace instead
  logInfo("Lumen ", QApplication::applicationVersion().toStdString(), " started");
}

MainWindow::~MainWindow() {
  // Jobs may still reference workspace state: cancel and join them before widgets go.
  pool_.reset();
}

void MainWindow::connectToRunDialog() {
  ConnectRunDialog dialog(this);
  QSettings settings;
  dialog.setAddress(settings.value("stream/address", "127.0.0.1:7070").toString());
  if (dialog.exec() != QDialog::Accepted)
    return;
  settings.setValue("stream/address", dialog.address());
  followStream(dialog.address(), dialog.token());
}

JobPtr MainWindow::followStream(const QString& address, const QString& token) {
  StreamFollowOptions options;
  try {
    std::tie(options.host, options.port) = parseHostPort(address.toStdString());
  } catch (const std::exception& e) {
    showStatus(QString::fromStdString(e.what()));
    return nullptr;
  }
  options.token = token.toStdString();
  // A mirror per address: the Training Monitor and the Runs workspace read it as a local run.
  QString safe = address;
  safe.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")), QStringLiteral("_"));
  options.mirrorRoot =
      (QStandardPaths::writableLocation(QStandardPaths::CacheLocation) + "/streams/" + safe)
          .toStdString();
  QPointer<MainWindow> self(this);
  auto job = followRunStreamJob(options, [self](const std::string& runDir) {
    // On the job's thread: the monitor is the UI thread's.
    QMetaObject::invokeMethod(
        qApp,
        [self, dir = QString::fromStdString(runDir)] {
          if (self)
            self->services().monitorRun(dir);
        },
        Qt::QueuedConnection);
  });
  showStatus(tr("Following the stream at %1").arg(address));
  return services_->submit(job);
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open = file->addAction(tr("&Open…"), this, &MainWindow::openDialog);
  open->setShortcut(QKeySequence::Open);
  file->addAction(tr("Open &Folder…"), this, &MainWindow::openFolderDialog)
      ->setShortcut(QKeySequence(tr("Ctrl+Shift+O")));
  recentMenu_ = file->addMenu(tr("Open &Recent"));
  showRecentFiles();
  file->addSeparator();
  file->addAction(tr("&Connect to Run…"), this, &MainWindow::connectToRunDialog);
  file->addSeparator();
  file->addAction(tr("&Quit"), this, &QWidget::close)->setShortcut(QKeySequence::Quit);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  view->addAction(tr("Welcome"), this, &MainWindow::showWelcome);
  for (const auto& info : registry_.workspaces())
    view->addAction(info.title, this, [this, id = info.id] { showWorkspace(id); });
  view->addSeparator();
  view->addAction(monitor_->toggleViewAction());
  view->addAction(jobs_->toggleViewAction());
  view->addAction(log_->toggleViewAction());

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&Welcome Page"), this, &MainWindow::showWelcome);
  help->addAction(tr("&About Lumen"), this, &MainWindow::showAbout);
}

void MainWindow::connectWelcome() {
  connect(welcome_, &WelcomePage::openFileRequested, this,
          [this] { openFromWelcome(askForFile()); });
  connect(welcome_, &WelcomePage::openDicomFolderRequested, this, [this] {
    openFromWelcome(askForFolder(tr("Choose the folder that holds the DICOM images")));
  });
  connect(welcome_, &WelcomePage::openStudyFolderRequested, this,
          [this] { openFromWelcome(askForFolder(tr("Choose a study folder"))); });
  connect(welcome_, &WelcomePage::demoRequested, this, &MainWindow::startDemoFromWelcome);
  connect(welcome_, &WelcomePage::recentRequested, this, &MainWindow::openFromWelcome);
  connect(welcome_, &WelcomePage::forgetRequested, this, &MainWindow::forgetRecentFile);
  connect(welcome_, &WelcomePage::clearRecentRequested, this, [this] { setRecentFiles({}); });
  connect(welcome_, &WelcomePage::workspaceRequested, this, &MainWindow::showWorkspace);
}

bool MainWindow::openPath(const QString& path, QString* error) {
  QString message;
  const WorkspaceInfo* info = registry_.forPath(path);
  bool ok = false;
  if (!QFileInfo::exists(path)) {
    message = tr("%1 does not exist.").arg(path);
  } else if (!info) {
    QStringList titles;
    for (const auto& workspace : registry_.workspaces())
      titles << workspace.title;
    message = tr("Lumen cannot open “%1”: none of its workspaces (%2) recognises it.")
                  .arg(QFileInfo(path).fileName(), titles.join(QStringLiteral(", ")));
  } else {
    Workspace* page = showWorkspace(info->id);
    ok = page->openPath(path, &message);
    if (ok)
      addRecentFile(path);
  }
  if (!ok) {
    logWarning("cannot open ", path.toStdString(), ": ", message.toStdString());
    if (error)
      *error = message;
    else
      QMessageBox::warning(this, tr("Cannot open"), message);
  }
  return ok;
}

namespace {

// The workspace a tab shows (inside its scroll area); null for the welcome page.
Workspace* workspaceOfTab(QWidget* tab) {
  auto* scroll = qobject_cast<QScrollArea*>(tab);
  return scroll ? qobject_cast<Workspace*>(scroll->widget()) : nullptr;
}

} // namespace

Workspace* MainWindow::workspace(const QString& id) const {
  for (int i = 0; i < tabs_->count(); ++i)
    if (auto* page = workspaceOfTab(tabs_->widget(i)); page && page->objectName() == id)
      return page;
  return nullptr;
}

Workspace* MainWindow::showWorkspace(const QString& id) {
  for (int i = 0; i < tabs_->count(); ++i)
    if (auto* page = workspaceOfTab(tabs_->widget(i)); page && page->objectName() == id) {
      tabs_->setCurrentIndex(i);
      return page;
    }
  return nullptr;
}

Workspace* MainWindow::currentWorkspace() const {
  return workspaceOfTab(tabs_->currentWidget());
}

void MainWindow::showWelcome() {
  tabs_->setCurrentWidget(welcome_);
}

bool MainWindow::isWelcomeShown() const {
  return tabs_->currentWidget() == welcome_;
}

QString MainWindow::askForFile() {
  QSettings settings;
  const QString path = QFileDialog::getOpenFileName(
      this, tr("Open"), settings.value("lastDirectory").toString(), registry_.fileDialogFilter());
  if (!path.isEmpty())
    settings.setValue("lastDirectory", QFileInfo(path).absolutePath());
  return path;
}

QString MainWindow::askForFolder(const QString& title) {
  QSettings settings;
  const QString path =
      QFileDialog::getExistingDirectory(this, title, settings.value("lastDirectory").toString());
  if (!path.isEmpty())
    settings.setValue("lastDirectory", path);
  return path;
}

void MainWindow::openDialog() {
  const QString path = askForFile();
  if (!path.isEmpty())
    openPath(path);
}

void MainWindow::openFolderDialog() {
  const QString path = askForFolder(tr("Open Folder"));
  if (!path.isEmpty())
    openPath(path);
}

void MainWindow::openFromWelcome(const QString& path) {
  if (path.isEmpty())
    return; // the user cancelled the dialog
  welcome_->hideNotice();
  if (!QFileInfo::exists(path)) {
    const bool listed = recentFiles().contains(path);
    welcome_->showNotice(tr("Lumen cannot find “%1”. It may have been moved, renamed or deleted, "
                            "or it is on a drive that is not connected now.")
                             .arg(QDir::toNativeSeparators(path)),
                         listed ? path : QString());
    return;
  }
  QString error;
  bool opened = false;
  try {
    opened = openPath(path, &error);
  } catch (const std::exception& e) { // a workspace's bug must not escape this slot
    error = QString::fromUtf8(e.what());
  }
  if (!opened) {
    showWelcome(); // the workspace that refused it may have been shown already
    welcome_->showNotice(error, recentFiles().contains(path) ? path : QString());
  }
}

void MainWindow::startDemoFromWelcome() {
  welcome_->hideNotice();
  const QString folder = defaultDemoFolder();
  const QString shown = QDir::toNativeSeparators(folder);
  if (!QDir().mkpath(folder)) {
    welcome_->showNotice(tr("The demo cannot be created: Lumen may not write to %1.").arg(shown));
    return;
  }
  try {
    startDemo(folder);
  } catch (const std::exception& e) {
    showWelcome();
    welcome_->showNotice(tr("The demo could not start: %1").arg(QString::fromUtf8(e.what())));
    return;
  }
  statusBar()->showMessage(tr("The demo workspace is being created in %1").arg(shown), 15000);
}

QStringList MainWindow::recentFiles() const {
  return QSettings().value(kRecentKey).toStringList();
}

void MainWindow::addRecentFile(const QString& path) {
  const QString absolute = QFileInfo(path).absoluteFilePath();
  QStringList recent = recentFiles();
  recent.removeAll(absolute);
  recent.prepend(absolute);
  while (recent.size() > kMaxRecent)
    recent.removeLast();
  setRecentFiles(recent);
}

void MainWindow::forgetRecentFile(const QString& path) {
  QStringList recent = recentFiles();
  recent.removeAll(path);
  setRecentFiles(recent);
}

void MainWindow::setRecentFiles(const QStringList& recent) {
  if (recent.isEmpty())
    QSettings().remove(kRecentKey);
  else
    QSettings().setValue(kRecentKey, recent);
  showRecentFiles();
}

void MainWindow::showRecentFiles() {
  recentMenu_->clear();
  const QStringList recent = recentFiles();
  for (const auto& path : recent)
    recentMenu_->addAction(path, this, [this, path] { openPath(path); });
  if (!recent.isEmpty()) {
    recentMenu_->addSeparator();
    recentMenu_->addAction(tr("Clear List"), this, [this] { setRecentFiles({}); });
  }
  recentMenu_->setEnabled(!recent.isEmpty());
  welcome_->setRecent(recent);
}

void MainWindow::showStatus(const QString& message) {
  statusBar()->showMessage(message, 5000);
}

void MainWindow::showAbout() {
  AboutDialog dialog(this);
  dialog.exec();
}

void MainWindow::sizeToScreen() {
  const QScreen* screen = this->screen(); // the primary screen until the window is shown
  if (!screen)
    return;
  const QRect available = screen->availableGeometry();
  const QSize size = available.size() * 0.85;
  resize(size);
  move(available.center() - QPoint(size.width() / 2, size.height() / 2));
}

void MainWindow::restoreSettings() {
  QSettings settings;
  // restoreGeometry fails when nothing was saved yet (the first launch); it moves a window saved
  // on a screen that is gone back onto one.
  if (!restoreGeometry(settings.value("window/geometry").toByteArray()))
    sizeToScreen();
  if (!restoreState(settings.value("window/state").toByteArray())) {
    // First launch: the docks are empty until something runs, so they leave the Welcome page
    // most of the window. Once the event loop runs: before the first layout the sizes are lost.
    QTimer::singleShot(0, this, [this] {
      resizeDocks({monitor_}, {width() / 4}, Qt::Horizontal);
      resizeDocks({jobs_}, {height() / 5}, Qt::Vertical);
    });
  }
}

void MainWindow::saveSettings() {
  QSettings settings;
  settings.setValue("window/geometry", saveGeometry());
  settings.setValue("window/state", saveState());
}

void MainWindow::closeEvent(QCloseEvent* event) {
  const auto running = pool_->activeJobs();
  if (!running.empty() && isVisible() && !qEnvironmentVariableIsSet("LUMEN_NO_CONFIRM")) {
    const auto answer = QMessageBox::question(
        this, tr("Jobs are running"),
        tr("%n job(s) still running. Cancel them and quit? Training runs can be resumed later.",
           nullptr, int(running.size())));
    if (answer != QMessageBox::Yes) {
      event->ignore();
      return;
    }
  }
  saveSettings();
  pool_->cancelAll();
  event->accept();
}

} // namespace lumen
