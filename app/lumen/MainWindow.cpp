#include "MainWindow.h"

#include "AboutDialog.h"
#include "common/JobPool.h"
#include "common/Log.h"
#include "jobs/JobsDock.h"
#include "log/LogDock.h"
#include "monitor/TrainingMonitorDock.h"
#include "workspace/WorkspaceRegistry.h"
#include "workspace/WorkspaceServices.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <thread>

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
  setWindowTitle(QStringLiteral("Lumen"));
  setWindowIcon(QIcon(QStringLiteral(":/lumen/lumen.svg")));
  setObjectName(QStringLiteral("LumenMainWindow"));
  monitor_->setObjectName(QStringLiteral("TrainingMonitorDock"));
  jobs_->setObjectName(QStringLiteral("JobsDock"));
  log_->setObjectName(QStringLiteral("LogDock"));

  tabs_->setDocumentMode(true);
  for (const auto& info : registry_.workspaces()) {
    Workspace* page = info.create(*services_, tabs_);
    page->setObjectName(info.id);
    const int index = tabs_->addTab(page, info.title);
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
  buildMenus();
  statusBar()->showMessage(tr("Ready"));
  resize(1500, 950);
  restoreSettings();
  logInfo("Lumen ", QApplication::applicationVersion().toStdString(), " started");
}

MainWindow::~MainWindow() {
  // Jobs may still reference workspace state: cancel and join them before widgets go.
  pool_.reset();
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open = file->addAction(tr("&Open…"), this, &MainWindow::openDialog);
  open->setShortcut(QKeySequence::Open);
  file->addAction(tr("Open &Folder…"), this, &MainWindow::openFolderDialog)
      ->setShortcut(QKeySequence(tr("Ctrl+Shift+O")));
  recentMenu_ = file->addMenu(tr("Open &Recent"));
  rebuildRecentMenu();
  file->addSeparator();
  file->addAction(tr("&Quit"), this, &QWidget::close)->setShortcut(QKeySequence::Quit);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  for (const auto& info : registry_.workspaces())
    view->addAction(info.title, this, [this, id = info.id] { showWorkspace(id); });
  view->addSeparator();
  view->addAction(monitor_->toggleViewAction());
  view->addAction(jobs_->toggleViewAction());
  view->addAction(log_->toggleViewAction());

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About Lumen"), this, &MainWindow::showAbout);
}

bool MainWindow::openPath(const QString& path, QString* error) {
  QString message;
  const WorkspaceInfo* info = registry_.forPath(path);
  bool ok = false;
  if (!QFileInfo::exists(path)) {
    message = tr("%1 does not exist.").arg(path);
  } else if (!info) {
    message = tr("No workspace opens %1.\nSupported: %2")
                  .arg(QFileInfo(path).fileName(), registry_.fileDialogFilter());
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

Workspace* MainWindow::workspace(const QString& id) const {
  for (int i = 0; i < tabs_->count(); ++i)
    if (tabs_->widget(i)->objectName() == id)
      return static_cast<Workspace*>(tabs_->widget(i));
  return nullptr;
}

Workspace* MainWindow::showWorkspace(const QString& id) {
  Workspace* page = workspace(id);
  if (page)
    tabs_->setCurrentWidget(page);
  return page;
}

Workspace* MainWindow::currentWorkspace() const {
  return static_cast<Workspace*>(tabs_->currentWidget());
}

void MainWindow::openDialog() {
  QSettings settings;
  const QString path = QFileDialog::getOpenFileName(
      this, tr("Open"), settings.value("lastDirectory").toString(), registry_.fileDialogFilter());
  if (path.isEmpty())
    return;
  settings.setValue("lastDirectory", QFileInfo(path).absolutePath());
  openPath(path);
}

void MainWindow::openFolderDialog() {
  QSettings settings;
  const QString path = QFileDialog::getExistingDirectory(
      this, tr("Open Folder"), settings.value("lastDirectory").toString());
  if (path.isEmpty())
    return;
  settings.setValue("lastDirectory", path);
  openPath(path);
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
  QSettings().setValue(kRecentKey, recent);
  rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
  recentMenu_->clear();
  const QStringList recent = recentFiles();
  for (const auto& path : recent)
    recentMenu_->addAction(path, this, [this, path] { openPath(path); });
  if (!recent.isEmpty()) {
    recentMenu_->addSeparator();
    recentMenu_->addAction(tr("Clear List"), this, [this] {
      QSettings().remove(kRecentKey);
      rebuildRecentMenu();
    });
  }
  recentMenu_->setEnabled(!recent.isEmpty());
}

void MainWindow::showStatus(const QString& message) {
  statusBar()->showMessage(message, 5000);
}

void MainWindow::showAbout() {
  AboutDialog dialog(this);
  dialog.exec();
}

void MainWindow::restoreSettings() {
  QSettings settings;
  restoreGeometry(settings.value("window/geometry").toByteArray());
  restoreState(settings.value("window/state").toByteArray());
  const QString last = settings.value("window/workspace").toString();
  if (!last.isEmpty())
    showWorkspace(last);
}

void MainWindow::saveSettings() {
  QSettings settings;
  settings.setValue("window/geometry", saveGeometry());
  settings.setValue("window/state", saveState());
  if (currentWorkspace())
    settings.setValue("window/workspace", currentWorkspace()->objectName());
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
