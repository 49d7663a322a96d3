// The Segment workspace: open a CT (a study folder's next image, a single volume or a DICOM
// series), click a few points on a structure in the axial, coronal, sagittal or 3D view, see its
// 3D mask (certain and uncertain voxels in two colours, and its surface), correct it, accept it
// into the study folder and move to the next image, as in 3D Slicer's MONAI Label module or
// ITK-SNAP. The CT, the points with undo/redo, the newest-wins requests and accepting are the
// SegmentSession's (core); the study folder is a StudyFolder (a Datastore behind jobs). This
// widget shows them, keeps the crosshair linking the views, and forwards what the user asks for.
#pragma once
#include "segment/PromptPanel.h"
#include "segment/SegmentSession.h"
#include "segment/SegmentViewGrid.h"
#include "workspace/Workspace.h"

#include <QElapsedTimer>
#include <QString>
#include <functional>
#include <memory>
#include <vector>

class QSplitter;

namespace lumen {

class JobContinuations;
class MaskPanel;
class SeriesDialog;
class SliceView2D;
class StudyFolder;
class StudyPanel;
class View3D;
struct TriangleMesh;
namespace segment {
class Datastore;
}

class SegmentWorkspace : public Workspace {
  Q_OBJECT
public:
  explicit SegmentWorkspace(WorkspaceServices& services, QWidget* parent = nullptr);
  ~SegmentWorkspace() override;

  static WorkspaceInfo info();

  // A study folder (its next image by the chosen strategy opens), a CT volume (inside a study
  // folder: as that study's image), or a DICOM folder (a picker when it holds several series).
  // Loading runs in the background; false only when the path cannot be one of these.
  bool openPath(const QString& path, QString* error) override;
  // Opens an image of the open study (waiting for the study to be listed) and places `prompts`
  // once it has loaded: the demo's clicks, or a replayed session.
  void openStudyImage(const QString& id, std::vector<PromptPoint> prompts = {});
  // The next image of the study by the strategy chosen in the study panel. Points or a mask not
  // accepted yet are not dropped without a question (Discard / Cancel).
  void nextSample();

  // What a click on voxel `ijk` of a view does with the current tool: a point (positive, or
  // negative with Shift/Ctrl or the negative tool) that also moves the crosshair there, or only
  // the crosshair. Errors go to the status line.
  void clickVoxel(const VoxelIndex& ijk, Qt::KeyboardModifiers modifiers = Qt::NoModifier);
  void setTool(PromptPanel::Tool tool);
  PromptPanel::Tool tool() const;
  // Moves the crosshair: every slice view shows the voxel's slice, the 3D view its planes.
  void setCrosshair(const VoxelIndex& ijk);
  VoxelIndex crosshair() const;
  void selectPoint(int index); // -1: none
  int selectedPoint() const { return selected_; }
  void deleteSelectedPoint();
  void setWindowPreset(int index); // into ctWindowPresets()

  // Segments with a model file from now on, whatever image is open: a TorchScript plug-in
  // (backend "torchscript") or a propagator run or checkpoint ("learned"). False, with the reason
  // on the status line, when it is neither.
  bool useModelFile(const QString& path);

  // Saves the current mask as the image's `final` label (and the model's `original`) under the
  // label name. Throws InputError when there is nothing to accept or no study.
  JobPtr accept();
  // Writes the current mask to a file (.nii, .nii.gz, .nrrd). Throws InputError without a mask.
  JobPtr saveMask(const QString& path);
  // Runs `then` on the UI thread once the job has succeeded (failures go to the status line).
  void whenDone(JobPtr job, std::function<void()> then);

  SegmentSession& session() { return session_; }
  StudyFolder& study() { return *study_; }
  SegmentViewGrid* views() const { return grid_; }
  SliceView2D* sliceView(SegmentViewGrid::ViewSlot slot) const;
  View3D* view3D() const;
  StudyPanel* studyPanel() const { return studyPanel_; }
  PromptPanel* promptPanel() const { return promptPanel_; }
  MaskPanel* maskPanel() const { return maskPanel_; }
  // The series picker while one is open, else null.
  SeriesDialog* seriesDialog() const { return seriesDialog_; }
  bool hasSurface() const;
  // The mask's surface the 3D view shows (physical mm), null when none.
  const TriangleMesh* shownSurface() const;
  // The mask shown now (null when none): the session's newest result.
  const SegmentationResult* shownResult() const { return shownResult_.get(); }
  // Milliseconds from the last click to its mask on screen, and of the last surface extraction.
  double clickToMaskMs() const { return clickToMaskMs_; }
  double surfaceMs() const { return surfaceMs_; }

protected:
  void resizeEvent(QResizeEvent* event) override;

private:
  void leaveImageThen(std::function<void()> then);
  QWidget* makeSidePanel();
  void addShortcuts();

  void sessionChanged(const SegmentSession::Change& change);
  // Loads an image; `store` is the study folder it belongs to (null: none), which Accept uses.
  void openImage(const std::string& path, const std::string& seriesUid, const std::string& id,
                 std::shared_ptr<segment::Datastore> store);
  // Runs a slot's work; what it throws goes to the status line, never out of the slot.
  void guarded(const std::function<void()>& action);
  void openStudy(const QString& folder, const QString& imageId);
  void openDicomFolder(const QString& folder);
  void studyListed();
  // The backend list for what is open (the study's trained propagator and plug-ins) and the
  // session's model sources when the study changed; the Train button's state.
  void refreshBackends();
  void showBackends(const std::vector<std::string>& names);
  // Trains the learned backend on the open study's final labels, in the background, listed in
  // the Jobs dock with its curves in the Training Monitor; the backend is chosen once done.
  void trainPropagator();
  void showImage();
  void showPoints();
  void showResult();
  void startSurface(std::shared_ptr<const SegmentationResult> result);
  void updateActions();
  void status(const QString& text, bool busy = false, const QString& details = {});
  void error(const QString& text);
  void onPointClicked(int index);
  void onPointMoved(int index, const VoxelIndex& ijk);
  void saveMaskClicked();
  void acceptClicked();

  JobContinuations* continuations_;
  SegmentSession session_;
  QString backendStudy_; // the study whose models the session uses
  QString backendModel_; // ... and the model file
  QString modelFile_;    // the user's model file (Model…), for any image
  JobPtr training_;
  StudyFolder* study_;
  StudyPanel* studyPanel_;
  PromptPanel* promptPanel_;
  MaskPanel* maskPanel_;
  SegmentViewGrid* grid_;
  SeriesDialog* seriesDialog_ = nullptr;
  QSplitter* side_ = nullptr; // study, points and mask panels
  bool sideSized_ = false;

  std::shared_ptr<const SegmentationResult> shownResult_;
  // The study folder of the image being loaded and of the one shown (null: not a study's).
  std::shared_ptr<segment::Datastore> loadingStore_, imageStore_;
  int selected_ = -1;
  bool accepting_ = false;

  // An image to open once the study is listed, and prompts to place once it has loaded.
  QString pendingImage_;
  QString promptsFor_;
  std::vector<PromptPoint> pendingPrompts_;

  JobPtr surfaceJob_;
  uint64_t surfaceGeneration_ = 0;
  QElapsedTimer sinceClick_;
  bool clickWaiting_ = false;
  double clickToMaskMs_ = 0, surfaceMs_ = 0;
};

} // namespace lumen
