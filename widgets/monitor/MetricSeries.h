// Pure helpers behind the Training Monitor's curves: TensorBoard's debiased exponential moving
// average and the bounding box the axes are fitted to. No widgets, so they are cheap to test.
#pragma once
#include <QList>
#include <QPointF>

namespace lumen {

// TensorBoard's smoothing: an exponential moving average divided by (1 - weight^n), so the
// first points are not dragged towards zero. weight 0 returns the raw values unchanged.
class EmaSmoother {
public:
  // weight is clamped to [0, 0.999]: at 1 the average would never move.
  explicit EmaSmoother(double weight = 0.0);
  double weight() const { return weight_; }
  // Feeds one finite value and returns its smoothed value.
  double add(double value);
  void reset();

private:
  double weight_;
  double accumulated_ = 0.0;
  double debias_ = 1.0; // weight^n
};

// Smooths the y values of a whole series (x is kept).
QList<QPointF> smoothPoints(const QList<QPointF>& points, double weight);

// The extent of the points plotted so far; grows as points arrive.
class Bounds {
public:
  void include(const QPointF& point);
  void include(const Bounds& other);
  bool isEmpty() const { return empty_; }
  double minX() const { return minX_; }
  double maxX() const { return maxX_; }
  double minY() const { return minY_; }
  double maxY() const { return maxY_; }

private:
  bool empty_ = true;
  double minX_ = 0, maxX_ = 0, minY_ = 0, maxY_ = 0;
};

// An axis range around [low, high] with a margin, never empty (a flat curve still gets a band).
struct AxisRange {
  double low;
  double high;
};
AxisRange paddedLinearRange(double low, double high);
// A round tick spacing (1, 2 or 5 times a power of ten) giving about `ticks` intervals over
// span, so labels read 0, 20, 40... rather than 0, 23.8, 47.6...
double niceTickInterval(double span, int ticks = 5);
// A log axis labels only powers of its base: base 10 when the data spans two decades or more,
// base 2 otherwise (0.5, 1, 2, 4 rather than a single "1"). Ends are powers of the base just
// outside the data, both strictly positive.
struct LogAxisRange {
  double low;
  double high;
  double base;
};
LogAxisRange paddedLogRange(double low, double high);

} // namespace lumen
