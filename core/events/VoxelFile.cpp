#include "events/VoxelFile.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "common/Job.h"
#include "common/Parallel.h"
#include "events/EventFile.h"

#include <array>

namespace lumen {

EncodeFileResult encodeEventFile(const std::string& in, const std::string& out,
                                 const EncodeFileOptions& options, Job* job) {
  if (options.windowUs <= 0)
    throw InputError("--window-us must be positive");
  if (options.voxel.bins < 1 || options.voxel.bins > 1024)
    throw InputError("--bins must be between 1 and 1024");
  if (options.compression < 0 || options.compression > 9)
    throw InputError("--compress takes none or gzip levels 1 to 9");
  EventFileReader reader(in);
  EncodeFileResult result;
  result.sensor = reader.sensor();
  const SensorSize sensor = reader.sensor();
  try { // before the output file exists
    checkVoxelGridSize(options.voxel.bins, sensor.height, sensor.width);
  } catch (const InputError& e) {
    throw InputError(in + ": " + e.what());
  }
  replaceFileAtomically(out, [&](const std::string& temp) {
    auto file = Hdf5File::create(temp);
    const uint64_t planeRows = 1;
    file.createExtensible<float>(
        "/voxels", {uint64_t(options.voxel.bins), uint64_t(sensor.height), uint64_t(sensor.width)},
        planeRows, options.compression);
    file.createExtensible<int64_t>("/windows", {2}, 1024);
    file.setIntAttribute("/", "sensor_resolution", {sensor.height, sensor.width});
    file.setIntAttribute("/", "bins", {options.voxel.bins});
    file.setIntAttribute("/", "window_us", {options.windowUs});
    file.setIntAttribute("/", "hard", {options.voxel.hard ? 1 : 0});
    file.setStringAttribute("/", "anchor",
                            options.voxel.anchor == VoxelAnchor::Events ? "events" : "window");
    file.setStringAttribute("/", "source", in);
    if (reader.size() == 0)
      return;
    const int64_t t0 = reader.timeAt(0);
    const int64_t last = reader.timeAt(reader.size() - 1);
    uint64_t windows = 0;
    try {
      windows = countWindows(t0, last, options.windowUs, options.keepPartial);
    } catch (const InputError& e) {
      throw InputError(in + ": " + e.what());
    }
    // A two-stage pipeline on two cores: while window k is encoded, window k - 1 is written and
    // window k + 1 read. Only the first stage calls HDF5, which is not thread-safe.
    std::array<VoxelGrid, 2> grids;
    std::array<EventArray, 2> events;
    auto startOf = [&](uint64_t k) { return t0 + int64_t(k) * options.windowUs; };
    events[0] = reader.readTimeRange(startOf(0), startOf(0) + options.windowUs);
    for (uint64_t k = 0; k <= windows; ++k) {
      if (job) {
        job->checkCancelled();
        job->setProgress(double(k) / double(windows + 1),
                         "window " + std::to_string(std::min(k + 1, windows)) + "/" +
                             std::to_string(windows));
      }
      parallelFor(2, 2, [&](size_t stage) {
        if (stage == 0) {
          if (k > 0) {
            const VoxelGrid& done = grids[(k - 1) % 2];
            file.append("/voxels", done.values);
            file.append("/windows", std::vector<int64_t>{done.tStart, done.tEnd});
          }
          if (k + 1 < windows)
            events[(k + 1) % 2] =
                reader.readTimeRange(startOf(k + 1), startOf(k + 1) + options.windowUs);
        } else if (k < windows) {
          const EventArray& window = events[k % 2];
          encodeVoxelGridInto(grids[k % 2], window, 0, window.size(), startOf(k),
                              startOf(k) + options.windowUs, options.voxel);
        }
      });
      if (k < windows) {
        result.events += events[k % 2].size();
        ++result.segments;
      }
    }
  });
  return result;
}

DecodeFileResult decodeVoxelFile(const std::string& in, const std::string& out,
                                 DecodeOptions options, Job* job) {
  auto file = Hdf5File::openRead(in);
  if (!file.exists("/voxels") || !file.exists("/windows"))
    throw InputError(in + ": not a voxel file (needs /voxels and /windows, as written by "
                          "`lumen-cli events encode`)");
  const auto info = file.info("/voxels");
  if (info.dims.size() != 4)
    throw InputError(in + ": /voxels must be (segments, bins, height, width), has " +
                     std::to_string(info.dims.size()) + " dimensions");
  if (info.kind != H5Kind::Float && info.kind != H5Kind::Integer)
    throw InputError(in + ": /voxels must hold numbers");
  const uint64_t segments = info.dims[0];
  const uint64_t bins = info.dims[1], height = info.dims[2], width = info.dims[3];
  // The grid's shape sizes every buffer below: bounded before any is allocated.
  if (bins < 1 || bins > 1024 || height < 1 || height > uint64_t(kMaxSensorSide) || width < 1 ||
      width > uint64_t(kMaxSensorSide) || bins * height * width > kMaxVoxelGridValues)
    throw InputError(in + ": /voxels has grids of " + std::to_string(bins) + " x " +
                     std::to_string(height) + " x " + std::to_string(width) +
                     "; expected 1..1024 bins on a sensor of at most " +
                     std::to_string(kMaxSensorSide) + " x " + std::to_string(kMaxSensorSide) +
                     " (and at most " + std::to_string(kMaxVoxelGridValues) + " values)");
  const auto windowsInfo = file.info("/windows");
  if (windowsInfo.dims != std::vector<uint64_t>{segments, 2} || windowsInfo.kind != H5Kind::Integer)
    throw InputError(in + ": /windows must hold one integer [t_start, t_end] pair per segment (" +
                     std::to_string(segments) + " x 2)");
  if (auto hard = file.intAttribute("/", "hard"))
    options.hard = options.hard || (!hard->empty() && (*hard)[0] != 0);
  if (auto anchor = file.stringAttribute("/", "anchor")) {
    try {
      options.anchor = parseVoxelAnchor(*anchor);
    } catch (const InputError& e) {
      throw InputError(in + ": attribute 'anchor': " + e.what());
    }
  }
  VoxelGrid grid;
  grid.bins = int(bins);
  grid.height = int(height);
  grid.width = int(width);
  DecodeFileResult result;
  EventFileWriter writer(out, {grid.width, grid.height});
  writer.setAttribute("source", in);
  for (uint64_t s = 0; s < segments; ++s) {
    if (job) {
      job->checkCancelled();
      job->setProgress(double(s) / double(segments),
                       "segment " + std::to_string(s + 1) + "/" + std::to_string(segments));
    }
    grid.values = file.read<float>("/voxels", s, 1);
    const auto window = file.read<int64_t>("/windows", s, 1);
    grid.tStart = window.at(0);
    grid.tEnd = window.at(1);
    options.seed += s; // a different jitter per segment, still reproducible
    EventArray events;
    try {
      events = decodeVoxelGrid(grid, options);
    } catch (const InputError& e) {
      throw InputError(in + ": segment " + std::to_string(s) + ": " + e.what());
    }
    writer.append(events);
    result.events += events.size();
    ++result.segments;
  }
  writer.commit();
  return result;
}

} // namespace lumen
