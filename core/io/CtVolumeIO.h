// CT volumes in any format Lumen reads: NIfTI (.nii, .nii.gz), NRRD (.nrrd, .nhdr), MetaImage
// (.mha, .mhd) and DICOM series folders, with their exact geometry (origin, spacing, the full
// direction matrix, oblique included) and the values as stored (HU as int16). Each format has its
// own ImageIO chosen by extension, never ITK's IO factory, so what a path means is predictable.
#pragma once
#include "io/DicomSeries.h"
#include "io/NiftiIO.h"
#include "io/Volume.h"

#include <string>
#include <vector>

namespace lumen {

enum class VolumeFormat { Nifti, Nrrd, MetaImage, DicomSeries };

const char* volumeFormatName(VolumeFormat format); // "NIfTI", "NRRD", "MetaImage", "DICOM series"

// The format of an existing path: a folder is a DICOM series folder, a file goes by its
// extension. IoError "PATH does not exist" for a missing path; InputError naming the extensions
// Lumen reads for any other file.
VolumeFormat volumeFormatOf(const std::string& path);

// A file's header (or a DICOM series' slice headers) without its voxels.
struct VolumeHeader {
  VolumeFormat format = VolumeFormat::Nifti;
  std::string pixelType; // as stored: "int16", "uint16", "float", ...
  ImageGeometry geometry;
  std::vector<DicomSeriesInfo> series; // a DICOM folder's series
};
VolumeHeader readVolumeHeader(const std::string& path, const std::string& seriesUid = "");

// Integer files within int16 are read as they are; float (or scaled) files only when every
// value is a whole number within int16, else an InputError names the file, the voxel and what
// was expected. `seriesUid` picks a series of a DICOM folder (see readDicomSeries). Files cut
// short are refused with an IoError naming them.
CtVolume readCtVolume(const std::string& path, const NiftiReadLimits& limits = {},
                      const std::string& seriesUid = "");
// The same files as float intensities (any values).
FloatVolume readIntensityVolume(const std::string& path, const NiftiReadLimits& limits = {},
                                const std::string& seriesUid = "");

// Writes atomically in the format of the extension: .nii, .nii.gz, .nrrd (gzip-compressed) or
// .mha (compressed). Detached headers (.nhdr, .mhd, .hdr) are refused: their data file could not
// be renamed into place together with them.
void writeCtVolume(const std::string& path, const CtVolume& volume);

// Label masks (e.g. 0 background, 1 certain, 2 uncertain) to NIfTI or NRRD by extension (.mha
// works too), the values and geometry exact.
void writeLabelMask(const std::string& path, const Volume<uint8_t>& mask);
void writeLabelMask(const std::string& path, const Volume<int16_t>& mask);

} // namespace lumen
