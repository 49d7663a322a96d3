// Voxel-grid HDF5 files: `lumen-cli events encode` writes one grid per window,
//   /voxels   (segments, bins, height, width) float32
//   /windows  (segments, 2) int64: the [t_start, t_end] µs span each grid's bins cover
// with root attributes bins, window_us, anchor, hard, normalization and sensor_resolution;
// `events decode` turns such a file back into an event file. Both work window by window, so
// recordings larger than memory stream through.
#pragma once
#include "events/VoxelGrid.h"

#include <string>

namespace lumen {

class Job;

struct EncodeFileOptions {
  VoxelOptions voxel;
  int64_t windowUs = 20000;
  bool keepPartial = true;
};

struct EncodeFileResult {
  uint64_t segments = 0;
  uint64_t events = 0;
  SensorSize sensor;
};

EncodeFileResult encodeEventFile(const std::string& in, const std::string& out,
                                 const EncodeFileOptions& options, Job* job = nullptr);

struct DecodeFileResult {
  uint64_t segments = 0;
  uint64_t events = 0;
};

DecodeFileResult decodeVoxelFile(const std::string& in, const std::string& out,
                                 DecodeOptions options, Job* job = nullptr);

} // namespace lumen
