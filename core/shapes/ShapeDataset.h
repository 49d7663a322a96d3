// Preparation of a folder of label maps into a shape dataset: one HDF5 per case, in
// parallel over cases, plus train.csv / val.csv; and reading the dataset back. A case's split and
// its sampling seed follow from its id alone (DatasetSplit), so adding, losing or failing other
// files changes nothing about it. Case ids become file names: they are checked wherever they are
// read.
#pragma once
#include "shapes/ShapePreparation.h"

#include <string>
#include <vector>

namespace lumen {

class Job;

struct ShapeDatasetOptions {
  ShapePrepareOptions prepare; // prepare.seed: the dataset's seed, combined with each case id
  double valFraction = 0.2;    // a case is validation when its id hashes below this
  uint64_t splitSeed = 0;
  int threads = 0; // 0: one per core
};

struct ShapeDatasetResult {
  std::vector<std::string> train, val; // case ids
  std::vector<std::string> failed;     // "case: reason"
  double seconds = 0;
};

// Label maps (.nii, .nii.gz) in `inputDir`, sorted by name; hidden files are left out.
std::vector<std::string> findLabelMaps(const std::string& inputDir);

// The case id of a label map: its file name without .nii / .nii.gz.
std::string caseIdOfPath(const std::string& path);

// What is wrong with `id` as a case id, or empty when nothing: it must be 1 to 128 bytes, with no
// path separator, no leading dot, no comma (the lists are CSV) and no control character.
std::string caseIdProblem(const std::string& id);

// The sampling seed of one case: the dataset's seed and the case id, never the case's position.
uint64_t caseSeed(uint64_t datasetSeed, const std::string& caseId);

// Whether a case id belongs to the validation split.
bool isValidationCase(const std::string& caseId, const ShapeDatasetOptions& options);

// Prepares every label map of `inputDir` into `outputDir`/<case>.h5. A case that fails is
// reported and left out; the others are kept, and an InputError listing the failures is thrown
// at the end (after train.csv / val.csv are written for the good ones).
ShapeDatasetResult prepareShapeDataset(const std::string& inputDir, const std::string& outputDir,
                                       const ShapeDatasetOptions& options, Job* job = nullptr);

// Case ids listed in `dir`/train.csv or val.csv ("case,file" header). An id that could leave the
// folder or is not a file name is refused with the file and line (InputError).
std::vector<std::string> readCaseList(const std::string& dir, const std::string& split);
// `dir`/<caseId>.h5; InputError for an invalid id.
std::string caseFile(const std::string& dir, const std::string& caseId);

} // namespace lumen
