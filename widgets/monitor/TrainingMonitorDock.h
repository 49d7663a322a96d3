// The Training Monitor dock: any scalar of any run plotted live, like TensorBoard's scalars tab.
// Runs are overlaid in distinct colours, each as a faint raw curve behind its smoothed one; the
// x axis is step, epoch or relative wall time; the y axis can be logarithmic. A timer tails
// every run's metrics.jsonl, so curves grow while training writes. A NaN/Inf loss or a
// collapsing GAN discriminator raises a red banner that stays until dismissed.
#pragma once
#include <QDockWidget>
#include <QList>
#include <QPointF>
#include <QStringList>
#include <memory>
#include <vector>

class QAbstractAxis;
class QCheckBox;
class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QListWidget;
class QListWidgetItem;
class QSlider;
class QTimer;
class QValueAxis;

namespace lumen {

class TrainingMonitorDock : public QDockWidget {
  Q_OBJECT
public:
  enum class XAxis { Step, Epoch, RelativeTime };

  explicit TrainingMonitorDock(QWidget* parent = nullptr);
  ~TrainingMonitorDock() override;

  // Shows the run in runDir (a folder holding metrics.jsonl, which may not exist yet). Its
  // display name is the folder name. Adding a run that is already shown does nothing.
  void addRun(const QString& runDir);
  // Accepts the run's folder or its display name.
  void removeRun(const QString& runDirOrName);
  QStringList runNames() const;

  // Every scalar name seen across the runs, sorted.
  QStringList metricNames() const { return metricNames_; }
  QString metric() const { return metric_; }
  void setMetric(const QString& name);
  void setXAxis(XAxis axis);
  // 0 shows the raw values, 0.99 smooths heavily.
  void setSmoothing(double weight);
  double smoothing() const { return smoothing_; }
  void setLogScale(bool on);
  bool logScale() const { return logScale_; }

  // Reads what every run appended since the last poll (the timer calls it twice a second).
  void pollNow();

  // Samples of a metric loaded for a run, NaN and infinite ones included.
  int pointCount(const QString& run, const QString& metric) const;
  // The smoothed curve of a run as plotted for the current metric, x axis and scale.
  QList<QPointF> smoothedPoints(const QString& run) const;
  QList<QPointF> rawPoints(const QString& run) const;

  QString alertText() const;
  bool alertVisible() const;
  void dismissAlert();
  QWidget* alertBanner() const { return banner_; }

  QChartView* chartView() const { return chartView_; }

Q_SIGNALS:
  void alertRaised(const QString& message);

private:
  struct Run;

  Run* findRun(const QString& runDirOrName) const;
  QString uniqueName(const QString& base) const;
  QColor nextColour() const;
  void raiseAlert(const QString& message);
  void updateMetricNames();
  void rebuildCurves();
  void resetCurve(Run& run);
  void appendNewSamples(Run& run);
  double pointX(const Run& run, int64_t step, int64_t epoch, double wallTime) const;
  double chooseTimeUnit() const;
  void replaceYAxis();
  void rescaleAxes();
  void updateAxisTitles();
  void chooseRunDialog();
  void removeSelectedRuns();
  void runItemChanged(QListWidgetItem* item);

  std::vector<std::unique_ptr<Run>> runs_;
  QStringList metricNames_;
  QString metric_;
  bool metricChosen_ = false; // the user picked a metric: keep it rather than the default
  XAxis xAxis_ = XAxis::Step;
  double timeUnit_ = 1.0; // seconds per unit of the relative-time axis
  double smoothing_ = 0.6;
  bool logScale_ = false;
  QStringList alerts_;

  QWidget* banner_;
  QLabel* bannerText_;
  QComboBox* metricBox_;
  QComboBox* xAxisBox_;
  QCheckBox* logBox_;
  QSlider* smoothingSlider_;
  QLabel* smoothingValue_;
  QChart* chart_;
  QChartView* chartView_;
  QValueAxis* axisX_;
  QAbstractAxis* axisY_ = nullptr;
  QListWidget* runList_;
  QTimer* timer_;
};

} // namespace lumen
