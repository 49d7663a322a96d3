// Spots the failures a researcher wants to hear about at once rather than find in a plot hours
// later: a loss that became NaN or infinite, and a GAN discriminator that stopped telling real
// from fake (D_real and D_fake within 0.05 of each other for 20 records in a row).
#pragma once
#include "train/MetricsLog.h"

#include <QStringList>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace lumen {

class MetricAlerts {
public:
  static constexpr double kCollapseGap = 0.05;
  static constexpr int kCollapseRecords = 20;

  // Returns one message per new problem found in the run's newly read records, e.g.
  // "run-a: train/loss is NaN at step 120". Each problem is reported once, not on every record
  // that still shows it.
  QStringList check(const QString& run, const std::vector<MetricsRecord>& records);
  // Forgets what was reported: the run was restarted from scratch.
  void reset();

private:
  std::set<std::string> nonFiniteReported_;
  // Consecutive close records per discriminator (keyed by the name prefix before "D_real").
  std::map<std::string, int> collapseStreak_;
};

} // namespace lumen
