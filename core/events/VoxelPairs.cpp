#include "events/VoxelPairs.h"

#include "common/AtomicFile.h"
#include "common/DatasetSplit.h"
#include "common/Error.h"
#include "common/Job.h"
#include "common/Log.h"
#include "events/EventFile.h"
#include "io/Hdf5File.h"

#include <algorithm>
#include <filesystem>
#include <map>

namespace fs = std::filesystem;

namespace lumen {

std::vector<EventPair> findEventPairs(const std::string& noisyDir, const std::string& cleanDir) {
  for (const auto& dir : {noisyDir, cleanDir})
    if (!fs::is_directory(dir))
      throw InputError("dataset folder " + dir + " does not exist");
  std::map<std::string, std::string> clean;
  for (const auto& entry : fs::directory_iterator(cleanDir))
    if (entry.is_regular_file() && entry.path().extension() == ".h5")
      clean[entry.path().filename().string()] = entry.path().string();
  std::vector<EventPair> pairs;
  int unmatched = 0;
  for (const auto& entry : fs::directory_iterator(noisyDir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".h5")
      continue;
    const std::string name = entry.path().filename().string();
    const auto it = clean.find(name);
    if (it == clean.end()) {
      ++unmatched;
      continue;
    }
    pairs.push_back({name, entry.path().string(), it->second});
  }
  if (unmatched)
    logWarning(unmatched, " file(s) in ", noisyDir, " have no partner of the same name in ",
               cleanDir, " and are skipped");
  if (pairs.empty())
    throw InputError("no file of " + noisyDir + " has a partner of the same name in " + cleanDir);
  std::sort(pairs.begin(), pairs.end(),
            [](const EventPair& a, const EventPair& b) { return a.name < b.name; });
  return pairs;
}

bool isValidationFile(const std::string& name, int seed, double fraction) {
  return isValidationName(name, uint64_t(seed), fraction);
}

VoxelOptions voxelOptionsOf(const EventDataConfig& data) {
  VoxelOptions options;
  options.bins = data.bins;
  options.anchor = parseVoxelAnchor(data.anchor);
  options.normalization = parseVoxelNormalization(data.normalization);
  return options;
}

PreparedInfo prepareVoxelPairs(const EventDataConfig& data, const std::string& out, Job* job) {
  const auto pairs = findEventPairs(data.noisy_dir, data.clean_dir);
  const VoxelOptions voxel = voxelOptionsOf(data);
  PreparedInfo info;
  info.bins = data.bins;
  std::vector<uint8_t> validation;
  std::vector<int32_t> fileIndex;
  // At least one validation file when there are two or more pairs.
  std::vector<bool> isVal(pairs.size());
  for (size_t i = 0; i < pairs.size(); ++i)
    isVal[i] = isValidationFile(pairs[i].name, data.split_seed, data.val_fraction);
  if (data.val_fraction > 0 && pairs.size() >= 2 &&
      std::none_of(isVal.begin(), isVal.end(), [](bool v) { return v; }))
    isVal.back() = true;
  replaceFileAtomically(out, [&](const std::string& temp) {
    auto file = Hdf5File::create(temp);
    for (size_t i = 0; i < pairs.size(); ++i) {
      if (job) {
        job->checkCancelled();
        job->setProgress(double(i) / double(pairs.size()), "encoding " + pairs[i].name);
      }
      const EventArray noisy = EventFileReader(pairs[i].noisy).readAll();
      EventArray clean = EventFileReader(pairs[i].clean).readAll();
      if (noisy.sensor.width != clean.sensor.width || noisy.sensor.height != clean.sensor.height)
        throw InputError(pairs[i].name + ": the noisy and clean recordings have different sensor "
                                         "sizes");
      if (i == 0) {
        info.width = noisy.sensor.width;
        info.height = noisy.sensor.height;
        const std::vector<uint64_t> row{uint64_t(data.bins), uint64_t(info.height),
                                        uint64_t(info.width)};
        file.createExtensible<float>("/raw", row, 1);
        file.createExtensible<float>("/label", row, 1);
      } else if (noisy.sensor.width != info.width || noisy.sensor.height != info.height) {
        throw InputError(pairs[i].name + ": every recording of a dataset needs the same sensor "
                                         "size");
      }
      (isVal[i] ? info.valFiles : info.trainFiles).push_back(pairs[i].name);
      // Both streams are cut at the same window boundaries, anchored at the noisy file's start.
      const auto windows = segmentWindows(noisy, data.window_us);
      for (const auto& w : windows) {
        const auto raw = encodeVoxelGrid(noisy, w.begin, w.end, w.tStart, w.tEnd, voxel);
        const size_t cb = clean.lowerBound(w.tStart), ce = clean.lowerBound(w.tEnd);
        const auto label = encodeVoxelGrid(clean, cb, ce, w.tStart, w.tEnd, voxel);
        file.append("/raw", raw.values);
        file.append("/label", label.values);
        validation.push_back(isVal[i] ? 1 : 0);
        fileIndex.push_back(int32_t(i));
      }
    }
    file.write("/validation", validation, {validation.size()});
    file.write("/file_index", fileIndex, {fileIndex.size()});
    std::string names;
    for (const auto& p : pairs)
      names += p.name + "\n";
    file.setStringAttribute("/", "files", names);
    file.setIntAttribute("/", "window_us", {data.window_us});
    file.setIntAttribute("/", "bins", {data.bins});
    file.setStringAttribute("/", "anchor", data.anchor);
  });
  info.samples = validation.size();
  info.valSamples = uint64_t(std::count(validation.begin(), validation.end(), 1));
  info.trainSamples = info.samples - info.valSamples;
  return info;
}

VoxelPairSet loadVoxelPairs(const std::string& path) {
  auto file = Hdf5File::openRead(path);
  for (const char* name : {"/raw", "/label", "/validation"})
    if (!file.exists(name))
      throw InputError(path + ": not a prepared voxel-pair file (missing " + name + ")");
  const auto info = file.info("/raw");
  if (info.dims.size() != 4 || file.info("/label").dims != info.dims)
    throw InputError(path + ": /raw and /label must both be (samples, bins, height, width)");
  VoxelPairSet set;
  set.bins = int(info.dims[1]);
  set.height = int(info.dims[2]);
  set.width = int(info.dims[3]);
  set.raw = file.read<float>("/raw");
  set.label = file.read<float>("/label");
  set.validation = file.read<uint8_t>("/validation");
  if (set.validation.size() != info.dims[0])
    throw InputError(path + ": /validation must have one entry per sample");
  return set;
}

} // namespace lumen
