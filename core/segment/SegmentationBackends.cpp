#include "segment/SegmentationBackends.h"

#include "common/Error.h"
#include "common/Text.h"
#include "segment/LearnedPropagator.h"
#include "segment/RegionGrowingBackend.h"
#include "segment/TorchScriptBackend.h"

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <map>
#include <mutex>

namespace lumen {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kBuiltIn{"classical", "learned", "torchscript"};

std::vector<std::string> studyPlugins(const std::string& study) {
  std::vector<std::string> names;
  std::error_code ec;
  if (study.empty() || !fs::is_directory(fs::path(study) / "models", ec))
    return names;
  for (const auto& entry : fs::directory_iterator(fs::path(study) / "models", ec)) {
    const auto path = entry.path();
    if (path.extension() == ".ts" && entry.is_regular_file(ec)) {
      const std::string name = path.stem().string();
      if (std::find(kBuiltIn.begin(), kBuiltIn.end(), name) == kBuiltIn.end())
        names.push_back(name);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Loaded networks by (kind, file, modification time): the service builds a backend per request
// and the GUI per change of backend, and neither should reload weights each time.
template <class Load>
std::shared_ptr<const SegmentationBackend> cached(const std::string& key, const std::string& file,
                                                  Load load) {
  static std::mutex mutex;
  static std::map<std::string,
                  std::pair<fs::file_time_type, std::weak_ptr<const SegmentationBackend>>>
      cache;
  std::error_code ec;
  const auto stamp = fs::last_write_time(file, ec);
  {
    std::lock_guard<std::mutex> lock(mutex);
    const auto it = cache.find(key);
    if (it != cache.end() && it->second.first == stamp)
      if (auto alive = it->second.second.lock())
        return alive;
  }
  auto loaded = load();
  std::lock_guard<std::mutex> lock(mutex);
  // Models nobody holds are gone already (weak pointers); their entries go too, so a service
  // that saw many files over its life keeps no list of them.
  for (auto it = cache.begin(); it != cache.end();)
    it = it->second.second.expired() ? cache.erase(it) : std::next(it);
  cache[key] = {stamp, loaded};
  return loaded;
}

std::string learnedModel(const BackendSources& sources) {
  if (!sources.model.empty())
    return sources.model;
  if (!sources.study.empty())
    return studyPropagatorRun(sources.study);
  return {};
}

} // namespace

std::string studyPropagatorRun(const std::string& study) {
  return (fs::path(study) / "models" / "propagator").string();
}

std::vector<std::string> segmentationBackendNames() {
  return kBuiltIn;
}

std::vector<std::string> availableSegmentationBackends(const BackendSources& sources) {
  std::vector<std::string> names{"classical"};
  const std::string learned = learnedModel(sources);
  const std::string checkpoint = learned.empty() ? std::string() : propagatorCheckpointOf(learned);
  const bool modelIsPropagator =
      !checkpoint.empty() &&
      fs::exists(fs::path(checkpoint).parent_path().parent_path() / "config.yaml");
  if (modelIsPropagator)
    names.push_back("learned");
  std::error_code ec;
  if (!sources.model.empty() && !modelIsPropagator && fs::is_regular_file(sources.model, ec))
    names.push_back("torchscript");
  for (auto& plugin : studyPlugins(sources.study))
    names.push_back(std::move(plugin));
  return names;
}

std::shared_ptr<const SegmentationBackend> makeSegmentationBackend(const std::string& name,
                                                                   const BackendSources& sources) {
  if (name == "classical")
    return std::make_shared<RegionGrowingBackend>();
  if (name == "learned") {
    const std::string model = learnedModel(sources);
    if (model.empty())
      throw InputError("the learned backend needs a trained propagator: train one with "
                       "`lumen-cli segment train --studies DIR` and open that study, or give "
                       "its run folder as the model (--model RUN)");
    const std::string checkpoint = propagatorCheckpointOf(model);
    return cached("learned:" + checkpoint, checkpoint.empty() ? model : checkpoint,
                  [&] { return loadLearnedPropagator(model); });
  }
  if (name == "torchscript") {
    if (sources.model.empty())
      throw InputError("the torchscript backend needs a TorchScript model file (--model FILE)");
    return cached("ts:" + sources.model, sources.model,
                  [&] { return loadTorchScriptBackend(sources.model, "torchscript"); });
  }
  const auto plugins = studyPlugins(sources.study);
  if (std::find(plugins.begin(), plugins.end(), name) != plugins.end()) {
    const std::string file = (fs::path(sources.study) / "models" / (name + ".ts")).string();
    return cached("ts:" + file, file, [&] { return loadTorchScriptBackend(file, name); });
  }
  std::vector<std::string> known = kBuiltIn;
  known.insert(known.end(), plugins.begin(), plugins.end());
  throw InputError("unknown segmentation backend \"" + truncateText(name, 64) +
                   "\"; known: " + joinLimited(known));
}

} // namespace lumen
