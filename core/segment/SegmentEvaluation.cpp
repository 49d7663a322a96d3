#include "segment/SegmentEvaluation.h"

#include "common/Error.h"
#include "common/Job.h"
#include "segment/ClickSimulator.h"
#include "segment/PromptSegmentation.h"

#include <algorithm>
#include <map>

namespace lumen {

std::vector<ClickCurve> evaluateClicks(const CtVolume& image, const LabelVolume& labels,
                                       const std::string& caseId,
                                       const std::vector<EvaluationObject>& objects,
                                       const SegmentationBackend& backend, int clicks, Job* job) {
  if (labels.geometry.size != image.geometry.size)
    throw InputError(caseId + ": the label map's grid differs from the image's");
  if (clicks < 1)
    throw InputError("the click budget must be at least 1");
  std::vector<ClickCurve> curves;
  for (const auto& object : objects) {
    MaskVolume truth;
    truth.geometry = image.geometry;
    truth.values.resize(labels.values.size());
    int64_t voxels = 0;
    for (size_t v = 0; v < labels.values.size(); ++v) {
      truth.values[v] = labels.values[v] == object.label;
      voxels += truth.values[v];
    }
    if (voxels == 0)
      continue;
    ClickCurve curve;
    curve.caseId = caseId;
    curve.object = object.name;
    curve.objectVoxels = voxels;
    SegmentationRequest request;
    SegmentationResult last;
    for (int k = 1; k <= clicks; ++k) {
      if (job)
        job->checkCancelled();
      if (k <= 3) {
        request.points = initialClicks(truth, k);
      } else if (const auto click = correctionClick(truth, last.mask)) {
        request.points.push_back(*click);
      }
      last = segmentWithPrompts(image, request, backend, job);
      curve.dice.push_back(diceScore(truth, last.mask));
      curve.ms.push_back(last.timings.totalMs);
    }
    curve.points = request.points;
    curves.push_back(std::move(curve));
  }
  return curves;
}

std::vector<ClickSummary> summarizeClicks(const std::vector<ClickCurve>& curves, int clicks) {
  std::vector<ClickSummary> out;
  std::map<std::string, size_t> index;
  ClickSummary overall;
  overall.object = "overall";
  overall.meanDice.assign(size_t(clicks), 0);
  double overallMs = 0;
  size_t requests = 0;
  for (const auto& c : curves) {
    auto [it, added] = index.try_emplace(c.object, out.size());
    if (added) {
      out.push_back({c.object, 0, std::vector<double>(size_t(clicks), 0), 0});
    }
    auto& s = out[it->second];
    ++s.cases;
    ++overall.cases;
    for (int k = 0; k < clicks; ++k) {
      s.meanDice[size_t(k)] += c.dice[size_t(k)];
      overall.meanDice[size_t(k)] += c.dice[size_t(k)];
    }
    for (double ms : c.ms) {
      s.meanMs += ms;
      overallMs += ms;
      ++requests;
    }
  }
  for (auto& s : out) {
    for (auto& d : s.meanDice)
      d /= double(s.cases);
    s.meanMs /= double(s.cases * clicks);
  }
  if (overall.cases) {
    for (auto& d : overall.meanDice)
      d /= double(overall.cases);
    overall.meanMs = overallMs / double(requests);
    out.push_back(overall);
  }
  return out;
}

} // namespace lumen
