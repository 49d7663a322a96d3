// Where and how a NIfTI file stores its voxels, read from the header bytes themselves (NIfTI-1
// and NIfTI-2, either byte order, one .nii/.nii.gz file or a .hdr/.img pair), and the voxels
// streamed from there in one pass. ITK describes the geometry; the voxels are read here because
// ITK fills a short file with zeros silently, so a download cut short would read as a heart with
// its last slices missing. Every read checks that the data file holds vox_offset + voxels x bytes
// and that a gzip stream reaches its end marker (ByteStream), decompressing once and converting
// chunk by chunk into the caller's buffer (no second copy of the voxels).
#pragma once
#include <array>
#include <cstdint>
#include <string>

namespace lumen {

struct NiftiStorage {
  std::string headerPath, dataPath; // the same file unless a .hdr/.img pair
  int version = 1;                  // NIfTI-1 or NIfTI-2
  bool bigEndian = false;
  int datatype = 0; // NIfTI code: 2 uint8, 4 int16, 8 int32, 16 float32, 64 float64, ...
  int valueBytes = 0;
  std::array<int64_t, 7> dims{1, 1, 1, 1, 1, 1, 1}; // dim[1..7]; unused ones are 1
  uint64_t dataOffset = 0;                          // bytes before the first voxel in dataPath
  double slope = 1, intercept = 0;                  // scl_slope, scl_inter as stored

  // value = slope * stored + intercept applies (ITK's and nibabel's rule: a slope of 0 or NaN
  // means no scaling).
  bool rescaled() const;
  uint64_t values() const; // product of dims; InputError when it overflows
};

// Reads and checks the header of `path` (.nii, .nii.gz, .hdr, .hdr.gz, .img, .img.gz). Throws
// IoError for a missing or unreadable file, InputError for a header that is not NIfTI or
// describes storage Lumen cannot read (complex or RGB values, an impossible vox_offset).
NiftiStorage readNiftiStorage(const std::string& path);

// Streams every voxel (storage.values() of them) into `out`, converted to int32 labels or to
// float. Labels must be whole numbers within int32, else an InputError names the voxel. Throws
// IoError "PATH: truncated: ... holds N of M bytes" when the data ends early, and when a gzip
// stream stops before its end marker or fails its check.
void readNiftiLabels(const NiftiStorage& storage, int32_t* out);
void readNiftiFloats(const NiftiStorage& storage, float* out);
// CT intensities as stored: every (rescaled) value must be a whole number within int16, else an
// InputError names the voxel and its value.
void readNiftiInt16(const NiftiStorage& storage, int16_t* out);

} // namespace lumen
