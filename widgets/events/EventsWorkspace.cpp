#include "events/EventsWorkspace.h"

#include "events/EventCloudView.h"
#include "events/EventFrameView.h"
#include "events/EventImport.h"
#include "events/EventStreamPanel.h"
#include "events/SyntheticEvents.h"
#include "events/VoxelTilesView.h"
#include "workspace/JobContinuations.h"
#include "workspace/WorkspaceRegistry.h"
#include "workspace/WorkspaceServices.h"

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSlider>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <vtkCamera.h>
#include <vtkCommand.h>
#include <vtkRenderer.h>

namespace lumen {
namespace {

const QStringList kSuffixes = {".h5", ".hdf5", ".aedat4", ".raw", ".txt"};

const char* slotName(int slot) {
  static const char* names[] = {"noisy", "denoised", "clean"};
  return names[slot];
}

} // namespace

WorkspaceInfo EventsWorkspace::info() {
  WorkspaceInfo info;
  info.id = QStringLiteral("events");
  info.title = QStringLiteral("Events");
  info.description =
      QStringLiteral("Event-camera recordings: 3D clouds, frames, voxel grids, denoising");
  info.fileFilter = QStringLiteral("Event recordings (*.h5 *.hdf5 *.aedat4 *.raw *.txt)");
  // By name alone: this runs on the UI thread, where opening an HDF5 file can wait behind a
  // worker's long read (libhdf5 has one global lock). What a file holds is checked when it loads.
  info.accepts = [](const QString& path) {
    const QFileInfo file(path);
    return file.isFile() && hasSuffix(path, kSuffixes);
  };
  info.create = [](WorkspaceServices& services, QWidget* parent) -> Workspace* {
    return new EventsWorkspace(services, parent);
  };
  return info;
}

EventsWorkspace::EventsWorkspace(WorkspaceServices& services, QWidget* parent)
    : Workspace(services, parent), frame_(new EventFrameView(this)),
      tiles_(new VoxelTilesView(this)), frameSource_(new QComboBox(this)),
      start_(new QSlider(Qt::Horizontal, this)), duration_(new QDoubleSpinBox(this)),
      rangeLabel_(new QLabel(this)), train_(new QPushButton(tr("Train Denoiser"), this)),
      infer_(new QPushButton(tr("Denoise…"), this)), keptTitle_(new QLabel(this)),
      kept_(new QTableWidget(0, 5, this)), continuations_(new JobContinuations(this, 100)),
      session_([this](JobPtr job, bool listed) {
        auto submitted = listed ? this->services().submit(std::move(job))
                                : this->services().submitQuietly(std::move(job));
        continuations_->watch(session_.followUps());
        return submitted;
      }) {
  session_.setListener([this](const EventsSession::Change& change) { sessionChanged(change); });
  setObjectName(QStringLiteral("events"));
  auto* openButton = new QPushButton(tr("Open Recording…"), this);
  openButton->setToolTip(tr("Open a recording; a paired clean/noisy partner opens with it"));
  infer_->setToolTip(tr("Denoise the noisy stream with a trained checkpoint: it keeps the "
                        "recording's own events that the network scores as signal"));
  auto* top = new QHBoxLayout;
  top->addWidget(openButton);
  top->addStretch(1);
  top->addWidget(train_);
  top->addWidget(infer_);

  auto* clouds = new QSplitter(Qt::Horizontal, this);
  for (int slot = 0; slot < SlotCount; ++slot) {
    auto* panel = new EventStreamPanel(QString::fromLatin1(slotName(slot)), clouds);
    panels_[size_t(slot)] = panel;
    clouds->addWidget(panel);
    // One camera for all clouds: turning one turns the others, so streams compare point by point.
    camera_.attach(panel->cloud());
    connect(panel, &EventStreamPanel::openRequested, this,
            [this, slot] { chooseFile(Slot(slot)); });
  }

  start_->setToolTip(tr("Start of the time range shown in the clouds"));
  duration_->setRange(0.1, 1e6);
  duration_->setDecimals(1);
  duration_->setSuffix(tr(" ms"));
  duration_->setValue(100.0);
  duration_->setToolTip(tr("Length of the time range shown in the clouds"));
  auto* range = new QHBoxLayout;
  range->addWidget(new QLabel(tr("Time range: start"), this));
  range->addWidget(start_, 1);
  range->addWidget(new QLabel(tr("length"), this));
  range->addWidget(duration_);
  range->addWidget(rangeLabel_);

  for (int slot = 0; slot < SlotCount; ++slot)
    frameSource_->addItem(QString::fromLatin1(slotName(slot)), slot);
  auto* frameHeader = new QHBoxLayout;
  frameHeader->addWidget(new QLabel(tr("<b>Event frame</b> of"), this));
  frameHeader->addWidget(frameSource_);
  frameHeader->addStretch(1);
  auto* frameBox = new QWidget(this);
  auto* frameLayout = new QVBoxLayout(frameBox);
  frameLayout->setContentsMargins(0, 0, 0, 0);
  frameLayout->addLayout(frameHeader);
  frameLayout->addWidget(frame_, 1);
  frameLayout->addWidget(new QLabel(tr("<b>Voxel grid</b> of the frame window, %1 bins "
                                       "(blue negative, white zero, red positive)")
                                        .arg(tiles_->bins()),
                                    this));
  frameLayout->addWidget(tiles_);

  kept_->setHorizontalHeaderLabels(
      {tr("Method"), tr("Kept"), tr("% of input"), tr("ESR"), tr("Subset of input")});
  kept_->horizontalHeaderItem(3)->setToolTip(
      tr("Event structure ratio (E-MLB): higher is more structured, needs no labels"));
  kept_->horizontalHeaderItem(4)->setToolTip(
      tr("Every kept event is one of the noisy recording's own, with its exact time"));
  kept_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  kept_->setSelectionMode(QAbstractItemView::NoSelection);
  kept_->verticalHeader()->hide();
  kept_->horizontalHeader()->setStretchLastSection(true);
  kept_->setMinimumWidth(360);
  auto* keptBox = new QWidget(this);
  auto* keptLayout = new QVBoxLayout(keptBox);
  keptLayout->setContentsMargins(0, 0, 0, 0);
  keptTitle_->setWordWrap(true);
  keptLayout->addWidget(keptTitle_);
  keptLayout->addWidget(kept_, 1);
  auto* frameAndKept = new QHBoxLayout;
  frameAndKept->addWidget(frameBox, 3);
  frameAndKept->addWidget(keptBox, 1);

  auto* lower = new QWidget(this);
  auto* lowerLayout = new QVBoxLayout(lower);
  lowerLayout->setContentsMargins(0, 0, 0, 0);
  lowerLayout->addLayout(range);
  lowerLayout->addLayout(frameAndKept, 1);

  auto* splitter = new QSplitter(Qt::Vertical, this);
  splitter->addWidget(clouds);
  splitter->addWidget(lower);
  splitter->setStretchFactor(0, 3);
  splitter->setStretchFactor(1, 2);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(splitter, 1);

  connect(openButton, &QPushButton::clicked, this, [this] { chooseFile(Noisy); });
  connect(train_, &QPushButton::clicked, this, &EventsWorkspace::trainClicked);
  connect(infer_, &QPushButton::clicked, this, &EventsWorkspace::inferClicked);
  connect(start_, &QSlider::valueChanged, this, &EventsWorkspace::applyTimeRange);
  connect(duration_, qOverload<double>(&QDoubleSpinBox::valueChanged), this,
          &EventsWorkspace::applyTimeRange);
  connect(frameSource_, qOverload<int>(&QComboBox::currentIndexChanged), this,
          &EventsWorkspace::showFrameSource);
  connect(frame_, &EventFrameView::windowChanged, this, &EventsWorkspace::updateTiles);
  updateButtons();
  showKeptEvents({});
}

EventsWorkspace::~EventsWorkspace() = default;

vtkCamera* EventsWorkspace::sharedCamera() const {
  return camera_.camera();
}

bool EventsWorkspace::openPath(const QString& path, QString* error) {
  try {
    session_.open(path.toStdString());
  } catch (const std::exception& e) {
    if (error)
      *error = QString::fromUtf8(e.what());
    return false;
  }
  Q_EMIT pathOpened(path);
  return true;
}

void EventsWorkspace::openInSlot(Slot slot, const QString& path) {
  session_.openInSlot(StreamSlot(slot), path.toStdString());
}

QString EventsWorkspace::denoisedPathFor(const QString& noisyPath) {
  return QString::fromStdString(EventsSession::denoisedPathFor(noisyPath.toStdString()));
}

void EventsWorkspace::sessionChanged(const EventsSession::Change& change) {
  const Slot slot = Slot(change.slot);
  const QString path = QString::fromStdString(change.path);
  switch (change.kind) {
  case EventsSession::Change::Loading:
    panels_[size_t(slot)]->showLoading(path);
    break;
  case EventsSession::Change::Loaded:
    panels_[size_t(slot)]->showStream(session_.stream(change.slot));
    streamLoaded(slot);
    break;
  case EventsSession::Change::LoadFailed:
    panels_[size_t(slot)]->showError(path, QString::fromStdString(change.message));
    Q_EMIT statusMessage(
        tr("Cannot open %1: %2").arg(path, QString::fromStdString(change.message)));
    break;
  case EventsSession::Change::RunStarted:
    services().monitorRun(path);
    Q_EMIT statusMessage(tr("Training the event denoiser in %1").arg(path));
    break;
  case EventsSession::Change::JobEnded:
    Q_EMIT statusMessage(QString::fromStdString(change.message));
    break;
  case EventsSession::Change::Compared:
    showKeptEvents(QString::fromStdString(change.message));
    break;
  }
  updateButtons();
}

void EventsWorkspace::streamLoaded(Slot slot) {
  updateTimeControls();
  applyTimeRange();
  // The frame shows the noisy stream (pairs load in either order), or whatever stream there is.
  const bool current = frameSource_->currentIndex() == slot;
  if (slot == Noisy || !panels_[size_t(frameSource_->currentIndex())]->hasStream()) {
    frameSource_->setCurrentIndex(slot);
    if (current)
      showFrameSource(); // the index did not change, so no signal re-shows it
  } else if (current) {
    showFrameSource();
  }
  Q_EMIT statusMessage(
      tr("Opened %1").arg(QString::fromStdString(panels_[size_t(slot)]->stream().path)));
}

void EventsWorkspace::updateTimeControls() {
  if (const auto span = session_.timeSpan()) {
    origin_ = span->first;
    end_ = span->second;
  }
  // Rounded up to the spin box's 0.1 ms, so the whole span can still include the last event.
  const double spanMs = std::ceil(double(end_ - origin_) / 100.0) / 10.0;
  const QSignalBlocker blockStart(start_), blockDuration(duration_);
  start_->setRange(0, std::max(0, int(spanMs)));
  // Whole short recordings fit in a cloud; longer ones start with their first second. A range
  // that showed everything grows with a longer stream (pairs load in either order); a length
  // the user chose is kept as long as it fits.
  const double previous = duration_->value();
  const bool wasWhole = !rangeInitialised_ || (start_->value() == 0 && previous >= spanMs_);
  duration_->setMaximum(std::max(0.1, spanMs));
  if (wasWhole || previous > spanMs)
    duration_->setValue(std::min(std::max(0.1, spanMs), 1000.0));
  spanMs_ = spanMs;
  rangeInitialised_ = true;
}

int64_t EventsWorkspace::rangeStart() const {
  return origin_ + int64_t(start_->value()) * 1000;
}

int64_t EventsWorkspace::rangeEnd() const {
  return rangeStart() + std::llround(duration_->value() * 1000.0);
}

void EventsWorkspace::setTimeRange(int64_t t0, int64_t t1) {
  const QSignalBlocker blockStart(start_), blockDuration(duration_);
  start_->setValue(int((t0 - origin_) / 1000));
  duration_->setValue(double(t1 - t0) / 1000.0);
  applyTimeRange();
}

void EventsWorkspace::applyTimeRange() {
  const int64_t t0 = rangeStart(), t1 = rangeEnd();
  size_t shown = 0, total = 0;
  for (auto* panel : panels_) {
    if (!panel->hasStream())
      continue;
    panel->cloud()->setEvents(panel->stream().events, t0, t1);
    shown += panel->cloud()->displayedPoints();
    total += panel->cloud()->eventsInRange();
  }
  rangeLabel_->setText(
      tr("%1 – %2 ms%3")
          .arg(double(t0 - origin_) / 1000.0, 0, 'f', 1)
          .arg(double(t1 - origin_) / 1000.0, 0, 'f', 1)
          .arg(shown < total ? tr(" (subsampled: %1 of %2 events drawn)").arg(shown).arg(total)
                             : QString()));
}

void EventsWorkspace::showFrameSource() {
  auto* panel = panels_[size_t(std::max(0, frameSource_->currentIndex()))];
  const int64_t t = frame_->time();
  frame_->setEvents(panel->hasStream() ? panel->stream().events : nullptr);
  // Switching streams keeps the moment in view, so the same window can be compared.
  if (panel->hasStream() && t > origin_)
    frame_->setTime(t);
}

void EventsWorkspace::updateTiles(int64_t t0, int64_t t1) {
  auto* panel = panels_[size_t(std::max(0, frameSource_->currentIndex()))];
  if (panel->hasStream())
    tiles_->setWindow(*panel->stream().events, t0, t1);
  else
    tiles_->clear();
}

void EventsWorkspace::updateButtons() {
  train_->setEnabled(session_.canTrain());
  train_->setToolTip(
      session_.isTraining()
          ? tr("Training in %1 (cancel it in the Jobs panel)").arg(lastRunDir())
          : tr("Train the event denoiser (configs/events/train.yaml) on the folders of the "
               "noisy/clean pair"));
  infer_->setEnabled(session_.canDenoise());
}

void EventsWorkspace::showKeptEvents(const QString& failure) {
  const auto& table = session_.keptEvents();
  if (!failure.isEmpty())
    keptTitle_->setText(tr("<b>Kept events</b>: cannot compare: %1").arg(failure.toHtmlEscaped()));
  else if (session_.isComparing())
    keptTitle_->setText(tr("<b>Kept events</b>: running BAF and STCF on the noisy stream…"));
  else if (!table)
    keptTitle_->setText(tr("<b>Kept events</b> of the noisy stream: denoise it (or open a "
                           "denoised version) to compare with BAF and STCF"));
  else
    keptTitle_->setText(tr("<b>Kept events</b> of %1 (%L2 events, no labels needed)")
                            .arg(QString::fromStdString(table->input).toHtmlEscaped())
                            .arg(qulonglong(table->inputEvents)));
  kept_->setRowCount(table ? int(table->rows.size()) : 0);
  if (!table)
    return;
  for (int r = 0; r < int(table->rows.size()); ++r) {
    const KeptEventsRow& row = table->rows[size_t(r)];
    const QStringList cells = {QString::fromStdString(row.method),
                               QLocale().toString(qulonglong(row.kept)),
                               QString::number(100.0 * row.share, 'f', 1),
                               QString::number(row.esr, 'f', 4), row.subset ? tr("yes") : tr("no")};
    for (int c = 0; c < cells.size(); ++c) {
      auto* item = new QTableWidgetItem(cells[c]);
      if (c > 0 && c < 4)
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      kept_->setItem(r, c, item);
    }
  }
  kept_->resizeColumnsToContents();
}

void EventsWorkspace::chooseFile(Slot slot) {
  const QString start =
      panels_[size_t(slot)]->hasStream()
          ? QFileInfo(QString::fromStdString(panels_[size_t(slot)]->stream().path)).absolutePath()
          : QString();
  const QString path = QFileDialog::getOpenFileName(this, tr("Open %1 stream").arg(slotName(slot)),
                                                    start, info().fileFilter);
  if (path.isEmpty())
    return;
  QString error;
  if (slot == Noisy) {
    if (!openPath(path, &error))
      QMessageBox::warning(this, tr("Cannot open"), error);
  } else {
    openInSlot(slot, path); // a file that is no event file is reported in its slot
  }
}

JobPtr EventsWorkspace::startTraining() {
  auto job = session_.startTraining();
  updateButtons();
  return job;
}

JobPtr EventsWorkspace::startTraining(const QString& noisyDir, const QString& cleanDir,
                                      const std::vector<std::string>& overrides,
                                      const QString& runsFolder) {
  auto job = session_.startTraining(noisyDir.toStdString(), cleanDir.toStdString(), overrides,
                                    runsFolder.toStdString());
  updateButtons();
  return job;
}

JobPtr EventsWorkspace::startInference(const QString& checkpoint) {
  auto job = session_.startInference(checkpoint.toStdString());
  updateButtons();
  Q_EMIT statusMessage(
      tr("Denoising %1 into %2")
          .arg(QString::fromStdString(session_.stream(StreamSlot::Noisy)->path),
               denoisedPathFor(QString::fromStdString(session_.stream(StreamSlot::Noisy)->path))));
  return job;
}

void EventsWorkspace::trainClicked() {
  try {
    startTraining();
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Cannot start training"), QString::fromUtf8(e.what()));
  }
}

void EventsWorkspace::inferClicked() {
  const QString suggestion = QString::fromStdString(session_.suggestedCheckpoint());
  const QString checkpoint = QFileDialog::getOpenFileName(this, tr("Denoiser checkpoint"),
                                                          suggestion, tr("Checkpoints (*.pt)"));
  if (checkpoint.isEmpty())
    return;
  try {
    startInference(checkpoint);
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Cannot denoise"), QString::fromUtf8(e.what()));
  }
}

void EventsWorkspace::whenDone(JobPtr job, std::function<void()> then) {
  continuations_->whenDone(std::move(job), std::move(then), [this](const Job& failed) {
    Q_EMIT statusMessage(jobFailureText(failed));
  });
}

} // namespace lumen
