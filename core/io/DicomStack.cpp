#include "io/DicomStack.h"

#include "common/Error.h"
#include "common/Text.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <gdcmDirectory.h>
#include <gdcmScanner.h>
#include <gdcmTag.h>

namespace lumen::dicom {
namespace {

namespace fs = std::filesystem;

// A folder of a million files is not a series; listing it would take minutes.
constexpr size_t kMaxFiles = 100000;

const gdcm::Tag kSeriesUid(0x0020, 0x000e), kDescription(0x0008, 0x103e), kModality(0x0008, 0x0060),
    kRows(0x0028, 0x0010), kColumns(0x0028, 0x0011), kPixelSpacing(0x0028, 0x0030),
    kPosition(0x0020, 0x0032), kOrientation(0x0020, 0x0037), kFrames(0x0028, 0x0008);

std::string trimmed(const char* value) {
  std::string text = value ? value : "";
  while (!text.empty() && (text.back() == ' ' || text.back() == '\0'))
    text.pop_back();
  while (!text.empty() && text.front() == ' ')
    text.erase(text.begin());
  return text;
}

// A DICOM multi-valued number "a\b\c"; empty when any part is not a number.
std::vector<double> numbers(const std::string& text) {
  std::vector<double> out;
  size_t begin = 0;
  while (begin <= text.size() && !text.empty()) {
    const size_t end = std::min(text.find('\\', begin), text.size());
    const std::string part = trimmed(text.substr(begin, end - begin).c_str());
    char* stop = nullptr;
    const double v = std::strtod(part.c_str(), &stop);
    if (part.empty() || *stop != '\0' || !std::isfinite(v))
      return {};
    out.push_back(v);
    begin = end + 1;
  }
  return out;
}

int64_t integer(const std::string& text) {
  char* stop = nullptr;
  const long long v = std::strtoll(text.c_str(), &stop, 10);
  return text.empty() || *stop != '\0' ? -1 : int64_t(v);
}

Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
double dot(const Vec3& a, const Vec3& b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

std::string name(const SliceHeader& s) {
  return fs::path(s.file).filename().string();
}

std::string mm(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g mm", v);
  return text;
}

} // namespace

FolderScan scanFolder(const std::string& folder) {
  FolderScan scan;
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (!entry.is_regular_file())
      continue;
    if (files.size() >= kMaxFiles)
      throw InputError(folder + ": more than " + std::to_string(kMaxFiles) +
                       " files; expected a folder holding one study's series");
    files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  scan.files = files.size();
  gdcm::Scanner scanner;
  for (const gdcm::Tag& tag : {kSeriesUid, kDescription, kModality, kRows, kColumns, kPixelSpacing,
                               kPosition, kOrientation, kFrames})
    scanner.AddTag(tag);
  if (!files.empty() && !scanner.Scan(files))
    throw IoError(folder + ": the DICOM files could not be scanned");
  for (const std::string& file : files) {
    if (!scanner.IsKey(file.c_str())) {
      ++scan.notDicom;
      continue;
    }
    const auto value = [&](const gdcm::Tag& tag) {
      return trimmed(scanner.GetValue(file.c_str(), tag));
    };
    SliceHeader s;
    s.file = file;
    s.rows = integer(value(kRows));
    s.columns = integer(value(kColumns));
    if (s.rows <= 0 || s.columns <= 0) {
      ++scan.withoutImage;
      continue;
    }
    const std::string frames = value(kFrames);
    s.frames = frames.empty() ? 1 : integer(frames);
    s.seriesUid = value(kSeriesUid);
    s.description = value(kDescription);
    s.modality = value(kModality);
    s.pixelSpacing = numbers(value(kPixelSpacing));
    s.position = numbers(value(kPosition));
    s.orientation = numbers(value(kOrientation));
    scan.series[s.seriesUid].push_back(std::move(s));
  }
  return scan;
}

Stack stackSlices(const std::string& folder, std::vector<SliceHeader> slices) {
  if (slices.empty())
    throw InputError(folder + ": the series has no image files");
  const SliceHeader& first = slices.front();
  for (const SliceHeader& s : slices) {
    if (s.frames != 1)
      throw InputError(folder + ": " + name(s) + " holds " + std::to_string(s.frames) +
                       " frames; expected single-frame slices (classic CT series)");
    if (s.position.size() != 3)
      throw InputError(folder + ": " + name(s) +
                       " has no valid ImagePositionPatient (0020,0032); expected 3 numbers");
    if (s.orientation.size() != 6)
      throw InputError(folder + ": " + name(s) +
                       " has no valid ImageOrientationPatient (0020,0037); expected 6 numbers");
    if (s.pixelSpacing.size() != 2 || !(s.pixelSpacing[0] > 0) || !(s.pixelSpacing[1] > 0))
      throw InputError(folder + ": " + name(s) +
                       " has no valid PixelSpacing (0028,0030); expected 2 positive numbers");
    if (s.rows != first.rows || s.columns != first.columns)
      throw InputError(folder + ": slices of different sizes in one series: " + name(first) +
                       " is " + std::to_string(first.columns) + "x" + std::to_string(first.rows) +
                       ", " + name(s) + " is " + std::to_string(s.columns) + "x" +
                       std::to_string(s.rows));
    for (size_t i = 0; i < 6; ++i)
      if (std::abs(s.orientation[i] - first.orientation[i]) > 1e-4)
        throw InputError(folder + ": slices of mixed orientation in one series: " + name(first) +
                         " and " + name(s) + " differ in ImageOrientationPatient");
    for (size_t i = 0; i < 2; ++i)
      if (std::abs(s.pixelSpacing[i] - first.pixelSpacing[i]) > 1e-6 * first.pixelSpacing[i])
        throw InputError(folder + ": slices of different PixelSpacing in one series: " +
                         name(first) + " and " + name(s));
  }
  const Vec3 row{first.orientation[0], first.orientation[1], first.orientation[2]},
      column{first.orientation[3], first.orientation[4], first.orientation[5]};
  Vec3 normal = cross(row, column);
  const double length = std::sqrt(dot(normal, normal));
  if (!(length > 1e-6))
    throw InputError(folder + ": " + name(first) +
                     ": ImageOrientationPatient's row and column directions are parallel");
  for (double& v : normal)
    v /= length;
  const auto along = [&](const SliceHeader& s) {
    return dot({s.position[0], s.position[1], s.position[2]}, normal);
  };
  std::stable_sort(slices.begin(), slices.end(),
                   [&](const SliceHeader& a, const SliceHeader& b) { return along(a) < along(b); });

  Stack stack;
  ImageGeometry& g = stack.geometry;
  g.size = {first.columns, first.rows, int64_t(slices.size())};
  g.spacing = {first.pixelSpacing[1], first.pixelSpacing[0], 1.0};
  g.origin = {slices[0].position[0], slices[0].position[1], slices[0].position[2]};
  for (size_t r = 0; r < 3; ++r) {
    g.direction[3 * r + 0] = row[r];
    g.direction[3 * r + 1] = column[r];
    g.direction[3 * r + 2] = normal[r];
  }
  if (slices.size() > 1) {
    std::vector<double> steps;
    for (size_t i = 1; i < slices.size(); ++i) {
      const double step = along(slices[i]) - along(slices[i - 1]);
      if (step < 1e-3)
        throw InputError(
            folder + ": two slices at the same position along the normal: " + name(slices[i - 1]) +
            " and " + name(slices[i]) + " (duplicates, or several acquisitions in one series)");
      steps.push_back(step);
    }
    std::vector<double> sorted = steps;
    std::nth_element(sorted.begin(), sorted.begin() + long(sorted.size() / 2), sorted.end());
    const double typical = sorted[sorted.size() / 2];
    const double tolerance = 1e-3 + 0.01 * typical; // positions are stored rounded
    for (size_t i = 0; i < steps.size(); ++i) {
      if (std::abs(steps[i] - typical) <= tolerance)
        continue;
      const double ratio = steps[i] / typical;
      const std::string between = name(slices[i]) + " and " + name(slices[i + 1]);
      if (ratio > 1.5 && std::abs(ratio - std::round(ratio)) < 0.1)
        throw InputError(folder + ": missing slices: " + mm(steps[i]) + " between " + between +
                         " where the series' slices are " + mm(typical) + " apart (about " +
                         std::to_string(int64_t(std::round(ratio)) - 1) + " slice(s) missing)");
      throw InputError(folder + ": uneven slice spacing: " + mm(steps[i]) + " between " + between +
                       ", " + mm(typical) + " elsewhere; expected evenly spaced slices");
    }
    // Positions beside the normal (a tilted gantry) would need resampling, not stacking.
    const Vec3 p0 = g.origin;
    for (const SliceHeader& s : slices) {
      Vec3 d{s.position[0] - p0[0], s.position[1] - p0[1], s.position[2] - p0[2]};
      const double n = dot(d, normal);
      for (size_t r = 0; r < 3; ++r)
        d[r] -= n * normal[r];
      if (std::sqrt(dot(d, d)) > tolerance)
        throw InputError(folder + ": " + name(s) + " lies " + mm(std::sqrt(dot(d, d))) +
                         " beside the stack's axis; expected slices stacked along their normal "
                         "(a tilted gantry needs resampling first)");
    }
    g.spacing[2] = (along(slices.back()) - along(slices.front())) / double(slices.size() - 1);
  }
  stack.slices = std::move(slices);
  return stack;
}

} // namespace lumen::dicom
