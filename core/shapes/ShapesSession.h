// The Shapes workspace's state and background work, without widgets (ITK-SNAP's Logic -> Model ->
// View): the folder of heart label maps and the classes each case holds, the case being looked at
// (loaded by a job; a newer selection wins), the class map, the classes given to the model, the
// model checkpoint, the completion of the case with its per-class scores, and dataset
// preparation and training runs. The view shows the state and forwards what the user asks for;
// tests and other front ends drive the session directly.
//
// Jobs go through the `submit` the owner gives; their results are applied by poll(), on the
// owner's thread, which then tells the listener what changed.
#pragma once
#include "common/Job.h"
#include "common/JobFollowUps.h"
#include "shapes/ShapeCaseData.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lumen {

class ShapesSession {
public:
  // Hands a job to the pool. `listed`: the user sees it among the jobs.
  using Submit = std::function<JobPtr(JobPtr job, bool listed)>;

  struct CaseEntry {
    std::string path;
    std::optional<ClassSet> classes; // once scanned
    std::string error;               // why the file could not be read
  };

  struct Change {
    enum Kind {
      CasesListed, // a folder was opened, or its class map changed
      CaseScanned, // row: its classes (or error) are known
      CaseLoading, // row
      CaseLoaded,  // row
      CaseCleared, // no case is shown (a failed load, another folder)
      CompletionStarted,
      CompletionEnded,  // ok, message
      PreparationEnded, // ok, path (the prepared folder), message
      RunStarted,       // path: a training run's folder
      RunEnded,         // ok, path, message
      SettingsChanged,  // checkpoint or prepared folder chosen by the session
    } kind;
    int row = -1;
    bool ok = true;
    std::string path, message;
  };
  using Listener = std::function<void(const Change&)>;

  explicit ShapesSession(Submit submit);
  void setListener(Listener listener) { listener_ = std::move(listener); }

  // A folder of label maps (.nii, .nii.gz) lists its cases and loads the first; a label map lists
  // its folder's cases and loads that one. An unchosen (or vanished) checkpoint becomes the newest
  // best.pt of a shapes run beside the folder, an unchosen prepared folder the default one when
  // it exists. Throws InputError when the path holds no label map.
  void open(const std::string& path);
  const std::string& folder() const { return folder_; }
  const std::vector<CaseEntry>& cases() const { return cases_; }
  int rowOf(const std::string& path) const;

  // "heart10" or "mmwhs7": how raw values map to classes; rescans the cases and reloads the
  // current one. Throws InputError for an unknown name.
  void setClassMap(const std::string& name);
  const std::string& classMap() const { return classMap_; }

  void selectCase(int row);
  // The row loading, else the row loaded; -1 when none.
  int currentCase() const { return loadingRow_ >= 0 ? loadingRow_ : caseRow_; }
  const std::shared_ptr<const ShapeCase>& loadedCase() const { return case_; }
  bool isLoadingCase() const { return loadingRow_ >= 0; }

  // The classes the model is given (all ten unless the user unchecks some).
  void setInputClasses(ClassSet classes) { inputClasses_ = classes; }
  ClassSet inputClasses() const { return inputClasses_; }
  void setCheckpoint(const std::string& checkpoint) { checkpoint_ = checkpoint; }
  const std::string& checkpoint() const { return checkpoint_; }

  // Whether Complete can run now; `why` says what is missing.
  bool canComplete(std::string* why = nullptr) const;
  // Completes the current case (waiting for one that is still loading) from the input classes
  // with the checkpoint, `resolution` samples along the heart's longest side. Throws InputError
  // when there is no case, no model or no input class.
  JobPtr startCompletion(int resolution = 128);
  bool isCompleting() const { return completionJob_ && !completionJob_->finished(); }
  const std::shared_ptr<const ScoredCompletion>& completion() const { return completion_; }
  // Writes the completed label map (NIfTI) and its meshes to meshFolderFor(path).
  JobPtr saveCompletion(const std::string& labelMapPath);
  static std::string meshFolderFor(const std::string& labelMapPath);

  void setPreparedDir(const std::string& dir) { preparedDir_ = dir; }
  const std::string& preparedDir() const { return preparedDir_; }
  // <parent>/<folder>-prepared: where preparation puts a label folder's dataset by default.
  static std::string defaultPreparedDir(const std::string& labelDir);
  JobPtr startPreparation(const std::string& labelDir, const std::string& preparedDir);
  bool isPreparing() const { return preparationJob_ && !preparationJob_->finished(); }

  // Trains a phase on a prepared dataset from `init` (empty: random weights); the run goes to
  // `runDir` (default <prepared>/../runs/shapes-p<phase>-<time>). When it ends with a best.pt,
  // that becomes the completion checkpoint. `overrides` are --set style assignments on the
  // shipped small.yaml. Throws InputError while this session's previous training still runs.
  JobPtr startTraining(int phase, const std::string& preparedDir, const std::string& init,
                       const std::vector<std::string>& overrides = {},
                       const std::string& runDir = {});
  bool isTraining() const { return trainingJob_ && !trainingJob_->finished(); }
  const std::string& lastRunDir() const { return lastRunDir_; }
  // The checkpoint a phase starts from: the newest best.pt of an earlier phase's run beside the
  // prepared dataset, else the completion checkpoint; empty for phase 1.
  std::string initCheckpointFor(int phase, const std::string& preparedDir) const;

  // Applies the jobs that have ended (call on the owner's thread); true while any is pending.
  bool poll();
  JobFollowUps& followUps() { return followUps_; }

private:
  void notify(const Change& change);
  void scanCases();
  void clearCase();
  void loadCase(int row);

  Submit submit_;
  Listener listener_;
  JobFollowUps followUps_;
  std::string folder_, classMap_ = "heart10";
  std::vector<CaseEntry> cases_;
  uint64_t listGeneration_ = 0, loadGeneration_ = 0;
  JobPtr scanJob_, loadJob_, completionJob_, preparationJob_, trainingJob_;
  int loadingRow_ = -1, caseRow_ = -1;
  // What loadJob_ fills in (read by a completion started while the case loads).
  std::shared_ptr<std::shared_ptr<const ShapeCase>> loadingCase_;
  std::shared_ptr<const ShapeCase> case_;
  std::shared_ptr<const ScoredCompletion> completion_;
  ClassSet inputClasses_ = ClassSet().set();
  std::string checkpoint_, preparedDir_, lastRunDir_;
};

// The newest best.pt of the shapes-p<phase> runs (phase <= maxPhase) in the given runs folders,
// or empty.
std::string latestShapeCheckpoint(const std::vector<std::string>& runsFolders, int maxPhase);

} // namespace lumen
