#include "runs/RunsWorkspace.h"

#include "common/Config.h"
#include "common/Resources.h"
#include "train/RunDirectory.h"
#include "train/TrainingTasks.h"
#include "workspace/JobContinuations.h"
#include "workspace/WorkspaceRegistry.h"
#include "workspace/WorkspaceServices.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <cmath>

namespace lumen {
namespace {

enum Column { Name, Task, State, Progress, Best, LastLoss, Updated, ColumnCount };

QString formatValue(double v) {
  if (std::isnan(v))
    return QStringLiteral("NaN");
  return QString::number(v, 'g', 4);
}

QString tail(const QString& path, int lines) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly))
    return {};
  const qint64 size = file.size();
  file.seek(std::max<qint64>(0, size - 64 * 1024));
  const QStringList all = QString::fromUtf8(file.readAll()).split('\n');
  return all.mid(std::max<qsizetype>(0, all.size() - lines)).join('\n');
}

QColor stateColour(const QString& state) {
  if (state == "running")
    return QColor(40, 120, 220);
  if (state == "finished")
    return QColor(30, 150, 70);
  if (state == "failed")
    return QColor(200, 40, 40);
  return QColor(200, 130, 20); // cancelled, interrupted
}

// At most `maxBytes` of a text file, for the detail panes (a config is small; a stray huge file
// must not stall the UI thread).
QString headOf(const QString& path, qint64 maxBytes = 1 << 20) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly))
    return {};
  return QString::fromUtf8(file.read(maxBytes));
}

bool isRunFile(const QFileInfo& file) {
  const QString name = file.fileName();
  return (name == "metrics.jsonl" || name == "status.json" || name == "config.yaml") &&
         isRunDirectory(file.absolutePath().toStdString());
}

} // namespace

WorkspaceInfo RunsWorkspace::info() {
  WorkspaceInfo info;
  info.id = QStringLiteral("runs");
  info.title = QStringLiteral("Runs");
  info.description = QStringLiteral("Training runs: progress, best metrics, live curves");
  info.fileFilter = QStringLiteral("Run files (metrics.jsonl status.json config.yaml)");
  info.accepts = [](const QString& path) {
    const QFileInfo file(path);
    // A run, or a folder holding runs; other folders (label maps, recordings) belong to the
    // workspaces of their pipelines.
    if (file.isDir())
      return holdsRuns(path.toStdString()); // file names only: this runs on the UI thread
    return isRunFile(file);
  };
  info.create = [](WorkspaceServices& services, QWidget* parent) -> Workspace* {
    return new RunsWorkspace(services, parent);
  };
  return info;
}

RunsWorkspace::RunsWorkspace(WorkspaceServices& services, QWidget* parent)
    : Workspace(services, parent), folderLabel_(new QLabel(this)),
      table_(new QTableWidget(0, ColumnCount, this)), config_(new QPlainTextEdit(this)),
      log_(new QPlainTextEdit(this)), resumeButton_(new QPushButton(tr("Resume"), this)),
      problem_(new QLabel(this)), timer_(new QTimer(this)),
      continuations_(new JobContinuations(this, 100)) {
  auto* chooseButton = new QPushButton(tr("Choose Folder…"), this);
  auto* refreshButton = new QPushButton(tr("Refresh"), this);
  auto* trainButton = new QPushButton(tr("Train Regression Model"), this);
  trainButton->setToolTip(tr("Start a new run of the built-in regression task in this folder"));
  resumeButton_->setToolTip(tr("Continue the selected run from its last checkpoint, with its own "
                               "config.yaml"));
  resumeButton_->setEnabled(false);
  auto* top = new QHBoxLayout;
  top->addWidget(new QLabel(tr("<b>Runs in</b>"), this));
  top->addWidget(folderLabel_, 1);
  top->addWidget(chooseButton);
  top->addWidget(refreshButton);
  top->addWidget(trainButton);
  top->addWidget(resumeButton_);

  table_->setHorizontalHeaderLabels({tr("Run"), tr("Task"), tr("State"), tr("Step"), tr("Best"),
                                     tr("Last train loss"), tr("Updated")});
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->verticalHeader()->hide();
  table_->setToolTip(tr("Double-click a run to plot it in the Training Monitor"));

  for (auto* text : {config_, log_}) {
    text->setReadOnly(true);
    text->setFont(QFont(QStringLiteral("monospace")));
    text->setLineWrapMode(QPlainTextEdit::NoWrap);
  }
  auto* details = new QTabWidget(this);
  details->addTab(config_, tr("config.yaml"));
  details->addTab(log_, tr("log.txt"));

  auto* splitter = new QSplitter(Qt::Vertical, this);
  splitter->addWidget(table_);
  splitter->addWidget(details);
  splitter->setStretchFactor(0, 3);
  splitter->setStretchFactor(1, 2);

  problem_->setStyleSheet(QStringLiteral("color: #b02020"));
  problem_->hide();
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(problem_);
  layout->addWidget(splitter, 1);

  connect(chooseButton, &QPushButton::clicked, this, &RunsWorkspace::chooseFolder);
  connect(refreshButton, &QPushButton::clicked, this, &RunsWorkspace::refresh);
  connect(trainButton, &QPushButton::clicked, this, &RunsWorkspace::startNewRun);
  connect(resumeButton_, &QPushButton::clicked, this, &RunsWorkspace::resumeSelected);
  connect(table_, &QTableWidget::itemSelectionChanged, this, &RunsWorkspace::showDetails);
  connect(table_, &QTableWidget::cellDoubleClicked, this, [this](int row, int) {
    this->services().monitorRun(table_->item(row, Name)->data(Qt::UserRole).toString());
  });
  connect(timer_, &QTimer::timeout, this, &RunsWorkspace::refresh);
  timer_->start(2000);
  setFolder(QDir::currentPath());
}

RunsWorkspace::~RunsWorkspace() = default;

bool RunsWorkspace::openPath(const QString& path, QString* error) {
  QFileInfo file(path);
  if (!file.exists()) {
    if (error)
      *error = tr("%1 does not exist").arg(path);
    return false;
  }
  QString runDir;
  if (file.isFile())
    runDir = file.absolutePath();
  else if (isRunDirectory(file.absoluteFilePath().toStdString()))
    runDir = file.absoluteFilePath();
  if (!runDir.isEmpty()) {
    setFolder(QFileInfo(runDir).absolutePath());
    services().monitorRun(runDir);
  } else {
    setFolder(file.absoluteFilePath());
  }
  Q_EMIT pathOpened(path);
  return true;
}

void RunsWorkspace::setFolder(const QString& folder) {
  folder_ = QDir(folder).absolutePath();
  folderLabel_->setText(folder_);
  refresh();
}

void RunsWorkspace::refresh() {
  // Reading every run's files can take longer than a frame: it is a job like any other (an
  // interactive one, so it never waits behind trainings), not listed in the Jobs dock.
  if ((listing_ && !listing_->finished()) || folder_.isEmpty())
    return;
  const std::string folder = folder_.toStdString();
  auto runs = std::make_shared<std::vector<RunSummary>>();
  listing_ = services().submitQuietly(makeJob(
      "List runs in " + folder, [folder, runs](Job&) { *runs = listRuns(folder); },
      JobPriority::Interactive));
  const QString listed = folder_;
  continuations_->whenFinished(listing_, [this, runs, listed](const Job& job) {
    if (listed != folder_)
      return; // another folder since
    if (job.state() != JobState::Succeeded) {
      problem_->setText(
          tr("Cannot list %1: %2").arg(listed, QString::fromStdString(job.errorMessage())));
      problem_->show();
      showRuns({});
      return;
    }
    problem_->hide();
    showRuns(*runs);
  });
}

void RunsWorkspace::refreshNow() {
  refresh();
  if (listing_)
    listing_->wait();
  continuations_->pollNow();
}

void RunsWorkspace::showRuns(const std::vector<RunSummary>& runs) {
  const QString selected = selectedRun();
  table_->setSortingEnabled(false);
  table_->setRowCount(int(runs.size()));
  for (int row = 0; row < int(runs.size()); ++row) {
    const auto& run = runs[size_t(row)];
    const QString state =
        run.status ? QString::fromStdString(run.status->state) : QStringLiteral("-");
    QStringList cells(ColumnCount);
    cells[Name] = QString::fromStdString(run.name);
    cells[State] = state;
    if (run.status) {
      cells[Task] = QString::fromStdString(run.status->task);
      cells[Progress] = run.status->totalSteps > 0
                            ? QStringLiteral("%1 / %2 (%3%)")
                                  .arg(run.status->step)
                                  .arg(run.status->totalSteps)
                                  .arg(100 * run.status->step / run.status->totalSteps)
                            : QString::number(run.status->step);
      if (run.status->best)
        cells[Best] = QStringLiteral("%1 = %2").arg(QString::fromStdString(run.status->bestMetric),
                                                    formatValue(*run.status->best));
      cells[Updated] = QDateTime::fromSecsSinceEpoch(qint64(run.status->updated))
                           .toString(QStringLiteral("yyyy-MM-dd hh:mm:ss"));
    }
    if (run.lastRecord && run.lastRecord->scalars.count("train/loss"))
      cells[LastLoss] = formatValue(run.lastRecord->scalars.at("train/loss"));
    for (int column = 0; column < ColumnCount; ++column) {
      auto* item = new QTableWidgetItem(cells[column]);
      if (column == State)
        item->setForeground(stateColour(state));
      if (column == Name) {
        item->setData(Qt::UserRole, QString::fromStdString(run.path));
        item->setToolTip(QString::fromStdString(run.path));
      }
      if (column == State && run.status && !run.status->message.empty())
        item->setToolTip(QString::fromStdString(run.status->message));
      table_->setItem(row, column, item);
    }
    if (QString::fromStdString(run.path) == selected)
      table_->selectRow(row);
  }
  // Something is always selected, so the config and log panes are never blank.
  if (selected.isEmpty() && table_->rowCount() > 0)
    table_->selectRow(0);
  // The selection may not have changed while its run did (a training that stopped since): the
  // Resume button follows the run's state on every listing, not only on a new selection.
  showResumability(selectedRun());
}

QString RunsWorkspace::selectedRun() const {
  const auto rows = table_->selectionModel()->selectedRows();
  if (rows.isEmpty())
    return {};
  auto* item = table_->item(rows.first().row(), Name);
  return item ? item->data(Qt::UserRole).toString() : QString();
}

void RunsWorkspace::showDetails() {
  const QString run = selectedRun();
  if (run.isEmpty()) {
    resumeButton_->setEnabled(false);
    return;
  }
  const QString config = headOf(run + "/config.yaml");
  config_->setPlainText(QFile::exists(run + "/config.yaml") ? config : tr("(no config.yaml)"));
  log_->setPlainText(tail(run + "/log.txt", 200));
  log_->moveCursor(QTextCursor::End);
  showResumability(run);
}

void RunsWorkspace::showResumability(const QString& run) {
  QString why;
  resumeButton_->setEnabled(!run.isEmpty() && canResume(run, &why));
  resumeButton_->setToolTip(why.isEmpty() ? tr("Continue %1 from its last checkpoint, with its "
                                               "own config.yaml")
                                                .arg(QFileInfo(run).fileName())
                                          : why);
}

bool RunsWorkspace::canResume(const QString& runDir, QString* why) {
  const auto fail = [&](const QString& reason) {
    if (why)
      *why = reason;
    return false;
  };
  const auto status = readRunStatus(runDir.toStdString());
  if (!status)
    return fail(tr("This run has no status.json"));
  if (status->state == "running")
    return fail(tr("This run is training"));
  if (status->state == "finished")
    return fail(tr("This run has finished"));
  try {
    trainingTask(status->task);
  } catch (const std::exception&) {
    return fail(tr("Lumen cannot train task '%1'").arg(QString::fromStdString(status->task)));
  }
  if (!QFile::exists(runDir + "/checkpoints/last.pt"))
    return fail(tr("This run stopped before its first checkpoint: start a new one"));
  if (!QFile::exists(runDir + "/config.yaml"))
    return fail(tr("This run has no config.yaml"));
  if (why)
    why->clear();
  return true;
}

void RunsWorkspace::chooseFolder() {
  const QString folder = QFileDialog::getExistingDirectory(this, tr("Folder of runs"), folder_);
  if (!folder.isEmpty()) {
    setFolder(folder);
    Q_EMIT pathOpened(folder);
  }
}

JobPtr RunsWorkspace::startRegressionRun(const QString& runDir, const QString& configFile,
                                         const QStringList& overrides) {
  std::vector<std::string> sets;
  for (const auto& o : overrides)
    sets.push_back(o.toStdString());
  const auto& task = trainingTask("regression");
  const std::string config = task.resolve(configFile.toStdString(), sets);
  auto job = services().startTraining(task.start(config, runDir.toStdString(), {}), runDir);
  Q_EMIT statusMessage(tr("Training started in %1").arg(runDir));
  QTimer::singleShot(500, this, &RunsWorkspace::refresh);
  return job;
}

JobPtr RunsWorkspace::resumeRun(const QString& runDir) {
  auto job = services().startTraining(resumeTrainingJob(runDir.toStdString()), runDir);
  Q_EMIT statusMessage(tr("Resuming %1").arg(runDir));
  QTimer::singleShot(500, this, &RunsWorkspace::refresh);
  return job;
}

void RunsWorkspace::startNewRun() {
  try {
    startRegressionRun(QString::fromStdString(newRunDirName(folder_.toStdString(), "regression")));
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Cannot start training"), QString::fromUtf8(e.what()));
  }
}

void RunsWorkspace::resumeSelected() {
  const QString run = selectedRun();
  if (run.isEmpty())
    return;
  try {
    resumeRun(run);
    resumeButton_->setEnabled(false);
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Cannot resume"), QString::fromUtf8(e.what()));
  }
}

} // namespace lumen
