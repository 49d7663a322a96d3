#include "segment/SegmentWorkspace.h"

#include "common/Error.h"
#include "io/CtVolumeIO.h"
#include "io/DicomSeries.h"
#include "segment/DatastoreNames.h"
#include "segment/MaskPanel.h"
#include "segment/MaskSurface.h"
#include "segment/PropagatorJobs.h"
#include "segment/SegmentInputs.h"
#include "segment/SegmentViewGrid.h"
#include "segment/SegmentationBackends.h"
#include "segment/SeriesDialog.h"
#include "segment/StudyFolder.h"
#include "segment/StudyPanel.h"
#include "train/TrainingTasks.h"
#include "workspace/JobContinuations.h"
#include "workspace/WorkspaceRegistry.h"
#include "workspace/WorkspaceServices.h"

#include <QAction>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QMessageBox>
#include <QResizeEvent>
#include <QSplitter>
#include <QVBoxLayout>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace lumen {
namespace {

const QStringList kVolumeSuffixes = {".nii", ".nii.gz", ".nrrd", ".nhdr", ".mha", ".mhd"};

QString fileName(const std::string& path) {
  return QFileInfo(QString::fromStdString(path)).fileName();
}

// "12 345 voxels · 23.4 mL · 18 % uncertain · 184 ms (forward 90, backward 88)" from a result's
// JSON, which is also the tooltip.
QString describeResult(const std::string& json) {
  const auto j = nlohmann::json::parse(json);
  const auto& t = j["timings_ms"];
  return QObject::tr("<b>%L1 voxels</b> · %2 mL · %3 % uncertain<br>%4 ms (plan %5, forward %6, "
                     "backward %7, combine %8, components %9)")
      .arg(j["voxels"].get<int64_t>())
      .arg(j["volume_ml"].get<double>(), 0, 'f', 1)
      .arg(j["uncertain_fraction"].get<double>() * 100.0, 0, 'f', 0)
      .arg(t["total"].get<double>(), 0, 'f', 0)
      .arg(t["plan"].get<double>(), 0, 'f', 0)
      .arg(t["forward"].get<double>(), 0, 'f', 0)
      .arg(t["backward"].get<double>(), 0, 'f', 0)
      .arg(t["combine"].get<double>(), 0, 'f', 0)
      .arg(t["components"].get<double>(), 0, 'f', 0);
}

} // namespace

WorkspaceInfo SegmentWorkspace::info() {
  WorkspaceInfo info;
  info.id = QStringLiteral("segment");
  info.title = QStringLiteral("Segment");
  info.description =
      QStringLiteral("Point-prompted CT segmentation: click a structure, correct the 3D mask, "
                     "accept it into the study folder, next image");
  info.fileFilter = QStringLiteral("CT volumes (*.nii *.nii.gz *.nrrd *.nhdr *.mha *.mhd *.dcm)");
  // Registered before Shapes, which opens any NIfTI: heart label maps are told apart here (see
  // SegmentInputs.h) and left to it.
  info.accepts = [](const QString& path) {
    return classifySegmentInput(path.toStdString()) != SegmentInputKind::None;
  };
  info.create = [](WorkspaceServices& services, QWidget* parent) -> Workspace* {
    return new SegmentWorkspace(services, parent);
  };
  return info;
}

SegmentWorkspace::SegmentWorkspace(WorkspaceServices& services, QWidget* parent)
    : Workspace(services, parent), continuations_(new JobContinuations(this, 25)),
      session_([this](JobPtr job, bool listed) {
        auto submitted = listed ? this->services().submit(std::move(job))
                                : this->services().submitQuietly(std::move(job));
        continuations_->watch(session_.followUps());
        return submitted;
      }),
      study_(new StudyFolder(
          [this](JobPtr job) { return this->services().submitQuietly(std::move(job)); },
          continuations_, this)),
      studyPanel_(new StudyPanel(this)), promptPanel_(new PromptPanel(this)),
      maskPanel_(new MaskPanel(this)), grid_(new SegmentViewGrid(this)) {
  setObjectName(QStringLiteral("segment"));

  auto* main = new QSplitter(Qt::Horizontal, this);
  QWidget* side = makeSidePanel();
  main->addWidget(side);
  main->addWidget(grid_);
  main->setStretchFactor(0, 0);
  main->setStretchFactor(1, 1);
  main->setSizes({320, 1200});
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(main);

  session_.setListener([this](const SegmentSession::Change& change) { sessionChanged(change); });
  addShortcuts();

  connect(study_, &StudyFolder::opened, this, [this](const QString& folder) {
    Q_EMIT statusMessage(
        tr("Study %1: %n image(s)", nullptr, int(study_->images().size())).arg(folder));
    if (!pendingImage_.isEmpty()) {
      const QString id = pendingImage_;
      pendingImage_.clear();
      study_->next(QStringLiteral("chosen"), id);
    } else {
      nextSample();
    }
  });
  connect(study_, &StudyFolder::listed, this, &SegmentWorkspace::studyListed);
  connect(study_, &StudyFolder::sampleChosen, this,
          [this](const QString& id, const QString& path, const QString&) {
            openImage(path.toStdString(), {}, id.toStdString(), study_->datastore());
          });
  connect(study_, &StudyFolder::nothingToServe, this, [this](const QString& reason) {
    status(tr("Nothing to serve: %1. Click an image in the list to review it.").arg(reason));
  });
  connect(study_, &StudyFolder::warning, this, &SegmentWorkspace::statusMessage);
  connect(study_, &StudyFolder::failed, this, &SegmentWorkspace::error);

  connect(studyPanel_, &StudyPanel::openFolderRequested, this, [this] {
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Study or DICOM folder"), study_->folder());
    QString why;
    if (!dir.isEmpty() && !openPath(dir, &why))
      error(why);
  });
  connect(studyPanel_, &StudyPanel::openFileRequested, this, [this] {
    const QString file =
        QFileDialog::getOpenFileName(this, tr("Open CT"), study_->folder(), info().fileFilter);
    QString why;
    if (!file.isEmpty() && !openPath(file, &why))
      error(why);
  });
  connect(studyPanel_, &StudyPanel::imageActivated, this, [this](const QString& id) {
    if (id.toStdString() != session_.imageId())
      leaveImageThen([this, id] { study_->next(QStringLiteral("chosen"), id); });
  });
  connect(studyPanel_, &StudyPanel::nextRequested, this, &SegmentWorkspace::nextSample);

  connect(promptPanel_, &PromptPanel::pointSelected, this, &SegmentWorkspace::selectPoint);
  connect(promptPanel_, &PromptPanel::pointEdited, this, &SegmentWorkspace::onPointMoved);
  connect(promptPanel_, &PromptPanel::undoRequested, this,
          [this] { guarded([this] { session_.undo(); }); });
  connect(promptPanel_, &PromptPanel::redoRequested, this,
          [this] { guarded([this] { session_.redo(); }); });
  connect(promptPanel_, &PromptPanel::deleteRequested, this,
          &SegmentWorkspace::deleteSelectedPoint);
  connect(promptPanel_, &PromptPanel::clearRequested, this,
          [this] { guarded([this] { session_.clearPoints(); }); });

  connect(maskPanel_, &MaskPanel::backendChanged, this, [this](const QString& name) {
    try {
      session_.setBackend(name.toStdString());
    } catch (const std::exception& e) {
      error(QString::fromUtf8(e.what()));
    }
  });
  connect(maskPanel_, &MaskPanel::opacityChanged, grid_, &SegmentViewGrid::setMaskOpacity);
  connect(grid_, &SegmentViewGrid::voxelClicked, this, &SegmentWorkspace::clickVoxel);
  connect(grid_, &SegmentViewGrid::markerClicked, this, &SegmentWorkspace::onPointClicked);
  connect(grid_, &SegmentViewGrid::markerMoved, this, &SegmentWorkspace::onPointMoved);
  connect(maskPanel_, &MaskPanel::acceptRequested, this, &SegmentWorkspace::acceptClicked);
  connect(maskPanel_, &MaskPanel::saveRequested, this, &SegmentWorkspace::saveMaskClicked);
  connect(maskPanel_, &MaskPanel::modelFileRequested, this, [this] {
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Segmentation model"), modelFile_.isEmpty() ? study_->folder() : modelFile_,
        tr("Models (*.ts *.pt *.pth);;All files (*)"));
    if (!file.isEmpty())
      useModelFile(file);
  });
  connect(maskPanel_, &MaskPanel::trainRequested, this,
          [this] { guarded([this] { trainPropagator(); }); });

  grid_->setMaskOpacity(maskPanel_->opacity());
  status(tr("Open a study folder, a CT or a DICOM folder, then click on a structure."));
  updateActions();
}

void SegmentWorkspace::resizeEvent(QResizeEvent* event) {
  Workspace::resizeEvent(event);
  if (sideSized_ || side_->height() < 300)
    return;
  // Once, at the first real size: the mask panel what it needs, the study list and the points
  // list the rest in equal parts (the splitter's own split follows the size hints, which
  // squeezes the points list in a small window).
  const int total = side_->height();
  const int mask = side_->widget(2)->sizeHint().height();
  const int rest = std::max(0, total - mask);
  side_->setSizes({rest / 2, rest - rest / 2, mask});
  sideSized_ = true;
}

SegmentWorkspace::~SegmentWorkspace() {
  if (surfaceJob_)
    surfaceJob_->requestCancel();
}

// ---- layout ----

QWidget* SegmentWorkspace::makeSidePanel() {
  auto group = [this](const QString& title, QWidget* content) {
    auto* box = new QGroupBox(title, this);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(content);
    return box;
  };
  auto* side = new QSplitter(Qt::Vertical, this);
  side_ = side;
  side->addWidget(group(tr("Study"), studyPanel_));
  side->addWidget(group(tr("Points"), promptPanel_));
  side->addWidget(group(tr("Mask"), maskPanel_));
  side->setStretchFactor(0, 1);
  side->setStretchFactor(1, 1);
  side->setStretchFactor(2, 0);
  side->setChildrenCollapsible(false);
  side->setMinimumWidth(280);
  return side;
}

void SegmentWorkspace::addShortcuts() {
  // Context: this workspace and its children (the views hold the focus while the user clicks);
  // a line edit keeps its own letters and Ctrl+Z.
  auto add = [this](const QList<QKeySequence>& keys, auto slot) {
    auto* action = new QAction(this);
    action->setShortcuts(keys);
    action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(action, &QAction::triggered, this, slot);
    addAction(action);
  };
  add({QKeySequence(Qt::Key_P)}, [this] { setTool(PromptPanel::Tool::Positive); });
  add({QKeySequence(Qt::Key_N)}, [this] { setTool(PromptPanel::Tool::Negative); });
  add({QKeySequence(Qt::Key_C)}, [this] { setTool(PromptPanel::Tool::Crosshair); });
  add({QKeySequence::Undo}, [this] { guarded([this] { session_.undo(); }); });
  add({QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)},
      [this] { guarded([this] { session_.redo(); }); });
  add({QKeySequence(Qt::Key_Delete), QKeySequence(Qt::Key_Backspace)},
      [this] { deleteSelectedPoint(); });
  add({QKeySequence(Qt::Key_Escape)}, [this] { selectPoint(-1); });
  add({QKeySequence(Qt::CTRL | Qt::Key_S)}, [this] { acceptClicked(); });
  add({QKeySequence(Qt::CTRL | Qt::Key_N)}, [this] { nextSample(); });
}

// ---- opening ----

bool SegmentWorkspace::openPath(const QString& path, QString* why) {
  const QFileInfo file(path);
  const std::string p = file.absoluteFilePath().toStdString();
  auto fail = [why](const QString& message) {
    if (why)
      *why = message;
    return false;
  };
  if (!file.exists())
    return fail(tr("%1 does not exist.").arg(path));
  SegmentInputKind kind = classifySegmentInput(p);
  // The workspace's own Open CT… may open what looks like a label map: the user asked for it.
  if (kind == SegmentInputKind::None && file.isFile() && hasSuffix(path, kVolumeSuffixes))
    kind = SegmentInputKind::CtVolume;
  switch (kind) {
  case SegmentInputKind::StudyFolder:
    openStudy(file.absoluteFilePath(), {});
    break;
  case SegmentInputKind::CtVolume: {
    const std::string study = studyFolderOf(p);
    if (!study.empty()) {
      openStudy(QString::fromStdString(study),
                QString::fromStdString(segment::idOfFileName(file.fileName().toStdString(),
                                                             segment::defaultImagePatterns())));
      break;
    }
    study_->close();
    refreshBackends();
    openImage(p, {}, {}, nullptr);
    break;
  }
  case SegmentInputKind::DicomFolder:
    study_->close();
    refreshBackends();
    openDicomFolder(file.isDir() ? file.absoluteFilePath() : file.absolutePath());
    break;
  case SegmentInputKind::None:
    return fail(
        file.isDir()
            ? tr("%1 holds no CT volumes, DICOM files or datastore_v2.json.").arg(path)
            : tr("%1 is not a CT volume (NIfTI, NRRD, MetaImage or DICOM).").arg(file.fileName()));
  }
  Q_EMIT pathOpened(path);
  return true;
}

void SegmentWorkspace::openStudy(const QString& folder, const QString& imageId) {
  pendingImage_ = imageId;
  status(tr("Opening study %1…").arg(folder), true);
  study_->open(folder);
}

void SegmentWorkspace::openStudyImage(const QString& id, std::vector<PromptPoint> prompts) {
  promptsFor_ = id;
  pendingPrompts_ = std::move(prompts);
  if (study_->isOpen() && study_->image(id))
    study_->next(QStringLiteral("chosen"), id);
  else
    pendingImage_ = id;
}

void SegmentWorkspace::nextSample() {
  if (study_->isOpen())
    leaveImageThen([this] { study_->next(studyPanel_->strategy()); });
}

void SegmentWorkspace::leaveImageThen(std::function<void()> then) {
  if (!session_.hasUnacceptedWork()) {
    then();
    return;
  }
  // Asked without blocking the event loop (open(), not exec()): segmentations and trainings go
  // on while the question waits.
  auto* question = new QMessageBox(
      QMessageBox::Question, tr("Discard the unaccepted mask?"),
      tr("The points and mask of %1 have not been accepted into the study. Open another image "
         "and discard them?")
          .arg(QString::fromStdString(session_.imageId())),
      QMessageBox::Discard | QMessageBox::Cancel, this);
  question->setObjectName(QStringLiteral("discardQuestion"));
  question->setDefaultButton(QMessageBox::Cancel);
  question->setAttribute(Qt::WA_DeleteOnClose);
  connect(question, &QMessageBox::finished, this, [then = std::move(then)](int answer) {
    if (answer == QMessageBox::Discard)
      then();
  });
  question->open();
}

void SegmentWorkspace::openDicomFolder(const QString& folder) {
  status(tr("Reading the DICOM series in %1…").arg(folder), true);
  auto series = std::make_shared<std::vector<DicomSeriesInfo>>();
  auto job = services().submitQuietly(makeJob(
      "List DICOM series",
      [series, path = folder.toStdString()](Job&) { *series = listDicomSeries(path); },
      JobPriority::Interactive));
  continuations_->whenFinished(job, [this, series, folder](const Job& done) {
    if (done.state() != JobState::Succeeded) {
      error(QString::fromStdString(done.errorMessage()));
      return;
    }
    std::vector<const DicomSeriesInfo*> readable;
    for (const auto& s : *series)
      if (s.problem.empty())
        readable.push_back(&s);
    if (series->size() == 1 || readable.size() == 1) {
      const DicomSeriesInfo& only = readable.empty() ? series->front() : *readable.front();
      openImage(folder.toStdString(), only.uid, {}, nullptr);
      return;
    }
    if (seriesDialog_)
      seriesDialog_->deleteLater();
    seriesDialog_ = new SeriesDialog(folder, *series, this);
    status(tr("%1 holds %2 series: choose one.").arg(folder).arg(series->size()));
    connect(seriesDialog_, &QDialog::finished, this, [this](int result) {
      SeriesDialog* dialog = seriesDialog_;
      seriesDialog_ = nullptr;
      dialog->deleteLater();
      if (result == QDialog::Accepted && dialog->hasSelection())
        openImage(dialog->folder().toStdString(), dialog->selectedUid().toStdString(), {}, nullptr);
      else
        status(tr("No series opened."));
    });
    seriesDialog_->open();
  });
}

void SegmentWorkspace::openImage(const std::string& path, const std::string& seriesUid,
                                 const std::string& id, std::shared_ptr<segment::Datastore> store) {
  // Only the newest request is ever loaded, so the newest store is the one its image belongs to.
  loadingStore_ = std::move(store);
  session_.openImage(path, seriesUid, id);
}

void SegmentWorkspace::studyListed() {
  studyPanel_->setStudy(study_->folder(), study_->images());
  refreshBackends();
  updateActions();
}

void SegmentWorkspace::refreshBackends() {
  const QString folder = study_->isOpen() ? study_->folder() : QString();
  BackendSources sources;
  sources.study = folder.toStdString();
  sources.model = modelFile_.toStdString();
  if (folder != backendStudy_ || modelFile_ != backendModel_) {
    backendStudy_ = folder;
    backendModel_ = modelFile_;
    guarded([&] { session_.setBackendSources(sources); });
  }
  // Which models are there is a look at the study's files (every few seconds, as the study is
  // re-listed): a job, so a slow or network folder never stalls the window.
  auto names = std::make_shared<std::vector<std::string>>();
  auto listing = services().submitQuietly(makeJob(
      "List segmentation backends",
      [sources, names](Job&) { *names = availableSegmentationBackends(sources); },
      JobPriority::Interactive));
  continuations_->whenFinished(listing, [this, names, sources](const Job& done) {
    if (done.state() == JobState::Succeeded && sources.study == backendStudy_.toStdString() &&
        sources.model == backendModel_.toStdString())
      showBackends(*names);
  });
  const bool anyFinal = std::any_of(study_->images().begin(), study_->images().end(),
                                    [](const segment::ImageRecord& r) { return r.completed(); });
  if (training_)
    maskPanel_->setTrainEnabled(false, tr("Training runs (see the Jobs panel)"));
  else if (!study_->isOpen())
    maskPanel_->setTrainEnabled(false, tr("Open a study folder to train on its labels"));
  else if (!anyFinal)
    maskPanel_->setTrainEnabled(false, tr("Accept a label first: training learns from them"));
  else
    maskPanel_->setTrainEnabled(true, {});
}

void SegmentWorkspace::showBackends(const std::vector<std::string>& names) {
  QStringList shown;
  for (const auto& name : names)
    shown << QString::fromStdString(name);
  maskPanel_->setBackends(shown, QString::fromStdString(session_.backendName()));
}

bool SegmentWorkspace::useModelFile(const QString& path) {
  BackendSources sources;
  sources.study = backendStudy_.toStdString();
  sources.model = path.toStdString();
  const auto available = availableSegmentationBackends(sources);
  const auto has = [&](const char* name) {
    return std::find(available.begin(), available.end(), name) != available.end();
  };
  const char* backend = has("torchscript") ? "torchscript" : has("learned") ? "learned" : nullptr;
  if (!backend) {
    error(tr("%1 is neither a TorchScript plug-in nor a propagator checkpoint or run").arg(path));
    return false;
  }
  const QString before = modelFile_;
  modelFile_ = path;
  refreshBackends();
  try {
    session_.setBackend(backend);
  } catch (const std::exception& e) {
    // Not a model this backend loads (a probe run failed): the previous one stays.
    modelFile_ = before;
    refreshBackends();
    error(QString::fromUtf8(e.what()));
    return false;
  }
  showBackends(available);
  maskPanel_->setBackend(QString::fromLatin1(backend));
  status(tr("Segmenting with %1 (%2)").arg(QString::fromLatin1(backend), path));
  return true;
}

void SegmentWorkspace::trainPropagator() {
  if (!study_->isOpen() || training_)
    return;
  const std::string folder = study_->folder().toStdString();
  const auto& task = trainingTask("segment");
  TrainingRunOptions options;
  options.acceptConfigChange = true; // the study's run continues with the shipped settings
  const std::string run = prepareStudyPropagatorRun(folder);
  training_ = services().startTraining(
      task.start(task.resolve("", {"data.studies=" + folder}), run, options),
      QString::fromStdString(run));
  status(tr("Training the learned backend on this study's final labels (Jobs panel; curves in "
            "the Training Monitor)…"));
  refreshBackends();
  continuations_->whenDone(
      training_,
      [this] {
        training_.reset();
        refreshBackends();
        guarded([this] {
          session_.setBackend("learned");
          maskPanel_->setBackend(QStringLiteral("learned"));
        });
        status(tr("The learned backend is trained on this study and now segments."));
      },
      [this](const Job& failed) {
        training_.reset();
        refreshBackends();
        error(jobFailureText(failed));
      });
}

// ---- clicks ----

void SegmentWorkspace::setTool(PromptPanel::Tool tool) {
  if (promptPanel_->tool() != tool)
    promptPanel_->setTool(tool);
}

PromptPanel::Tool SegmentWorkspace::tool() const {
  return promptPanel_->tool();
}

void SegmentWorkspace::clickVoxel(const VoxelIndex& ijk, Qt::KeyboardModifiers modifiers) {
  if (!grid_->hasImage())
    return;
  const PromptPanel::Tool current = tool();
  if (current == PromptPanel::Tool::Crosshair) {
    setCrosshair(ijk);
    return;
  }
  // Shift or Ctrl flips the tool's polarity, so both kinds need no tool change (ITK-SNAP and
  // Slicer users expect a modifier for background).
  const bool flip = modifiers & (Qt::ShiftModifier | Qt::ControlModifier);
  const bool positive = (current == PromptPanel::Tool::Positive) != flip;
  try {
    sinceClick_.start();
    clickWaiting_ = true;
    session_.addPoint({ijk, positive});
    selectPoint(int(session_.points().size()) - 1);
    setCrosshair(ijk);
  } catch (const std::exception& e) {
    clickWaiting_ = false;
    error(QString::fromUtf8(e.what()));
  }
}

void SegmentWorkspace::onPointClicked(int index) {
  if (index < 0 || index >= int(session_.points().size()))
    return;
  selectPoint(index);
  setCrosshair(session_.points()[size_t(index)].ijk);
}

void SegmentWorkspace::onPointMoved(int index, const VoxelIndex& ijk) {
  try {
    sinceClick_.start();
    clickWaiting_ = true;
    session_.movePoint(size_t(index), ijk);
    selectPoint(index);
    setCrosshair(ijk);
  } catch (const std::exception& e) {
    clickWaiting_ = false;
    error(QString::fromUtf8(e.what()));
    showPoints(); // the views put the marker back where the session has it
  }
}

void SegmentWorkspace::selectPoint(int index) {
  selected_ = index >= 0 && index < int(session_.points().size()) ? index : -1;
  showPoints();
}

void SegmentWorkspace::deleteSelectedPoint() {
  if (selected_ < 0)
    return;
  const int index = selected_;
  selected_ = -1;
  guarded([&] { session_.removePoint(size_t(index)); });
}

void SegmentWorkspace::guarded(const std::function<void()>& action) {
  try {
    action();
  } catch (const std::exception& e) {
    error(QString::fromUtf8(e.what()));
  }
}

void SegmentWorkspace::setCrosshair(const VoxelIndex& ijk) {
  grid_->setCrosshair(ijk);
}

VoxelIndex SegmentWorkspace::crosshair() const {
  return grid_->crosshair();
}

void SegmentWorkspace::setWindowPreset(int index) {
  grid_->setWindowPreset(index);
}

// ---- the session's news ----

void SegmentWorkspace::sessionChanged(const SegmentSession::Change& change) {
  using C = SegmentSession::Change;
  const QString message = QString::fromStdString(change.message);
  switch (change.kind) {
  case C::ImageLoading:
    status(tr("Opening %1…").arg(fileName(change.message)), true);
    break;
  case C::ImageLoaded:
    imageStore_ = loadingStore_;
    showImage();
    if (!pendingPrompts_.empty() && promptsFor_.toStdString() == session_.imageId()) {
      auto prompts = std::move(pendingPrompts_);
      pendingPrompts_.clear();
      try {
        for (const auto& prompt : prompts)
          session_.addPoint(prompt);
        // The middle prompt: the clicks of a structure spread along z, and its middle slice
        // shows the most of it.
        setCrosshair(prompts[prompts.size() / 2].ijk);
      } catch (const std::exception& e) {
        error(QString::fromUtf8(e.what()));
      }
    }
    Q_EMIT statusMessage(tr("Opened %1").arg(fileName(change.message)));
    break;
  case C::ImageFailed:
    error(tr("Cannot open the image: %1").arg(message));
    break;
  case C::PromptsChanged:
    if (selected_ >= int(session_.points().size()))
      selected_ = -1;
    showPoints();
    break;
  case C::Segmenting:
    status(tr("Segmenting with %1…").arg(QString::fromStdString(session_.backendName())), true, {});
    break;
  case C::Segmented:
    showResult();
    break;
  case C::SegmentFailed:
    clickWaiting_ = false;
    showResult();
    error(message);
    break;
  case C::Accepted: {
    accepting_ = false;
    const QString id = message;
    status(tr("Saved the mask of %1 as its final label “%2” (labels/final). Next Sample "
              "(Ctrl+N) opens the next image.")
               .arg(id, maskPanel_->labelName()));
    Q_EMIT statusMessage(tr("%1: final label saved").arg(id));
    if (imageStore_ == study_->datastore())
      study_->refresh();
    break;
  }
  case C::AcceptFailed:
    accepting_ = false;
    error(tr("Could not save the label: %1").arg(message));
    break;
  }
  updateActions();
}

void SegmentWorkspace::showImage() {
  ++surfaceGeneration_;
  if (surfaceJob_)
    surfaceJob_->requestCancel();
  shownResult_.reset();
  selected_ = -1;
  grid_->setImage(session_.sharedImage());
  studyPanel_->setCurrentImage(QString::fromStdString(session_.imageId()));
  showPoints();
  const ImageGeometry& g = session_.image()->geometry;
  const QString name = session_.imageId().empty() ? fileName(session_.imagePath())
                                                  : QString::fromStdString(session_.imageId());
  status(tr("<b>%1</b>: %2 × %3 × %4 voxels, %5 × %6 × %7 mm, %8. Click on a structure.")
             .arg(name.toHtmlEscaped())
             .arg(g.size[0])
             .arg(g.size[1])
             .arg(g.size[2])
             .arg(g.spacing[0], 0, 'g', 3)
             .arg(g.spacing[1], 0, 'g', 3)
             .arg(g.spacing[2], 0, 'g', 3)
             .arg(QString::fromStdString(g.orientationCode())));
}

void SegmentWorkspace::showPoints() {
  const auto& points = session_.points();
  grid_->setPoints(points, selected_);
  {
    const QSignalBlocker block(promptPanel_);
    promptPanel_->setPoints(points, selected_);
  }
  promptPanel_->setUndoRedo(session_.canUndo(), session_.canRedo());
}

void SegmentWorkspace::showResult() {
  shownResult_ = session_.sharedResult();
  grid_->setMask(shownResult_);
  ++surfaceGeneration_;
  if (surfaceJob_)
    surfaceJob_->requestCancel(); // the surface of an older mask
  if (!grid_->hasMask()) {
    clickWaiting_ = false;
    if (!shownResult_ || shownResult_->error.empty())
      status(session_.points().empty() ? tr("Click on a structure to add a positive point.")
                                       : tr("No mask: add a positive point on the structure."));
    return;
  }
  const std::string json = segmentationResultJson(*shownResult_);
  QString text = describeResult(json);
  if (clickWaiting_ && session_.resultIsCurrent()) {
    clickToMaskMs_ = double(sinceClick_.nsecsElapsed()) / 1e6;
    clickWaiting_ = false;
    text += tr("<br>shown %1 ms after the click").arg(clickToMaskMs_, 0, 'f', 0);
  }
  status(text, false, QString::fromStdString(json));
  startSurface(shownResult_);
}

void SegmentWorkspace::startSurface(std::shared_ptr<const SegmentationResult> result) {
  const uint64_t generation = surfaceGeneration_;
  auto mesh = std::make_shared<TriangleMesh>();
  auto milliseconds = std::make_shared<double>(0.0);
  surfaceJob_ = services().submitQuietly(makeJob(
      "Mask surface",
      [mesh, milliseconds, result](Job& job) {
        const auto start = std::chrono::steady_clock::now();
        *mesh = maskSurface(result->mask, {}, &job);
        *milliseconds =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
      },
      JobPriority::Interactive));
  continuations_->whenFinished(
      surfaceJob_, [this, mesh, milliseconds, generation](const Job& done) {
        if (generation != surfaceGeneration_ || done.state() != JobState::Succeeded)
          return;
        surfaceMs_ = *milliseconds;
        grid_->setSurface(mesh, surfaceMs_);
      });
}

void SegmentWorkspace::updateActions() {
  const SegmentationResult* result = session_.result();
  const bool mask =
      session_.resultIsCurrent() && result && result->error.empty() && result->voxels() > 0;
  QString why;
  if (!mask)
    why = session_.isSegmenting() ? tr("Wait for the mask of the current points")
                                  : tr("Place points on a structure first");
  else if (session_.imageId().empty() || !imageStore_)
    why = tr("This image is not part of a study folder: Save Mask… writes it to a file");
  else if (accepting_)
    why = tr("Saving…");
  maskPanel_->setAcceptEnabled(why.isEmpty(), why);
  maskPanel_->setSaveEnabled(mask);
}

void SegmentWorkspace::status(const QString& text, bool busy, const QString& details) {
  maskPanel_->setStatus(text, busy, details);
}

void SegmentWorkspace::error(const QString& text) {
  maskPanel_->setError(text);
  Q_EMIT statusMessage(text);
}

bool SegmentWorkspace::hasSurface() const {
  return grid_->hasSurface();
}

const TriangleMesh* SegmentWorkspace::shownSurface() const {
  return grid_->surface();
}

SliceView2D* SegmentWorkspace::sliceView(SegmentViewGrid::ViewSlot slot) const {
  return grid_->sliceView(slot);
}

View3D* SegmentWorkspace::view3D() const {
  return grid_->view3D();
}

// ---- accepting ----

JobPtr SegmentWorkspace::accept() {
  if (!imageStore_)
    throw InputError("open the image from a study folder to accept its mask into it");
  const QString name = maskPanel_->labelName();
  if (name.isEmpty())
    throw InputError("name the label first (e.g. aorta)");
  auto job = session_.accept(imageStore_, name.toStdString());
  accepting_ = true;
  status(tr("Saving the final label of %1…").arg(QString::fromStdString(session_.imageId())), true);
  updateActions();
  return job;
}

void SegmentWorkspace::acceptClicked() {
  try {
    accept();
  } catch (const std::exception& e) {
    error(QString::fromUtf8(e.what()));
  }
}

JobPtr SegmentWorkspace::saveMask(const QString& path) {
  if (!session_.resultIsCurrent() || !session_.result() || session_.result()->voxels() == 0)
    throw InputError("there is no mask of the current points to save");
  auto result = session_.sharedResult();
  auto job = services().submit(
      makeJob("Save mask " + QFileInfo(path).fileName().toStdString(),
              [result, file = path.toStdString()](Job&) { writeLabelMask(file, result->mask); }));
  continuations_->whenDone(
      job, [this, path] { status(tr("Saved the mask to %1").arg(path.toHtmlEscaped())); },
      [this](const Job& failed) { error(jobFailureText(failed)); });
  return job;
}

void SegmentWorkspace::whenDone(JobPtr job, std::function<void()> then) {
  continuations_->whenDone(std::move(job), std::move(then),
                           [this](const Job& failed) { error(jobFailureText(failed)); });
}

void SegmentWorkspace::saveMaskClicked() {
  QString suggestion = QFileInfo(QString::fromStdString(session_.imagePath())).absolutePath();
  suggestion += QStringLiteral("/%1_mask.nii.gz").arg(maskPanel_->labelName());
  QString path = QFileDialog::getSaveFileName(this, tr("Save mask"), suggestion,
                                              tr("Label maps (*.nii.gz *.nii *.nrrd)"));
  if (path.isEmpty())
    return;
  if (!hasSuffix(path, {".nii", ".nii.gz", ".nrrd"}))
    path += QStringLiteral(".nii.gz");
  try {
    saveMask(path);
  } catch (const std::exception& e) {
    error(QString::fromUtf8(e.what()));
  }
}

} // namespace lumen
