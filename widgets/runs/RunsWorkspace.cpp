#include "runs/RunsWorkspace.h"

#include "common/Config.h"
#include "common/Resources.h"
#include "train/RegressionConfig.h"
#include "train/RunDirectory.h"
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
#include <QtConcurrent/QtConcurrentRun>
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
      return isRunDirectory(path.toStdString()) || !listRuns(path.toStdString()).empty();
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
      timer_(new QTimer(this)),
      watcher_(std::make_unique<QFutureWatcher<std::vector<RunSummary>>>()) {
  auto* chooseButton = new QPushButton(tr("Choose Folder…"), this);
  auto* refreshButton = new QPushButton(tr("Refresh"), this);
  auto* trainButton = new QPushButton(tr("Train Regression Model"), this);
  trainButton->setToolTip(tr("Start a new run of the built-in regression task in this folder"));
  resumeButton_->setToolTip(tr("Continue the selected run from its last checkpoint"));
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

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(splitter, 1);

  connect(chooseButton, &QPushButton::clicked, this, &RunsWorkspace::chooseFolder);
  connect(refreshButton, &QPushButton::clicked, this, &RunsWorkspace::refresh);
  connect(trainButton, &QPushButton::clicked, this, &RunsWorkspace::startNewRun);
  connect(resumeButton_, &QPushButton::clicked, this, &RunsWorkspace::resumeSelected);
  connect(table_, &QTableWidget::itemSelectionChanged, this, &RunsWorkspace::showDetails);
  connect(table_, &QTableWidget::cellDoubleClicked, this, [this](int row, int) {
    this->services().monitorRun(table_->item(row, Name)->data(Qt::UserRole).toString());
  });
  connect(watcher_.get(), &QFutureWatcher<std::vector<RunSummary>>::finished, this,
          [this] { showRuns(watcher_->result()); });
  connect(timer_, &QTimer::timeout, this, &RunsWorkspace::refresh);
  timer_->start(2000);
  setFolder(QDir::currentPath());
}

RunsWorkspace::~RunsWorkspace() {
  watcher_->waitForFinished();
}

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
  // Reading every run's files can take longer than a frame: it runs on a worker thread.
  if (watcher_->isRunning() || folder_.isEmpty())
    return;
  const std::string folder = folder_.toStdString();
  watcher_->setFuture(QtConcurrent::run([folder] {
    try {
      return listRuns(folder);
    } catch (const std::exception&) {
      return std::vector<RunSummary>{};
    }
  }));
}

void RunsWorkspace::refreshNow() {
  watcher_->waitForFinished();
  showRuns(listRuns(folder_.toStdString()));
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
  QFile config(run + "/config.yaml");
  config_->setPlainText(config.open(QIODevice::ReadOnly) ? QString::fromUtf8(config.readAll())
                                                         : tr("(no config.yaml)"));
  log_->setPlainText(tail(run + "/log.txt", 200));
  log_->moveCursor(QTextCursor::End);
  const auto status = readRunStatus(run.toStdString());
  const bool resumable = status && status->task == "regression" &&
                         (status->state == "cancelled" || status->state == "interrupted") &&
                         QFile::exists(run + "/checkpoints/last.pt");
  resumeButton_->setEnabled(resumable);
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
  const std::string file = configFile.isEmpty() ? findResource("configs/train/regression.yaml")
                                                : configFile.toStdString();
  const auto config = QFile::exists(runDir + "/config.yaml") && configFile.isEmpty()
                          ? loadConfig<RegressionConfig>((runDir + "/config.yaml").toStdString())
                          : loadConfig<RegressionConfig>(file, sets);
  auto job = services().submit(regressionTrainingJob(config, runDir.toStdString()));
  services().monitorRun(runDir);
  Q_EMIT statusMessage(tr("Training started in %1").arg(runDir));
  QTimer::singleShot(500, this, &RunsWorkspace::refresh);
  return job;
}

void RunsWorkspace::startNewRun() {
  const QString runDir =
      folder_ + "/regression-" + QDateTime::currentDateTime().toString("yyyyMMdd-hhmmss");
  try {
    startRegressionRun(runDir);
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Cannot start training"), QString::fromUtf8(e.what()));
  }
}

void RunsWorkspace::resumeSelected() {
  const QString run = selectedRun();
  if (run.isEmpty())
    return;
  try {
    startRegressionRun(run);
    resumeButton_->setEnabled(false);
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Cannot resume"), QString::fromUtf8(e.what()));
  }
}

} // namespace lumen
