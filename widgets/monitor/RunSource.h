// One run shown in the Training Monitor: tails its metrics.jsonl and keeps every scalar's samples
// in memory, so switching metric or x axis never re-reads the file.
#pragma once
#include "train/MetricsLog.h"

#include <QString>
#include <QStringList>
#include <map>
#include <optional>
#include <vector>

namespace lumen {

struct MetricSample {
  int64_t step = 0;
  int64_t epoch = 0;
  double wallTime = 0.0;
  double value = 0.0; // may be NaN or infinite: the monitor decides what to draw
};

class RunSource {
public:
  explicit RunSource(const QString& runDir);

  const QString& dir() const { return dir_; }
  QString metricsPath() const;

  // Loads the records appended since the last call and returns them. When the file was
  // rewritten from the start (a run restarted in place) the old samples are dropped first and
  // restarted() is true until the next poll.
  const std::vector<MetricsRecord>& poll();
  bool restarted() const { return restarted_; }

  // Every sample of one scalar in file order; empty for a name never seen.
  const std::vector<MetricSample>& samples(const QString& metric) const;
  QStringList metricNames() const;
  // Wall time of the run's first record: the origin of the "relative time" axis.
  double startTime() const { return startTime_.value_or(0.0); }
  // Seconds from the first to the latest record.
  double duration() const { return lastTime_ - startTime(); }

private:
  QString dir_;
  MetricsTail tail_;
  std::vector<MetricsRecord> fresh_;
  std::map<QString, std::vector<MetricSample>> samples_;
  std::optional<double> startTime_;
  double lastTime_ = 0.0;
  bool restarted_ = false;
};

} // namespace lumen
