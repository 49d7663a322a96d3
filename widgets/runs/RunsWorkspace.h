// The Runs workspace: a researcher's view of a folder of training runs (like TensorBoard's run
// selector): each run's task, state, progress, best metric and last loss, refreshed live; the
// selected run's config and log; runs shown in the Training Monitor; new runs of the built-in
// regression task started, and interrupted ones resumed, as background jobs.
#pragma once
#include "common/Job.h"
#include "workspace/Workspace.h"

#include <QFutureWatcher>
#include <memory>
#include <vector>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;
class QTimer;

namespace lumen {

struct RunSummary;

class RunsWorkspace : public Workspace {
  Q_OBJECT
public:
  explicit RunsWorkspace(WorkspaceServices& services, QWidget* parent = nullptr);
  ~RunsWorkspace() override;

  static WorkspaceInfo info();

  bool openPath(const QString& path, QString* error) override;
  void setFolder(const QString& folder);
  QString folder() const { return folder_; }

  // Starts (or resumes) a regression training run in runDir as a background job and adds it to
  // the monitor. configFile may be empty for the shipped default.
  JobPtr startRegressionRun(const QString& runDir, const QString& configFile = {},
                            const QStringList& overrides = {});

  // For tests: the table as shown.
  QTableWidget* table() const { return table_; }
  // Re-reads the folder now (synchronously).
  void refreshNow();

private:
  void refresh();
  void showRuns(const std::vector<RunSummary>& runs);
  void showDetails();
  QString selectedRun() const;
  void chooseFolder();
  void startNewRun();
  void resumeSelected();

  QString folder_;
  QLabel* folderLabel_;
  QTableWidget* table_;
  QPlainTextEdit* config_;
  QPlainTextEdit* log_;
  QPushButton* resumeButton_;
  QTimer* timer_;
  std::unique_ptr<QFutureWatcher<std::vector<RunSummary>>> watcher_;
};

} // namespace lumen
