#include "events/VoxelPairs.h"

#include "common/AtomicFile.h"
#include "common/Checked.h"
#include "common/DatasetSplit.h"
#include "common/Error.h"
#include "common/Job.h"
#include "common/Log.h"
#include "common/Text.h"
#include "events/EventFile.h"
#include "io/Hdf5File.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace lumen {

namespace {

constexpr uint64_t kFnvBasis = 1469598103934665603ULL, kFnvPrime = 1099511628211ULL;

uint64_t fnv1a(const std::string& text, uint64_t hash = kFnvBasis) {
  for (unsigned char c : text)
    hash = (hash ^ c) * kFnvPrime;
  return hash;
}

// Written into every prepared file; files without it hold normalised values or clean grids on
// their own time axis (older Lumen builds) and are prepared again.
constexpr const char* kPreparedFormat = "2 (event counts, one time axis per pair)";

// Training loads all of /raw and /label into memory.
constexpr uint64_t kMaxPreparedValues = uint64_t(1) << 31;

struct RecordedSetting {
  std::string name, value;          // the value as text, to compare and to report
  std::optional<int64_t> integer{}; // stored as an integer attribute (bins and window_us were)
};

std::string folderOf(const std::string& dir) {
  std::error_code error;
  const fs::path absolute = fs::absolute(dir, error);
  if (error)
    return dir;
  const fs::path canonical = fs::weakly_canonical(absolute, error);
  return error ? absolute.string() : canonical.string();
}

std::vector<RecordedSetting> settingsOf(const EventDataConfig& data) {
  auto integer = [](const char* name, int64_t value) {
    return RecordedSetting{name, std::to_string(value), value};
  };
  return {{"format", kPreparedFormat},
          {"noisy_dir", folderOf(data.noisy_dir)},
          {"clean_dir", folderOf(data.clean_dir)},
          integer("window_us", data.window_us),
          integer("bins", data.bins),
          {"anchor", data.anchor},
          {"val_fraction", formatNumber(data.val_fraction)},
          integer("split_seed", data.split_seed)};
}

std::string namesOf(const std::vector<EventPair>& pairs) {
  std::string names;
  for (const auto& p : pairs)
    names += p.name + "\n";
  return names;
}

std::vector<std::string> fileListChanges(const std::string& recorded,
                                         const std::vector<EventPair>& pairs) {
  std::set<std::string> before, now;
  std::istringstream lines(recorded);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty())
      before.insert(line);
  for (const auto& p : pairs)
    now.insert(p.name);
  std::vector<std::string> added, removed;
  std::set_difference(now.begin(), now.end(), before.begin(), before.end(),
                      std::back_inserter(added));
  std::set_difference(before.begin(), before.end(), now.begin(), now.end(),
                      std::back_inserter(removed));
  std::vector<std::string> changes;
  if (!added.empty())
    changes.push_back("files: " + joinLimited(added, 3) + " paired now, not in the file");
  if (!removed.empty())
    changes.push_back("files: " + joinLimited(removed, 3) + " in the file, not paired now");
  return changes;
}

PreparedInfo preparePairs(const EventDataConfig& data, const std::vector<EventPair>& pairs,
                          const std::string& out, Job* job) {
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
      const EventArray clean = EventFileReader(pairs[i].clean).readAll();
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
      for (const auto& w : segmentWindows(noisy, data.window_us)) {
        const auto [raw, label] = encodeVoxelPair(noisy, clean, w.tStart, w.tEnd, data);
        file.append("/raw", raw.values);
        file.append("/label", label.values);
        validation.push_back(isVal[i] ? 1 : 0);
        fileIndex.push_back(int32_t(i));
      }
    }
    file.write("/validation", validation, {validation.size()});
    file.write("/file_index", fileIndex, {fileIndex.size()});
    file.setStringAttribute("/", "files", namesOf(pairs));
    for (const auto& setting : settingsOf(data)) {
      if (setting.integer)
        file.setIntAttribute("/", setting.name, {*setting.integer});
      else
        file.setStringAttribute("/", setting.name, setting.value);
    }
  });
  info.samples = validation.size();
  info.valSamples = uint64_t(std::count(validation.begin(), validation.end(), 1));
  info.trainSamples = info.samples - info.valSamples;
  return info;
}

} // namespace

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
  return options;
}

std::pair<VoxelGrid, VoxelGrid> encodeVoxelPair(const EventArray& noisy, const EventArray& clean,
                                                int64_t windowStart, int64_t windowEnd,
                                                const EventDataConfig& data) {
  VoxelOptions axis = voxelOptionsOf(data);
  const size_t begin = noisy.lowerBound(windowStart), end = noisy.lowerBound(windowEnd);
  int64_t start = windowStart, stop = windowEnd;
  // What encodeVoxelGrid does for event anchoring, fixed from the noisy events for both grids;
  // clean events outside that span fall into the first or last bin, as the noisy ones would.
  if (axis.anchor == VoxelAnchor::Events && end > begin) {
    start = noisy.t[begin];
    stop = noisy.t[end - 1];
  }
  axis.anchor = VoxelAnchor::Window;
  return {encodeVoxelGrid(noisy, begin, end, start, stop, axis),
          encodeVoxelGrid(clean, clean.lowerBound(windowStart), clean.lowerBound(windowEnd), start,
                          stop, axis)};
}

PreparedInfo prepareVoxelPairs(const EventDataConfig& data, const std::string& out, Job* job) {
  return preparePairs(data, findEventPairs(data.noisy_dir, data.clean_dir), out, job);
}

std::vector<std::string> preparedSettingsChanges(const std::string& path,
                                                 const EventDataConfig& data,
                                                 const std::vector<EventPair>* pairs) {
  std::vector<std::string> changes;
  try {
    const auto file = Hdf5File::openRead(path);
    for (const auto& setting : settingsOf(data)) {
      std::optional<std::string> recorded;
      if (setting.integer) {
        try {
          const auto values = file.intAttribute("/", setting.name);
          if (values && values->size() == 1)
            recorded = std::to_string(values->front());
        } catch (const IoError&) {
          recorded = "a value that is not one integer";
        }
      } else {
        recorded = file.stringAttribute("/", setting.name);
      }
      if (!recorded)
        changes.push_back(setting.name + ": not recorded in the file, " + setting.value + " now");
      else if (*recorded != setting.value)
        changes.push_back(setting.name + ": " + *recorded + " in the file, " + setting.value +
                          " now");
    }
    if (pairs) {
      const auto files = fileListChanges(file.stringAttribute("/", "files").value_or(""), *pairs);
      changes.insert(changes.end(), files.begin(), files.end());
    }
  } catch (const IoError& e) {
    return {std::string("not a readable prepared file (") + e.what() + ")"};
  } catch (const InputError& e) {
    return {std::string("not a readable prepared file (") + e.what() + ")"};
  }
  return changes;
}

std::string preparedSettingsKey(const EventDataConfig& data) {
  std::string text;
  for (const auto& setting : settingsOf(data))
    text += setting.name + "=" + setting.value + "\n";
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a(text)));
  return std::string(hex, 12);
}

std::string ensurePreparedPairs(const EventDataConfig& data, const std::string& runDir, Job* job) {
  const bool shared = !data.prepared.empty();
  const std::string named = shared ? data.prepared : (fs::path(runDir) / "prepared.h5").string();
  std::error_code error;
  std::vector<EventPair> pairs;
  try {
    pairs = findEventPairs(data.noisy_dir, data.clean_dir);
  } catch (const InputError&) {
    // Without the recordings, a file prepared with these settings is all there is to train on.
    if (fs::exists(named, error) && preparedSettingsChanges(named, data).empty()) {
      logWarning("the recordings of ", named, " cannot be paired now; training on it as prepared");
      return named;
    }
    throw;
  }
  if (!fs::exists(named, error)) {
    logInfo("preparing voxel pairs into ", named);
    preparePairs(data, pairs, named, job);
    return named;
  }
  const auto changes = preparedSettingsChanges(named, data, &pairs);
  if (changes.empty()) {
    logInfo("using the voxel pairs prepared in ", named);
    return named;
  }
  const std::string why =
      named + " was prepared with other settings (" + joinLimited(changes, 4, "; ") + ")";
  if (!shared) {
    logInfo(why, ": preparing it again");
    preparePairs(data, pairs, named, job);
    return named;
  }
  const fs::path path(named);
  const std::string keyed =
      (path.parent_path() /
       (path.stem().string() + "-" + preparedSettingsKey(data) + path.extension().string()))
          .string();
  if (fs::exists(keyed, error) && preparedSettingsChanges(keyed, data, &pairs).empty()) {
    logInfo(why, "; using ", keyed, ", prepared with the current ones");
    return keyed;
  }
  logInfo(why, "; preparing the current ones into ", keyed);
  preparePairs(data, pairs, keyed, job);
  return keyed;
}

namespace {

// The prepared file's sample shape (samples, bins, height, width), checked against `data` and
// against itself.
std::vector<uint64_t> checkPreparedFile(const Hdf5File& file, const std::string& path,
                                        const EventDataConfig& data) {
  for (const char* name : {"/raw", "/label", "/validation"})
    if (!file.exists(name))
      throw InputError(path + ": not a prepared voxel-pair file (missing " + name + ")");
  const auto changes = preparedSettingsChanges(path, data);
  if (!changes.empty())
    throw InputError(path + " was prepared with other settings (" + joinLimited(changes, 4, "; ") +
                     "); prepare it again");
  const auto info = file.info("/raw");
  if (info.dims.size() != 4 || file.info("/label").dims != info.dims)
    throw InputError(path + ": /raw and /label must both be (samples, bins, height, width)");
  if (info.dims[1] != uint64_t(data.bins))
    throw InputError(path + ": /raw has " + std::to_string(info.dims[1]) +
                     " bins per sample, its bins attribute says " + std::to_string(data.bins));
  if (file.info("/validation").dims != std::vector<uint64_t>{info.dims[0]})
    throw InputError(path + ": /validation must have one entry per sample (" +
                     std::to_string(info.dims[0]) + ")");
  return info.dims;
}

} // namespace

VoxelPairSet loadVoxelPairs(const std::string& path, const EventDataConfig& data) {
  auto file = Hdf5File::openRead(path);
  const auto dims = checkPreparedFile(file, path, data);
  const auto values = checkedProduct(dims);
  if (!values || *values > kMaxPreparedValues) {
    std::vector<std::string> text;
    for (uint64_t d : dims)
      text.push_back(std::to_string(d));
    throw InputError(path + ": /raw is " + joinLimited(text, 4, " x ") + ", more than the " +
                     std::to_string(kMaxPreparedValues) + " values a training set may load");
  }
  VoxelPairSet set;
  set.bins = int(dims[1]);
  set.height = int(dims[2]);
  set.width = int(dims[3]);
  set.raw = file.read<float>("/raw");
  set.label = file.read<float>("/label");
  set.validation = file.read<uint8_t>("/validation");
  return set;
}

VoxelPairSamples VoxelPairSamples::open(const std::string& path, const EventDataConfig& data) {
  auto file = std::make_shared<Hdf5File>(Hdf5File::openRead(path));
  const auto dims = checkPreparedFile(*file, path, data);
  // One sample is read at a time, so only its size is bounded (by the file's read limit), not
  // the set's.
  if (dims[2] == 0 || dims[3] == 0 || dims[2] > (1u << 16) || dims[3] > (1u << 16))
    throw InputError(path + ": /raw's frames are " + std::to_string(dims[3]) + " x " +
                     std::to_string(dims[2]) + "; expected 1 to 65536 pixels a side");
  VoxelPairSamples samples;
  samples.bins_ = int(dims[1]);
  samples.height_ = int(dims[2]);
  samples.width_ = int(dims[3]);
  samples.validation_ = file->read<uint8_t>("/validation");
  file->holdOpen("/raw");
  file->holdOpen("/label");
  samples.file_ = std::move(file);
  return samples;
}

VoxelPairSamples::VoxelPairSamples(VoxelPairSet inMemory)
    : bins_(inMemory.bins), height_(inMemory.height), width_(inMemory.width),
      validation_(inMemory.validation) {
  const size_t values = inMemory.samples() * valuesPerSample();
  if (inMemory.raw.size() != values || inMemory.label.size() != values)
    throw InputError("the voxel pairs hold " + std::to_string(inMemory.raw.size()) + " raw and " +
                     std::to_string(inMemory.label.size()) + " label values, expected " +
                     std::to_string(values));
  memory_ = std::make_shared<const VoxelPairSet>(std::move(inMemory));
}

void VoxelPairSamples::read(uint64_t sample, float* raw, float* label) const {
  if (sample >= samples())
    throw InputError("voxel-pair sample " + std::to_string(sample) + " of " +
                     std::to_string(samples()) + " does not exist");
  const size_t n = valuesPerSample();
  if (memory_) {
    std::copy_n(memory_->raw.data() + sample * n, n, raw);
    std::copy_n(memory_->label.data() + sample * n, n, label);
    return;
  }
  const auto r = file_->read<float>("/raw", sample, 1);
  const auto l = file_->read<float>("/label", sample, 1);
  if (r.size() != n || l.size() != n)
    throw IoError("voxel-pair sample " + std::to_string(sample) + " read back " +
                  std::to_string(r.size()) + " values, expected " + std::to_string(n));
  std::copy(r.begin(), r.end(), raw);
  std::copy(l.begin(), l.end(), label);
}

} // namespace lumen
