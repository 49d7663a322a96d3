#include "monitor/MetricSeries.h"

#include <algorithm>
#include <cmath>

namespace lumen {

EmaSmoother::EmaSmoother(double weight) : weight_(std::clamp(weight, 0.0, 0.999)) {}

double EmaSmoother::add(double value) {
  accumulated_ = accumulated_ * weight_ + (1.0 - weight_) * value;
  debias_ *= weight_;
  // accumulated_ carries (1 - weight^n) of the total weight; dividing restores an average.
  return accumulated_ / (1.0 - debias_);
}

void EmaSmoother::reset() {
  accumulated_ = 0.0;
  debias_ = 1.0;
}

QList<QPointF> smoothPoints(const QList<QPointF>& points, double weight) {
  EmaSmoother ema(weight);
  QList<QPointF> out;
  out.reserve(points.size());
  for (const QPointF& p : points)
    out.append(QPointF(p.x(), ema.add(p.y())));
  return out;
}

void Bounds::include(const QPointF& point) {
  if (empty_) {
    minX_ = maxX_ = point.x();
    minY_ = maxY_ = point.y();
    empty_ = false;
    return;
  }
  minX_ = std::min(minX_, point.x());
  maxX_ = std::max(maxX_, point.x());
  minY_ = std::min(minY_, point.y());
  maxY_ = std::max(maxY_, point.y());
}

void Bounds::include(const Bounds& other) {
  if (other.empty_)
    return;
  include(QPointF(other.minX_, other.minY_));
  include(QPointF(other.maxX_, other.maxY_));
}

AxisRange paddedLinearRange(double low, double high) {
  if (high < low)
    std::swap(low, high);
  const double span = high - low;
  // A span at rounding level (a curve's first value and its smoothed twin) is flat: ticks 1e-17
  // apart would never advance past the values, and Qt Charts would make labels forever.
  if (span <= 1e-9 * std::max(std::abs(low), std::abs(high))) {
    const double pad = low == 0.0 ? 1.0 : std::abs(low) * 0.1;
    return {low - pad, high + pad};
  }
  return {low - span * 0.05, high + span * 0.05};
}

double niceTickInterval(double span, int ticks) {
  if (!(span > 0.0) || !std::isfinite(span))
    return 1.0;
  const double raw = span / std::max(1, ticks);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double best = magnitude;
  for (double factor : {2.0, 5.0, 10.0})
    if (std::abs(std::log(raw / (factor * magnitude))) < std::abs(std::log(raw / best)))
      best = factor * magnitude;
  return best;
}

LogAxisRange paddedLogRange(double low, double high) {
  if (!(low > 0.0) || !(high > 0.0) || !std::isfinite(low) || !std::isfinite(high))
    return {1.0, 10.0, 10.0};
  if (high < low)
    std::swap(low, high);
  const double base = high / low >= 100.0 ? 10.0 : 2.0;
  // A little room first, so points on a power of the base do not sit on the frame.
  const double lowExp = std::floor(std::log(low / 1.05) / std::log(base));
  double highExp = std::ceil(std::log(high * 1.05) / std::log(base));
  if (highExp <= lowExp)
    highExp = lowExp + 1.0;
  return {std::pow(base, lowExp), std::pow(base, highExp), base};
}

} // namespace lumen
