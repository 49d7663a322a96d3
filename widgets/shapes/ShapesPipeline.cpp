// The Shapes workspace's pipeline actions (ShapesWorkspace members; cases, views and job
// plumbing live in ShapesWorkspace.cpp): completion with its per-class metrics, saving the
// result, dataset preparation and training phases.
#include "common/Config.h"
#include "common/Error.h"
#include "common/Resources.h"
#include "io/NiftiIO.h"
#include "shapes/CaseTable.h"
#include "shapes/ClassMeshLayer.h"
#include "shapes/ClassTable.h"
#include "shapes/CompletionPanel.h"
#include "shapes/MetricsTable.h"
#include "shapes/PrepareDialog.h"
#include "shapes/ShapeCaseData.h"
#include "shapes/ShapeDataset.h"
#include "shapes/ShapeJobs.h"
#include "shapes/ShapesWorkspace.h"
#include "shapes/TrainingPanel.h"
#include "workspace/WorkspaceRegistry.h"
#include "workspace/WorkspaceServices.h"

#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QRegularExpression>
#include <chrono>
#include <filesystem>

namespace lumen {
namespace {

QString joinClasses(ClassSet classes) {
  return QString::fromStdString(describeClasses(classes));
}

// "heart_001" from ".../heart_001.nii.gz".
QString caseStem(const QString& path) {
  QString stem = QFileInfo(path).fileName();
  stem.remove(QRegularExpression("\\.nii(\\.gz)?$", QRegularExpression::CaseInsensitiveOption));
  return stem;
}

} // namespace

// ---- completion ----

void ShapesWorkspace::setCheckpoint(const QString& checkpoint) {
  completionPanel_->setCheckpoint(checkpoint);
}

QString ShapesWorkspace::checkpoint() const {
  return completionPanel_->checkpoint();
}

JobPtr ShapesWorkspace::startCompletion() {
  // A case still loading (selectCase just before) is the one to complete: the job waits for it.
  const bool loading = loadJob_ && !loadJob_->finished();
  if (!case_ && !loading)
    throw InputError("no case is loaded");
  const QString model = checkpoint();
  if (model.isEmpty() || !QFileInfo(model).isFile())
    throw InputError(model.isEmpty() ? "no model checkpoint is chosen"
                                     : model.toStdString() + " does not exist");
  const ClassSet wanted = classes_->inputClasses();
  if (!loading && (wanted & case_->present).none())
    throw InputError("no class of this case is checked as input");
  const auto source =
      loading ? loadingCase_ : std::make_shared<std::shared_ptr<const ShapeCase>>(case_);
  const JobPtr load = loading ? loadJob_ : nullptr;
  const std::string file = model.toStdString();
  const int resolution = completionPanel_->resolution();
  const QString caseFile =
      loading ? cases_->path(loadingRow_) : QString::fromStdString(case_->path);
  auto scored = std::make_shared<std::shared_ptr<const ScoredCompletion>>();
  completionJob_ = services().submit(
      makeJob("Complete " + QFileInfo(caseFile).fileName().toStdString(),
              [load, source, wanted, file, resolution, scored](Job& job) {
                // The pool starts jobs in submission order, so the load is running or done by now.
                while (load && !load->wait(std::chrono::milliseconds(100)))
                  job.checkCancelled();
                if (load && load->state() != JobState::Succeeded)
                  throw InputError("the case to complete could not be loaded");
                const ShapeCase& shapeCase = **source;
                const ClassSet keep = wanted & shapeCase.present;
                if (keep.none())
                  throw InputError("no class of this case is checked as input");
                *scored = std::make_shared<const ScoredCompletion>(
                    completeAndScore(shapeCase, file, classLabels(keep), resolution, &job));
              }));
  whenFinished(completionJob_, [this, scored, source](const Job& job) {
    updateButtons();
    updateTitles();
    if (job.state() != JobState::Succeeded)
      return reportFailure(job);
    if (*source != case_) {
      Q_EMIT statusMessage(tr("Completion of %1 discarded: another case is open")
                               .arg(QString::fromStdString((*source)->path)));
      return;
    }
    completionDone(*scored);
  });
  completionPanel_->setResultText(
      tr("Completing %1 from %2…")
          .arg(QFileInfo(caseFile).fileName(),
               loading ? joinClasses(wanted) : joinClasses(wanted & case_->present)));
  updateButtons();
  updateTitles();
  return completionJob_;
}

void ShapesWorkspace::completionDone(std::shared_ptr<const ScoredCompletion> scored) {
  completion_ = std::move(scored);
  const CompletionResult& result = completion_->result;
  completionLayer_->setMeshes(&result.meshes);
  metricsTable()->setScores(completion_->scores, result.visible);
  completionPanel_->setSummary(metricsTable()->summary());
  completionPanel_->setResultText(
      tr("From %1, hidden %2 · %3 · %4 s")
          .arg(joinClasses(result.visible), joinClasses(completion_->hidden),
               QFileInfo(QString::fromStdString(completion_->checkpoint)).fileName())
          .arg(result.seconds, 0, 'f', 1));
  completionPanel_->setToolTip(QString::fromStdString(completion_->checkpoint));
  refreshViews();
  updateTitles();
  updateButtons();
  Q_EMIT statusMessage(tr("Completed %1 in %2 s")
                           .arg(joinClasses(completion_->hidden))
                           .arg(result.seconds, 0, 'f', 1));
}

void ShapesWorkspace::clearCompletion() {
  completion_.reset();
  completionLayer_->setMeshes(nullptr);
  metricsTable()->clearScores();
  completionPanel_->setSummary({});
  completionPanel_->setResultText(
      tr("Uncheck the classes to hide from the model (input column), then Complete."));
}

JobPtr ShapesWorkspace::saveCompletion(const QString& labelMapPath) {
  if (!completion_)
    throw InputError("there is no completion to save");
  auto scored = completion_;
  const std::string out = labelMapPath.toStdString();
  const QString meshDir =
      QFileInfo(labelMapPath).absolutePath() + "/" + caseStem(labelMapPath) + "_meshes";
  const std::string meshes = meshDir.toStdString();
  auto job = services().submit(makeJob(
      "Save " + QFileInfo(labelMapPath).fileName().toStdString(), [scored, out, meshes](Job& job) {
        job.setProgress(0.0, "label map");
        std::filesystem::create_directories(std::filesystem::path(out).parent_path());
        writeLabelVolume(out, scored->result.labels);
        job.setProgress(0.5, "meshes");
        writeClassMeshes(meshes, scored->result.meshes, {"vtp", "stl"});
      }));
  whenDone(job, [this, labelMapPath, meshDir] {
    Q_EMIT statusMessage(tr("Saved %1 and meshes in %2").arg(labelMapPath, meshDir));
  });
  return job;
}

void ShapesWorkspace::completeClicked() {
  try {
    startCompletion();
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Cannot complete"), QString::fromUtf8(e.what()));
  }
}

void ShapesWorkspace::saveClicked() {
  if (!completion_ || !case_)
    return;
  const QFileInfo input(QString::fromStdString(case_->path));
  const QString stem = caseStem(input.fileName());
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

// ---- preparation and training ----

JobPtr ShapesWorkspace::startPreparation(const QString& labelDir, const QString& preparedDir) {
  ShapeDatasetOptions options;
  options.prepare.classMap = classMap().toStdString();
  const std::string in = labelDir.toStdString(), out = preparedDir.toStdString();
  auto counts = std::make_shared<ShapeDatasetResult>();
  auto job = services().submit(makeJob("Prepare " + QFileInfo(labelDir).fileName().toStdString(),
                                       [in, out, options, counts](Job& job) {
                                         *counts = prepareShapeDataset(in, out, options, &job);
                                       }));
  Q_EMIT statusMessage(tr("Preparing %1 into %2").arg(labelDir, preparedDir));
  whenFinished(job, [this, preparedDir, counts](const Job& job) {
    // A dataset with some failed cases is still written (and usable) for the others.
    if (QFileInfo::exists(preparedDir + "/train.csv"))
      trainingPanel_->setPreparedDir(preparedDir);
    if (job.state() != JobState::Succeeded)
      return reportFailure(job);
    Q_EMIT statusMessage(tr("Prepared %1 cases into %2 (%3 train, %4 validation)")
                             .arg(counts->train.size() + counts->val.size())
                             .arg(preparedDir)
                             .arg(counts->train.size())
                             .arg(counts->val.size()));
  });
  return job;
}

JobPtr ShapesWorkspace::startTraining(int phase, const QString& preparedDir, const QString& init,
                                      const std::vector<std::string>& overrides,
                                      const QString& runDir) {
  auto config = loadConfig<ShapeTrainConfig>(findResource("configs/shapes/small.yaml"), overrides);
  // Set on the struct, not as --set overrides: paths need no YAML quoting this way.
  config.phase = phase;
  config.init = init.toStdString();
  config.data.dirs = {preparedDir.toStdString()};
  // A phase continues the previous phase's network, so it must have the same architecture.
  const QString initConfig = QFileInfo(init).absolutePath() + "/../config.yaml";
  if (!init.isEmpty() && QFileInfo::exists(initConfig))
    config.model = loadConfig<ShapeTrainConfig>(initConfig.toStdString()).model;
  const QString run =
      !runDir.isEmpty()
          ? runDir
          : QDir::cleanPath(preparedDir + "/../runs/shapes-p" + QString::number(phase) + "-" +
                            QDateTime::currentDateTime().toString("yyyyMMdd-hhmmss"));
  auto job = services().submit(shapeTrainingJob(config, run.toStdString()));
  services().monitorRun(run);
  lastRunDir_ = run;
  whenFinished(job, [this, run](const Job& job) {
    // A cancelled run's best checkpoint is still the best model so far.
    const QString best = run + "/checkpoints/best.pt";
    trainingPanel_->setRunText(
        tr("Last run: %1 · <b>%2</b>").arg(run, QString::fromLatin1(jobStateName(job.state()))));
    if (job.state() != JobState::Failed && QFileInfo::exists(best)) {
      setCheckpoint(best);
      Q_EMIT statusMessage(
          tr("Training in %1 %2; completion now uses its best checkpoint")
              .arg(run, job.state() == JobState::Succeeded ? tr("finished") : tr("stopped")));
    } else {
      reportFailure(job);
    }
    updateInitText();
  });
  trainingPanel_->setRunText(
      tr("Training phase %1 in %2 · curves in the Training Monitor").arg(phase).arg(run));
  Q_EMIT statusMessage(tr("Training shape phase %1 in %2").arg(phase).arg(run));
  return job;
}

QString ShapesWorkspace::initCheckpointFor(int phase, const QString& preparedDir) const {
  if (phase <= 1)
    return {};
  const QString runs = QDir::cleanPath(preparedDir + "/../runs");
  const QString earlier =
      preparedDir.isEmpty() ? QString() : findLatestCheckpoint({runs}, phase - 1);
  if (!earlier.isEmpty())
    return earlier;
  return QFileInfo(checkpoint()).isFile() ? checkpoint() : QString();
}

QString ShapesWorkspace::findLatestCheckpoint(const QStringList& runsDirs, int maxPhase) const {
  QString best;
  QDateTime newest;
  for (const QString& runs : runsDirs) {
    const QDir dir(runs);
    for (const QString& name : dir.entryList({"shapes-p*"}, QDir::Dirs | QDir::NoDotAndDotDot)) {
      const int phase = name.mid(8, 1).toInt();
      if (phase < 1 || phase > maxPhase)
        continue;
      const QFileInfo file(dir.absoluteFilePath(name + "/checkpoints/best.pt"));
      if (file.isFile() && (best.isEmpty() || file.lastModified() > newest)) {
        best = file.absoluteFilePath();
        newest = file.lastModified();
      }
    }
  }
  return best;
}

void ShapesWorkspace::prepareClicked() {
  const QString labels = folder_;
  const QString prepared =
      !trainingPanel_->preparedDir().isEmpty()
          ? trainingPanel_->preparedDir()
          : (labels.isEmpty() ? QString() : PrepareDialog::defaultPreparedDir(labels));
  PrepareDialog dialog(labels, prepared, this);
  if (dialog.exec() != QDialog::Accepted)
    return;
  startPreparation(dialog.labelDir(), dialog.preparedDir());
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

void ShapesWorkspace::updateInitText() {
  trainingPanel_->setInitText(
      initCheckpointFor(trainingPanel_->phase(), trainingPanel_->preparedDir()));
}
} // namespace lumen
