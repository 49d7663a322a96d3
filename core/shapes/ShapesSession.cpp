#include "shapes/ShapesSession.h"

#include "common/Config.h"
#include "common/Error.h"
#include "common/Files.h"
#include "common/Resources.h"
#include "io/NiftiIO.h"
#include "shapes/CompletionFiles.h"
#include "shapes/ShapeDataset.h"
#include "shapes/ShapeJobs.h"
#include "train/RunDirectory.h"

#include <chrono>
#include <filesystem>

namespace fs = std::filesystem;

namespace lumen {
namespace {

bool isLabelMapName(const std::string& path) {
  const std::string name = fs::path(path).filename().string();
  for (const std::string ext : {".nii.gz", ".nii"})
    if (name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0)
      return true;
  return false;
}

// "heart_001" from ".../heart_001.nii.gz".
std::string caseStem(const std::string& path) {
  std::string name = fs::path(path).filename().string();
  for (const std::string ext : {".nii.gz", ".nii"})
    if (name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0)
      return name.substr(0, name.size() - ext.size());
  return name;
}

std::string fileName(const std::string& path) {
  return fs::path(path).filename().string();
}

bool isFile(const std::string& path) {
  std::error_code error;
  return !path.empty() && fs::is_regular_file(path, error);
}

} // namespace

std::string latestShapeCheckpoint(const std::vector<std::string>& runsFolders, int maxPhase) {
  std::string best;
  fs::file_time_type newest{};
  for (const std::string& runs : runsFolders) {
    std::error_code error;
    for (auto it = fs::directory_iterator(runs, error); !error && it != fs::directory_iterator();
         it.increment(error)) {
      const std::string name = it->path().filename().string();
      if (name.rfind("shapes-p", 0) != 0 || name.size() < 9)
        continue;
      const int phase = name[8] - '0';
      if (phase < 1 || phase > maxPhase)
        continue;
      const fs::path file = it->path() / "checkpoints" / "best.pt";
      std::error_code missing;
      if (!fs::is_regular_file(file, missing))
        continue;
      const auto time = fs::last_write_time(file, missing);
      if (!missing && (best.empty() || time > newest)) {
        best = file.string();
        newest = time;
      }
    }
  }
  return best;
}

ShapesSession::ShapesSession(Submit submit) : submit_(std::move(submit)) {}

void ShapesSession::notify(const Change& change) {
  if (listener_)
    listener_(change);
}

std::string ShapesSession::defaultPreparedDir(const std::string& labelDir) {
  const fs::path folder = fs::path(labelDir).lexically_normal();
  const fs::path name =
      folder.filename().empty() ? folder.parent_path().filename() : folder.filename();
  const fs::path parent =
      folder.filename().empty() ? folder.parent_path().parent_path() : folder.parent_path();
  return (parent / (name.string() + "-prepared")).string();
}

std::string ShapesSession::meshFolderFor(const std::string& labelMapPath) {
  return (fs::path(labelMapPath).parent_path() / (caseStem(labelMapPath) + "_meshes")).string();
}

int ShapesSession::rowOf(const std::string& path) const {
  const fs::path wanted = fs::absolute(path).lexically_normal();
  for (size_t row = 0; row < cases_.size(); ++row)
    if (fs::absolute(cases_[row].path).lexically_normal() == wanted)
      return int(row);
  return -1;
}

void ShapesSession::open(const std::string& path) {
  std::error_code error;
  std::string folder, select;
  if (fs::is_directory(path, error)) {
    folder = fs::absolute(path).lexically_normal().string();
  } else if (fs::is_regular_file(path, error) && isLabelMapName(path)) {
    folder = fs::absolute(path).parent_path().lexically_normal().string();
    select = fs::absolute(path).lexically_normal().string();
  } else if (!fs::exists(path, error)) {
    throw IoError(path + " does not exist");
  } else {
    throw InputError(path + " is neither a label map (.nii, .nii.gz) nor a folder of them");
  }
  const std::vector<std::string> found = findLabelMaps(folder); // throws when there are none
  folder_ = folder;
  clearCase();
  cases_.clear();
  for (const auto& p : found)
    cases_.push_back({p, std::nullopt, {}});
  notify({Change::CasesListed, -1, true, folder_, {}});
  scanCases();
  if (!cases_.empty())
    selectCase(select.empty() ? 0 : std::max(0, rowOf(select)));

  // Defaults for the rest of the pipeline, next to the folder as preparation and training place
  // them; what the user already chose stays.
  const std::string parent = fs::path(folder_).parent_path().string();
  bool changed = false;
  if (!isFile(checkpoint_)) {
    const std::string latest = latestShapeCheckpoint({parent + "/runs", folder_ + "/runs"}, 4);
    if (!latest.empty()) {
      checkpoint_ = latest;
      changed = true;
    }
  }
  if (preparedDir_.empty()) {
    const std::string prepared = defaultPreparedDir(folder_);
    if (fs::exists(prepared + "/train.csv", error)) {
      preparedDir_ = prepared;
      changed = true;
    }
  }
  if (changed)
    notify({Change::SettingsChanged, -1, true, {}, {}});
}

void ShapesSession::setClassMap(const std::string& name) {
  classMapByName(name); // an unknown name fails here, before anything changes
  if (name == classMap_)
    return;
  classMap_ = name;
  if (folder_.empty())
    return;
  const int row = currentCase();
  for (auto& entry : cases_)
    entry = {entry.path, std::nullopt, {}};
  notify({Change::CasesListed, -1, true, folder_, {}});
  scanCases();
  if (row >= 0)
    loadCase(row);
}

void ShapesSession::clearCase() {
  ++loadGeneration_;
  if (loadJob_ && !loadJob_->finished())
    loadJob_->requestCancel();
  case_.reset();
  caseRow_ = -1;
  loadingRow_ = -1;
  completion_.reset();
  notify({Change::CaseCleared, -1, true, {}, {}});
}

void ShapesSession::scanCases() {
  const uint64_t generation = ++listGeneration_;
  std::vector<std::string> paths;
  for (const auto& entry : cases_)
    paths.push_back(entry.path);
  // A scan of the previous folder or class map is of no use any more.
  if (scanJob_ && !scanJob_->finished())
    scanJob_->requestCancel();
  using Scan = std::pair<std::optional<ClassSet>, std::string>;
  auto scans = std::make_shared<std::vector<Scan>>(paths.size());
  const std::string map = classMap_;
  scanJob_ =
      submit_(makeJob("Read cases of " + fileName(folder_),
                      [paths, map, scans](Job& job) {
                        for (size_t i = 0; i < paths.size(); ++i) {
                          job.checkCancelled();
                          job.setProgress(double(i) / double(paths.size()), fileName(paths[i]));
                          try {
                            (*scans)[i].first = scanCaseClasses(paths[i], map);
                          } catch (const CancelledError&) {
                            throw;
                          } catch (const std::exception& e) {
                            (*scans)[i].second = e.what();
                          }
                        }
                      }),
              true);
  followUps_.whenFinished(scanJob_, [this, scans, generation](const Job& job) {
    if (generation != listGeneration_ || job.state() != JobState::Succeeded)
      return; // another folder or class map since, or cancelled on purpose
    for (size_t i = 0; i < scans->size() && i < cases_.size(); ++i) {
      // A case loaded meanwhile already knows its classes.
      if (!cases_[i].classes)
        cases_[i].classes = (*scans)[i].first;
      if (!(*scans)[i].second.empty())
        cases_[i].error = (*scans)[i].second;
      notify(
          {Change::CaseScanned, int(i), cases_[i].error.empty(), cases_[i].path, cases_[i].error});
    }
  });
}

void ShapesSession::selectCase(int row) {
  if (row < 0 || row >= int(cases_.size()))
    return;
  loadCase(row);
}

void ShapesSession::loadCase(int row) {
  if (loadJob_ && !loadJob_->finished())
    loadJob_->requestCancel();
  const uint64_t generation = ++loadGeneration_;
  loadingRow_ = row;
  const std::string file = cases_[size_t(row)].path, map = classMap_;
  auto loaded = std::make_shared<std::shared_ptr<const ShapeCase>>();
  loadingCase_ = loaded;
  loadJob_ =
      submit_(makeJob(
                  "Load " + fileName(file),
                  [file, map, loaded](Job& job) { *loaded = loadShapeCase(file, map, &job); },
                  JobPriority::Interactive),
              true);
  notify({Change::CaseLoading, row, true, file, {}});
  followUps_.whenFinished(loadJob_, [this, loaded, row, generation](const Job& job) {
    if (generation != loadGeneration_)
      return; // a later selection wins
    loadingRow_ = -1;
    if (job.state() == JobState::Succeeded) {
      case_ = *loaded;
      caseRow_ = row;
      completion_.reset();
      cases_[size_t(row)].classes = case_->present;
      cases_[size_t(row)].error.clear();
      notify({Change::CaseLoaded, row, true, case_->path, {}});
      return;
    }
    // The views never show another case than the selected row.
    case_.reset();
    caseRow_ = -1;
    completion_.reset();
    if (job.state() == JobState::Failed)
      cases_[size_t(row)].error = job.errorMessage();
    notify({Change::CaseCleared, row, false, cases_[size_t(row)].path,
            job.state() == JobState::Cancelled ? "cancelled" : job.errorMessage()});
  });
}

bool ShapesSession::canComplete(std::string* why) const {
  const auto fail = [&](const std::string& reason) {
    if (why)
      *why = reason;
    return false;
  };
  if (!case_ && !isLoadingCase())
    return fail("Open a case first");
  if (case_ && !isLoadingCase() && (inputClasses_ & case_->present).none())
    return fail("Check at least one class of this case as input");
  if (!isFile(checkpoint_))
    return fail(checkpoint_.empty() ? "Choose a trained model (checkpoints/best.pt)"
                                    : checkpoint_ + " does not exist");
  if (isCompleting())
    return fail("A completion is running");
  if (why)
    why->clear();
  return true;
}

JobPtr ShapesSession::startCompletion(int resolution) {
  std::string why;
  if (!canComplete(&why))
    throw InputError(why);
  // A case still loading (a selection just before) is the one to complete: the job waits for it.
  const bool loading = isLoadingCase();
  const auto source =
      loading ? loadingCase_ : std::make_shared<std::shared_ptr<const ShapeCase>>(case_);
  const JobPtr load = loading ? loadJob_ : nullptr;
  const ClassSet wanted = inputClasses_;
  const std::string model = checkpoint_;
  const std::string caseFile = cases_[size_t(currentCase())].path;
  auto scored = std::make_shared<std::shared_ptr<const ScoredCompletion>>();
  completionJob_ =
      submit_(makeJob(
                  "Complete " + fileName(caseFile),
                  [load, source, wanted, model, resolution, scored](Job& job) {
                    while (load && !load->wait(std::chrono::milliseconds(100)))
                      job.checkCancelled();
                    if (load && load->state() != JobState::Succeeded)
                      throw InputError("the case to complete could not be loaded");
                    const ShapeCase& shapeCase = **source;
                    const ClassSet keep = wanted & shapeCase.present;
                    if (keep.none())
                      throw InputError("no class of this case is checked as input");
                    *scored = std::make_shared<const ScoredCompletion>(
                        completeAndScore(shapeCase, model, classLabels(keep), resolution, &job));
                  },
                  JobPriority::Interactive),
              true);
  notify({Change::CompletionStarted, currentCase(), true, caseFile, {}});
  followUps_.whenFinished(completionJob_, [this, scored, source](const Job& job) {
    if (job.state() != JobState::Succeeded) {
      notify({Change::CompletionEnded,
              -1,
              false,
              {},
              job.state() == JobState::Cancelled ? job.title() + ": cancelled"
                                                 : job.title() + ": " + job.errorMessage()});
      return;
    }
    if (*source != case_) {
      notify({Change::CompletionEnded, -1, false, (*source)->path,
              "completion of " + fileName((*source)->path) + " discarded: another case is open"});
      return;
    }
    completion_ = *scored;
    notify({Change::CompletionEnded, caseRow_, true, case_->path, {}});
  });
  return completionJob_;
}

JobPtr ShapesSession::saveCompletion(const std::string& labelMapPath) {
  if (!completion_)
    throw InputError("there is no completion to save");
  requireWritableParent(labelMapPath, "the completed label map");
  auto scored = completion_;
  const std::string out = labelMapPath, meshes = meshFolderFor(labelMapPath);
  auto job = submit_(makeJob("Save " + fileName(labelMapPath),
                             [scored, out, meshes](Job& job) {
                               job.setProgress(0.0, "label map and meshes");
                               writeCompletionFiles(scored->result, out, meshes, {"vtp", "stl"});
                             }),
                     true);
  return job;
}

JobPtr ShapesSession::startPreparation(const std::string& labelDir,
                                       const std::string& preparedDir) {
  requireFolder(labelDir, "a folder of label maps");
  ShapeDatasetOptions options;
  options.prepare.classMap = classMap_;
  auto counts = std::make_shared<ShapeDatasetResult>();
  preparationJob_ = submit_(makeJob("Prepare " + fileName(labelDir),
                                    [in = labelDir, out = preparedDir, options, counts](Job& job) {
                                      *counts = prepareShapeDataset(in, out, options, &job);
                                    }),
                            true);
  followUps_.whenFinished(preparationJob_, [this, preparedDir, counts](const Job& job) {
    std::error_code error;
    // A dataset with some failed cases is still written (and usable) for the others.
    if (fs::exists(preparedDir + "/train.csv", error))
      preparedDir_ = preparedDir;
    if (job.state() != JobState::Succeeded) {
      notify({Change::PreparationEnded, -1, false, preparedDir,
              job.title() + ": " +
                  (job.state() == JobState::Cancelled ? "cancelled" : job.errorMessage())});
      return;
    }
    notify({Change::PreparationEnded, -1, true, preparedDir,
            "prepared " + std::to_string(counts->train.size() + counts->val.size()) +
                " cases into " + preparedDir + " (" + std::to_string(counts->train.size()) +
                " train, " + std::to_string(counts->val.size()) + " validation)"});
  });
  return preparationJob_;
}

JobPtr ShapesSession::startTraining(int phase, const std::string& preparedDir,
                                    const std::string& init,
                                    const std::vector<std::string>& overrides,
                                    const std::string& runDir) {
  if (isTraining())
    throw InputError("a shape training of this workspace is still running (" + lastRunDir_ +
                     "); cancel it in the Jobs panel or wait for it to end");
  requireFolder(preparedDir, "a prepared dataset (from Prepare)");
  auto config = loadConfig<ShapeTrainConfig>(findResource("configs/shapes/small.yaml"), overrides);
  // Set on the struct, not as --set overrides: paths need no YAML quoting this way.
  config.phase = phase;
  config.init = init;
  config.data.dirs = {preparedDir};
  // A phase continues the previous phase's network, so it must have the same architecture.
  const fs::path initConfig = fs::path(init).parent_path().parent_path() / "config.yaml";
  std::error_code error;
  if (!init.empty() && fs::exists(initConfig, error))
    config.model = loadConfig<ShapeTrainConfig>(initConfig.string()).model;
  const std::string run =
      !runDir.empty()
          ? runDir
          : newRunDirName(
                (fs::path(preparedDir).parent_path() / "runs").lexically_normal().string(),
                "shapes-p" + std::to_string(phase));
  trainingJob_ = submit_(shapeTrainingJob(config, run), true);
  lastRunDir_ = run;
  notify({Change::RunStarted, -1, true, run, {}});
  followUps_.whenFinished(trainingJob_, [this, run](const Job& job) {
    // A cancelled run's best checkpoint is still the best model so far.
    const std::string best = run + "/checkpoints/best.pt";
    std::error_code missing;
    const bool usable = job.state() != JobState::Failed && fs::exists(best, missing);
    if (usable)
      checkpoint_ = best;
    notify({Change::RunEnded, -1, usable, run,
            usable ? "training in " + run + " " +
                         (job.state() == JobState::Succeeded ? "finished" : "stopped") +
                         "; completion now uses its best checkpoint"
                   : job.title() + ": " +
                         (job.state() == JobState::Cancelled ? "cancelled" : job.errorMessage())});
  });
  return trainingJob_;
}

std::string ShapesSession::initCheckpointFor(int phase, const std::string& preparedDir) const {
  if (phase <= 1)
    return {};
  const std::string earlier =
      preparedDir.empty()
          ? std::string()
          : latestShapeCheckpoint(
                {(fs::path(preparedDir).parent_path() / "runs").lexically_normal().string()},
                phase - 1);
  if (!earlier.empty())
    return earlier;
  return isFile(checkpoint_) ? checkpoint_ : std::string();
}

bool ShapesSession::poll() {
  followUps_.run();
  return followUps_.pending();
}

} // namespace lumen
