#include "shapes/ShapesWorkspace.h"

#include "common/Error.h"
#include "shapes/CaseTable.h"
#include "shapes/ClassMeshLayer.h"
#include "shapes/ClassTable.h"
#include "shapes/CompletionPanel.h"
#include "shapes/MetricsTable.h"
#include "shapes/PrepareDialog.h"
#include "shapes/ShapeCaseData.h"
#include "shapes/ShapeDataset.h"
#include "shapes/TrainingPanel.h"
#include "vtk/View3D.h"
#include "workspace/JobContinuations.h"
#include "workspace/WorkspaceRegistry.h"
#include "workspace/WorkspaceServices.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <filesystem>
#include <variant>
#include <vtkCamera.h>
#include <vtkCommand.h>
#include <vtkRenderer.h>

namespace lumen {
namespace {

const QStringList kLabelSuffixes = {".nii", ".nii.gz"};

bool holdsLabelMaps(const QString& folder) {
  return !QDir(folder).entryList({"*.nii", "*.nii.gz"}, QDir::Files).isEmpty();
}

QString joinClasses(ClassSet classes) {
  return QString::fromStdString(describeClasses(classes));
}

// Either the classes of a file or why it could not be read.
using CaseScan = std::variant<ClassSet, std::string>;

} // namespace

WorkspaceInfo ShapesWorkspace::info() {
  WorkspaceInfo info;
  info.id = QStringLiteral("shapes");
  info.title = QStringLiteral("Shapes");
  info.description =
      QStringLiteral("Cardiac shape completion: 10-class heart label maps, completion with a "
                     "trained model, per-class metrics, preparation and training");
  info.fileFilter = QStringLiteral("Heart label maps (*.nii *.nii.gz)");
  info.accepts = [](const QString& path) {
    const QFileInfo file(path);
    if (file.isDir())
      return holdsLabelMaps(path);
    return file.isFile() && hasSuffix(path, kLabelSuffixes);
  };
  info.create = [](WorkspaceServices& services, QWidget* parent) -> Workspace* {
    return new ShapesWorkspace(services, parent);
  };
  return info;
}

ShapesWorkspace::ShapesWorkspace(WorkspaceServices& services, QWidget* parent)
    : Workspace(services, parent), cases_(new CaseTable(this)), classMap_(new QComboBox(this)),
      classes_(new ClassTable(this)), layout_(new QComboBox(this)),
      completionPanel_(new CompletionPanel(this)), trainingPanel_(new TrainingPanel(this)),
      continuations_(new JobContinuations(this)) {
  setObjectName(QStringLiteral("shapes"));

  // Left: the cases and the class legend.
  auto* openButton = new QPushButton(tr("Open Folder…"), this);
  openButton->setToolTip(tr("Open a folder of NIfTI heart label maps"));
  for (const std::string& name : classMapNames())
    classMap_->addItem(QString::fromStdString(name));
  classMap_->setCurrentText(QStringLiteral("heart10"));
  classMap_->setToolTip(tr("How the files' label values map to the 10 heart classes: heart10 "
                           "(1-10) or mmwhs7 (MM-WHS; LAA, coronaries and PVs unannotated)"));
  auto* caseHeader = new QHBoxLayout;
  caseHeader->addWidget(openButton);
  caseHeader->addStretch(1);
  caseHeader->addWidget(new QLabel(tr("Class map"), this));
  caseHeader->addWidget(classMap_);
  auto* side = new QWidget(this);
  auto* sideLayout = new QVBoxLayout(side);
  sideLayout->setContentsMargins(0, 0, 0, 0);
  sideLayout->addLayout(caseHeader);
  sideLayout->addWidget(cases_, 1);
  sideLayout->addWidget(new QLabel(tr("<b>Classes</b> (input: given to the model)"), this));
  sideLayout->addWidget(classes_);

  // Centre: the three views with one camera.
  auto* viewRow = new QSplitter(Qt::Horizontal, this);
  for (int slot = 0; slot < ViewCount; ++slot) {
    titles_[size_t(slot)] = new QLabel(this);
    views_[size_t(slot)] = new View3D(this);
    camera_.attach(views_[size_t(slot)]);
    columns_[size_t(slot)] = makeViewColumn(ViewSlot(slot), titles_[size_t(slot)]);
    viewRow->addWidget(columns_[size_t(slot)]);
  }
  using Style = ClassMeshLayer::Style;
  inputLayer_ = std::make_unique<ClassMeshLayer>(views_[InputView], Style::Surface);
  completionLayer_ = std::make_unique<ClassMeshLayer>(views_[CompletionView], Style::Surface);
  overlayInputLayer_ = std::make_unique<ClassMeshLayer>(views_[CompletionView], Style::Surface);
  overlayTruthLayer_ = std::make_unique<ClassMeshLayer>(views_[CompletionView], Style::Wireframe);
  truthLayer_ = std::make_unique<ClassMeshLayer>(views_[TruthView], Style::Surface);

  layout_->addItem(tr("Side by side"), SideBySide);
  layout_->addItem(tr("Overlay"), Overlay);
  layout_->setToolTip(tr("Side by side: input | completion | ground truth. Overlay: the "
                         "completion solid with the ground truth as wireframe in one view"));
  auto* resetView = new QPushButton(tr("Reset View"), this);
  resetView->setToolTip(tr("Look at the heart from the front (anterior), all classes framed"));
  auto* viewHeader = new QHBoxLayout;
  viewHeader->addWidget(new QLabel(tr("Layout"), this));
  viewHeader->addWidget(layout_);
  viewHeader->addWidget(resetView);
  viewHeader->addStretch(1);
  auto* viewArea = new QWidget(this);
  auto* viewBox = new QVBoxLayout(viewArea);
  viewBox->setContentsMargins(0, 0, 0, 0);
  viewBox->addLayout(viewHeader);
  viewBox->addWidget(viewRow, 1);

  // Bottom: completion with its metrics, and dataset/training.
  auto* bottom = new QTabWidget(this);
  bottom->addTab(completionPanel_, tr("Completion"));
  bottom->addTab(trainingPanel_, tr("Dataset and Training"));

  centre_ = new QSplitter(Qt::Vertical, this);
  centre_->addWidget(viewArea);
  centre_->addWidget(bottom);
  // Growing the window grows the views; the panels keep their height (see resizeEvent).
  centre_->setStretchFactor(0, 1);
  centre_->setStretchFactor(1, 0);

  auto* main = new QSplitter(Qt::Horizontal, this);
  main->addWidget(side);
  main->addWidget(centre_);
  main->setStretchFactor(0, 0);
  main->setStretchFactor(1, 1);
  main->setSizes({side->sizeHint().width(), 1200});
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(main);

  connect(openButton, &QPushButton::clicked, this, &ShapesWorkspace::openFolderClicked);
  connect(classMap_, &QComboBox::currentTextChanged, this, [this] {
    if (folder_.isEmpty())
      return;
    const int row = currentCase();
    scanCases();
    if (row >= 0)
      loadCase(row);
  });
  connect(cases_, &CaseTable::caseActivated, this, &ShapesWorkspace::loadCase);
  connect(classes_, &ClassTable::inputsChanged, this, [this] {
    refreshViews();
    updateTitles();
    updateButtons();
  });
  connect(classes_, &ClassTable::appearanceChanged, this, &ShapesWorkspace::refreshViews);
  connect(layout_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
    const bool overlay = viewLayout() == Overlay;
    columns_[InputView]->setVisible(!overlay);
    columns_[TruthView]->setVisible(!overlay);
    refreshViews();
    updateTitles();
  });
  connect(resetView, &QPushButton::clicked, this, [this] { resetCamera(true); });
  connect(completionPanel_, &CompletionPanel::completeRequested, this,
          &ShapesWorkspace::completeClicked);
  connect(completionPanel_, &CompletionPanel::saveRequested, this, &ShapesWorkspace::saveClicked);
  connect(completionPanel_, &CompletionPanel::checkpointChanged, this, [this] {
    updateButtons();
    updateInitText();
  });
  connect(trainingPanel_, &TrainingPanel::prepareRequested, this, &ShapesWorkspace::prepareClicked);
  connect(trainingPanel_, &TrainingPanel::trainRequested, this, &ShapesWorkspace::trainClicked);
  connect(trainingPanel_, &TrainingPanel::settingsChanged, this, [this] {
    updateButtons();
    updateInitText();
  });

  classes_->setPresent({});
  completionPanel_->setResultText(tr("Open a folder of label maps, choose the input classes and "
                                     "a trained model, then Complete."));
  updateTitles();
  updateButtons();
  updateInitText();
}

ShapesWorkspace::~ShapesWorkspace() = default;

void ShapesWorkspace::resizeEvent(QResizeEvent* event) {
  Workspace::resizeEvent(event);
  if (panelsSized_ || centre_->height() < 200)
    return;
  // Once, at the first real size: the panels get what a full metrics table needs but never
  // more than 40 % of the height, so the 3D views stay the larger part in a small window.
  const int total = centre_->height();
  const int panels = std::min(centre_->widget(1)->sizeHint().height(), total * 2 / 5);
  centre_->setSizes({total - panels, panels});
  panelsSized_ = true;
}

QWidget* ShapesWorkspace::makeViewColumn(ViewSlot slot, QLabel* title) {
  auto* column = new QWidget(this);
  auto* layout = new QVBoxLayout(column);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  title->setTextFormat(Qt::RichText);
  // One line that may be cut short (the full text is the tooltip): the three views stay level
  // and a long class list never widens a column.
  title->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  layout->addWidget(title);
  layout->addWidget(views_[size_t(slot)], 1);
  column->setMinimumWidth(200);
  return column;
}

vtkCamera* ShapesWorkspace::sharedCamera() const {
  return camera_.camera();
}

MetricsTable* ShapesWorkspace::metricsTable() const {
  return completionPanel_->metrics();
}

// ---- cases ----

bool ShapesWorkspace::openPath(const QString& path, QString* error) {
  const QFileInfo file(path);
  const auto fail = [&](const QString& message) {
    if (error)
      *error = message;
    return false;
  };
  QString folder, select;
  if (file.isDir()) {
    folder = file.absoluteFilePath();
  } else if (file.isFile() && hasSuffix(path, kLabelSuffixes)) {
    folder = file.absolutePath();
    select = file.absoluteFilePath();
  } else {
    return fail(tr("%1 is neither a label map (.nii, .nii.gz) nor a folder of them").arg(path));
  }
  std::vector<std::string> found;
  try {
    found = findLabelMaps(folder.toStdString());
  } catch (const std::exception& e) {
    return fail(QString::fromUtf8(e.what()));
  }
  QStringList paths;
  for (const auto& p : found)
    paths << QString::fromStdString(p);
  folder_ = folder;
  listCases(paths, select);

  // Defaults for the rest of the pipeline, next to the folder as Prepare and Train place them;
  // a model or dataset the user already chose stays.
  const QString parent = QFileInfo(folder_).absolutePath();
  if (checkpoint().isEmpty() || !QFileInfo::exists(checkpoint())) {
    const QString latest = findLatestCheckpoint({parent + "/runs", folder_ + "/runs"}, 4);
    if (!latest.isEmpty())
      setCheckpoint(latest);
  }
  if (trainingPanel_->preparedDir().isEmpty()) {
    const QString prepared = PrepareDialog::defaultPreparedDir(folder_);
    if (QFileInfo::exists(prepared + "/train.csv"))
      trainingPanel_->setPreparedDir(prepared);
  }
  Q_EMIT pathOpened(path);
  Q_EMIT statusMessage(tr("%1: %n label map(s)", nullptr, int(paths.size())).arg(folder_));
  return true;
}

void ShapesWorkspace::listCases(const QStringList& paths, const QString& select) {
  ++listGeneration_;
  clearCase();
  cases_->setCases(paths);
  scanCases();
  const int row = select.isEmpty() ? 0 : std::max(0, cases_->rowOf(select));
  if (cases_->rowCount() > 0)
    selectCase(row);
}

void ShapesWorkspace::clearCase() {
  case_.reset();
  caseRow_ = -1;
  clearCompletion();
  inputLayer_->setMeshes(nullptr);
  truthLayer_->setMeshes(nullptr);
  overlayInputLayer_->setMeshes(nullptr);
  overlayTruthLayer_->setMeshes(nullptr);
  classes_->setPresent({});
  updateTitles();
  updateButtons();
}

void ShapesWorkspace::scanCases() {
  const uint64_t generation = ++listGeneration_;
  std::vector<std::string> paths;
  for (int row = 0; row < cases_->rowCount(); ++row)
    paths.push_back(cases_->path(row).toStdString());
  const std::string map = classMap().toStdString();
  auto scans = std::make_shared<std::vector<CaseScan>>(paths.size());
  // A scan of the previous folder or class map is of no use any more.
  if (scanJob_ && !scanJob_->finished())
    scanJob_->requestCancel();
  auto job = scanJob_ = services().submit(
      makeJob("Read cases of " + QFileInfo(folder_).fileName().toStdString(),
              [paths, map, scans](Job& job) {
                for (size_t i = 0; i < paths.size(); ++i) {
                  job.checkCancelled();
                  job.setProgress(double(i) / double(paths.size()),
                                  std::filesystem::path(paths[i]).filename().string());
                  try {
                    (*scans)[i] = scanCaseClasses(paths[i], map);
                  } catch (const CancelledError&) {
                    throw;
                  } catch (const std::exception& e) {
                    (*scans)[i] = std::string(e.what());
                  }
                }
              }));
  whenFinished(job, [this, scans, generation](const Job& job) {
    if (generation != listGeneration_)
      return; // another folder or class map since: cancelled on purpose
    if (job.state() != JobState::Succeeded)
      return reportFailure(job);
    for (size_t i = 0; i < scans->size(); ++i) {
      if (const auto* classes = std::get_if<ClassSet>(&(*scans)[i]))
        cases_->setClasses(int(i), *classes);
      else
        cases_->setError(int(i), QString::fromStdString(std::get<std::string>((*scans)[i])));
    }
  });
}

void ShapesWorkspace::selectCase(int row) {
  if (row < 0 || row >= cases_->rowCount())
    return;
  {
    const QSignalBlocker block(cases_);
    cases_->setCurrentCell(row, CaseTable::Case);
  }
  loadCase(row);
}

int ShapesWorkspace::currentCase() const {
  return loadingRow_ >= 0 ? loadingRow_ : caseRow_;
}

void ShapesWorkspace::loadCase(int row) {
  const QString path = cases_->path(row);
  if (path.isEmpty())
    return;
  if (loadJob_ && !loadJob_->finished())
    loadJob_->requestCancel();
  const uint64_t generation = ++loadGeneration_;
  loadingRow_ = row;
  const std::string file = path.toStdString(), map = classMap().toStdString();
  auto loaded = std::make_shared<std::shared_ptr<const ShapeCase>>();
  loadingCase_ = loaded;
  loadJob_ = services().submit(
      makeJob("Load " + QFileInfo(path).fileName().toStdString(),
              [file, map, loaded](Job& job) { *loaded = loadShapeCase(file, map, &job); }));
  Q_EMIT statusMessage(tr("Loading %1").arg(path));
  whenFinished(loadJob_, [this, loaded, row, generation](const Job& job) {
    if (generation != loadGeneration_)
      return; // a later selection wins
    loadingRow_ = -1;
    if (job.state() == JobState::Succeeded) {
      caseLoaded(*loaded, row);
    } else {
      // The views never show another case than the selected row.
      clearCase();
      if (job.state() == JobState::Failed)
        cases_->setError(row, QString::fromStdString(job.errorMessage()));
      reportFailure(job);
    }
  });
}

void ShapesWorkspace::caseLoaded(std::shared_ptr<const ShapeCase> loaded, int row) {
  const bool firstCase = !case_;
  case_ = std::move(loaded);
  caseRow_ = row;
  clearCompletion();
  cases_->setClasses(row, case_->present);
  classes_->setPresent(case_->present);
  inputLayer_->setMeshes(&case_->meshes);
  truthLayer_->setMeshes(&case_->meshes);
  overlayInputLayer_->setMeshes(&case_->meshes);
  overlayTruthLayer_->setMeshes(&case_->meshes);
  refreshViews();
  resetCamera(firstCase && !cameraOriented_);
  updateTitles();
  updateButtons();
  Q_EMIT statusMessage(tr("%1: %2").arg(QFileInfo(QString::fromStdString(case_->path)).fileName(),
                                        joinClasses(case_->present)));
}

void ShapesWorkspace::setClassMap(const QString& name) {
  classMap_->setCurrentText(name);
}

QString ShapesWorkspace::classMap() const {
  return classMap_->currentText();
}

// ---- classes and views ----

void ShapesWorkspace::setInputClasses(const std::vector<int>& labels) {
  classes_->setInputClasses(classSetOf(labels));
}

void ShapesWorkspace::setViewLayout(ViewLayout layout) {
  layout_->setCurrentIndex(layout_->findData(layout));
}

ShapesWorkspace::ViewLayout ShapesWorkspace::viewLayout() const {
  return ViewLayout(layout_->currentData().toInt());
}

void ShapesWorkspace::refreshViews() {
  const auto shown = classes_->shownFlags();
  const auto opacity = classes_->opacities();
  const ClassSet input = classes_->inputClasses();
  const bool overlay = viewLayout() == Overlay;
  const bool completed = completion_ != nullptr;
  std::array<bool, kHeartClasses> inputs{}, overlayInputs{}, overlayTruth{}, none{};
  std::array<double, kHeartClasses> faint{};
  for (size_t c = 0; c < size_t(kHeartClasses); ++c) {
    inputs[c] = shown[c] && input[c];
    overlayInputs[c] = overlay && !completed && inputs[c];
    // Before a completion the wireframe marks what the model will have to fill in; after it,
    // the whole truth to compare with.
    overlayTruth[c] = overlay && shown[c] && (completed || !input[c]);
    faint[c] = 0.5 * opacity[c];
  }
  inputLayer_->setAppearance(inputs, opacity);
  truthLayer_->setAppearance(shown, opacity);
  completionLayer_->setAppearance(completed ? shown : none, opacity);
  overlayInputLayer_->setAppearance(overlayInputs, opacity);
  overlayTruthLayer_->setAppearance(overlayTruth, faint);
}

void ShapesWorkspace::updateTitles() {
  const ClassSet present = case_ ? case_->present : ClassSet();
  const ClassSet hidden = present & ~classes_->inputClasses();
  QString input = tr("no case");
  if (case_)
    input = hidden.none() ? tr("all %1 classes").arg(present.count())
                          : tr("hiding %1").arg(joinClasses(hidden));
  titles_[InputView]->setText(tr("<b>Input</b> · %1").arg(input));
  titles_[TruthView]->setText(
      tr("<b>Ground truth</b> · %1")
          .arg(case_ ? QFileInfo(QString::fromStdString(case_->path)).fileName() : tr("no case")));
  QString completion;
  if (completion_) {
    const auto& meshes = completion_->result.meshes;
    const bool predicted = std::any_of(meshes.begin(), meshes.end(),
                                       [](const TriangleMesh& m) { return !m.triangles.empty(); });
    completion = completion_->hidden.none()
                     ? tr("<b>Completion</b> · all classes given")
                     : tr("<b>Completion</b> · hidden: %1").arg(joinClasses(completion_->hidden));
    if (!predicted)
      completion += tr(" · the model predicted no class");
  } else if (completionJob_ && !completionJob_->finished())
    completion = tr("<b>Completion</b> · running…");
  else
    completion = tr("<b>Completion</b> · none yet");
  if (viewLayout() == Overlay)
    completion += completion_ ? tr(" · solid, ground truth as wireframe")
                              : tr(" · input solid, hidden classes as wireframe");
  titles_[CompletionView]->setText(completion);
  for (QLabel* title : titles_)
    title->setToolTip(QString(title->text()).remove(QRegularExpression("<[^>]*>")));
}

void ShapesWorkspace::resetCamera(bool orient) {
  if (orient) {
    // An anterior view with the head up (LPS: anterior is -y, superior +z), as a heart is
    // usually shown.
    camera_.camera()->SetFocalPoint(0, 0, 0);
    camera_.camera()->SetPosition(0, -1, 0);
    camera_.camera()->SetViewUp(0, 0, 1);
    cameraOriented_ = true;
  }
  views_[TruthView]->renderer()->ResetCamera();
  // ResetCamera leaves room for the bounding sphere; a heart is compact enough to come closer.
  camera_.camera()->Zoom(1.3);
  for (auto* view : views_)
    view->requestRender();
}

void ShapesWorkspace::openFolderClicked() {
  const QString dir =
      QFileDialog::getExistingDirectory(this, tr("Folder of heart label maps"), folder_);
  if (dir.isEmpty())
    return;
  QString error;
  if (!openPath(dir, &error))
    QMessageBox::warning(this, tr("Cannot open"), error);
}

void ShapesWorkspace::updateButtons() {
  const bool running = completionJob_ && !completionJob_->finished();
  const bool hasInput = case_ && (classes_->inputClasses() & case_->present).any();
  const bool hasModel = QFileInfo(checkpoint()).isFile();
  auto* complete = completionPanel_->completeButton();
  complete->setEnabled(case_ && hasInput && hasModel && !running);
  complete->setToolTip(!case_      ? tr("Open a case first")
                       : !hasInput ? tr("Check at least one class of this case as input")
                       : !hasModel ? tr("Choose a trained model (checkpoints/best.pt)")
                       : running   ? tr("A completion is running")
                                   : tr("Complete the heart from the classes checked as input"));
  completionPanel_->saveButton()->setEnabled(completion_ != nullptr);
  const bool prepared = QFileInfo::exists(trainingPanel_->preparedDir() + "/train.csv");
  trainingPanel_->trainButton()->setEnabled(prepared);
  trainingPanel_->trainButton()->setToolTip(
      prepared ? tr("Train the chosen phase; curves appear in the Training Monitor")
               : tr("Prepare a dataset (Prepare…) or choose a prepared one first"));
}

// ---- jobs ----

void ShapesWorkspace::whenDone(JobPtr job, std::function<void()> then) {
  whenFinished(std::move(job), [this, then = std::move(then)](const Job& job) {
    if (job.state() == JobState::Succeeded)
      then();
    else
      reportFailure(job);
  });
}

void ShapesWorkspace::whenFinished(JobPtr job, std::function<void(const Job&)> then) {
  continuations_->whenFinished(std::move(job), std::move(then));
}

void ShapesWorkspace::reportFailure(const Job& job) {
  Q_EMIT statusMessage(jobFailureText(job));
}

} // namespace lumen
