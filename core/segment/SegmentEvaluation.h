// How well a backend segments with k clicks: for every object of every case, the simulated user
// of ClickSimulator.h clicks (k = 1: the middle slice; 2: the lowest and highest slices; 3: those
// and the middle; beyond 3, one correction click at a time in the largest error region, each
// after seeing the previous result) and the result is scored with Dice against the ground truth,
// counting certain and uncertain voxels as the mask.
#pragma once
#include "io/Volume.h"
#include "segment/PromptPlan.h"

#include <string>
#include <vector>

namespace lumen {

class Job;
class SegmentationBackend;

struct EvaluationObject {
  std::string name;
  int label = 0;
};

struct ClickCurve {
  std::string caseId, object;
  int64_t objectVoxels = 0;
  std::vector<double> dice;        // dice[k - 1]: after k clicks
  std::vector<double> ms;          // prompt -> mask time of each request
  std::vector<PromptPoint> points; // the clicks of the last request, to replay it
};

// Objects absent from `labels` are skipped (no curve). Throws InputError when the image and the
// labels do not share a grid.
std::vector<ClickCurve> evaluateClicks(const CtVolume& image, const LabelVolume& labels,
                                       const std::string& caseId,
                                       const std::vector<EvaluationObject>& objects,
                                       const SegmentationBackend& backend, int clicks,
                                       Job* job = nullptr);

// Mean Dice per object and per click count over the curves, and over every object ("overall").
struct ClickSummary {
  std::string object;
  int cases = 0;
  std::vector<double> meanDice;
  double meanMs = 0;
};
std::vector<ClickSummary> summarizeClicks(const std::vector<ClickCurve>& curves, int clicks);

} // namespace lumen
