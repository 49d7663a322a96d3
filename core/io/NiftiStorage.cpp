#include "io/NiftiStorage.h"

#include "common/Checked.h"
#include "common/Error.h"
#include "common/Text.h"
#include "io/ByteStream.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <type_traits>
#include <vector>

namespace lumen {
namespace {

constexpr size_t kNifti1HeaderBytes = 348, kNifti2HeaderBytes = 540;
// Header extensions are kilobytes; an offset beyond this is a corrupt header, and honouring it
// would decompress gigabytes only to find the data missing.
constexpr uint64_t kMaxDataOffset = uint64_t(1) << 32;

bool endsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

template <class T> T field(const uint8_t* header, size_t offset, bool swap) {
  uint8_t bytes[sizeof(T)];
  std::memcpy(bytes, header + offset, sizeof(T));
  if (swap)
    std::reverse(bytes, bytes + sizeof(T));
  T value;
  std::memcpy(&value, bytes, sizeof(T));
  return value;
}

int32_t swapped(int32_t v) {
  uint8_t bytes[4];
  std::memcpy(bytes, &v, 4);
  std::reverse(bytes, bytes + 4);
  std::memcpy(&v, bytes, 4);
  return v;
}

// Bytes per value of the NIfTI datatype codes that hold one scalar (nifti1.h); 0 for others.
int scalarBytes(int code) {
  switch (code) {
  case 2:
  case 256:
    return 1;
  case 4:
  case 512:
    return 2;
  case 8:
  case 16:
  case 768:
    return 4;
  case 64:
  case 1024:
  case 1280:
    return 8;
  default:
    return 0;
  }
}

std::string unsupportedTypeName(int code) {
  switch (code) {
  case 1:
    return "binary (1 bit)";
  case 32:
    return "complex64";
  case 128:
    return "RGB24";
  case 1536:
    return "float128";
  case 1792:
    return "complex128";
  case 2048:
    return "complex256";
  case 2304:
    return "RGBA32";
  default:
    return "unknown";
  }
}

// The first existing file among `stem` + each extension.
std::string firstExisting(const std::string& stem, std::initializer_list<const char*> extensions) {
  for (const char* extension : extensions)
    if (std::filesystem::is_regular_file(stem + extension))
      return stem + extension;
  return {};
}

std::string stemOf(const std::string& path) {
  for (const char* extension : {".nii.gz", ".hdr.gz", ".img.gz", ".nii", ".hdr", ".img"})
    if (endsWith(path, extension))
      return path.substr(0, path.size() - std::strlen(extension));
  return path;
}

std::string dims3(const NiftiStorage& s) {
  return std::to_string(s.dims[0]) + "x" + std::to_string(s.dims[1]) + "x" +
         std::to_string(s.dims[2]);
}

[[noreturn]] void truncated(const NiftiStorage& s, bool compressed, uint64_t held,
                            uint64_t needed) {
  throw IoError(s.dataPath + ": truncated: the " +
                std::string(compressed ? "decompressed data" : "file") + " holds " +
                std::to_string(held) + " of " + std::to_string(needed) + " bytes (vox_offset " +
                std::to_string(s.dataOffset) + " + " + dims3(s) + " voxels x " +
                std::to_string(s.valueBytes) + (s.valueBytes == 1 ? " byte)" : " bytes)"));
}

// Calls sink(values, n, firstIndex) for consecutive chunks of the stored values (type S, in host
// byte order), after checking everything up to the end of the stream.
template <class S, class Sink> void streamValues(const NiftiStorage& s, Sink&& sink) {
  const uint64_t count = s.values();
  const auto bytes = checkedMultiply(count, sizeof(S));
  if (!bytes || *bytes > (uint64_t(1) << 62))
    throw InputError(s.headerPath + ": the header describes more voxel bytes than a file holds");
  const uint64_t needed = s.dataOffset + *bytes;
  ByteStream in(s.dataPath);
  std::vector<S> values((size_t(1) << 20) / sizeof(S)); // one chunk at a time
  for (uint64_t skipped = 0; skipped < s.dataOffset;) {
    const size_t want =
        size_t(std::min<uint64_t>(values.size() * sizeof(S), s.dataOffset - skipped));
    const size_t got = in.read(values.data(), want);
    skipped += got;
    if (got < want)
      truncated(s, in.compressed(), in.position(), needed);
  }
  const bool swap = s.bigEndian != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
  for (uint64_t done = 0; done < count;) {
    const size_t n = size_t(std::min<uint64_t>(values.size(), count - done));
    const size_t got = in.read(values.data(), n * sizeof(S));
    if (got < n * sizeof(S))
      truncated(s, in.compressed(), in.position(), needed);
    if (swap && sizeof(S) > 1)
      for (size_t i = 0; i < n; ++i) {
        auto* b = reinterpret_cast<uint8_t*>(&values[i]);
        std::reverse(b, b + sizeof(S));
      }
    sink(values.data(), n, done);
    done += n;
  }
  in.drain();
  if (in.cutShort())
    throw IoError(s.dataPath + ": truncated: the gzip stream stops before its end marker (after " +
                  std::to_string(in.position()) + " decompressed bytes)");
}

template <class F> void withStoredType(const NiftiStorage& s, F&& f) {
  switch (s.datatype) {
  case 2:
    return f(uint8_t{});
  case 4:
    return f(int16_t{});
  case 8:
    return f(int32_t{});
  case 16:
    return f(float{});
  case 64:
    return f(double{});
  case 256:
    return f(int8_t{});
  case 512:
    return f(uint16_t{});
  case 768:
    return f(uint32_t{});
  case 1024:
    return f(int64_t{});
  case 1280:
    return f(uint64_t{});
  default:
    throw InputError(s.headerPath + ": datatype " + std::to_string(s.datatype) +
                     " is not a scalar type");
  }
}

std::string voxelName(const NiftiStorage& s, uint64_t index) {
  const auto nx = uint64_t(s.dims[0]), ny = uint64_t(s.dims[1]);
  return "voxel (" + std::to_string(index % nx) + ", " + std::to_string(index / nx % ny) + ", " +
         std::to_string(index / nx / ny) + ")";
}

} // namespace

bool NiftiStorage::rescaled() const {
  return std::isfinite(slope) && slope != 0 && (slope != 1 || intercept != 0);
}

uint64_t NiftiStorage::values() const {
  const auto n = checkedProduct(dims);
  if (!n)
    throw InputError(headerPath + ": the header's dimensions overflow");
  return *n;
}

NiftiStorage readNiftiStorage(const std::string& path) {
  NiftiStorage s;
  s.headerPath = path;
  if (endsWith(path, ".img") || endsWith(path, ".img.gz")) {
    s.headerPath = firstExisting(stemOf(path), {".hdr", ".hdr.gz"});
    if (s.headerPath.empty())
      throw IoError(path + ": the header " + stemOf(path) + ".hdr next to it is missing");
  }
  uint8_t header[kNifti2HeaderBytes] = {};
  ByteStream in(s.headerPath);
  const size_t got = in.read(header, kNifti1HeaderBytes);
  if (got < 4)
    throw InputError(s.headerPath + ": not a NIfTI file (" + std::to_string(got) + " bytes)");
  int32_t size = 0;
  std::memcpy(&size, header, 4);
  bool swap = false;
  if (size != int32_t(kNifti1HeaderBytes) && size != int32_t(kNifti2HeaderBytes)) {
    swap = true;
    size = swapped(size);
  }
  if (size != int32_t(kNifti1HeaderBytes) && size != int32_t(kNifti2HeaderBytes))
    throw InputError(s.headerPath +
                     ": not a NIfTI file (sizeof_hdr is neither 348 nor 540 in either byte order)");
  s.version = size == int32_t(kNifti1HeaderBytes) ? 1 : 2;
  const size_t headerBytes = s.version == 1 ? kNifti1HeaderBytes : kNifti2HeaderBytes;
  const size_t rest = s.version == 2 ? in.read(header + got, headerBytes - got) : 0;
  if (got + rest < headerBytes)
    throw IoError(s.headerPath + ": truncated: the header holds " + std::to_string(got + rest) +
                  " of " + std::to_string(headerBytes) + " bytes");
  s.bigEndian = swap != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);

  double voxOffset = 0;
  int64_t rank = 0;
  std::array<int64_t, 8> dim{};
  bool singleFile = false;
  if (s.version == 1) {
    for (size_t d = 0; d < 8; ++d)
      dim[d] = field<int16_t>(header, 40 + 2 * d, swap);
    s.datatype = field<int16_t>(header, 70, swap);
    voxOffset = field<float>(header, 108, swap);
    s.slope = field<float>(header, 112, swap);
    s.intercept = field<float>(header, 116, swap);
    singleFile = std::memcmp(header + 344, "n+1\0", 4) == 0; // "ni1" or Analyze: a pair
  } else {
    s.datatype = field<int16_t>(header, 12, swap);
    for (size_t d = 0; d < 8; ++d)
      dim[d] = field<int64_t>(header, 16 + 8 * d, swap);
    voxOffset = double(field<int64_t>(header, 168, swap));
    s.slope = field<double>(header, 176, swap);
    s.intercept = field<double>(header, 184, swap);
    if (std::memcmp(header + 4, "n+2\0", 4) == 0)
      singleFile = true;
    else if (std::memcmp(header + 4, "ni2\0", 4) != 0)
      throw InputError(s.headerPath + ": NIfTI-2 header without its magic (n+2 or ni2)");
  }
  rank = dim[0];
  if (rank < 1 || rank > 7)
    throw InputError(s.headerPath + ": dim[0] is " + std::to_string(rank) + ", expected 1 to 7");
  for (int64_t d = 1; d <= rank; ++d) {
    if (dim[size_t(d)] < 1)
      throw InputError(s.headerPath + ": dimension " + std::to_string(d) + " has " +
                       std::to_string(dim[size_t(d)]) + " entries");
    s.dims[size_t(d - 1)] = dim[size_t(d)];
  }
  s.valueBytes = scalarBytes(s.datatype);
  if (s.valueBytes == 0)
    throw InputError(s.headerPath + ": datatype " + std::to_string(s.datatype) + " (" +
                     unsupportedTypeName(s.datatype) +
                     ") is not a single number per voxel; expected an integer or float type");

  if (!std::isfinite(voxOffset) || voxOffset < 0 || voxOffset > double(kMaxDataOffset))
    throw InputError(s.headerPath + ": vox_offset " + formatNumber(voxOffset) +
                     " is not a plausible position of the voxel data");
  s.dataOffset = uint64_t(voxOffset); // NIfTI-1 stores it as a float; the library truncates
  if (singleFile) {
    if (s.dataOffset < headerBytes)
      throw InputError(s.headerPath + ": vox_offset " + formatNumber(voxOffset) +
                       " points into the " + std::to_string(headerBytes) +
                       "-byte header; a single-file NIfTI keeps its voxels after it");
    s.dataPath = s.headerPath;
  } else {
    s.dataPath = endsWith(path, ".img") || endsWith(path, ".img.gz")
                     ? path
                     : firstExisting(stemOf(s.headerPath), {".img", ".img.gz"});
    if (s.dataPath.empty())
      throw IoError(s.headerPath + ": the header keeps its voxels in a separate file, but " +
                    stemOf(s.headerPath) + ".img is missing");
  }
  return s;
}

void readNiftiLabels(const NiftiStorage& s, int32_t* out) {
  const bool rescaled = s.rescaled();
  withStoredType(s, [&](auto stored) {
    using S = decltype(stored);
    streamValues<S>(s, [&](const S* values, size_t n, uint64_t first) {
      for (size_t i = 0; i < n; ++i) {
        if constexpr (std::is_integral_v<S> && (sizeof(S) <= 2 || std::is_same_v<S, int32_t>)) {
          if (!rescaled) {
            out[first + i] = int32_t(values[i]);
            continue;
          }
        }
        const double v = rescaled ? s.slope * double(values[i]) + s.intercept : double(values[i]);
        const bool whole = std::isfinite(v) && v == std::round(v);
        if (whole && v >= -2147483648.0 && v <= 2147483647.0) {
          out[first + i] = int32_t(v);
          continue;
        }
        throw InputError(s.headerPath + ": " + voxelName(s, first + i) + " holds " +
                         formatNumber(v) +
                         (whole ? ", beyond the int32 range of label values"
                                : ": a label map holds whole numbers; this looks like an "
                                  "intensity image, not a label map"));
      }
    });
  });
}

void readNiftiFloats(const NiftiStorage& s, float* out) {
  const bool rescaled = s.rescaled();
  withStoredType(s, [&](auto stored) {
    using S = decltype(stored);
    streamValues<S>(s, [&](const S* values, size_t n, uint64_t first) {
      for (size_t i = 0; i < n; ++i)
        out[first + i] =
            rescaled ? float(s.slope * double(values[i]) + s.intercept) : float(values[i]);
    });
  });
}

void readNiftiInt16(const NiftiStorage& s, int16_t* out) {
  const bool rescaled = s.rescaled();
  withStoredType(s, [&](auto stored) {
    using S = decltype(stored);
    streamValues<S>(s, [&](const S* values, size_t n, uint64_t first) {
      for (size_t i = 0; i < n; ++i) {
        if constexpr (std::is_same_v<S, int16_t> || std::is_same_v<S, uint8_t> ||
                      std::is_same_v<S, int8_t>) {
          if (!rescaled) {
            out[first + i] = int16_t(values[i]);
            continue;
          }
        }
        const double v = rescaled ? s.slope * double(values[i]) + s.intercept : double(values[i]);
        const bool whole = std::isfinite(v) && v == std::round(v);
        if (whole && v >= -32768.0 && v <= 32767.0) {
          out[first + i] = int16_t(v);
          continue;
        }
        throw InputError(s.headerPath + ": " + voxelName(s, first + i) + " holds " +
                         formatNumber(v) +
                         (whole ? ", beyond the int16 range of CT values (-32768 to 32767)"
                                : ", expected whole numbers (CT values in HU stored as integers)"));
      }
    });
  });
}

} // namespace lumen
