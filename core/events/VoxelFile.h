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
  // gzip level of /voxels (1-9), 0 for none. Float grids barely compress (about 2x for sparse
  // windows) and gzip costs more than the encoding itself, so files are uncompressed unless
  // asked.
  int compression = 0;
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
