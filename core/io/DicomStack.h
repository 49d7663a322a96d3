// The slices of a DICOM folder as their headers describe them, and a series' slices stacked into
// one volume geometry. Internal to DicomSeries.cpp; separate so the geometry rules (what is a
// missing slice, what is uneven spacing) read on their own.
#pragma once
#include "io/Volume.h"

#include <map>
#include <string>
#include <vector>

namespace lumen::dicom {

struct SliceHeader {
  std::string file;
  std::string seriesUid, description, modality;
  int64_t rows = 0, columns = 0, frames = 1;
  std::vector<double> pixelSpacing; // between rows, between columns (DICOM order)
  std::vector<double> position;     // ImagePositionPatient (LPS, mm)
  std::vector<double> orientation;  // ImageOrientationPatient: row direction, column direction
};

struct FolderScan {
  std::map<std::string, std::vector<SliceHeader>> series; // by SeriesInstanceUID
  size_t files = 0, notDicom = 0, withoutImage = 0;
};

// Scans the regular files directly in `folder` for the few tags above only.
FolderScan scanFolder(const std::string& folder);

struct Stack {
  std::vector<SliceHeader> slices; // ordered along the normal
  ImageGeometry geometry;
};

// Orders the slices along their normal and derives the geometry; InputError (naming `folder` and
// the files concerned) when they do not form one evenly spaced volume.
Stack stackSlices(const std::string& folder, std::vector<SliceHeader> slices);

} // namespace lumen::dicom
