#include "monitor/TrainingMonitorDock.h"

#include "common/Log.h"
#include "monitor/MetricSeries.h"
#include "monitor/RunSource.h"
#include "train/MetricAlerts.h"

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QListWidget>
#include <QLogValueAxis>
#include <QPushButton>
#include <QSet>
#include <QSlider>
#include <QSplitter>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <iterator>

namespace lumen {

namespace {

constexpr int kPollMs = 500;
constexpr int kSliderSteps = 100; // slider position / 100 = smoothing weight, 0..0.99
constexpr int kAlertLinesShown = 5;

// Matplotlib's tab10: distinct, and readable on the chart's white background.
const QColor kPalette[] = {QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e),
                           QColor(0x2c, 0xa0, 0x2c), QColor(0xd6, 0x27, 0x28),
                           QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b),
                           QColor(0xe3, 0x77, 0xc2), QColor(0x7f, 0x7f, 0x7f),
                           QColor(0xbc, 0xbd, 0x22), QColor(0x17, 0xbe, 0xcf)};

QIcon swatch(const QColor& colour) {
  QPixmap pixmap(12, 12);
  pixmap.fill(colour);
  return QIcon(pixmap);
}

QString timeUnitName(double secondsPerUnit) {
  if (secondsPerUnit >= 3600.0)
    return QStringLiteral("h");
  if (secondsPerUnit >= 60.0)
    return QStringLiteral("min");
  return QStringLiteral("s");
}

} // namespace

struct TrainingMonitorDock::Run {
  QString name;
  std::unique_ptr<RunSource> source;
  MetricAlerts alerts;
  bool alertsScaled = false; // the run's GAN loss is read once its config.yaml exists
  QColor colour;
  QListWidgetItem* item = nullptr;
  QLineSeries* raw = nullptr;
  QLineSeries* smooth = nullptr;
  EmaSmoother ema;
  size_t consumed = 0; // samples of the shown metric already turned into points
  Bounds bounds;       // of the points plotted for this run
};

TrainingMonitorDock::TrainingMonitorDock(QWidget* parent)
    : QDockWidget(tr("Training Monitor"), parent) {
  auto* body = new QWidget(this);

  banner_ = new QWidget(body);
  banner_->setObjectName(QStringLiteral("alertBanner"));
  banner_->setAttribute(Qt::WA_StyledBackground, true);
  banner_->setStyleSheet(QStringLiteral("#alertBanner { background: #c62828; border-radius: 3px; }"
                                        "QLabel, QToolButton { color: white; font-weight: bold; }"
                                        "QToolButton { border: none; }"));
  bannerText_ = new QLabel(banner_);
  // One alert per line, unwrapped: a wrapped label's height lags behind its text in a dock.
  bannerText_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* dismiss = new QToolButton(banner_);
  dismiss->setText(QStringLiteral("✕"));
  dismiss->setToolTip(tr("Dismiss"));
  auto* bannerLayout = new QHBoxLayout(banner_);
  bannerLayout->setContentsMargins(8, 4, 4, 4);
  bannerLayout->addWidget(bannerText_, 1);
  bannerLayout->addWidget(dismiss, 0, Qt::AlignTop);
  banner_->hide();

  metricBox_ = new QComboBox(body);
  metricBox_->setMinimumContentsLength(12);
  metricBox_->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
  xAxisBox_ = new QComboBox(body);
  xAxisBox_->addItem(tr("step"), int(XAxis::Step));
  xAxisBox_->addItem(tr("epoch"), int(XAxis::Epoch));
  xAxisBox_->addItem(tr("relative time"), int(XAxis::RelativeTime));
  logBox_ = new QCheckBox(tr("Log scale"), body);
  smoothingSlider_ = new QSlider(Qt::Horizontal, body);
  smoothingSlider_->setRange(0, kSliderSteps - 1);
  smoothingSlider_->setValue(int(std::lround(smoothing_ * kSliderSteps)));
  smoothingValue_ = new QLabel(QString::number(smoothing_, 'f', 2), body);
  smoothingValue_->setMinimumWidth(smoothingValue_->fontMetrics().horizontalAdvance("0.000"));

  auto* controls = new QHBoxLayout;
  controls->addWidget(new QLabel(tr("Metric"), body));
  controls->addWidget(metricBox_, 1);
  controls->addWidget(new QLabel(tr("X axis"), body));
  controls->addWidget(xAxisBox_);
  controls->addWidget(logBox_);
  auto* smoothingRow = new QHBoxLayout;
  smoothingRow->addWidget(new QLabel(tr("Smoothing"), body));
  smoothingRow->addWidget(smoothingSlider_, 1);
  smoothingRow->addWidget(smoothingValue_);

  chart_ = new QChart;
  chart_->setAnimationOptions(QChart::NoAnimation);
  chart_->legend()->setAlignment(Qt::AlignBottom);
  chart_->setMargins(QMargins(4, 4, 4, 4));
  axisX_ = new QValueAxis(chart_);
  axisX_->setLabelFormat(QStringLiteral("%g"));
  axisX_->setTickType(QValueAxis::TicksDynamic);
  axisX_->setTickAnchor(0.0);
  chart_->addAxis(axisX_, Qt::AlignBottom);
  chartView_ = new QChartView(chart_, body);
  chartView_->setRenderHint(QPainter::Antialiasing);
  chartView_->setMinimumHeight(220);
  replaceYAxis();
  updateAxisTitles();

  runList_ = new QListWidget(body);
  runList_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  auto* addButton = new QPushButton(tr("Add run…"), body);
  auto* removeButton = new QPushButton(tr("Remove"), body);
  auto* runButtons = new QVBoxLayout;
  runButtons->addWidget(addButton);
  runButtons->addWidget(removeButton);
  runButtons->addStretch(1);
  auto* runsPane = new QWidget(body);
  auto* runsLayout = new QHBoxLayout(runsPane);
  runsLayout->setContentsMargins(0, 0, 0, 0);
  runsLayout->addWidget(runList_, 1);
  runsLayout->addLayout(runButtons);

  auto* splitter = new QSplitter(Qt::Vertical, body);
  splitter->addWidget(chartView_);
  splitter->addWidget(runsPane);
  splitter->setStretchFactor(0, 1);
  splitter->setStretchFactor(1, 0);
  splitter->setSizes({400, 90});
  splitter->setChildrenCollapsible(false);

  auto* layout = new QVBoxLayout(body);
  layout->addWidget(banner_);
  layout->addLayout(controls);
  layout->addLayout(smoothingRow);
  layout->addWidget(splitter, 1);
  setWidget(body);

  connect(dismiss, &QToolButton::clicked, this, &TrainingMonitorDock::dismissAlert);
  connect(metricBox_, &QComboBox::activated, this,
          [this](int index) { setMetric(metricBox_->itemText(index)); });
  connect(xAxisBox_, &QComboBox::currentIndexChanged, this,
          [this](int index) { setXAxis(XAxis(xAxisBox_->itemData(index).toInt())); });
  connect(logBox_, &QCheckBox::toggled, this, &TrainingMonitorDock::setLogScale);
  connect(smoothingSlider_, &QSlider::valueChanged, this,
          [this](int value) { setSmoothing(double(value) / kSliderSteps); });
  connect(runList_, &QListWidget::itemChanged, this, &TrainingMonitorDock::runItemChanged);
  connect(addButton, &QPushButton::clicked, this, &TrainingMonitorDock::chooseRunDialog);
  connect(removeButton, &QPushButton::clicked, this, &TrainingMonitorDock::removeSelectedRuns);

  timer_ = new QTimer(this);
  timer_->setInterval(kPollMs);
  connect(timer_, &QTimer::timeout, this, &TrainingMonitorDock::pollNow);
}

TrainingMonitorDock::~TrainingMonitorDock() = default;

// ---- runs ----

void TrainingMonitorDock::addRun(const QString& runDir) {
  const QString dir = QDir(runDir).absolutePath();
  if (findRun(dir))
    return;
  auto run = std::make_unique<Run>();
  run->source = std::make_unique<RunSource>(dir);
  run->name = uniqueName(QFileInfo(dir).fileName());
  run->colour = nextColour();
  run->ema = EmaSmoother(smoothing_);

  run->raw = new QLineSeries(chart_);
  run->raw->setName(run->name);
  QColor faint = run->colour;
  faint.setAlpha(70);
  run->raw->setPen(QPen(faint, 1.0));
  run->smooth = new QLineSeries(chart_);
  run->smooth->setName(run->name);
  run->smooth->setPen(QPen(run->colour, 2.0));
  for (QLineSeries* series : {run->raw, run->smooth}) {
    chart_->addSeries(series);
    series->attachAxis(axisX_);
    series->attachAxis(axisY_);
  }
  // One legend entry per run: the raw curve is its shadow.
  for (QLegendMarker* marker : chart_->legend()->markers(run->raw))
    marker->setVisible(false);

  {
    const QSignalBlocker block(runList_);
    run->item = new QListWidgetItem(swatch(run->colour), run->name, runList_);
    run->item->setFlags(run->item->flags() | Qt::ItemIsUserCheckable);
    run->item->setCheckState(Qt::Checked);
    run->item->setToolTip(dir);
  }
  runs_.push_back(std::move(run));
  timer_->start();
  pollNow();
}

void TrainingMonitorDock::removeRun(const QString& runDirOrName) {
  Run* run = findRun(runDirOrName);
  if (!run)
    return;
  chart_->removeSeries(run->raw);
  chart_->removeSeries(run->smooth);
  delete run->raw;
  delete run->smooth;
  delete run->item;
  runs_.erase(std::find_if(runs_.begin(), runs_.end(),
                           [run](const std::unique_ptr<Run>& r) { return r.get() == run; }));
  if (runs_.empty())
    timer_->stop();
  updateMetricNames();
  rescaleAxes();
}

QStringList TrainingMonitorDock::runNames() const {
  QStringList names;
  for (const auto& run : runs_)
    names.append(run->name);
  return names;
}

TrainingMonitorDock::Run* TrainingMonitorDock::findRun(const QString& runDirOrName) const {
  const QString dir = QDir(runDirOrName).absolutePath();
  for (const auto& run : runs_)
    if (run->name == runDirOrName || run->source->dir() == dir)
      return run.get();
  return nullptr;
}

QString TrainingMonitorDock::uniqueName(const QString& base) const {
  QString name = base.isEmpty() ? QStringLiteral("run") : base;
  for (int i = 2; findRun(name); ++i)
    name = QStringLiteral("%1 (%2)").arg(base).arg(i);
  return name;
}

QColor TrainingMonitorDock::nextColour() const {
  for (const QColor& colour : kPalette) {
    const bool used = std::any_of(runs_.begin(), runs_.end(), [&](const std::unique_ptr<Run>& r) {
      return r->colour == colour;
    });
    if (!used)
      return colour;
  }
  return kPalette[runs_.size() % std::size(kPalette)];
}

void TrainingMonitorDock::runItemChanged(QListWidgetItem* item) {
  for (const auto& run : runs_)
    if (run->item == item) {
      const bool shown = item->checkState() == Qt::Checked;
      run->raw->setVisible(shown);
      run->smooth->setVisible(shown);
      // Hiding a series brings its legend marker back; the raw curve must stay out of it.
      for (QLegendMarker* marker : chart_->legend()->markers(run->raw))
        marker->setVisible(false);
    }
  rescaleAxes();
}

void TrainingMonitorDock::chooseRunDialog() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Add a run folder"));
  if (!dir.isEmpty())
    addRun(dir);
}

void TrainingMonitorDock::removeSelectedRuns() {
  QStringList names;
  for (QListWidgetItem* item : runList_->selectedItems())
    names.append(item->text());
  for (const QString& name : names)
    removeRun(name);
}

// ---- polling and alerts ----

void TrainingMonitorDock::pollNow() {
  bool rebuild = false;
  for (const auto& run : runs_) {
    const auto& records = run->source->poll();
    if (run->source->restarted()) {
      run->alerts.reset();
      rebuild = true;
    }
    // A run writes config.yaml before its first metrics, so the first records know its GAN loss.
    if (!run->alertsScaled && !records.empty()) {
      run->alerts = MetricAlerts(ganLossOfRun(run->source->dir().toStdString()));
      run->alertsScaled = true;
    }
    for (const std::string& message : run->alerts.check(run->name.toStdString(), records))
      raiseAlert(QString::fromStdString(message));
  }
  const QString shown = metric_;
  updateMetricNames();
  // Wall-time units change as a run grows from seconds to hours: redraw in the new unit.
  if (xAxis_ == XAxis::RelativeTime && chooseTimeUnit() != timeUnit_)
    rebuild = true;
  if (rebuild || metric_ != shown) {
    rebuildCurves();
    return;
  }
  for (const auto& run : runs_)
    appendNewSamples(*run);
  rescaleAxes();
}

void TrainingMonitorDock::raiseAlert(const QString& message) {
  alerts_.append(message);
  const QStringList recent = alerts_.mid(std::max<qsizetype>(0, alerts_.size() - kAlertLinesShown));
  QString text = recent.join(QLatin1Char('\n'));
  if (alerts_.size() > recent.size())
    text.prepend(tr("(%1 earlier alerts)\n").arg(alerts_.size() - recent.size()));
  bannerText_->setText(text);
  banner_->show();
  logWarning(message.toStdString());
  Q_EMIT alertRaised(message);
}

QString TrainingMonitorDock::alertText() const {
  return banner_->isHidden() ? QString() : bannerText_->text();
}

bool TrainingMonitorDock::alertVisible() const {
  return !banner_->isHidden();
}

void TrainingMonitorDock::dismissAlert() {
  alerts_.clear();
  bannerText_->clear();
  banner_->hide();
}

// ---- metric, axes and smoothing choices ----

void TrainingMonitorDock::updateMetricNames() {
  QSet<QString> seen;
  for (const auto& run : runs_)
    for (const QString& name : run->source->metricNames())
      seen.insert(name);
  QStringList names(seen.begin(), seen.end());
  names.sort();
  if (names == metricNames_)
    return;
  metricNames_ = names;
  if (!metricChosen_ || metric_.isEmpty()) {
    const auto loss = std::find_if(names.begin(), names.end(), [](const QString& n) {
      return n.contains(QLatin1String("loss"));
    });
    metric_ = loss != names.end() ? *loss : names.value(0);
  }
  const QSignalBlocker block(metricBox_);
  metricBox_->clear();
  metricBox_->addItems(names);
  if (!metric_.isEmpty() && !names.contains(metric_))
    metricBox_->addItem(metric_); // chosen before any run logged it
  metricBox_->setCurrentText(metric_);
}

void TrainingMonitorDock::setMetric(const QString& name) {
  metricChosen_ = true;
  if (name == metric_)
    return;
  metric_ = name;
  {
    const QSignalBlocker block(metricBox_);
    if (metricBox_->findText(name) < 0)
      metricBox_->addItem(name);
    metricBox_->setCurrentText(name);
  }
  rebuildCurves();
}

void TrainingMonitorDock::setXAxis(XAxis axis) {
  if (axis == xAxis_)
    return;
  xAxis_ = axis;
  {
    const QSignalBlocker block(xAxisBox_);
    xAxisBox_->setCurrentIndex(xAxisBox_->findData(int(axis)));
  }
  rebuildCurves();
}

void TrainingMonitorDock::setSmoothing(double weight) {
  weight = std::clamp(weight, 0.0, 0.99);
  {
    const QSignalBlocker block(smoothingSlider_);
    smoothingSlider_->setValue(int(std::lround(weight * kSliderSteps)));
  }
  smoothingValue_->setText(QString::number(weight, 'f', 2));
  if (weight == smoothing_)
    return;
  smoothing_ = weight;
  rebuildCurves();
}

void TrainingMonitorDock::setLogScale(bool on) {
  {
    const QSignalBlocker block(logBox_);
    logBox_->setChecked(on);
  }
  if (on == logScale_)
    return;
  logScale_ = on;
  replaceYAxis();
  rebuildCurves();
}

void TrainingMonitorDock::replaceYAxis() {
  QAbstractAxis* axis = nullptr;
  if (logScale_) {
    auto* log = new QLogValueAxis(chart_);
    log->setLabelFormat(QStringLiteral("%.3g"));
    log->setMinorTickCount(-1); // the base's natural minor ticks, 2..9 per decade
    axis = log;
  } else {
    auto* linear = new QValueAxis(chart_);
    linear->setLabelFormat(QStringLiteral("%.4g"));
    linear->setTickType(QValueAxis::TicksDynamic);
    linear->setTickAnchor(0.0);
    axis = linear;
  }
  if (axisY_) {
    chart_->removeAxis(axisY_);
    delete axisY_;
  }
  axisY_ = axis;
  chart_->addAxis(axisY_, Qt::AlignLeft);
  for (QAbstractSeries* series : chart_->series())
    series->attachAxis(axisY_);
  updateAxisTitles();
}

void TrainingMonitorDock::updateAxisTitles() {
  switch (xAxis_) {
  case XAxis::Step:
    axisX_->setTitleText(tr("step"));
    break;
  case XAxis::Epoch:
    axisX_->setTitleText(tr("epoch"));
    break;
  case XAxis::RelativeTime:
    axisX_->setTitleText(tr("relative time (%1)").arg(timeUnitName(timeUnit_)));
    break;
  }
  axisY_->setTitleText(metric_.isEmpty() ? tr("value") : metric_);
}

// ---- curves ----

double TrainingMonitorDock::chooseTimeUnit() const {
  double longest = 0.0;
  for (const auto& run : runs_)
    longest = std::max(longest, run->source->duration());
  if (longest >= 2 * 3600.0)
    return 3600.0;
  if (longest >= 2 * 60.0)
    return 60.0;
  return 1.0;
}

double TrainingMonitorDock::pointX(const Run& run, int64_t step, int64_t epoch,
                                   double wallTime) const {
  switch (xAxis_) {
  case XAxis::Epoch:
    return double(epoch);
  case XAxis::RelativeTime:
    return (wallTime - run.source->startTime()) / timeUnit_;
  case XAxis::Step:
    break;
  }
  return double(step);
}

void TrainingMonitorDock::rebuildCurves() {
  timeUnit_ = chooseTimeUnit();
  for (const auto& run : runs_) {
    resetCurve(*run);
    appendNewSamples(*run);
  }
  updateAxisTitles();
  rescaleAxes();
}

void TrainingMonitorDock::resetCurve(Run& run) {
  run.raw->clear();
  run.smooth->clear();
  run.ema = EmaSmoother(smoothing_);
  run.consumed = 0;
  run.bounds = Bounds();
}

void TrainingMonitorDock::appendNewSamples(Run& run) {
  const std::vector<MetricSample>& samples = run.source->samples(metric_);
  if (run.consumed >= samples.size())
    return;
  QList<QPointF> raw, smooth;
  for (size_t i = run.consumed; i < samples.size(); ++i) {
    const MetricSample& s = samples[i];
    // A NaN or infinite point would stretch the axes to nothing; the alert banner reports it.
    if (!std::isfinite(s.value))
      continue;
    const double x = pointX(run, s.step, s.epoch, s.wallTime);
    const QPointF rawPoint(x, s.value);
    const QPointF smoothPoint(x, run.ema.add(s.value));
    // A log axis cannot place zero or negative values; the rest of the curve still shows.
    if (!logScale_ || rawPoint.y() > 0) {
      raw.append(rawPoint);
      run.bounds.include(rawPoint);
    }
    if (!logScale_ || smoothPoint.y() > 0) {
      smooth.append(smoothPoint);
      run.bounds.include(smoothPoint);
    }
  }
  run.consumed = samples.size();
  run.raw->append(raw);
  run.smooth->append(smooth);
}

void TrainingMonitorDock::rescaleAxes() {
  Bounds all;
  for (const auto& run : runs_)
    if (run->smooth->isVisible())
      all.include(run->bounds);
  if (all.isEmpty()) {
    all.include(QPointF(0.0, logScale_ ? 1.0 : 0.0));
    all.include(QPointF(1.0, logScale_ ? 10.0 : 1.0));
  }
  const AxisRange x = all.maxX() > all.minX() ? AxisRange{all.minX(), all.maxX()}
                                              : paddedLinearRange(all.minX(), all.maxX());
  // The x axis ends at the data, as TensorBoard's does; ticks fall on round numbers.
  axisX_->setRange(x.low, x.high);
  axisX_->setTickInterval(niceTickInterval(x.high - x.low));
  if (logScale_) {
    const LogAxisRange y = paddedLogRange(all.minY(), all.maxY());
    auto* log = static_cast<QLogValueAxis*>(axisY_);
    log->setBase(y.base);
    log->setRange(y.low, y.high);
  } else {
    const AxisRange y = paddedLinearRange(all.minY(), all.maxY());
    auto* linear = static_cast<QValueAxis*>(axisY_);
    linear->setRange(y.low, y.high);
    linear->setTickInterval(niceTickInterval(y.high - y.low));
  }
}

// ---- test and automation hooks ----

int TrainingMonitorDock::pointCount(const QString& run, const QString& metric) const {
  const Run* r = findRun(run);
  return r ? int(r->source->samples(metric).size()) : 0;
}

QList<QPointF> TrainingMonitorDock::smoothedPoints(const QString& run) const {
  const Run* r = findRun(run);
  return r ? r->smooth->points() : QList<QPointF>();
}

QList<QPointF> TrainingMonitorDock::rawPoints(const QString& run) const {
  const Run* r = findRun(run);
  return r ? r->raw->points() : QList<QPointF>();
}

} // namespace lumen
