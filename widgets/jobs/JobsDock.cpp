#include "jobs/JobsDock.h"

#include "common/JobPool.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace lumen {

namespace {

constexpr int kPollMs = 100;
constexpr int kProgressSteps = 1000;

enum Column { Title, Progress, Stage, Elapsed, Eta, State, Cancel, ColumnCount };

const QColor kFailed(0xc6, 0x28, 0x28);
const QColor kDone(0x2e, 0x7d, 0x32);
const QColor kCancelled(0x75, 0x75, 0x75);

QTableWidgetItem* textItem(const QString& text = {}) {
  auto* item = new QTableWidgetItem(text);
  item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
  return item;
}

} // namespace

namespace {
QString clock(double seconds) {
  return QString::fromStdString(formatDuration(seconds));
}
} // namespace

JobsDock::JobsDock(QWidget* parent) : QDockWidget(tr("Jobs"), parent) {
  auto* body = new QWidget(this);
  table_ = new QTableWidget(0, ColumnCount, body);
  table_->setHorizontalHeaderLabels(
      {tr("Job"), tr("Progress"), tr("Stage"), tr("Elapsed"), tr("ETA"), tr("State"), QString()});
  table_->verticalHeader()->hide();
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setWordWrap(false);
  auto* header = table_->horizontalHeader();
  header->setSectionResizeMode(QHeaderView::ResizeToContents);
  header->setSectionResizeMode(Title, QHeaderView::Interactive);
  header->setSectionResizeMode(Stage, QHeaderView::Stretch);
  header->resizeSection(Title, 220);
  header->setSectionResizeMode(Progress, QHeaderView::Fixed);
  header->resizeSection(Progress, 160);

  auto* clear = new QPushButton(tr("Clear finished"), body);
  auto* buttons = new QHBoxLayout;
  buttons->addStretch(1);
  buttons->addWidget(clear);
  auto* layout = new QVBoxLayout(body);
  layout->addWidget(table_, 1);
  layout->addLayout(buttons);
  setWidget(body);

  timer_ = new QTimer(this);
  timer_->setInterval(kPollMs);
  connect(timer_, &QTimer::timeout, this, &JobsDock::pollNow);
  connect(clear, &QPushButton::clicked, this, &JobsDock::clearFinished);
}

JobsDock::~JobsDock() = default;

void JobsDock::addJob(JobPtr job) {
  if (!job || std::any_of(rows_.begin(), rows_.end(), [&](const Row& r) { return r.job == job; }))
    return;
  const int index = table_->rowCount();
  table_->insertRow(index);
  const QString title = QString::fromStdString(job->title());
  auto* titleItem = textItem(title);
  titleItem->setToolTip(title);
  table_->setItem(index, Title, titleItem);
  for (int column : {Stage, Elapsed, Eta, State})
    table_->setItem(index, column, textItem());

  auto* bar = new QProgressBar(table_);
  bar->setRange(0, kProgressSteps);
  bar->setTextVisible(true);
  table_->setCellWidget(index, Progress, bar);

  auto* cancel = new QPushButton(tr("Cancel"), table_);
  // The row may move when finished rows are cleared: the button finds its job, not its row.
  connect(cancel, &QPushButton::clicked, this, [cancel, weak = std::weak_ptr<Job>(job)] {
    if (JobPtr j = weak.lock()) {
      j->requestCancel();
      cancel->setEnabled(false);
      cancel->setText(tr("Cancelling…"));
    }
  });
  table_->setCellWidget(index, Cancel, cancel);

  rows_.push_back(Row{std::move(job)});
  updateRow(index);
  timer_->start();
}

JobPtr JobsDock::run(JobPool& pool, const QString& title, Job::Body body) {
  JobPtr job = makeJob(title.toStdString(), std::move(body));
  addJob(job);
  return pool.submit(job);
}

void JobsDock::clearFinished() {
  for (int i = rowCount() - 1; i >= 0; --i)
    if (rows_[size_t(i)].reported) {
      table_->removeRow(i);
      rows_.erase(rows_.begin() + i);
    }
}

void JobsDock::pollNow() {
  // Signals go out after the loop: a receiver may add or clear rows.
  struct Ended {
    QString title;
    int state;
    QString message;
  };
  std::vector<Ended> ended;
  bool active = false;
  for (int i = 0; i < rowCount(); ++i) {
    Row& row = rows_[size_t(i)];
    if (row.reported)
      continue;
    updateRow(i);
    if (!row.job->finished()) {
      active = true;
      continue;
    }
    showFinished(i);
    row.reported = true;
    const QString title = QString::fromStdString(row.job->title());
    const JobState state = row.job->state();
    QString message;
    if (state == JobState::Failed)
      message = tr("%1 failed: %2").arg(title, QString::fromStdString(row.job->errorMessage()));
    else if (state == JobState::Cancelled)
      message = tr("%1 cancelled").arg(title);
    else
      message = tr("%1 finished in %2").arg(title, clock(row.job->elapsedSeconds()));
    ended.push_back({title, int(state), message});
  }
  if (!active)
    timer_->stop();
  for (const Ended& e : ended)
    Q_EMIT jobFinished(e.title, e.state, e.message);
}

void JobsDock::updateRow(int index) {
  const Job& job = *rows_[size_t(index)].job;
  // Read the state first: a job finishing meanwhile then still gets its final refresh.
  const JobState state = job.state();
  progressBar(index)->setValue(int(std::lround(job.progress() * kProgressSteps)));
  const QString stage = QString::fromStdString(job.stage());
  table_->item(index, Stage)->setText(stage);
  table_->item(index, Stage)->setToolTip(stage);
  table_->item(index, Elapsed)->setText(clock(job.elapsedSeconds()));
  const auto eta = job.etaSeconds();
  table_->item(index, Eta)->setText(eta ? tr("ETA %1").arg(clock(*eta)) : QString());
  const bool cancelling = state == JobState::Running && job.cancelRequested();
  table_->item(index, State)->setText(cancelling ? tr("cancelling") : jobStateName(state));
}

void JobsDock::showFinished(int index) {
  const Job& job = *rows_[size_t(index)].job;
  const JobState state = job.state();
  cancelButton(index)->setEnabled(false);
  cancelButton(index)->setText(tr("Cancel"));
  table_->item(index, Eta)->setText(QString());
  QTableWidgetItem* stateItem = table_->item(index, State);
  stateItem->setText(jobStateName(state));
  if (state == JobState::Succeeded) {
    progressBar(index)->setValue(kProgressSteps);
    stateItem->setForeground(kDone);
  } else if (state == JobState::Cancelled) {
    stateItem->setForeground(kCancelled);
  } else if (state == JobState::Failed) {
    const QString error = QString::fromStdString(job.errorMessage());
    QTableWidgetItem* stageItem = table_->item(index, Stage);
    stageItem->setText(error);
    for (int column : {Title, Stage, State}) {
      table_->item(index, column)->setForeground(kFailed);
      table_->item(index, column)->setToolTip(error);
    }
    progressBar(index)->setToolTip(error);
  }
}

JobPtr JobsDock::job(int row) const {
  return row >= 0 && row < rowCount() ? rows_[size_t(row)].job : nullptr;
}

QPushButton* JobsDock::cancelButton(int row) const {
  return qobject_cast<QPushButton*>(table_->cellWidget(row, Cancel));
}

QProgressBar* JobsDock::progressBar(int row) const {
  return qobject_cast<QProgressBar*>(table_->cellWidget(row, Progress));
}

QString JobsDock::stageText(int row) const {
  const QTableWidgetItem* item = table_->item(row, Stage);
  return item ? item->text() : QString();
}

QString JobsDock::stateText(int row) const {
  const QTableWidgetItem* item = table_->item(row, State);
  return item ? item->text() : QString();
}

QString JobsDock::etaText(int row) const {
  const QTableWidgetItem* item = table_->item(row, Eta);
  return item ? item->text() : QString();
}

} // namespace lumen
