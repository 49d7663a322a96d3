// Preparation of a folder of label maps into a shape dataset (SPEC H3): one HDF5 per case, in
// parallel over cases, plus train.csv / val.csv from a deterministic split; and reading the
// dataset back.
#pragma once
#include "shapes/ShapePreparation.h"

#include <string>
#include <vector>

namespace lumen {

class Job;

struct ShapeDatasetOptions {
  ShapePrepareOptions prepare;
  double valFraction = 0.2;
  uint64_t splitSeed = 0;
  int threads = 0; // 0: one per core
};

struct ShapeDatasetResult {
  std::vector<std::string> train, val; // case ids
  std::vector<std::string> failed;     // "case: reason"
  double seconds = 0;
};

// Label maps (.nii, .nii.gz) in `inputDir`, sorted by name.
std::vector<std::string> findLabelMaps(const std::string& inputDir);

// Prepares every label map of `inputDir` into `outputDir`/<case>.h5. A case that fails is
// reported and left out; the others are kept, and an InputError listing the failures is thrown
// at the end (after train.csv / val.csv are written for the good ones).
ShapeDatasetResult prepareShapeDataset(const std::string& inputDir, const std::string& outputDir,
                                       const ShapeDatasetOptions& options, Job* job = nullptr);

// Case ids listed in `dir`/train.csv or val.csv ("case,file" header).
std::vector<std::string> readCaseList(const std::string& dir, const std::string& split);
std::string caseFile(const std::string& dir, const std::string& caseId);

} // namespace lumen
