#include "monitor/RunSource.h"

#include <QDir>

namespace lumen {

RunSource::RunSource(const QString& runDir)
    : dir_(QDir(runDir).absolutePath()),
      tail_(QDir(dir_).filePath(QStringLiteral("metrics.jsonl")).toStdString()) {}

QString RunSource::metricsPath() const {
  return QString::fromStdString(tail_.path());
}

const std::vector<MetricsRecord>& RunSource::poll() {
  fresh_ = tail_.poll();
  restarted_ = tail_.restarted();
  if (restarted_) {
    samples_.clear();
    startTime_.reset();
  }
  for (const MetricsRecord& record : fresh_) {
    if (!startTime_)
      startTime_ = record.wallTime;
    lastTime_ = record.wallTime;
    for (const auto& [name, value] : record.scalars)
      samples_[QString::fromStdString(name)].push_back(
          MetricSample{record.step, record.epoch, record.wallTime, value});
  }
  return fresh_;
}

const std::vector<MetricSample>& RunSource::samples(const QString& metric) const {
  static const std::vector<MetricSample> none;
  const auto it = samples_.find(metric);
  return it == samples_.end() ? none : it->second;
}

QStringList RunSource::metricNames() const {
  QStringList names;
  for (const auto& entry : samples_)
    names.append(entry.first);
  return names;
}

} // namespace lumen
