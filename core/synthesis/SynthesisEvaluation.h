// `lumen-cli synth eval` and the synthesis workspace's scores: a synthetic CTA against the real
// one, read from files, beside the non-contrast scan itself taken as the prediction (published
// models often barely beat it).
#pragma once
#include "synthesis/SynthesisMetrics.h"

#include <optional>
#include <string>
#include <vector>

namespace lumen {

class Job;

// Contrast uptake that marks the vessel region when no vessel mask is given: the real CTA at
// least this many HU above the non-contrast scan (blood pools gain 200-400 HU).
constexpr double kVesselUptakeHu = 100;

struct SynthesisEvalFiles {
  std::string prediction, reference; // synthetic and real CTA, HU
  std::string mask;                  // body mask; empty: computed from the reference (BodyMask.h)
  std::string vessels;               // vessel mask; empty: contrast uptake, given the NCCT
  std::string ncct;                  // non-contrast scan; empty: no identity baseline
};

struct SynthesisEvaluation {
  SynthesisScores prediction;
  std::optional<SynthesisScores> ncct; // the NCCT itself scored as the prediction
  bool maskComputed = false;
  // "file", "contrast uptake" (reference - NCCT >= kVesselUptakeHu inside the mask) or "none".
  std::string vesselSource;
};

// Throws InputError naming the file when one cannot be read or is not on the reference's grid.
SynthesisEvaluation evaluateSynthesisFiles(const SynthesisEvalFiles& files,
                                           const SynthesisMetricOptions& options = {},
                                           Job* job = nullptr);

// A held-out set: SynthesisEvalFiles naming folders, whose files pair up by name as in
// PairedScans.h. Every prediction needs a reference, and a mask, vessel mask and NCCT of its name
// where those folders are given; InputError lists what is missing before anything is scored.
struct SynthesisCaseScores {
  std::string name;
  SynthesisEvaluation evaluation;
};
std::vector<SynthesisCaseScores>
evaluateSynthesisFolders(const SynthesisEvalFiles& folders,
                         const SynthesisMetricOptions& options = {}, Job* job = nullptr);

// Mean and sample standard deviation of each score over the cases where it is finite (a vessel
// MAE is NaN for a case without vessel voxels, a PSNR infinite for a perfect prediction); the
// standard deviation of one case is 0.
struct ScoreSpread {
  double mean = 0, sd = 0;
  int cases = 0;
};
struct SynthesisSummary {
  ScoreSpread maeHu, vesselMaeHu, psnrDb, ssim;
};
SynthesisSummary summarizeScores(const std::vector<SynthesisScores>& scores);

} // namespace lumen
