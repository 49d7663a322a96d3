// The failures a researcher wants to hear about at once rather than find in a plot hours later,
// for the GUI's Training Monitor and `lumen-cli monitor` alike:
//  * a loss that became NaN or infinite;
//  * a GAN discriminator that stopped discriminating: D_real and D_fake (the mean discriminator
//    outputs on real and generated samples, logged under one prefix) agree within 0.05 while
//    sitting away from the value an informative discriminator settles at. Agreement alone is the
//    healthy equilibrium (both near 0.5 for LSGAN and non-saturating losses, near 0 for hinge
//    scores); the seed's failure was a discriminator stuck at one constant (D_real = D_fake =
//    0.749 for twelve epochs);
//  * a discriminator that overpowers the generator: real and fake both near their targets
//    (D_real > 0.9 and D_fake < 0.1, or beyond the hinge margins 1 and -1), so the generator
//    learns nothing from it.
//  * a model worse than doing nothing: a validation PSNR (`val/psnr`) below the identity's
//    (`val/psnr_noisy_input`, the noisy input taken as the answer) for kIdentityStreak
//    validations in a row.
// Each lasts kStreak (or kIdentityStreak) records in a row before it is reported, and each
// problem is reported once.
#pragma once
#include "train/MetricsLog.h"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace lumen {

// How a run's discriminator outputs are scaled: by its config.yaml's `gan.loss` key.
enum class GanLoss { LeastSquares, NonSaturating, Hinge };

// The GAN loss of a run folder's config.yaml (`gan: {loss: lsgan|nonsaturating|hinge}`);
// LeastSquares when it names none.
GanLoss ganLossOfRun(const std::string& runDir);

class MetricAlerts {
public:
  static constexpr double kAgreement = 0.05;
  static constexpr int kStreak = 20;
  static constexpr int kIdentityStreak = 3;
  static constexpr const char* kIdentitySuffix = "_noisy_input";

  explicit MetricAlerts(GanLoss gan = GanLoss::LeastSquares) : gan_(gan) {}

  // One message per new problem in the run's newly read records, e.g.
  // "run-a: train/loss is NaN at step 120".
  std::vector<std::string> check(const std::string& run, const std::vector<MetricsRecord>& records);
  // Forgets what was reported: the run was restarted from scratch.
  void reset();

private:
  GanLoss gan_;
  std::set<std::string> reported_;
  // Records in a row showing each condition, per discriminator prefix ("train/").
  std::map<std::string, int> stuckStreak_, overpoweredStreak_, belowIdentityStreak_;
};

} // namespace lumen
