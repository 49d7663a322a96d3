#include "events/VoxelFile.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "common/Job.h"
#include "events/EventFile.h"

namespace lumen {

EncodeFileResult encodeEventFile(const std::string& in, const std::string& out,
                                 const EncodeFileOptions& options, Job* job) {
  if (options.windowUs <= 0)
    throw InputError("--window-us must be positive");
  if (options.voxel.bins < 1 || options.voxel.bins > 1024)
    throw InputError("--bins must be between 1 and 1024");
  EventFileReader reader(in);
  EncodeFileResult result;
  result.sensor = reader.sensor();
  const SensorSize sensor = reader.sensor();
  replaceFileAtomically(out, [&](const std::string& temp) {
    auto file = Hdf5File::create(temp);
    const uint64_t planeRows = 1;
    file.createExtensible<float>(
        "/voxels", {uint64_t(options.voxel.bins), uint64_t(sensor.height), uint64_t(sensor.width)},
        planeRows);
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
    const int64_t span = last - t0 + 1;
    const int64_t windows =
        span / options.windowUs + ((span % options.windowUs && options.keepPartial) ? 1 : 0);
    for (int64_t k = 0; k < windows; ++k) {
      if (job) {
        job->checkCancelled();
        job->setProgress(double(k) / double(windows),
                         "window " + std::to_string(k + 1) + "/" + std::to_string(windows));
      }
      const int64_t ws = t0 + k * options.windowUs;
      const EventArray events = reader.readTimeRange(ws, ws + options.windowUs);
      const VoxelGrid grid =
          encodeVoxelGrid(events, 0, events.size(), ws, ws + options.windowUs, options.voxel);
      file.append("/voxels", grid.values);
      file.append("/windows", std::vector<int64_t>{grid.tStart, grid.tEnd});
      result.events += events.size();
      ++result.segments;
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
  const auto windows = file.read<int64_t>("/windows");
  const uint64_t segments = info.dims[0];
  if (windows.size() != segments * 2)
    throw InputError(in + ": /windows must hold one [t_start, t_end] pair per segment");
  if (auto hard = file.intAttribute("/", "hard"))
    options.hard = options.hard || (!hard->empty() && (*hard)[0] != 0);
  VoxelGrid grid;
  grid.bins = int(info.dims[1]);
  grid.height = int(info.dims[2]);
  grid.width = int(info.dims[3]);
  if (grid.width > 65535 || grid.height > 65535 || grid.bins < 1)
    throw InputError(in + ": implausible voxel grid shape");
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
    grid.tStart = windows[2 * s];
    grid.tEnd = windows[2 * s + 1];
    options.seed += s; // a different jitter per segment, still reproducible
    const EventArray events = decodeVoxelGrid(grid, options);
    writer.append(events);
    result.events += events.size();
    ++result.segments;
  }
  writer.commit();
  return result;
}

} // namespace lumen
