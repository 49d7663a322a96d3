// DICOM series written by the tests themselves: one single-frame CT slice per file through ITK's
// GDCMImageIO, with the geometry's positions and orientation, values from seriesValue(), and
// the faults a reader must refuse (a missing slice, a shifted or tilted one) on request.
#pragma once
#include "io/Volume.h"

#include <string>
#include <vector>

namespace lumen::test {

struct SeriesSpec {
  std::string uid = "1.2.826.0.1.3680043.2.1125.1";
  std::string description = "test series";
  ImageGeometry geometry;
  std::vector<int> skip; // slice indices not written
  int shiftedSlice = -1; // this slice moved by `shift` mm along the normal
  double shift = 0;
  int tiltedSlice = -1; // this slice gets another orientation
};

// The value every voxel (i, j, k) of a written series holds.
int16_t seriesValue(int64_t i, int64_t j, int64_t k);

// Files named in reverse slice order (IM1000.dcm is slice 0), so reading by name alone would
// flip the volume.
void writeSeries(const std::string& folder, const SeriesSpec& spec);

} // namespace lumen::test
