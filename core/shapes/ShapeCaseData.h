// What the Shapes workspace's session computes off the UI thread, in plain data: a case read and
// mapped to the 10 heart classes with its per-class meshes, the classes a file holds (for the
// case list), and a completion scored class by class against the case's own ground truth. Every
// function here runs inside a Job; none touches Qt widgets or VTK.
#pragma once
#include "io/Volume.h"
#include "shapes/ClassMeshes.h"
#include "shapes/ShapeCompletion.h"
#include "shapes/ShapeMetrics.h"
#include "shapes/ShapeSampling.h"

#include <memory>
#include <string>
#include <vector>

namespace lumen {

class Job;

struct ShapeCase {
  std::string path;
  std::string classMap;  // how raw values became classes ("heart10", "mmwhs7")
  LabelVolume labels;    // raw values, the completion's input
  Volume<uint8_t> truth; // classes 0..10 on the same grid: the ground truth
  ClassSet present;      // classes with at least one voxel
  ClassMeshes meshes;    // per class, millimetres
};

// Reads, maps and meshes one label map.
std::shared_ptr<const ShapeCase> loadShapeCase(const std::string& path, const std::string& classMap,
                                               Job* job = nullptr);

// The classes a label map holds under a class map (reads the whole file).
ClassSet scanCaseClasses(const std::string& path, const std::string& classMap);

struct ScoredCompletion {
  std::string checkpoint;
  CompletionResult result;
  ClassSet hidden;                // present in the case, not given to the model
  std::vector<ClassScore> scores; // one per class present in the ground truth, by label
};

// Completes the case from the `keep` classes with the network's own prediction for every class
// (model-only, so visible classes are scored too) and scores each ground-truth class through
// completeAndScoreLabelMap: on the case's prepared grid, as `shapes eval` scores it, so the
// workspace and the command line give the same numbers for the same case.
ScoredCompletion completeAndScore(const ShapeCase& shapeCase, const std::string& checkpoint,
                                  const std::vector<int>& keep, int resolution, Job* job = nullptr);

} // namespace lumen
