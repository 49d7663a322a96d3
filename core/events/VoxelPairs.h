// The paired dataset of denoiser training: noisy and clean recordings matched by file name across
// two folders; each file gives one sample per window; `prepare` encodes every window of both into a
// voxel-pair HDF5 (/raw and /label, (samples, bins, height, width) float32 event counts) with a
// deterministic train/validation split by file, so training reads voxels instead of re-encoding
// events. Both grids of a pair share one time axis, the noisy window's. The root attributes
// record the settings that shaped the file (folders, window_us, bins, anchor, split, file
// names), and a file made with other settings is never taken for the current ones.
#pragma once
#include "events/DenoiseConfig.h"
#include "events/VoxelGrid.h"

#include <memory>
#include <string>
#include <vector>

namespace lumen {

class Hdf5File;
class Job;

struct EventPair {
  std::string name, noisy, clean;
};

// Pairs in sorted name order. Throws InputError when a folder is missing or nothing pairs up.
std::vector<EventPair> findEventPairs(const std::string& noisyDir, const std::string& cleanDir);

// Deterministic: the same name, seed and fraction always give the same answer.
bool isValidationFile(const std::string& name, int seed, double fraction);

// How the denoiser encodes a window: data.bins and data.anchor, as event counts.
// data.normalization is not part of it: it conditions only the network's input (DenoiseModel.h).
VoxelOptions voxelOptionsOf(const EventDataConfig& data);

// The (raw, label) grids of one window [windowStart, windowEnd) of a pair, on one time axis:
// the window, or with anchor events the noisy events' first and last time in it, so a clean
// event falls in the same bins as its noisy copy.
std::pair<VoxelGrid, VoxelGrid> encodeVoxelPair(const EventArray& noisy, const EventArray& clean,
                                                int64_t windowStart, int64_t windowEnd,
                                                const EventDataConfig& data);

struct PreparedInfo {
  uint64_t samples = 0, trainSamples = 0, valSamples = 0;
  int bins = 0, height = 0, width = 0;
  std::vector<std::string> trainFiles, valFiles;
};

PreparedInfo prepareVoxelPairs(const EventDataConfig& data, const std::string& out,
                               Job* job = nullptr);

// How the settings recorded in prepared file `path` differ from `data`, one "key: X in the file,
// Y in the config" line each; empty when they agree. `pairs`, when given, are the recordings
// the folders pair up now, compared with the file's list. A file that is not a readable
// prepared file gives one line saying why.
std::vector<std::string> preparedSettingsChanges(const std::string& path,
                                                 const EventDataConfig& data,
                                                 const std::vector<EventPair>* pairs = nullptr);

// A short fingerprint of the settings that shape a prepared file (hex).
std::string preparedSettingsKey(const EventDataConfig& data);

// The prepared voxel pairs for `data`, prepared when needed, and the log says which:
//  * data.prepared, or <runDir>/prepared.h5 when it is empty, is used when its settings and
//    file list match, and prepared when it is missing;
//  * the run's own prepared.h5 made with other settings is prepared again (the run folder is
//    locked, so no other run uses it);
//  * a data.prepared made with other settings is left alone for the runs it belongs to: the
//    pairs go to <name>-<settings key>.h5 beside it (reused when that one matches).
std::string ensurePreparedPairs(const EventDataConfig& data, const std::string& runDir,
                                Job* job = nullptr);

struct VoxelPairSet {
  int bins = 0, height = 0, width = 0;
  std::vector<float> raw, label; // samples x bins x height x width
  std::vector<uint8_t> validation;
  uint64_t samples() const { return validation.size(); }
};

// Loads a prepared file made with `data`'s settings; InputError naming the differences when it
// was made with others, or when its datasets are not a consistent voxel-pair set.
VoxelPairSet loadVoxelPairs(const std::string& path, const EventDataConfig& data);

// The samples of a voxel-pair set read one at a time: streamed from the prepared file, which
// stays open (each sample is one compressed chunk, inflated when it is read), so a training set
// need not fit in memory; or taken from a set already in memory.
class VoxelPairSamples {
public:
  // Checks the file as loadVoxelPairs does, without loading /raw and /label.
  static VoxelPairSamples open(const std::string& path, const EventDataConfig& data);
  VoxelPairSamples(VoxelPairSet inMemory); // NOLINT: a set in memory is a source of samples

  int bins() const { return bins_; }
  int height() const { return height_; }
  int width() const { return width_; }
  uint64_t samples() const { return validation_.size(); }
  const std::vector<uint8_t>& validation() const { return validation_; }
  size_t valuesPerSample() const { return size_t(bins_) * size_t(height_) * size_t(width_); }
  // Sample `sample`'s raw and label grids, valuesPerSample() floats each.
  void read(uint64_t sample, float* raw, float* label) const;

private:
  VoxelPairSamples() = default;
  int bins_ = 0, height_ = 0, width_ = 0;
  std::vector<uint8_t> validation_;
  std::shared_ptr<Hdf5File> file_;             // streaming, or
  std::shared_ptr<const VoxelPairSet> memory_; // in memory
};

} // namespace lumen
