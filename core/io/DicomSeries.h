// DICOM series in a folder (through GDCM and ITK's GDCMImageIO): which series it holds, and one
// series stacked into a CT volume with its geometry taken from the slices' own positions.
// The folder scan reads only the tags DicomStack.h names (gdcm::Scanner), so listing series never
// reads a patient identifier. Pixels are read slice by slice through GDCMImageIO, whose tag
// dictionary goes with it; nothing from it is kept, printed or logged.
#pragma once
#include "io/NiftiIO.h" // NiftiReadLimits, the memory guard every reader shares
#include "io/Volume.h"

#include <string>
#include <vector>

namespace lumen {

struct DicomSeriesInfo {
  std::string uid;                      // SeriesInstanceUID; empty when anonymisation removed it
  std::string description;              // SeriesDescription
  std::string modality;                 // "CT", "MR", ...
  int64_t slices = 0;                   // image files of the series
  std::array<int64_t, 3> size{0, 0, 0}; // columns, rows, slices
  // Between columns, between rows, and between slice positions along the normal (not the
  // SliceThickness tag: slices may overlap); 0 where the series cannot be stacked.
  Vec3 spacing{0, 0, 0};
  std::string problem; // why readDicomSeries refuses the series; empty when it reads
};

// The image series among the files directly in `folder`, ordered by description and uid.
// Non-DICOM files and DICOM files without pixels (reports, DICOMDIR) are skipped. IoError when
// the folder is missing; InputError when it holds no DICOM image at all.
std::vector<DicomSeriesInfo> listDicomSeries(const std::string& folder);

// The series `seriesUid` (or the folder's only series when empty), the slices ordered along
// their normal; values as GDCM rescales them (slope and intercept, as ITK and dcm2niix do), each
// a whole number within int16. InputError, naming the files, for several series without a uid
// (the message lists them), an unknown uid, a missing slice, uneven spacing, slices of mixed
// orientation, size or pixel spacing, or slices not stacked along their normal.
CtVolume readDicomSeries(const std::string& folder, const std::string& seriesUid = "",
                         const NiftiReadLimits& limits = {});
FloatVolume readDicomSeriesFloat(const std::string& folder, const std::string& seriesUid = "",
                                 const NiftiReadLimits& limits = {});

// "1.2.3 "CT Body 3.0" 20 slices" lines for messages and the CLI.
std::string describeSeries(const DicomSeriesInfo& series);

} // namespace lumen
