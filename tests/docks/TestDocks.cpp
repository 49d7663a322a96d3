// The main window's docks against real files and real threads: the Training Monitor follows a
// growing metrics.jsonl and raises alerts, the Jobs dock cancels a running job, the Log dock
// shows records logged from worker threads. Set LUMEN_SCREENSHOT_DIR to keep PNGs of the docks.
#include "TestSupport.h"
#include "common/Error.h"
#include "common/JobPool.h"
#include "common/Log.h"
#include "jobs/JobsDock.h"
#include "log/LogDock.h"
#include "monitor/MetricSeries.h"
#include "monitor/TrainingMonitorDock.h"
#include "train/MetricsLog.h"

#include <QAbstractAxis>
#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTextBlock>
#include <QToolButton>
#include <QValueAxis>
#include <QtTest>
#include <atomic>
#include <cmath>
#include <fstream>
#include <random>
#include <thread>

using namespace lumen;
using namespace std::chrono_literals;

namespace {

MetricsRecord record(int64_t step, std::map<std::string, double> scalars) {
  MetricsRecord r;
  r.step = step;
  r.epoch = step / 50;
  r.wallTime = 1.7e9 + double(step) * 2.0;
  r.scalars = std::move(scalars);
  return r;
}

// A loss curve as training makes it: decaying, with batch-to-batch noise.
double noisyLoss(int64_t step, std::mt19937& rng, double scale = 1.0) {
  std::normal_distribution<double> noise(0.0, 0.08);
  return scale * (0.15 + 2.0 / (1.0 + 0.03 * double(step))) * (1.0 + noise(rng));
}

void appendRaw(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << text;
}

double variance(const QList<QPointF>& points) {
  double mean = 0;
  for (const QPointF& p : points)
    mean += p.y();
  mean /= double(points.size());
  double sum = 0;
  for (const QPointF& p : points)
    sum += (p.y() - mean) * (p.y() - mean);
  return sum / double(points.size());
}

// QtCharts lays out axes and legends in deferred events: let them run before looking.
void settle() {
  QTest::qWait(100);
}

void saveScreenshot(QWidget& widget, const QString& name) {
  const QString dir = qEnvironmentVariable("LUMEN_SCREENSHOT_DIR");
  if (!dir.isEmpty())
    QVERIFY(widget.grab().save(QDir(dir).filePath(name)));
}

// A run's smoothed curve (in the legend) or its raw shadow (not in it). Needs a shown chart.
QLineSeries* seriesNamed(QChart* chart, const QString& name, bool inLegend) {
  for (QAbstractSeries* s : chart->series()) {
    if (s->name() != name)
      continue;
    const auto markers = chart->legend()->markers(s);
    if (!markers.isEmpty() && markers.first()->isVisible() == inLegend)
      return qobject_cast<QLineSeries*>(s);
  }
  return nullptr;
}

int reddishPixels(const QImage& image, const QRect& rect) {
  int count = 0;
  for (int y = rect.top(); y <= rect.bottom(); ++y)
    for (int x = rect.left(); x <= rect.right(); ++x) {
      const QColor c = image.pixelColor(x, y);
      if (c.red() > 150 && c.green() < 90 && c.blue() < 90)
        ++count;
    }
  return count;
}

} // namespace

class TestDocks : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void smootherIsDebiasedEma() {
    // The first smoothed value is the first raw value (the debiasing), later ones lag.
    const QList<QPointF> raw = {{0, 1.0}, {1, 3.0}, {2, 3.0}};
    const QList<QPointF> smooth = smoothPoints(raw, 0.5);
    QCOMPARE(smooth[0].y(), 1.0);
    QCOMPARE(smooth[1].y(), (0.25 * 1.0 + 0.5 * 3.0) / 0.75);
    QVERIFY(smooth[2].y() < 3.0 && smooth[2].y() > smooth[1].y());
    QCOMPARE(smoothPoints(raw, 0.0), raw);
  }

  void axisRangesAreReadable() {
    QCOMPARE(niceTickInterval(120.0), 20.0);
    QCOMPARE(niceTickInterval(1.0), 0.2);
    QCOMPARE(niceTickInterval(0.0), 1.0);
    const LogAxisRange narrow = paddedLogRange(0.55, 3.0);
    QCOMPARE(narrow.base, 2.0);
    QVERIFY(narrow.low <= 0.5 && narrow.high >= 3.0 && narrow.high <= 4.0);
    const LogAxisRange wide = paddedLogRange(1e-4, 2.0);
    QCOMPARE(wide.base, 10.0);
    QVERIFY(qFuzzyCompare(wide.low, 1e-5) && qFuzzyCompare(wide.high, 10.0));
    QCOMPARE(paddedLogRange(-1.0, 0.0).low, 1.0); // nothing positive: still a valid axis
  }

  void monitorFollowsGrowingFile() {
    const std::string dir = test::freshDir("docks/grow/run-a");
    const std::string path = dir + "/metrics.jsonl";
    MetricsWriter writer(path);
    for (int64_t step = 0; step < 10; ++step)
      writer.append(record(step, {{"train/loss", 1.0 / double(step + 1)}, {"lr", 1e-3}}));

    TrainingMonitorDock dock;
    dock.addRun(QString::fromStdString(dir));
    dock.pollNow();
    QCOMPARE(dock.runNames(), QStringList{"run-a"});
    QCOMPARE(dock.pointCount("run-a", "train/loss"), 10);
    QCOMPARE(dock.metricNames(), (QStringList{"lr", "train/loss"}));
    QCOMPARE(dock.metric(), QString("train/loss")); // the first name containing "loss"

    for (int64_t step = 10; step < 15; ++step)
      writer.append(record(step, {{"train/loss", 0.05}, {"lr", 1e-3}}));
    appendRaw(path, "{\"step\": 15, \"epoch\": 0, \"wall_time\": 1700000030.0, \"train/lo");
    dock.pollNow();
    QCOMPARE(dock.pointCount("run-a", "train/loss"), 15);
    QCOMPARE(dock.rawPoints("run-a").size(), 15);

    appendRaw(path, "ss\": 0.04}\n");
    dock.pollNow();
    QCOMPARE(dock.pointCount("run-a", "train/loss"), 16);
    const QList<QPointF> raw = dock.rawPoints("run-a");
    QCOMPARE(raw.size(), 16);
    QCOMPARE(raw.last(), QPointF(15.0, 0.04));
    // The axes follow the data.
    auto* x = qobject_cast<QValueAxis*>(dock.chartView()->chart()->axes(Qt::Horizontal).first());
    QVERIFY(x->min() <= 0.0 && x->max() >= 15.0);

    // The timer polls on its own: a record written now shows up without pollNow().
    writer.append(record(16, {{"train/loss", 0.03}}));
    QTRY_COMPARE_WITH_TIMEOUT(dock.pointCount("run-a", "train/loss"), 17, 3000);
  }

  void monitorOverlaysRuns() {
    const std::string dirA = test::freshDir("docks/overlay/run-a");
    const std::string dirB = test::freshDir("docks/overlay/run-b");
    std::mt19937 rng(7);
    {
      MetricsWriter a(dirA + "/metrics.jsonl");
      MetricsWriter b(dirB + "/metrics.jsonl");
      for (int64_t step = 0; step < 40; ++step) {
        a.append(record(step, {{"train/loss", noisyLoss(step, rng)}}));
        b.append(record(step, {{"train/loss", noisyLoss(step, rng, 1.3)},
                               {"val/loss", noisyLoss(step, rng, 1.5)}}));
      }
    }
    TrainingMonitorDock dock;
    dock.resize(800, 600);
    dock.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dock));
    dock.addRun(QString::fromStdString(dirA));
    dock.addRun(QString::fromStdString(dirB));
    dock.addRun(QString::fromStdString(dirA)); // already shown: ignored
    settle();
    QCOMPARE(dock.runNames(), (QStringList{"run-a", "run-b"}));
    QCOMPARE(dock.metricNames(), (QStringList{"train/loss", "val/loss"}));

    QChart* chart = dock.chartView()->chart();
    QLineSeries* a = seriesNamed(chart, "run-a", true);
    QLineSeries* b = seriesNamed(chart, "run-b", true);
    QVERIFY(a && b);
    QVERIFY(a->pen().color() != b->pen().color());
    QCOMPARE(a->count(), 40);
    QCOMPARE(b->count(), 40);
    // Each run also has its faint raw curve, kept out of the legend.
    QVERIFY(seriesNamed(chart, "run-a", false));
    int legendEntries = 0;
    for (QLegendMarker* marker : chart->legend()->markers())
      legendEntries += marker->isVisible() ? 1 : 0;
    QCOMPARE(legendEntries, 2);

    dock.setMetric("val/loss");
    QCOMPARE(dock.smoothedPoints("run-a").size(), 0);
    QCOMPARE(dock.smoothedPoints("run-b").size(), 40);

    dock.removeRun("run-a");
    QCOMPARE(dock.runNames(), QStringList{"run-b"});
    QCOMPARE(chart->series().size(), 2);
  }

  void smoothingAndLogScale() {
    const std::string dir = test::freshDir("docks/smooth/noisy");
    {
      MetricsWriter writer(dir + "/metrics.jsonl");
      std::mt19937 rng(3);
      std::uniform_real_distribution<double> noise(-0.5, 0.5);
      for (int64_t step = 0; step < 200; ++step)
        writer.append(
            record(step, {{"train/loss", 1.0 + noise(rng)}, {"score", double(step % 5) - 2.0}}));
    }
    TrainingMonitorDock dock;
    dock.addRun(QString::fromStdString(dir));
    dock.setSmoothing(0.0);
    QCOMPARE(dock.smoothedPoints("noisy"), dock.rawPoints("noisy"));
    dock.setSmoothing(0.9);
    const QList<QPointF> smooth = dock.smoothedPoints("noisy");
    const QList<QPointF> raw = dock.rawPoints("noisy");
    QCOMPARE(smooth.size(), 200);
    QVERIFY2(variance(smooth) < 0.5 * variance(raw),
             qPrintable(QString("smoothed %1 vs raw %2").arg(variance(smooth)).arg(variance(raw))));

    QChart* chart = dock.chartView()->chart();
    QCOMPARE(chart->axes(Qt::Vertical).first()->type(), QAbstractAxis::AxisTypeValue);
    dock.setLogScale(true);
    QCOMPARE(chart->axes(Qt::Vertical).size(), 1);
    QAbstractAxis* logAxis = chart->axes(Qt::Vertical).first();
    QCOMPARE(logAxis->type(), QAbstractAxis::AxisTypeLogValue);
    for (QAbstractSeries* series : chart->series())
      QVERIFY(series->attachedAxes().contains(logAxis));

    // "score" cycles -2..2: on a log axis only the positive values (1 and 2) are drawn.
    dock.setSmoothing(0.0);
    dock.setMetric("score");
    QCOMPARE(dock.rawPoints("noisy").size(), 80);
    auto* log = qobject_cast<QLogValueAxis*>(logAxis);
    QVERIFY(log->min() > 0.0 && log->min() <= 1.0 && log->max() >= 2.0);
    QCOMPARE(log->base(), 2.0);

    dock.setLogScale(false);
    QCOMPARE(chart->axes(Qt::Vertical).first()->type(), QAbstractAxis::AxisTypeValue);
    QCOMPARE(dock.rawPoints("noisy").size(), 200);

    dock.setXAxis(TrainingMonitorDock::XAxis::Epoch);
    QCOMPARE(dock.rawPoints("noisy").last().x(), 3.0); // step 199 is in epoch 3
    dock.setXAxis(TrainingMonitorDock::XAxis::RelativeTime);
    // 199 steps of 2 s are 6.6 minutes: the axis counts minutes.
    QCOMPARE(dock.rawPoints("noisy").last().x(), 199 * 2.0 / 60.0);
    QVERIFY(qobject_cast<QValueAxis*>(chart->axes(Qt::Horizontal).first())
                ->titleText()
                .contains("min"));
  }

  void nonFiniteLossRaisesAlert() {
    const std::string dirA = test::freshDir("docks/alert/baseline");
    const std::string dirB = test::freshDir("docks/alert/run-a");
    std::mt19937 rng(11);
    MetricsWriter a(dirA + "/metrics.jsonl");
    MetricsWriter b(dirB + "/metrics.jsonl");
    for (int64_t step = 0; step < 120; ++step) {
      a.append(record(step, {{"train/loss", noisyLoss(step, rng)}, {"lr", 1e-3}}));
      b.append(record(step, {{"train/loss", noisyLoss(step, rng, 1.4)}, {"lr", 3e-3}}));
    }
    TrainingMonitorDock dock;
    QSignalSpy spy(&dock, &TrainingMonitorDock::alertRaised);
    dock.resize(900, 650);
    dock.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dock));
    dock.addRun(QString::fromStdString(dirA));
    dock.addRun(QString::fromStdString(dirB));
    dock.setSmoothing(0.6);
    QVERIFY(!dock.alertVisible());

    b.append(record(120, {{"train/loss", std::nan("")}, {"val/loss", INFINITY}, {"lr", 3e-3}}));
    dock.pollNow();
    QVERIFY(dock.alertVisible());
    QCOMPARE(spy.count(), 2);
    QVERIFY2(dock.alertText().contains("run-a: train/loss is NaN at step 120"),
             qPrintable(dock.alertText()));
    QVERIFY2(dock.alertText().contains("run-a: val/loss is +Inf at step 120"),
             qPrintable(dock.alertText()));
    // The NaN is loaded but not drawn.
    QCOMPARE(dock.pointCount("run-a", "train/loss"), 121);
    QCOMPARE(dock.rawPoints("run-a").size(), 120);
    for (const QPointF& p : dock.smoothedPoints("run-a"))
      QVERIFY(std::isfinite(p.y()));

    // A loss that stays NaN is reported once, not on every record.
    b.append(record(121, {{"train/loss", std::nan("")}}));
    dock.pollNow();
    QCOMPARE(spy.count(), 2);

    settle();
    const QImage image = dock.grab().toImage();
    saveScreenshot(dock, "training_monitor.png");
    QWidget* banner = dock.alertBanner();
    const QRect area(banner->mapTo(&dock, QPoint(0, 0)), banner->size());
    QVERIFY(area.height() > 10);
    const QRect pixels(area.topLeft() * image.devicePixelRatio(),
                       area.size() * image.devicePixelRatio());
    const int red = reddishPixels(image, pixels);
    QVERIFY2(
        red > pixels.width() * pixels.height() / 3,
        qPrintable(QString("%1 red pixels of %2").arg(red).arg(pixels.width() * pixels.height())));

    QToolButton* close = banner->findChild<QToolButton*>();
    QVERIFY(close);
    QTest::mouseClick(close, Qt::LeftButton);
    QVERIFY(!dock.alertVisible());
    QVERIFY(dock.alertText().isEmpty());

    // Swapping the y axis keeps one legend entry per run (raw shadows stay out of it).
    dock.setLogScale(true);
    settle();
    int legendEntries = 0;
    for (QLegendMarker* marker : dock.chartView()->chart()->legend()->markers())
      legendEntries += marker->isVisible() ? 1 : 0;
    QCOMPARE(legendEntries, 2);
    saveScreenshot(dock, "training_monitor_log.png");
  }

  void discriminatorCollapseRaisesAlert() {
    // A healthy equilibrium (both near 0.5) never alerts however long it lasts; a discriminator
    // stuck at one constant away from it (the seed's 0.749) does, once, after 20 records.
    const std::string dir = test::freshDir("docks/gan/gan-1");
    MetricsWriter writer(dir + "/metrics.jsonl");
    for (int64_t step = 0; step < 10; ++step)
      writer.append(record(step, {{"D_real", 0.9}, {"D_fake", 0.1}, {"G_loss", 2.0}}));
    for (int64_t step = 10; step < 60; ++step)
      writer.append(record(step, {{"D_real", 0.50}, {"D_fake", 0.52}, {"G_loss", 0.7}}));
    for (int64_t step = 60; step < 79; ++step)
      writer.append(record(step, {{"D_real", 0.749}, {"D_fake", 0.748}, {"G_loss", 0.7}}));
    TrainingMonitorDock dock;
    QSignalSpy spy(&dock, &TrainingMonitorDock::alertRaised);
    dock.addRun(QString::fromStdString(dir));
    QVERIFY(!dock.alertVisible()); // equilibrium, then 19 stuck records: not yet
    writer.append(record(79, {{"D_real", 0.749}, {"D_fake", 0.749}, {"G_loss", 0.7}}));
    dock.pollNow();
    QCOMPARE(spy.count(), 1);
    QVERIFY2(dock.alertText().contains("gan-1: discriminator collapse at step 79: D_real = 0.749"),
             qPrintable(dock.alertText()));
    writer.append(record(80, {{"D_real", 0.749}, {"D_fake", 0.749}, {"G_loss", 0.7}}));
    dock.pollNow();
    QCOMPARE(spy.count(), 1); // reported once
  }

  void overpoweredDiscriminatorOnItsLossScale() {
    // Hinge scores: 0.9 / 0.1 is no victory there (margins are 1 and -1), 1.5 / -1.5 is.
    const std::string dir = test::freshDir("docks/gan/hinge-run");
    test::writeText(dir + "/config.yaml", "gan:\n  loss: hinge\n");
    MetricsWriter writer(dir + "/metrics.jsonl");
    for (int64_t step = 0; step < 30; ++step)
      writer.append(record(step, {{"train/D_real", 0.9}, {"train/D_fake", 0.1}}));
    TrainingMonitorDock dock;
    QSignalSpy spy(&dock, &TrainingMonitorDock::alertRaised);
    dock.addRun(QString::fromStdString(dir));
    QCOMPARE(spy.count(), 0);
    for (int64_t step = 30; step < 50; ++step)
      writer.append(record(step, {{"train/D_real", 1.5}, {"train/D_fake", -1.5}}));
    dock.pollNow();
    QCOMPARE(spy.count(), 1);
    QVERIFY2(dock.alertText().contains("the discriminator overpowers the generator at step 49"),
             qPrintable(dock.alertText()));
  }

  void cancelButtonStopsRunningJob() {
    std::atomic<double> sum{0.0}; // outlives the pool, which joins the job even if a check fails
    JobPool pool(2);
    JobsDock dock;
    QSignalSpy finished(&dock, &JobsDock::jobFinished);
    dock.resize(900, 250);
    dock.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dock));

    JobPtr job = dock.run(pool, "Sum numbers", [&](Job& j) {
      const auto start = std::chrono::steady_clock::now();
      const auto limit = 30s;
      double total = 0;
      for (int64_t chunk = 0;; ++chunk) {
        const auto elapsed = std::chrono::steady_clock::now() - start;
        if (elapsed > limit)
          break;
        for (int64_t i = 0; i < 20000; ++i)
          total += std::sqrt(double(chunk * 20000 + i));
        sum = total;
        j.checkCancelled();
        j.setProgress(std::chrono::duration<double>(elapsed) / limit,
                      "summing chunk " + std::to_string(chunk));
      }
    });
    QCOMPARE(dock.rowCount(), 1);
    QTRY_COMPARE(job->state(), JobState::Running);
    QTRY_VERIFY(dock.stageText(0).startsWith("summing chunk"));
    QTRY_VERIFY_WITH_TIMEOUT(dock.etaText(0).startsWith("ETA "), 3000);
    QVERIFY(dock.progressBar(0)->value() > 0);
    QVERIFY(dock.cancelButton(0)->isEnabled());
    saveScreenshot(dock, "jobs_running.png");

    QElapsedTimer clock;
    clock.start();
    QTest::mouseClick(dock.cancelButton(0), Qt::LeftButton);
    QVERIFY(job->wait(1000ms));
    QVERIFY2(clock.elapsed() < 1000, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(job->state(), JobState::Cancelled);
    QVERIFY(sum > 0.0);

    QTRY_COMPARE(dock.stateText(0), QString("cancelled"));
    QVERIFY(!dock.cancelButton(0)->isEnabled());
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished[0][0].toString(), QString("Sum numbers"));
    QCOMPARE(finished[0][1].toInt(), int(JobState::Cancelled));
    // Stays reported once, however long the dock keeps polling.
    QTest::qWait(300);
    QCOMPARE(finished.count(), 1);
  }

  void failedJobShowsItsError() {
    JobPool pool(1);
    JobsDock dock;
    QSignalSpy finished(&dock, &JobsDock::jobFinished);
    dock.resize(900, 250);
    dock.show();
    dock.run(pool, "Import volume", [](Job& j) {
      j.setProgress(0.3, "reading header");
      throw InputError("spacing must be positive, got -1 in scan.nii.gz");
    });
    JobPtr ok = dock.run(pool, "Quick job", [](Job& j) { j.setProgress(0.5, "half way"); });
    QTRY_COMPARE(dock.stateText(0), QString("failed"));
    QTRY_COMPARE(dock.stateText(1), QString("done"));
    const QString message = "spacing must be positive, got -1 in scan.nii.gz";
    QCOMPARE(dock.stageText(0), message);
    QCOMPARE(dock.table()->item(0, 0)->toolTip(), message);
    const QColor colour = dock.table()->item(0, 2)->foreground().color();
    QVERIFY(colour.red() > 150 && colour.green() < 100);
    QVERIFY(!dock.cancelButton(0)->isEnabled());
    QCOMPARE(dock.progressBar(1)->value(), dock.progressBar(1)->maximum());
    QCOMPARE(finished.count(), 2);
    QCOMPARE(finished[0][1].toInt(), int(JobState::Failed));
    QVERIFY(finished[0][2].toString().contains(message));
    saveScreenshot(dock, "jobs_finished.png");

    for (QPushButton* button : dock.findChildren<QPushButton*>())
      if (button->text() == "Clear finished")
        QTest::mouseClick(button, Qt::LeftButton);
    QCOMPARE(dock.rowCount(), 0);
  }

  void formatsDurations() {
    QCOMPARE(formatDuration(7.2), std::string("0:07"));
    QCOMPARE(formatDuration(83), std::string("1:23"));
    QCOMPARE(formatDuration(3723), std::string("1:02:03"));
  }

  void logDockShowsRecordsFromOtherThreads() {
    auto dock = std::make_unique<LogDock>();
    dock->resize(700, 300);
    dock->show();
    std::thread worker([] {
      logWarning("disk almost full on worker ", 7);
      logError("worker failed to open scan.nii");
      logInfo("worker says hello");
    });
    worker.join();
    QTRY_VERIFY(dock->plainText().contains("worker says hello"));
    QVERIFY(dock->plainText().contains("[warning] disk almost full on worker 7"));

    // Warnings orange, errors red.
    auto colourOf = [&](const QString& needle) {
      for (QTextBlock b = dock->textEdit()->document()->begin(); b.isValid(); b = b.next())
        if (b.text().contains(needle))
          return b.begin().fragment().charFormat().foreground().color();
      return QColor();
    };
    const QColor warning = colourOf("disk almost full");
    const QColor error = colourOf("failed to open");
    QVERIFY(warning.red() > 200 && warning.green() > 80 && warning.green() < 180);
    QVERIFY(error.red() > 180 && error.green() < 80);
    saveScreenshot(*dock, "log.png");

    dock->setLevel(LogLevel::Error);
    QVERIFY(!dock->plainText().contains("disk almost full"));
    QVERIFY(dock->plainText().contains("failed to open"));
    dock->setLevel(LogLevel::Info);
    QVERIFY(dock->plainText().contains("disk almost full"));

    // Many threads at once: every record arrives, none twice.
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([t] {
        for (int i = 0; i < 250; ++i)
          logInfo("burst ", t, ":", i);
      });
    for (auto& t : threads)
      t.join();
    QTRY_COMPARE(dock->plainText().count("burst "), 1000);

    dock->clear();
    QVERIFY(dock->plainText().isEmpty());
    dock.reset();
    logInfo("after the dock is gone"); // its sink was removed: nothing to call
  }
};

QTEST_MAIN(TestDocks)
#include "TestDocks.moc"
