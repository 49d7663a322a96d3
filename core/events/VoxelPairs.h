// The paired dataset of SPEC E8: noisy and clean recordings matched by file name across two
// folders; each file gives one sample per window; `prepare` encodes every window of both into a
// voxel-pair HDF5 (/raw and /label, (samples, bins, height, width) float32) with a deterministic
// train/validation split by file, so training reads voxels instead of re-encoding events.
#pragma once
#include "events/DenoiseConfig.h"
#include "events/VoxelGrid.h"

#include <string>
#include <vector>

namespace lumen {

class Job;

struct EventPair {
  std::string name, noisy, clean;
};

// Pairs in sorted name order. Throws InputError when a folder is missing or nothing pairs up.
std::vector<EventPair> findEventPairs(const std::string& noisyDir, const std::string& cleanDir);

// Deterministic: the same name, seed and fraction always give the same answer.
bool isValidationFile(const std::string& name, int seed, double fraction);

VoxelOptions voxelOptionsOf(const EventDataConfig& data);

struct PreparedInfo {
  uint64_t samples = 0, trainSamples = 0, valSamples = 0;
  int bins = 0, height = 0, width = 0;
  std::vector<std::string> trainFiles, valFiles;
};

PreparedInfo prepareVoxelPairs(const EventDataConfig& data, const std::string& out,
                               Job* job = nullptr);

struct VoxelPairSet {
  int bins = 0, height = 0, width = 0;
  std::vector<float> raw, label; // samples x bins x height x width
  std::vector<uint8_t> validation;
  uint64_t samples() const { return validation.size(); }
};

VoxelPairSet loadVoxelPairs(const std::string& path);

} // namespace lumen
