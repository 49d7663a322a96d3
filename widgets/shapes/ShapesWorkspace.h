// The Shapes workspace: a folder of heart label maps with the classes each case holds; the open
// case's classes as coloured meshes with a legend that sets visibility, opacity and which classes
// the model is given; Input | Completion | Ground truth views with one shared camera (or
// completion and ground truth overlaid in one view); completion with a trained model and its
// per-class metrics; and dataset preparation and training phases as background jobs whose
// curves appear in the Training Monitor. What is open and what runs is the ShapesSession's
// (core); this widget shows it and forwards the user's intent.
#pragma once
#include "common/Job.h"
#include "shapes/ShapesSession.h"
#include "vtk/SharedCamera.h"
#include "workspace/Workspace.h"

#include <QString>
#include <array>
#include <functional>
#include <memory>
#include <vector>

class QComboBox;
class QLabel;
class QSplitter;
class vtkCamera;

namespace lumen {

class CaseTable;
class JobContinuations;
class ClassMeshLayer;
class ClassTable;
class CompletionPanel;
class MetricsTable;
class TrainingPanel;
class View3D;

class ShapesWorkspace : public Workspace {
  Q_OBJECT
public:
  enum ViewLayout { SideBySide, Overlay };

  explicit ShapesWorkspace(WorkspaceServices& services, QWidget* parent = nullptr);
  ~ShapesWorkspace() override;

  static WorkspaceInfo info();

  // A folder of label maps (.nii, .nii.gz) lists its cases and opens the first; a single label
  // map lists its folder's cases and opens that one.
  bool openPath(const QString& path, QString* error) override;
  QString folder() const { return QString::fromStdString(session_.folder()); }
  // Loads the case of a row (a job); its meshes appear when it is done.
  void selectCase(int row);
  int currentCase() const;
  // The loaded case (null until the first load is done).
  const ShapeCase* loadedCase() const { return session_.loadedCase().get(); }
  // "heart10" or "mmwhs7": how raw label values map to the 10 classes; reloads the cases.
  void setClassMap(const QString& name);
  QString classMap() const;

  // The classes given to the model (the class table's "input" column).
  void setInputClasses(const std::vector<int>& labels);
  void setCheckpoint(const QString& checkpoint);
  QString checkpoint() const;
  void setViewLayout(ViewLayout layout);
  ViewLayout viewLayout() const;

  // Completes the loaded case (or the one selectCase is loading) from the checked input classes
  // with the checkpoint. Throws InputError when there is no case, no checkpoint or no input
  // class; the job fails when the case being loaded has none of the input classes.
  JobPtr startCompletion();
  const ScoredCompletion* completion() const { return session_.completion().get(); }
  // Writes the completed label map (NIfTI) and its meshes to <stem>_meshes/ beside it.
  JobPtr saveCompletion(const QString& labelMapPath);
  // Prepares a folder of label maps into a dataset; the training panel then uses it.
  JobPtr startPreparation(const QString& labelDir, const QString& preparedDir);
  // Trains a phase on a prepared dataset from `init` (empty: random weights). The run goes to
  // `runDir` (default <prepared>/../runs/shapes-p<phase>-<time>), its curves to the monitor;
  // when it ends with a best.pt, that becomes the completion checkpoint. `overrides` are --set
  // style assignments on the shipped small.yaml.
  JobPtr startTraining(int phase, const QString& preparedDir, const QString& init,
                       const std::vector<std::string>& overrides = {}, const QString& runDir = {});
  QString lastRunDir() const { return QString::fromStdString(session_.lastRunDir()); }
  // The checkpoint a phase starts from: the newest best.pt of an earlier phase's run beside the
  // prepared dataset, else the completion checkpoint; empty for phase 1.
  QString initCheckpointFor(int phase, const QString& preparedDir) const;
  // Runs `then` on the UI thread once the job has succeeded (failures go to the status bar).
  void whenDone(JobPtr job, std::function<void()> then);

  View3D* inputView() const { return views_[InputView]; }
  View3D* completionView() const { return views_[CompletionView]; }
  View3D* truthView() const { return views_[TruthView]; }
  vtkCamera* sharedCamera() const;
  MetricsTable* metricsTable() const;
  ClassTable* classTable() const { return classes_; }
  CaseTable* caseTable() const { return cases_; }
  CompletionPanel* completionPanel() const { return completionPanel_; }
  TrainingPanel* trainingPanel() const { return trainingPanel_; }
  ShapesSession& session() { return session_; }

protected:
  void resizeEvent(QResizeEvent* event) override;

private:
  enum ViewSlot { InputView, CompletionView, TruthView, ViewCount };

  QWidget* makeViewColumn(ViewSlot slot, QLabel* title);
  void sessionChanged(const ShapesSession::Change& change);
  void showCases();
  void showCase();
  void showCompletion();
  void syncSettings();
  void refreshViews();
  void updateTitles();
  void updateButtons();
  void updateInitText();
  void resetCamera(bool orient);
  void openFolderClicked();
  void completeClicked();
  void saveClicked();
  void prepareClicked();
  void trainClicked();

  CaseTable* cases_;
  QComboBox* classMap_;
  ClassTable* classes_;
  QComboBox* layout_;
  std::array<View3D*, ViewCount> views_{};
  std::array<QWidget*, ViewCount> columns_{};
  std::array<QLabel*, ViewCount> titles_{};
  QSplitter* centre_ = nullptr; // views above, completion and training tabs below
  bool panelsSized_ = false;
  std::unique_ptr<ClassMeshLayer> inputLayer_, truthLayer_, completionLayer_;
  // Overlay layout: the completion view also draws the input (until there is a completion)
  // solid and the ground truth as wireframe.
  std::unique_ptr<ClassMeshLayer> overlayInputLayer_, overlayTruthLayer_;
  CompletionPanel* completionPanel_;
  TrainingPanel* trainingPanel_;
  SharedCamera camera_;
  bool cameraOriented_ = false;
  JobContinuations* continuations_;
  ShapesSession session_;
  // The case and completion the views show (they keep pointers into the meshes).
  std::shared_ptr<const ShapeCase> shownCase_;
  std::shared_ptr<const ScoredCompletion> shownCompletion_;
};

} // namespace lumen
