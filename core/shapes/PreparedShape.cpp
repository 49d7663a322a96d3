#include "shapes/PreparedShape.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "io/Hdf5File.h"

#include <cmath>
#include <filesystem>

namespace lumen {
namespace {

void writeQueries(Hdf5File& file, const std::string& group, const QuerySet& q) {
  const uint64_t n = q.size();
  file.write(group + "/points", q.points, {n, 3});
  file.write(group + "/occupancy", q.occupancy, {n, uint64_t(kHeartClasses)});
  file.write(group + "/sdf", q.sdf, {n, uint64_t(kHeartClasses)});
}

template <class T>
std::vector<T> readShaped(const Hdf5File& file, const std::string& dataset,
                          const std::vector<uint64_t>& dims) {
  if (!file.exists(dataset))
    throw InputError(file.path() + ": dataset " + dataset + " is missing");
  const H5DatasetInfo info = file.info(dataset);
  bool ok = info.dims.size() == dims.size();
  for (size_t d = 0; ok && d < dims.size(); ++d)
    ok = dims[d] == 0 || info.dims[d] == dims[d];
  // A corrupt header can claim any size; no prepared case comes near this many values.
  constexpr uint64_t kMaxElements = uint64_t(1) << 31;
  uint64_t elements = 1;
  for (uint64_t d : info.dims)
    elements = d == 0 ? 0 : (elements > kMaxElements / d ? kMaxElements + 1 : elements * d);
  if (elements > kMaxElements)
    throw InputError(file.path() + ": dataset " + dataset + " claims more than 2^31 values");
  if (!ok) {
    std::string expected, got;
    for (uint64_t d : dims)
      expected += (expected.empty() ? "" : " x ") + (d ? std::to_string(d) : std::string("N"));
    for (uint64_t d : info.dims)
      got += (got.empty() ? "" : " x ") + std::to_string(d);
    throw InputError(file.path() + ": dataset " + dataset + " has shape " + got + ", expected " +
                     expected);
  }
  return file.read<T>(dataset);
}

QuerySet readQueries(const Hdf5File& file, const std::string& group) {
  QuerySet q;
  q.points = readShaped<float>(file, group + "/points", {0, 3});
  const uint64_t n = q.size();
  q.occupancy = readShaped<uint8_t>(file, group + "/occupancy", {n, uint64_t(kHeartClasses)});
  q.sdf = readShaped<float>(file, group + "/sdf", {n, uint64_t(kHeartClasses)});
  for (float v : q.points)
    if (!std::isfinite(v))
      throw InputError(file.path() + ": " + group + "/points holds a non-finite value");
  for (float v : q.sdf)
    if (!std::isfinite(v))
      throw InputError(file.path() + ": " + group + "/sdf holds a non-finite value");
  return q;
}

template <size_t N> std::vector<double> toVector(const std::array<double, N>& a) {
  return std::vector<double>(a.begin(), a.end());
}

} // namespace

void writePreparedShape(const std::string& path, const PreparedShape& s) {
  replaceFileAtomically(path, [&](const std::string& temp) {
    Hdf5File file = Hdf5File::create(temp);
    const uint64_t n = s.surfaceSize();
    file.write("/surface/points", s.surfacePoints, {n, 3});
    file.write("/surface/labels", s.surfaceLabels, {n});
    writeQueries(file, "/queries/volume", s.volume);
    writeQueries(file, "/queries/near", s.near);
    file.write("/frame/center_mm", toVector(s.frame.centerMm), {3});
    file.write("/frame/scale_mm", std::vector<double>{s.frame.scaleMm}, {1});
    file.write("/annotated", std::vector<uint8_t>(s.annotated.begin(), s.annotated.end()),
               {uint64_t(kHeartClasses)});
    file.write("/present", std::vector<uint8_t>(s.present.begin(), s.present.end()),
               {uint64_t(kHeartClasses)});
    file.write("/source/spacing", toVector(s.source.spacing), {3});
    file.write("/source/origin", toVector(s.source.origin), {3});
    file.write("/source/direction", toVector(s.source.direction), {9});
    file.write("/source/size", std::vector<int64_t>(s.source.size.begin(), s.source.size.end()),
               {3});
    if (s.grid.n > 0) {
      const auto n = uint64_t(s.grid.n);
      file.write("/grid/labels", s.grid.labels, {n, n, n});
    }
    file.setStringAttribute("/", "case_id", s.caseId);
    file.setStringAttribute("/", "layout", "lumen-shape-1");
  });
}

PreparedShape readPreparedShape(const std::string& path) {
  const Hdf5File file = Hdf5File::openRead(path);
  PreparedShape s;
  s.caseId =
      file.stringAttribute("/", "case_id").value_or(std::filesystem::path(path).stem().string());
  s.surfacePoints = readShaped<float>(file, "/surface/points", {0, 3});
  s.surfaceLabels = readShaped<uint8_t>(file, "/surface/labels", {s.surfacePoints.size() / 3});
  for (uint8_t label : s.surfaceLabels)
    if (label < 1 || label > kHeartClasses)
      throw InputError(path + ": /surface/labels holds " + std::to_string(label) +
                       ", expected classes 1-10");
  s.volume = readQueries(file, "/queries/volume");
  s.near = readQueries(file, "/queries/near");
  const auto center = readShaped<double>(file, "/frame/center_mm", {3});
  const auto scale = readShaped<double>(file, "/frame/scale_mm", {0});
  if (scale.size() != 1 || !(scale[0] > 0) || !std::isfinite(scale[0]))
    throw InputError(path + ": /frame/scale_mm must be one positive number");
  s.frame.centerMm = {center[0], center[1], center[2]};
  s.frame.scaleMm = scale[0];
  const auto annotated = readShaped<uint8_t>(file, "/annotated", {uint64_t(kHeartClasses)});
  std::copy(annotated.begin(), annotated.end(), s.annotated.begin());
  if (file.exists("/present")) {
    const auto present = readShaped<uint8_t>(file, "/present", {uint64_t(kHeartClasses)});
    std::copy(present.begin(), present.end(), s.present.begin());
  } else {
    for (uint8_t label : s.surfaceLabels)
      s.present[size_t(label - 1)] = 1;
  }
  const auto spacing = readShaped<double>(file, "/source/spacing", {3});
  const auto origin = readShaped<double>(file, "/source/origin", {3});
  const auto direction = readShaped<double>(file, "/source/direction", {9});
  const auto size = readShaped<int64_t>(file, "/source/size", {3});
  for (size_t d = 0; d < 3; ++d) {
    s.source.spacing[d] = spacing[d];
    s.source.origin[d] = origin[d];
    s.source.size[d] = size[d];
  }
  std::copy(direction.begin(), direction.end(), s.source.direction.begin());
  if (file.exists("/grid/labels")) {
    const H5DatasetInfo info = file.info("/grid/labels");
    const uint64_t n = info.dims.empty() ? 0 : info.dims[0];
    if (n < 2 || n > 1024)
      throw InputError(path + ": /grid/labels must be a cube of 2 to 1024 samples per side");
    s.grid.labels = readShaped<uint8_t>(file, "/grid/labels", {n, n, n});
    s.grid.n = int(n);
    for (uint8_t label : s.grid.labels)
      if (label > kHeartClasses)
        throw InputError(path + ": /grid/labels holds " + std::to_string(label) +
                         ", expected 0 (background) or classes 1-10");
  }
  return s;
}

} // namespace lumen
