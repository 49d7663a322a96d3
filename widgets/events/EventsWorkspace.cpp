#include "events/EventsWorkspace.h"

#include "common/Config.h"
#include "common/Resources.h"
#include "events/DenoiseJobs.h"
#include "events/EventCloudView.h"
#include "events/EventFrameView.h"
#include "events/EventImport.h"
#include "events/EventStreamPanel.h"
#include "events/SyntheticEvents.h"
#include "events/VoxelTilesView.h"
#include "io/Hdf5File.h"
#include "workspace/JobContinuations.h"
#include "workspace/WorkspaceRegistry.h"
#include "workspace/WorkspaceServices.h"

#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSlider>
#include <QSplitter>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <vtkCamera.h>
#include <vtkCommand.h>
#include <vtkRenderer.h>

namespace lumen {
namespace {

const QStringList kSuffixes = {".h5", ".hdf5", ".aedat4", ".raw", ".txt"};

bool isHdf5Name(const QString& path) {
  return hasSuffix(path, {".h5", ".hdf5"});
}

bool isEventHdf5(const QString& path) {
  try {
    return Hdf5File::openRead(path.toStdString()).exists("/events/t");
  } catch (const std::exception&) {
    return false;
  }
}

// The same recording in the other folder of a synthetic-style pair, or empty.
QString partnerOf(const QFileInfo& file, const char* fromFolder, const char* toFolder) {
  const QDir folder = file.absoluteDir();
  if (folder.dirName() != QLatin1String(fromFolder))
    return {};
  const QString partner =
      QDir(folder.absolutePath() + "/../" + toFolder).absoluteFilePath(file.fileName());
  return QFileInfo::exists(partner) ? QDir::cleanPath(partner) : QString();
}

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
  info.accepts = [](const QString& path) {
    const QFileInfo file(path);
    if (!file.isFile() || !hasSuffix(path, kSuffixes))
      return false;
    // Other pipelines keep HDF5 files too (voxel grids, images): only event files are ours.
    return !isHdf5Name(path) || isEventHdf5(path);
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
      infer_(new QPushButton(tr("Denoise…"), this)),
      continuations_(new JobContinuations(this, 250)) {
  setObjectName(QStringLiteral("events"));
  auto* openButton = new QPushButton(tr("Open Recording…"), this);
  openButton->setToolTip(tr("Open a recording; a paired clean/noisy partner opens with it"));
  train_->setToolTip(tr("Train the 3D U-Net denoiser on the folders of the noisy/clean pair"));
  infer_->setToolTip(tr("Denoise the noisy stream with a trained checkpoint"));
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
    connect(panel, &EventStreamPanel::loaded, this, [this, slot] { streamLoaded(Slot(slot)); });
    connect(panel, &EventStreamPanel::loadFailed, this,
            [this](const QString& path, const QString& error) {
              Q_EMIT statusMessage(tr("Cannot open %1: %2").arg(path, error));
            });
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

  auto* lower = new QWidget(this);
  auto* lowerLayout = new QVBoxLayout(lower);
  lowerLayout->setContentsMargins(0, 0, 0, 0);
  lowerLayout->addLayout(range);
  lowerLayout->addWidget(frameBox, 1);

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
}

EventsWorkspace::~EventsWorkspace() = default;

vtkCamera* EventsWorkspace::sharedCamera() const {
  return camera_.camera();
}

bool EventsWorkspace::openPath(const QString& path, QString* error) {
  const QFileInfo file(path);
  const auto fail = [&](const QString& message) {
    if (error)
      *error = message;
    return false;
  };
  if (!file.isFile())
    return fail(tr("%1 is not a file").arg(path));
  if (isHdf5Name(path)) {
    if (!isEventHdf5(path))
      return fail(tr("%1 is not an event file (no /events/t)").arg(path));
    const QString abs = file.absoluteFilePath();
    if (file.absoluteDir().dirName() == QLatin1String(kCleanFolder)) {
      openInSlot(Clean, abs);
      if (const QString noisy = partnerOf(file, kCleanFolder, kNoisyFolder); !noisy.isEmpty())
        openInSlot(Noisy, noisy);
    } else if (file.completeBaseName().endsWith(QLatin1String("_denoised"))) {
      openInSlot(Denoised, abs);
    } else {
      openInSlot(Noisy, abs);
      if (const QString clean = partnerOf(file, kNoisyFolder, kCleanFolder); !clean.isEmpty())
        openInSlot(Clean, clean);
      if (const QString denoised = denoisedPathFor(abs); QFileInfo::exists(denoised))
        openInSlot(Denoised, denoised);
    }
    Q_EMIT pathOpened(path);
    return true;
  }

  const EventFormat format = detectEventFormat(path.toStdString());
  if (format == EventFormat::Unknown || format == EventFormat::Hdf5)
    return fail(tr("%1 is not a recording Lumen can import").arg(path));
  const QString out = file.absoluteDir().absoluteFilePath(file.completeBaseName() + ".h5");
  const std::string in = path.toStdString(), outStd = out.toStdString();
  auto job =
      services().submit(makeJob("Import " + file.fileName().toStdString(), [in, outStd](Job& job) {
        importEvents(in, outStd, ImportOptions{}, &job);
      }));
  Q_EMIT statusMessage(tr("Importing %1 (%2) to %3").arg(path, eventFormatName(format), out));
  whenDone(job, [this, out] {
    QString openError;
    if (!openPath(out, &openError))
      Q_EMIT statusMessage(openError);
  });
  Q_EMIT pathOpened(path);
  return true;
}

void EventsWorkspace::openInSlot(Slot slot, const QString& path) {
  panels_[size_t(slot)]->load(path);
}

QString EventsWorkspace::denoisedPathFor(const QString& noisyPath) {
  const QFileInfo file(noisyPath);
  const QString name = file.completeBaseName() + "_denoised.h5";
  // Outputs stay out of the training folders, where they would count as unpaired recordings.
  if (file.absoluteDir().dirName() == QLatin1String(kNoisyFolder))
    return QDir::cleanPath(file.absolutePath() + "/../denoised/" + name);
  return file.absoluteDir().absoluteFilePath(name);
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
  updateButtons();
  Q_EMIT statusMessage(tr("Opened %1").arg(panels_[size_t(slot)]->stream().path));
}

void EventsWorkspace::updateTimeControls() {
  bool any = false;
  for (auto* panel : panels_) {
    if (!panel->hasStream() || panel->stream().events->empty())
      continue;
    const auto& stats = panel->stream().stats;
    origin_ = any ? std::min(origin_, stats.tFirst) : stats.tFirst;
    end_ = any ? std::max(end_, stats.tLast + 1) : stats.tLast + 1;
    any = true;
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
  train_->setEnabled(panels_[Noisy]->hasStream() && panels_[Clean]->hasStream());
  infer_->setEnabled(panels_[Noisy]->hasStream());
}

void EventsWorkspace::chooseFile(Slot slot) {
  const QString start = panels_[size_t(slot)]->hasStream()
                            ? QFileInfo(panels_[size_t(slot)]->stream().path).absolutePath()
                            : QString();
  const QString path = QFileDialog::getOpenFileName(this, tr("Open %1 stream").arg(slotName(slot)),
                                                    start, info().fileFilter);
  if (path.isEmpty())
    return;
  QString error;
  if (slot == Noisy) {
    if (!openPath(path, &error))
      QMessageBox::warning(this, tr("Cannot open"), error);
  } else if (!isEventHdf5(path)) {
    QMessageBox::warning(this, tr("Cannot open"), tr("%1 is not an event file").arg(path));
  } else {
    openInSlot(slot, path);
  }
}

JobPtr EventsWorkspace::startTraining() {
  return startTraining(QFileInfo(panels_[Noisy]->stream().path).absolutePath(),
                       QFileInfo(panels_[Clean]->stream().path).absolutePath());
}

JobPtr EventsWorkspace::startTraining(const QString& noisyDir, const QString& cleanDir,
                                      const std::vector<std::string>& overrides,
                                      const QString& runsFolder) {
  auto config = loadConfig<EventTrainConfig>(findResource("configs/events/train.yaml"), overrides);
  // Set on the struct, not as --set overrides: paths need no YAML quoting this way.
  config.data.noisy_dir = noisyDir.toStdString();
  config.data.clean_dir = cleanDir.toStdString();
  const QString runs =
      runsFolder.isEmpty() ? QFileInfo(noisyDir).absolutePath() + "/runs" : runsFolder;
  const QString runDir =
      runs + "/events-" + QDateTime::currentDateTime().toString("yyyyMMdd-hhmmss");
  auto job = services().submit(eventTrainingJob(config, runDir.toStdString()));
  services().monitorRun(runDir);
  lastRunDir_ = runDir;
  whenDone(job, [] {});
  Q_EMIT statusMessage(tr("Training the event denoiser in %1").arg(runDir));
  return job;
}

JobPtr EventsWorkspace::startInference(const QString& checkpoint) {
  const QString input = panels_[Noisy]->stream().path;
  const QString output = denoisedPathFor(input);
  QDir().mkpath(QFileInfo(output).absolutePath());
  auto config = loadConfig<EventInferConfig>(findResource("configs/events/infer.yaml"));
  config.checkpoint = checkpoint.toStdString();
  config.input = input.toStdString();
  config.output = output.toStdString();
  auto job = services().submit(eventInferenceJob(config));
  whenDone(job, [this, output] { openInSlot(Denoised, output); });
  Q_EMIT statusMessage(tr("Denoising %1 into %2").arg(input, output));
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
  QString suggestion = lastRunDir_.isEmpty() ? QString() : lastRunDir_ + "/checkpoints/best.pt";
  if (suggestion.isEmpty()) {
    const QFileInfo noisy(panels_[Noisy]->stream().path);
    suggestion = QFileInfo(noisy.absolutePath()).absolutePath() + "/runs";
  }
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
