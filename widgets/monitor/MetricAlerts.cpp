#include "monitor/MetricAlerts.h"

#include <cmath>

namespace lumen {
namespace {

const std::string kReal = "D_real";
const std::string kFake = "D_fake";

bool endsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

const char* nonFiniteName(double value) {
  if (std::isnan(value))
    return "NaN";
  return value > 0 ? "+Inf" : "-Inf";
}

} // namespace

QStringList MetricAlerts::check(const QString& run, const std::vector<MetricsRecord>& records) {
  QStringList messages;
  for (const MetricsRecord& record : records) {
    for (const auto& [name, value] : record.scalars) {
      if (name.find("loss") != std::string::npos && !std::isfinite(value) &&
          nonFiniteReported_.insert(name).second)
        messages.append(QStringLiteral("%1: %2 is %3 at step %4")
                            .arg(run, QString::fromStdString(name), nonFiniteName(value))
                            .arg(record.step));
      // "D_real" pairs with "D_fake" under the same prefix ("train/D_real" with "train/D_fake").
      if (!endsWith(name, kReal))
        continue;
      const std::string prefix = name.substr(0, name.size() - kReal.size());
      const auto fake = record.scalars.find(prefix + kFake);
      if (fake == record.scalars.end())
        continue;
      int& streak = collapseStreak_[prefix];
      const double gap = std::abs(value - fake->second);
      streak = gap < kCollapseGap ? streak + 1 : 0;
      if (streak == kCollapseRecords)
        messages.append(
            QStringLiteral("%1: possible discriminator collapse at step %2 "
                           "(|%3 - %4| < %5 for %6 records)")
                .arg(run)
                .arg(record.step)
                .arg(QString::fromStdString(name), QString::fromStdString(prefix + kFake))
                .arg(kCollapseGap)
                .arg(kCollapseRecords));
    }
  }
  return messages;
}

void MetricAlerts::reset() {
  nonFiniteReported_.clear();
  collapseStreak_.clear();
}

} // namespace lumen
