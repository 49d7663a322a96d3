// Lumen's main window: a workspace area (one tab per registered workspace), the Training
// Monitor, Jobs and Log docks, File ▸ Open routing by file type, recent files, and settings
// persisted with QSettings.
#pragma once
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
  Workspace* currentWorkspace() const;

  // Sets up the demo workspace folder and starts its runs (see app/lumen/Demo.cpp).
  void startDemo(const QString& folder);

  QStringList recentFiles() const;
  // A message in the status bar for a few seconds.
  void showStatus(const QString& message);
  TrainingMonitorDock* monitorDock() const { return monitor_; }
  JobsDock* jobsDock() const { return jobs_; }
  LogDock* logDock() const { return log_; }
  JobPool& jobPool() { return *pool_; }
  WorkspaceServices& services() { return *services_; }

protected:
  void closeEvent(QCloseEvent* event) override;

private:
  void buildMenus();
  void openDialog();
  void openFolderDialog();
  void addRecentFile(const QString& path);
  void rebuildRecentMenu();
  void showAbout();
  void restoreSettings();
  void saveSettings();

  const WorkspaceRegistry& registry_;
  std::unique_ptr<JobPool> pool_;
  TrainingMonitorDock* monitor_;
  JobsDock* jobs_;
  LogDock* log_;
  std::unique_ptr<WorkspaceServices> services_;
  QTabWidget* tabs_;
  QMenu* recentMenu_ = nullptr;
};

} // namespace lumen
