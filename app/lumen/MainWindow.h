// Lumen's main window: a workspace area (the Welcome page, then one tab per registered
// workspace), the Training Monitor, Jobs and Log docks, File ▸ Open routing by file type, recent
// files, and settings persisted with QSettings.
#pragma once
#include "common/Job.h"

#include <QMainWindow>
#include <QStringList>
#include <memory>

class QMenu;
class QTabWidget;

namespace lumen {

class JobPool;
class JobsDock;
class LogDock;
class TrainingMonitorDock;
class WelcomePage;
class Workspace;
class WorkspaceRegistry;
class WorkspaceServices;

class MainWindow : public QMainWindow {
  Q_OBJECT
public:
  explicit MainWindow(const WorkspaceRegistry& registry, QWidget* parent = nullptr);
  ~MainWindow() override;

  // Opens a file or folder in the workspace that handles it; shows a message when none does.
  bool openPath(const QString& path, QString* error = nullptr);
  Workspace* showWorkspace(const QString& id);
  Workspace* workspace(const QString& id) const;
  // The workspace shown now; null while the Welcome page is.
  Workspace* currentWorkspace() const;
  void showWelcome();
  bool isWelcomeShown() const;
  WelcomePage* welcomePage() const { return welcome_; }

  // Sets up the demo workspace folder and starts its runs (see app/lumen/Demo.cpp).
  void startDemo(const QString& folder);
  // Where the Welcome page's demo button puts the demo: the user's application data folder.
  static QString defaultDemoFolder();

  QStringList recentFiles() const;
  // A message in the status bar for a few seconds.
  void showStatus(const QString& message);
  // Follows a `lumen-cli --stream` command: its runs appear in the Training Monitor, its log in
  // the Log dock (File > Connect to Run...). Returns the job (null for a malformed address).
  JobPtr followStream(const QString& address, const QString& token);
  TrainingMonitorDock* monitorDock() const { return monitor_; }
  JobsDock* jobsDock() const { return jobs_; }
  LogDock* logDock() const { return log_; }
  JobPool& jobPool() { return *pool_; }
  WorkspaceServices& services() { return *services_; }

protected:
  void closeEvent(QCloseEvent* event) override;

private:
  void buildMenus();
  void connectToRunDialog();
  void connectWelcome();
  // The path the user chose, or an empty string when they cancelled.
  QString askForFile();
  QString askForFolder(const QString& title);
  void openDialog();
  void openFolderDialog();
  // Opens a path chosen on the Welcome page; what goes wrong is told on the page, not in a box.
  void openFromWelcome(const QString& path);
  void startDemoFromWelcome();
  void addRecentFile(const QString& path);
  void forgetRecentFile(const QString& path);
  void setRecentFiles(const QStringList& recent);
  // The recent list in File ▸ Open Recent and on the Welcome page.
  void showRecentFiles();
  void showAbout();
  // ~85 % of the screen, centred: the size at first launch, before any geometry was saved.
  void sizeToScreen();
  void restoreSettings();
  void saveSettings();

  const WorkspaceRegistry& registry_;
  std::unique_ptr<JobPool> pool_;
  TrainingMonitorDock* monitor_;
  JobsDock* jobs_;
  LogDock* log_;
  std::unique_ptr<WorkspaceServices> services_;
  QTabWidget* tabs_;
  WelcomePage* welcome_ = nullptr;
  QMenu* recentMenu_ = nullptr;
};

} // namespace lumen
