#include "shapes/ShapeDataset.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "common/Job.h"
#include "common/Log.h"
#include "common/Parallel.h"
#include "io/NiftiIO.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;

namespace lumen {
namespace {

std::string caseIdOf(const std::string& path) {
  std::string name = fs::path(path).filename().string();
  for (const std::string ext : {".nii.gz", ".nii"})
    if (name.size() > ext.size() && name.substr(name.size() - ext.size()) == ext)
      return name.substr(0, name.size() - ext.size());
  return name;
}

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
    if (entry.is_regular_file() && caseIdOf(name) != name)
      paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  if (paths.empty())
    throw InputError(inputDir + " holds no label maps (.nii or .nii.gz files)");
  return paths;
}

std::string caseFile(const std::string& dir, const std::string& caseId) {
  return (fs::path(dir) / (caseId + ".h5")).string();
}

ShapeDatasetResult prepareShapeDataset(const std::string& inputDir, const std::string& outputDir,
                                       const ShapeDatasetOptions& options, Job* job) {
  const auto start = std::chrono::steady_clock::now();
  const std::vector<std::string> inputs = findLabelMaps(inputDir);
  classMapByName(options.prepare.classMap); // a wrong name fails before any work
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
        const std::string id = caseIdOf(inputs[k]);
        try {
          ShapePrepareOptions o = options.prepare;
          o.seed = options.prepare.seed + k; // reproducible whatever the thread order
          const PreparedShape shape = prepareShape(readLabelVolume(inputs[k]), id, o);
          writePreparedShape(caseFile(outputDir, id), shape);
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
  std::mt19937_64 rng(options.splitSeed);
  std::vector<std::string> shuffled = prepared;
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  size_t valCount = size_t(std::lround(options.valFraction * double(shuffled.size())));
  if (options.valFraction > 0 && shuffled.size() >= 2)
    valCount = std::clamp<size_t>(valCount, 1, shuffled.size() - 1);
  result.val.assign(shuffled.begin(), shuffled.begin() + long(valCount));
  result.train.assign(shuffled.begin() + long(valCount), shuffled.end());
  std::sort(result.train.begin(), result.train.end());
  std::sort(result.val.begin(), result.val.end());
  writeCaseList((fs::path(outputDir) / "train.csv").string(), result.train);
  writeCaseList((fs::path(outputDir) / "val.csv").string(), result.val);
  std::sort(failed.begin(), failed.end());
  result.failed = failed;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!failed.empty()) {
    std::string list;
    for (const std::string& f : failed)
      list += "\n  " + f;
    throw InputError(std::to_string(failed.size()) + " of " + std::to_string(cases) +
                     " cases could not be prepared (the other " + std::to_string(prepared.size()) +
                     " were written):" + list);
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
    const auto comma = line.find(',');
    const std::string id = line.substr(0, comma);
    if (id.empty())
      throw InputError(path + ":" + std::to_string(number) + ": empty case id");
    cases.push_back(id);
  }
  return cases;
}

} // namespace lumen
