// The Runs workspace: a researcher's view of a folder of training runs (like TensorBoard's run
// selector): each run's task, state, progress, best metric and last loss, refreshed live off the
// UI thread; the selected run's config and log; runs shown in the Training Monitor; new runs of
// the built-in regression task started, and stopped runs of any task resumed from their last
// checkpoint with their own config.yaml, as background jobs.
#pragma once
#include "common/Job.h"
#include "workspace/Workspace.h"

#include <memory>
#include <vector>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;
class QTimer;

namespace lumen {

class JobContinuations;
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

  // Starts a new regression training run in runDir as a background job and adds it to the
  // monitor. configFile may be empty for the shipped default.
  JobPtr startRegressionRun(const QString& runDir, const QString& configFile = {},
                            const QStringList& overrides = {});
  // Resumes a stopped run of any task (cancelled, interrupted or failed after a checkpoint).
  JobPtr resumeRun(const QString& runDir);
  // Whether the Resume button would resume this run, and why not.
  static bool canResume(const QString& runDir, QString* why = nullptr);

  // For tests: the table as shown.
  QTableWidget* table() const { return table_; }
  QPushButton* resumeButton() const { return resumeButton_; }
  // Re-reads the folder now (synchronously).
  void refreshNow();

private:
  void refresh();
  void showRuns(const std::vector<RunSummary>& runs);
  void showDetails();
  void showResumability(const QString& run);
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
  QLabel* problem_; // why the folder cannot be listed, when it cannot
  QTimer* timer_;
  JobContinuations* continuations_;
  JobPtr listing_; // the refresh in flight
};

} // namespace lumen
