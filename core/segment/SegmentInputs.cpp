#include "segment/SegmentInputs.h"

#include "common/Text.h"
#include "io/CtVolumeIO.h"
#include "segment/DatastoreNames.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <vector>
#include <zlib.h>

namespace fs = std::filesystem;

namespace lumen {
namespace {

// Enough files to find a DICOM or CT among other files, few enough to stay instant on a
// network share with thousands of slices.
constexpr int kDicomProbes = 48;
constexpr int kVolumeProbes = 8;
// A 512 x 512 slice: the corners of a CT's first slice are air or padding; decompressing it
// costs a few milliseconds.
constexpr size_t kLabelProbeVoxels = 512 * 512;

bool endsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool isVolumeName(const std::string& name) {
  const std::string n = asciiLower(name);
  for (const char* ext : {".nii", ".nii.gz", ".nrrd", ".nhdr", ".mha", ".mhd"})
    if (endsWith(n, ext))
      return true;
  return false;
}

bool hasDicomMagic(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  char magic[4] = {};
  in.seekg(128);
  return in.read(magic, 4) && std::equal(magic, magic + 4, "DICM");
}

bool isDicomFile(const fs::directory_entry& entry) {
  if (!entry.is_regular_file())
    return false;
  const std::string name = asciiLower(entry.path().filename().string());
  return endsWith(name, ".dcm") || hasDicomMagic(entry.path());
}

// The name's words ("CT_seg-2.nii.gz" -> ct, seg, 2, nii, gz).
std::vector<std::string> nameWords(const std::string& name) {
  std::vector<std::string> words(1);
  for (char c : asciiLower(name)) {
    if (std::isalnum(static_cast<unsigned char>(c)))
      words.back() += c;
    else if (!words.back().empty())
      words.emplace_back();
  }
  return words;
}

// The first voxels of a NIfTI-1 file (.nii or .nii.gz: gzread reads both) after the header's
// scaling, at most `count`; empty when the file is not a single-file NIfTI-1 of a numeric type.
std::optional<std::vector<double>> firstNiftiValues(const std::string& path, size_t count) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (!file)
    return std::nullopt;
  struct Close {
    gzFile f;
    ~Close() { gzclose(f); }
  } close{file};
  unsigned char header[348];
  if (gzread(file, header, sizeof header) != int(sizeof header))
    return std::nullopt;
  int32_t size;
  std::memcpy(&size, header, 4);
  const bool swap = size != 348;
  auto fix = [swap](unsigned char* bytes, size_t n) {
    if (swap)
      std::reverse(bytes, bytes + n);
  };
  fix(header, 4);
  std::memcpy(&size, header, 4);
  if (size != 348 || std::memcmp(header + 344, "n+1", 4) != 0)
    return std::nullopt;
  int16_t datatype;
  float voxOffset, slope, intercept;
  fix(header + 70, 2);
  std::memcpy(&datatype, header + 70, 2);
  fix(header + 108, 4);
  std::memcpy(&voxOffset, header + 108, 4);
  fix(header + 112, 4);
  std::memcpy(&slope, header + 112, 4);
  fix(header + 116, 4);
  std::memcpy(&intercept, header + 116, 4);
  if (!std::isfinite(slope) || slope == 0) { // NIfTI: a zero slope means "unscaled"
    slope = 1;
    intercept = 0;
  }
  size_t bytes = 0;
  switch (datatype) {
  case 2:
  case 256:
    bytes = 1;
    break; // uint8, int8
  case 4:
  case 512:
    bytes = 2;
    break; // int16, uint16
  case 8:
  case 768:
  case 16:
    bytes = 4;
    break; // int32, uint32, float32
  case 64:
  case 1024:
  case 1280:
    bytes = 8;
    break; // float64, int64, uint64
  default:
    return std::nullopt;
  }
  if (gzseek(file, z_off_t(voxOffset), SEEK_SET) < 0)
    return std::nullopt;
  std::vector<unsigned char> raw(count * bytes);
  const int got = gzread(file, raw.data(), unsigned(raw.size()));
  if (got <= 0)
    return std::nullopt;
  std::vector<double> values(size_t(got) / bytes);
  for (size_t v = 0; v < values.size(); ++v) {
    unsigned char* b = raw.data() + v * bytes;
    fix(b, bytes);
    double value = 0;
    switch (datatype) {
    case 2:
      value = *b;
      break;
    case 256:
      value = int8_t(*b);
      break;
    case 4: {
      int16_t x;
      std::memcpy(&x, b, 2);
      value = x;
      break;
    }
    case 512: {
      uint16_t x;
      std::memcpy(&x, b, 2);
      value = x;
      break;
    }
    case 8: {
      int32_t x;
      std::memcpy(&x, b, 4);
      value = x;
      break;
    }
    case 768: {
      uint32_t x;
      std::memcpy(&x, b, 4);
      value = x;
      break;
    }
    case 16: {
      float x;
      std::memcpy(&x, b, 4);
      value = x;
      break;
    }
    case 64: {
      double x;
      std::memcpy(&x, b, 8);
      value = x;
      break;
    }
    case 1024: {
      int64_t x;
      std::memcpy(&x, b, 8);
      value = double(x);
      break;
    }
    default: {
      uint64_t x;
      std::memcpy(&x, b, 8);
      value = double(x);
      break;
    }
    }
    values[v] = value * slope + intercept;
  }
  return values;
}

// Label values are small whole numbers of a few kinds (MM-WHS's reach 850); a CT's first voxels
// lie in the air around the patient or the padding outside the scan's circle, far below zero.
bool valuesLookLikeLabels(const std::vector<double>& values) {
  std::set<double> distinct;
  for (double v : values) {
    if (!(v >= 0 && v <= 1000) || v != std::floor(v))
      return false;
    distinct.insert(v);
    if (distinct.size() > 64)
      return false;
  }
  return true;
}

} // namespace

bool looksLikeLabelMap(const std::string& path) {
  for (const auto& word : nameWords(fs::path(path).filename().string()))
    if (word == "label" || word == "labels" || word == "seg" || word == "segmentation" ||
        word == "mask")
      return true;
  try {
    const std::string type = asciiLower(readVolumeHeader(path).pixelType);
    if (type.find("char") != std::string::npos || type == "uint8" || type == "int8")
      return true;
  } catch (const std::exception&) {
    return false;
  }
  // Wider types hold label maps too (int16 is common): the first slice's worth of voxels tells.
  const auto values = firstNiftiValues(path, kLabelProbeVoxels);
  return values && valuesLookLikeLabels(*values);
}

bool holdsDicomFiles(const std::string& folder) {
  std::error_code error;
  int probed = 0;
  for (fs::directory_iterator it(folder, error), end; !error && it != end && probed < kDicomProbes;
       it.increment(error)) {
    if (!it->is_regular_file(error))
      continue;
    ++probed;
    if (isDicomFile(*it))
      return true;
  }
  return false;
}

std::string studyFolderOf(const std::string& imagePath) {
  const fs::path folder = fs::absolute(imagePath).parent_path();
  std::error_code error;
  return fs::is_regular_file(folder / "datastore_v2.json", error) ? folder.string() : "";
}

SegmentInputKind classifySegmentInput(const std::string& path) {
  std::error_code error;
  const auto status = fs::status(path, error);
  if (error || !fs::exists(status))
    return SegmentInputKind::None;
  if (fs::is_regular_file(status)) {
    if (endsWith(asciiLower(path), ".dcm"))
      return SegmentInputKind::DicomFolder;
    return isVolumeName(path) && !looksLikeLabelMap(path) ? SegmentInputKind::CtVolume
                                                          : SegmentInputKind::None;
  }
  if (!fs::is_directory(status))
    return SegmentInputKind::None;
  if (fs::is_regular_file(fs::path(path) / "datastore_v2.json", error))
    return SegmentInputKind::StudyFolder;
  // The volumes a Datastore on the folder would list as its images.
  const auto patterns = segment::defaultImagePatterns();
  std::vector<std::string> volumes;
  for (fs::directory_iterator it(path, error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (it->is_regular_file(error) && isVolumeName(name) &&
        segment::matchesImagePattern(name, patterns))
      volumes.push_back(it->path().string());
  }
  std::sort(volumes.begin(), volumes.end());
  for (size_t v = 0; v < volumes.size() && v < size_t(kVolumeProbes); ++v)
    if (!looksLikeLabelMap(volumes[v]))
      return SegmentInputKind::StudyFolder;
  if (volumes.empty() && holdsDicomFiles(path))
    return SegmentInputKind::DicomFolder;
  return SegmentInputKind::None;
}

} // namespace lumen
