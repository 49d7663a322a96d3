#include "shapes/ShapeDataset.h"

#include "common/AtomicFile.h"
#include "common/DatasetSplit.h"
#include "common/Error.h"
#include "common/Job.h"
#include "common/Log.h"
#include "common/Parallel.h"
#include "common/Text.h"
#include "io/NiftiIO.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;

namespace lumen {
namespace {

void writeCaseList(const std::string& path, const std::vector<std::string>& cases) {
  std::string text = "case,file\n";
  for (const std::string& id : cases)
    text += id + "," + id + ".h5\n";
  writeFileAtomically(path, text);
}

} // namespace

std::vector<std::string> findLabelMaps(const std::string& inputDir) {
  if (!fs::is_directory(inputDir))
    throw InputError(inputDir + " is not a folder of label maps");
  std::vector<std::string> paths;
  for (const auto& entry : fs::directory_iterator(inputDir)) {
    const std::string name = entry.path().filename().string();
    // Hidden files are no cases: "._heart.nii.gz" is macOS metadata, not a label map.
    if (entry.is_regular_file() && name[0] != '.' && caseIdOfPath(name) != name)
      paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  if (paths.empty())
    throw InputError(inputDir + " holds no label maps (.nii or .nii.gz files)");
  return paths;
}

std::string caseIdOfPath(const std::string& path) {
  std::string name = fs::path(path).filename().string();
  for (const std::string ext : {".nii.gz", ".nii"})
    if (name.size() > ext.size() && name.substr(name.size() - ext.size()) == ext)
      return name.substr(0, name.size() - ext.size());
  return name;
}

std::string caseIdProblem(const std::string& id) {
  constexpr size_t kMaxLength = 128;
  if (id.empty())
    return "a case id must not be empty";
  if (id.size() > kMaxLength)
    return "a case id has at most " + std::to_string(kMaxLength) + " bytes, this one " +
           std::to_string(id.size());
  for (unsigned char c : id) {
    if (c == '/' || c == '\\')
      return "a case id must not contain a path separator";
    if (c == ',')
      return "a case id must not contain a comma";
    if (c < 0x20 || c == 0x7f)
      return "a case id must not contain control characters";
  }
  if (id[0] == '.')
    return "a case id must not start with a dot";
  return {};
}

uint64_t caseSeed(uint64_t datasetSeed, const std::string& caseId) {
  return nameHash(caseId, datasetSeed);
}

bool isValidationCase(const std::string& caseId, const ShapeDatasetOptions& options) {
  return isValidationName(caseId, options.splitSeed, options.valFraction);
}

std::string caseFile(const std::string& dir, const std::string& caseId) {
  if (const std::string problem = caseIdProblem(caseId); !problem.empty())
    throw InputError("case id '" + truncateText(caseId, 40) + "': " + problem);
  return (fs::path(dir) / (caseId + ".h5")).string();
}

ShapeDatasetResult prepareShapeDataset(const std::string& inputDir, const std::string& outputDir,
                                       const ShapeDatasetOptions& options, Job* job) {
  const auto start = std::chrono::steady_clock::now();
  const std::vector<std::string> inputs = findLabelMaps(inputDir);
  classMapByName(options.prepare.classMap); // a wrong name or grid fails before any work
  requirePreparationGrid(options.prepare.grid);
  fs::create_directories(outputDir);
  const size_t cases = inputs.size();
  const int threads = std::max(
      1, std::min(int(cases), options.threads > 0 ? options.threads
                                                  : int(std::thread::hardware_concurrency())));
  std::atomic<size_t> done{0};
  std::mutex mutex;
  std::vector<std::string> prepared, failed;
  // One case per item; a case that fails for any reason (a corrupt file, memory, a bug) is
  // reported and the others go on. Only cancellation stops the loop.
  parallelFor(
      cases, threads,
      [&](size_t k) {
        const std::string id = caseIdOfPath(inputs[k]);
        try {
          const std::string file = caseFile(outputDir, id); // an invalid id fails first
          ShapePrepareOptions o = options.prepare;
          o.seed = caseSeed(options.prepare.seed, id); // whatever the other files and threads
          const PreparedShape shape = prepareShape(readLabelVolume(inputs[k]), id, o);
          writePreparedShape(file, shape);
          std::lock_guard lock(mutex);
          prepared.push_back(id);
        } catch (const CancelledError&) {
          throw;
        } catch (const std::exception& e) {
          std::lock_guard lock(mutex);
          failed.push_back(id + ": " + e.what());
          logWarning("shape preparation: ", e.what());
        }
        const size_t finished = ++done;
        if (job)
          job->setProgress(double(finished) / double(cases),
                           "case " + std::to_string(finished) + "/" + std::to_string(cases));
      },
      job);

  ShapeDatasetResult result;
  std::sort(prepared.begin(), prepared.end());
  for (const std::string& id : prepared)
    (isValidationCase(id, options) ? result.val : result.train).push_back(id);
  if (options.valFraction > 0 && result.val.empty() && prepared.size() >= 2)
    logWarning("shape preparation: no case id of ", outputDir, " hashes below the validation ",
               "fraction ", formatNumber(options.valFraction),
               ", so there is no validation case (a case's split follows from its id alone; "
               "another split seed draws another split)");
  // Lists only for a dataset that has cases: a folder of failures gets no output at all.
  if (!prepared.empty()) {
    writeCaseList((fs::path(outputDir) / "train.csv").string(), result.train);
    writeCaseList((fs::path(outputDir) / "val.csv").string(), result.val);
  }
  std::sort(failed.begin(), failed.end());
  result.failed = failed;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!failed.empty()) {
    std::vector<std::string> reasons;
    for (const std::string& f : failed)
      reasons.push_back(truncateText(f, 300));
    throw InputError(std::to_string(failed.size()) + " of " + std::to_string(cases) +
                     " cases could not be prepared (the other " + std::to_string(prepared.size()) +
                     " were written):\n  " + joinLimited(reasons, 5, "\n  "));
  }
  return result;
}

std::vector<std::string> readCaseList(const std::string& dir, const std::string& split) {
  const std::string path = (fs::path(dir) / (split + ".csv")).string();
  std::ifstream in(path);
  if (!in)
    throw IoError(path + " is missing: run `lumen-cli shapes prepare` first");
  std::vector<std::string> cases;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (number == 1 || line.empty())
      continue;
    const std::string id = line.substr(0, line.find(','));
    if (const std::string problem = caseIdProblem(id); !problem.empty())
      throw InputError(path + ":" + std::to_string(number) + ": case id '" + truncateText(id, 40) +
                       "': " + problem);
    cases.push_back(id);
  }
  return cases;
}

} // namespace lumen
