// NIfTI-1 label maps and intensity images (.nii, .nii.gz, .hdr/.img pairs) with the full physical
// geometry (LPS): ITK's NiftiImageIO reads the header and writes files; the voxels are read by
// NiftiStorage, which refuses a file cut short. Errors name the file and what was wrong.
#pragma once
#include "io/Volume.h"

namespace lumen {

struct NiftiReadLimits {
  // The memory guard: larger images are refused before any voxel is read.
  uint64_t maxVoxels = 1024ull * 1024ull * 1024ull;
};

// Reads only the header: the geometry and the stored pixel type (e.g. "uint8", "float").
ImageGeometry readNiftiGeometry(const std::string& path, std::string* pixelType = nullptr);

// Reads a label map. Integer files are read as is; float (or scaled) files are accepted only when
// every value is a whole number (label maps saved as float by some tools), else an InputError
// names the first offending voxel. The voxels are converted as they stream in, so the peak memory
// is the int32 volume itself.
LabelVolume readLabelVolume(const std::string& path, const NiftiReadLimits& limits = {});
FloatVolume readFloatVolume(const std::string& path, const NiftiReadLimits& limits = {});
// CT values as stored (int16): every value, after the header's scaling, a whole number within
// int16, else an InputError names the voxel. readCtVolume (CtVolumeIO.h) reads any format.
CtVolume readNiftiCtVolume(const std::string& path, const NiftiReadLimits& limits = {});

// Writes atomically (a temporary file renamed over `path`); ".gz" compresses. Labels are stored
// as uint8 when they fit, else int16 or int32.
void writeLabelVolume(const std::string& path, const LabelVolume& volume);
void writeFloatVolume(const std::string& path, const FloatVolume& volume);
// Stored as int16 (or uint8), the values unscaled (HU as they are).
void writeNiftiVolume(const std::string& path, const Volume<uint8_t>& volume);
void writeNiftiVolume(const std::string& path, const Volume<int16_t>& volume);
// The format follows the extension (.nii, .nii.gz, .nrrd, .nhdr, .mha, .mhd); defined in
// CtVolumeIO.cpp, declared here too for the callers that wrote NIfTI only.
void writeCtVolume(const std::string& path, const CtVolume& volume);

} // namespace lumen
