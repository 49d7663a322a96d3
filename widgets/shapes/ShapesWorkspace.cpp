#include "shapes/ShapesWorkspace.h"

#include "common/Error.h"
#include "common/Resources.h"
#include "shapes/CaseTable.h"
#include "shapes/ClassMeshLayer.h"
#include "shapes/ClassTable.h"
#include "shapes/CompletionPanel.h"
#include "shapes/MetricsTable.h"
#include "shapes/PrepareDialog.h"
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
      continuations_(new JobContinuations(this, 100)), session_([this](JobPtr job, bool listed) {
        auto submitted = listed ? this->services().submit(std::move(job))
                                : this->services().submitQuietly(std::move(job));
        continuations_->watch(session_.followUps());
        return submitted;
      }) {
  setObjectName(QStringLiteral("shapes"));
  session_.setListener([this](const ShapesSession::Change& change) { sessionChanged(change); });

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
  connect(classMap_, &QComboBox::currentTextChanged, this, [this](const QString& name) {
    try {
      session_.setClassMap(name.toStdString());
    } catch (const std::exception& e) {
      Q_EMIT statusMessage(QString::fromUtf8(e.what()));
    }
  });
  connect(cases_, &CaseTable::caseActivated, this, [this](int row) { session_.selectCase(row); });
  connect(classes_, &ClassTable::inputsChanged, this, [this] {
    session_.setInputClasses(classes_->inputClasses());
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
    session_.setCheckpoint(completionPanel_->checkpoint().toStdString());
    updateButtons();
    updateInitText();
  });
  connect(trainingPanel_, &TrainingPanel::prepareRequested, this, &ShapesWorkspace::prepareClicked);
  connect(trainingPanel_, &TrainingPanel::trainRequested, this, &ShapesWorkspace::trainClicked);
  connect(trainingPanel_, &TrainingPanel::settingsChanged, this, [this] {
    session_.setPreparedDir(trainingPanel_->preparedDir().toStdString());
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

// ---- what the user asks for, forwarded to the session ----

bool ShapesWorkspace::openPath(const QString& path, QString* error) {
  try {
    session_.open(path.toStdString());
  } catch (const std::exception& e) {
    if (error)
      *error = QString::fromUtf8(e.what());
    return false;
  }
  syncSettings();
  Q_EMIT pathOpened(path);
  Q_EMIT statusMessage(
      tr("%1: %n label map(s)", nullptr, int(session_.cases().size())).arg(folder()));
  return true;
}

void ShapesWorkspace::selectCase(int row) {
  if (row < 0 || row >= cases_->rowCount())
    return;
  {
    const QSignalBlocker block(cases_);
    cases_->setCurrentCell(row, CaseTable::Case);
  }
  session_.selectCase(row);
}

int ShapesWorkspace::currentCase() const {
  return session_.currentCase();
}

void ShapesWorkspace::setClassMap(const QString& name) {
  classMap_->setCurrentText(name);
}

QString ShapesWorkspace::classMap() const {
  return QString::fromStdString(session_.classMap());
}

void ShapesWorkspace::setInputClasses(const std::vector<int>& labels) {
  classes_->setInputClasses(classSetOf(labels));
  session_.setInputClasses(classes_->inputClasses());
}

void ShapesWorkspace::setCheckpoint(const QString& checkpoint) {
  completionPanel_->setCheckpoint(checkpoint);
  session_.setCheckpoint(checkpoint.toStdString());
  updateButtons();
  updateInitText();
}

QString ShapesWorkspace::checkpoint() const {
  return QString::fromStdString(session_.checkpoint());
}

void ShapesWorkspace::setViewLayout(ViewLayout layout) {
  layout_->setCurrentIndex(layout_->findData(layout));
}

ShapesWorkspace::ViewLayout ShapesWorkspace::viewLayout() const {
  return ViewLayout(layout_->currentData().toInt());
}

JobPtr ShapesWorkspace::startCompletion() {
  session_.setInputClasses(classes_->inputClasses());
  auto job = session_.startCompletion(completionPanel_->resolution());
  completionPanel_->setResultText(
      tr("Completing %1 from %2…")
          .arg(QFileInfo(
                   QString::fromStdString(session_.cases()[size_t(session_.currentCase())].path))
                   .fileName(),
               joinClasses(session_.loadedCase() && !session_.isLoadingCase()
                               ? classes_->inputClasses() & session_.loadedCase()->present
                               : classes_->inputClasses())));
  updateButtons();
  updateTitles();
  return job;
}

JobPtr ShapesWorkspace::saveCompletion(const QString& labelMapPath) {
  auto job = session_.saveCompletion(labelMapPath.toStdString());
  const QString meshes =
      QString::fromStdString(ShapesSession::meshFolderFor(labelMapPath.toStdString()));
  whenDone(job, [this, labelMapPath, meshes] {
    Q_EMIT statusMessage(tr("Saved %1 and meshes in %2").arg(labelMapPath, meshes));
  });
  return job;
}

JobPtr ShapesWorkspace::startPreparation(const QString& labelDir, const QString& preparedDir) {
  auto job = session_.startPreparation(labelDir.toStdString(), preparedDir.toStdString());
  Q_EMIT statusMessage(tr("Preparing %1 into %2").arg(labelDir, preparedDir));
  return job;
}

JobPtr ShapesWorkspace::startTraining(int phase, const QString& preparedDir, const QString& init,
                                      const std::vector<std::string>& overrides,
                                      const QString& runDir) {
  auto job = session_.startTraining(phase, preparedDir.toStdString(), init.toStdString(), overrides,
                                    runDir.toStdString());
  trainingPanel_->setRunText(
      tr("Training phase %1 in %2 · curves in the Training Monitor").arg(phase).arg(lastRunDir()));
  updateButtons();
  return job;
}

QString ShapesWorkspace::initCheckpointFor(int phase, const QString& preparedDir) const {
  return QString::fromStdString(session_.initCheckpointFor(phase, preparedDir.toStdString()));
}

void ShapesWorkspace::whenDone(JobPtr job, std::function<void()> then) {
  continuations_->whenDone(std::move(job), std::move(then), [this](const Job& failed) {
    Q_EMIT statusMessage(jobFailureText(failed));
  });
}

// ---- showing the session ----

void ShapesWorkspace::sessionChanged(const ShapesSession::Change& change) {
  using C = ShapesSession::Change;
  const QString path = QString::fromStdString(change.path);
  const QString message = QString::fromStdString(change.message);
  switch (change.kind) {
  case C::CasesListed:
    showCases();
    break;
  case C::CaseScanned: {
    const auto& entry = session_.cases()[size_t(change.row)];
    if (!entry.error.empty())
      cases_->setError(change.row, QString::fromStdString(entry.error));
    else if (entry.classes)
      cases_->setClasses(change.row, *entry.classes);
    break;
  }
  case C::CaseLoading:
    Q_EMIT statusMessage(tr("Loading %1").arg(path));
    break;
  case C::CaseLoaded:
    cases_->setClasses(change.row, session_.loadedCase()->present);
    showCase();
    Q_EMIT statusMessage(
        tr("%1: %2").arg(QFileInfo(path).fileName(), joinClasses(session_.loadedCase()->present)));
    break;
  case C::CaseCleared:
    if (change.row >= 0 && !change.ok && message != QLatin1String("cancelled")) {
      cases_->setError(change.row, message);
      Q_EMIT statusMessage(tr("Cannot load %1: %2").arg(QFileInfo(path).fileName(), message));
    }
    showCase();
    break;
  case C::CompletionStarted:
    break;
  case C::CompletionEnded:
    if (change.ok)
      showCompletion();
    else
      Q_EMIT statusMessage(message);
    break;
  case C::PreparationEnded:
    if (!session_.preparedDir().empty())
      trainingPanel_->setPreparedDir(QString::fromStdString(session_.preparedDir()));
    Q_EMIT statusMessage(message);
    break;
  case C::RunStarted:
    services().monitorRun(path);
    Q_EMIT statusMessage(tr("Training in %1").arg(path));
    break;
  case C::RunEnded:
    syncSettings();
    trainingPanel_->setRunText(
        tr("Last run: %1 · <b>%2</b>").arg(path, change.ok ? tr("done") : tr("stopped")));
    Q_EMIT statusMessage(message);
    break;
  case C::SettingsChanged:
    syncSettings();
    break;
  }
  updateTitles();
  updateButtons();
  updateInitText();
}

void ShapesWorkspace::showCases() {
  QStringList paths;
  for (const auto& entry : session_.cases())
    paths << QString::fromStdString(entry.path);
  const QSignalBlocker block(cases_);
  cases_->setCases(paths);
  for (size_t row = 0; row < session_.cases().size(); ++row) {
    const auto& entry = session_.cases()[row];
    if (entry.classes)
      cases_->setClasses(int(row), *entry.classes);
    if (!entry.error.empty())
      cases_->setError(int(row), QString::fromStdString(entry.error));
  }
  if (session_.currentCase() >= 0)
    cases_->setCurrentCell(session_.currentCase(), CaseTable::Case);
}

void ShapesWorkspace::showCase() {
  const bool firstCase = !shownCase_;
  shownCase_ = session_.loadedCase();
  shownCompletion_.reset();
  completionLayer_->setMeshes(nullptr);
  metricsTable()->clearScores();
  completionPanel_->setSummary({});
  completionPanel_->setResultText(
      tr("Uncheck the classes to hide from the model (input column), then Complete."));
  const ClassMeshes* meshes = shownCase_ ? &shownCase_->meshes : nullptr;
  classes_->setPresent(shownCase_ ? shownCase_->present : ClassSet());
  inputLayer_->setMeshes(meshes);
  truthLayer_->setMeshes(meshes);
  overlayInputLayer_->setMeshes(meshes);
  overlayTruthLayer_->setMeshes(meshes);
  refreshViews();
  if (shownCase_)
    resetCamera(firstCase && !cameraOriented_);
}

void ShapesWorkspace::showCompletion() {
  shownCompletion_ = session_.completion();
  const CompletionResult& result = shownCompletion_->result;
  completionLayer_->setMeshes(&result.meshes);
  metricsTable()->setScores(shownCompletion_->scores, result.visible);
  completionPanel_->setSummary(metricsTable()->summary());
  completionPanel_->setResultText(
      tr("From %1, hidden %2 · %3 · %4 s")
          .arg(joinClasses(result.visible), joinClasses(shownCompletion_->hidden),
               QFileInfo(QString::fromStdString(shownCompletion_->checkpoint)).fileName())
          .arg(result.seconds, 0, 'f', 1));
  completionPanel_->setToolTip(QString::fromStdString(shownCompletion_->checkpoint));
  refreshViews();
  Q_EMIT statusMessage(tr("Completed %1 in %2 s")
                           .arg(joinClasses(shownCompletion_->hidden))
                           .arg(result.seconds, 0, 'f', 1));
}

// The panels show what the session chose (a default checkpoint, a prepared folder).
void ShapesWorkspace::syncSettings() {
  {
    const QSignalBlocker block(completionPanel_);
    if (completionPanel_->checkpoint().toStdString() != session_.checkpoint())
      completionPanel_->setCheckpoint(QString::fromStdString(session_.checkpoint()));
  }
  {
    const QSignalBlocker block(trainingPanel_);
    if (trainingPanel_->preparedDir().toStdString() != session_.preparedDir())
      trainingPanel_->setPreparedDir(QString::fromStdString(session_.preparedDir()));
  }
}

void ShapesWorkspace::refreshViews() {
  const auto shown = classes_->shownFlags();
  const auto opacity = classes_->opacities();
  const ClassSet input = classes_->inputClasses();
  const bool overlay = viewLayout() == Overlay;
  const bool completed = shownCompletion_ != nullptr;
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
  const auto& shapeCase = shownCase_;
  const ClassSet present = shapeCase ? shapeCase->present : ClassSet();
  const ClassSet hidden = present & ~classes_->inputClasses();
  QString input = tr("no case");
  if (shapeCase)
    input = hidden.none() ? tr("all %1 classes").arg(present.count())
                          : tr("hiding %1").arg(joinClasses(hidden));
  titles_[InputView]->setText(tr("<b>Input</b> · %1").arg(input));
  titles_[TruthView]->setText(
      tr("<b>Ground truth</b> · %1")
          .arg(shapeCase ? QFileInfo(QString::fromStdString(shapeCase->path)).fileName()
                         : tr("no case")));
  QString text;
  const auto& completion = shownCompletion_;
  if (completion) {
    const auto& meshes = completion->result.meshes;
    const bool predicted = std::any_of(meshes.begin(), meshes.end(),
                                       [](const TriangleMesh& m) { return !m.triangles.empty(); });
    text = completion->hidden.none()
               ? tr("<b>Completion</b> · all classes given")
               : tr("<b>Completion</b> · hidden: %1").arg(joinClasses(completion->hidden));
    if (!predicted)
      text += tr(" · the model predicted no class");
  } else if (session_.isCompleting())
    text = tr("<b>Completion</b> · running…");
  else
    text = tr("<b>Completion</b> · none yet");
  if (viewLayout() == Overlay)
    text += completion ? tr(" · solid, ground truth as wireframe")
                       : tr(" · input solid, hidden classes as wireframe");
  titles_[CompletionView]->setText(text);
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
      QFileDialog::getExistingDirectory(this, tr("Folder of heart label maps"), folder());
  if (dir.isEmpty())
    return;
  QString error;
  if (!openPath(dir, &error))
    QMessageBox::warning(this, tr("Cannot open"), error);
}

void ShapesWorkspace::updateButtons() {
  std::string why;
  const bool canComplete = session_.canComplete(&why);
  auto* complete = completionPanel_->completeButton();
  complete->setEnabled(canComplete);
  complete->setToolTip(canComplete ? tr("Complete the heart from the classes checked as input")
                                   : QString::fromStdString(why));
  completionPanel_->saveButton()->setEnabled(shownCompletion_ != nullptr);
  const bool prepared = QFileInfo::exists(trainingPanel_->preparedDir() + "/train.csv");
  const bool training = session_.isTraining();
  trainingPanel_->trainButton()->setEnabled(prepared && !training);
  trainingPanel_->trainButton()->setToolTip(
      training   ? tr("Training in %1 (cancel it in the Jobs panel)").arg(lastRunDir())
      : prepared ? tr("Train the chosen phase; curves appear in the Training Monitor")
                 : tr("Prepare a dataset (Prepare…) or choose a prepared one first"));
  trainingPanel_->prepareButton()->setEnabled(!session_.isPreparing());
}

void ShapesWorkspace::updateInitText() {
  trainingPanel_->setInitText(
      initCheckpointFor(trainingPanel_->phase(), trainingPanel_->preparedDir()));
}

// ---- dialogs ----

void ShapesWorkspace::completeClicked() {
  try {
    startCompletion();
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Cannot complete"), QString::fromUtf8(e.what()));
  }
}

void ShapesWorkspace::saveClicked() {
  if (!shownCompletion_ || !shownCase_)
    return;
  const QFileInfo input(QString::fromStdString(shownCase_->path));
  QString stem = input.fileName();
  stem.remove(QRegularExpression("\\.nii(\\.gz)?$", QRegularExpression::CaseInsensitiveOption));
  // Outside the case folder, where a saved map would be listed as one more case.
  const QString suggestion = input.absolutePath() + "/completed/" + stem + "_completed.nii.gz";
  const QString path = QFileDialog::getSaveFileName(this, tr("Save completed label map"),
                                                    suggestion, info().fileFilter);
  if (path.isEmpty())
    return;
  try {
    saveCompletion(hasSuffix(path, {".nii", ".nii.gz"}) ? path : path + ".nii.gz");
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Cannot save"), QString::fromUtf8(e.what()));
  }
}

void ShapesWorkspace::prepareClicked() {
  const QString labels = folder();
  const QString prepared =
      !trainingPanel_->preparedDir().isEmpty()
          ? trainingPanel_->preparedDir()
          : (labels.isEmpty()
                 ? QString()
                 : QString::fromStdString(ShapesSession::defaultPreparedDir(labels.toStdString())));
  PrepareDialog dialog(labels, prepared, this);
  if (dialog.exec() != QDialog::Accepted)
    return;
  try {
    startPreparation(dialog.labelDir(), dialog.preparedDir());
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Cannot prepare"), QString::fromUtf8(e.what()));
  }
  updateButtons();
}

void ShapesWorkspace::trainClicked() {
  const QString prepared = trainingPanel_->preparedDir();
  const int phase = trainingPanel_->phase();
  try {
    startTraining(phase, prepared, initCheckpointFor(phase, prepared),
                  {"trainer.epochs=" + std::to_string(trainingPanel_->epochs())});
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Cannot start training"), QString::fromUtf8(e.what()));
  }
}

} // namespace lumen
