// Voxel grids by hand: window- and event-anchored bilinear values computed on paper, the
// event_utils formula, zero time spans, hard-binned round trips, count preservation, windows.
#include "events/VoxelGrid.h"

#include <QtTest>
#include <cmath>
#include <random>

using namespace lumen;

namespace {

EventArray fourEvents() {
  EventArray e;
  e.sensor = {2, 2};
  e.push(0, 0, 0, +1);
  e.push(25, 1, 0, -1);
  e.push(75, 1, 0, +1);
  e.push(99, 0, 1, +1);
  return e;
}

// The published event_utils / E2VID voxel grid (events_to_voxel), written out independently:
// ts = (B-1)(t - t_first)/(t_last - t_first); left bin floor(ts) gets p(1-dts), right gets p dts.
std::vector<double> eventUtilsVoxel(const EventArray& e, int B) {
  std::vector<double> v(size_t(B) * e.sensor.width * e.sensor.height, 0.0);
  double deltaT = double(e.t.back() - e.t.front());
  if (deltaT == 0)
    deltaT = 1.0;
  for (size_t i = 0; i < e.size(); ++i) {
    const double ts = (B - 1) * double(e.t[i] - e.t.front()) / deltaT;
    const int tis = int(std::floor(ts));
    const double dts = ts - tis;
    const size_t pixel = size_t(e.y[i]) * e.sensor.width + e.x[i];
    const size_t plane = size_t(e.sensor.width) * e.sensor.height;
    if (tis >= 0 && tis < B)
      v[size_t(tis) * plane + pixel] += e.p[i] * (1.0 - dts);
    if (tis + 1 >= 0 && tis + 1 < B)
      v[size_t(tis + 1) * plane + pixel] += e.p[i] * dts;
  }
  return v;
}

EventArray randomEvents(int n, int w, int h, int64_t span, uint64_t seed) {
  std::mt19937_64 rng(seed);
  EventArray e;
  e.sensor = {w, h};
  std::vector<int64_t> times(static_cast<size_t>(n));
  for (auto& t : times)
    t = int64_t(rng() % uint64_t(span));
  std::sort(times.begin(), times.end());
  for (int i = 0; i < n; ++i)
    e.push(times[size_t(i)], int(rng() % uint64_t(w)), int(rng() % uint64_t(h)),
           rng() % 2 ? 1 : -1);
  return e;
}

} // namespace

class TestVoxelGrid : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void windowAnchoredValuesByHand() {
    const auto e = fourEvents();
    VoxelOptions o;
    o.bins = 3;
    const auto g = encodeVoxelGrid(e, 0, e.size(), 0, 100, o);
    // t=0 -> tn 0; t=25 -> tn 0.5; t=75 -> tn 1.5; t=99 -> tn 1.98 (tn = 2 t / 100).
    QCOMPARE(g.at(0, 0, 0), 1.0f);
    QCOMPARE(g.at(0, 0, 1), -0.5f);
    QCOMPARE(g.at(1, 0, 1), 0.0f); // -0.5 + 0.5
    QCOMPARE(g.at(2, 0, 1), 0.5f);
    QVERIFY(std::abs(g.at(1, 1, 0) - 0.02f) < 1e-6f);
    QVERIFY(std::abs(g.at(2, 1, 0) - 0.98f) < 1e-6f);
    double sum = 0;
    for (float v : g.values)
      sum += std::abs(v);
    QVERIFY(std::abs(sum - 3.0) < 1e-5); // |+1| + |-.5| + |.5| + .02 + .98
  }

  void eventAnchoredEqualsEventUtils() {
    const auto small = fourEvents();
    VoxelOptions o;
    o.bins = 3;
    o.anchor = VoxelAnchor::Events;
    const auto g = encodeVoxelGrid(small, 0, small.size(), 0, 100, o);
    // Anchored at the last event (t=99): t=25 -> tn = 2 * 25 / 99.
    QVERIFY(std::abs(g.at(0, 0, 1) - float(-(1.0 - 50.0 / 99.0))) < 1e-6f);
    QCOMPARE(g.at(2, 1, 0), 1.0f); // the last event sits exactly on the last bin

    const auto e = randomEvents(5000, 17, 11, 20000, 3);
    o.bins = 8;
    const auto grid = encodeVoxelGrid(e, 0, e.size(), 0, 20000, o);
    const auto reference = eventUtilsVoxel(e, 8);
    for (size_t i = 0; i < reference.size(); ++i)
      QVERIFY2(
          std::abs(grid.values[i] - reference[i]) < 1e-4,
          qPrintable(QString("cell %1: %2 vs %3").arg(i).arg(grid.values[i]).arg(reference[i])));
  }

  void zeroTimeSpanGivesNoNaN() {
    EventArray e;
    e.sensor = {4, 4};
    e.push(500, 1, 1, 1);
    e.push(500, 2, 3, -1);
    VoxelOptions o;
    o.anchor = VoxelAnchor::Events;
    for (auto norm : {VoxelNormalization::None, VoxelNormalization::NonzeroMeanStd,
                      VoxelNormalization::Percentile}) {
      o.normalization = norm;
      const auto g = encodeVoxelGrid(e, 0, e.size(), 0, 20000, o);
      for (float v : g.values)
        QVERIFY(std::isfinite(v));
      QVERIFY(g.at(0, 1, 1) > 0 && g.at(0, 3, 2) < 0); // everything in the first bin
    }
    const auto empty = encodeVoxelGrid(e, 0, 0, 0, 20000, o);
    QCOMPARE(float(std::accumulate(empty.values.begin(), empty.values.end(), 0.0)), 0.0f);
  }

  void hardBinningRoundTripIsExact() {
    const auto e = randomEvents(20000, 32, 24, 20000, 11);
    VoxelOptions o;
    o.hard = true;
    const auto first = encodeVoxelGrid(e, 0, e.size(), 0, 20000, o);
    DecodeOptions d;
    d.hard = true;
    for (bool jitter : {false, true}) {
      d.jitter = jitter;
      const auto decoded = decodeVoxelGrid(first, d);
      QVERIFY(std::is_sorted(decoded.t.begin(), decoded.t.end()));
      const auto second = encodeVoxelGrid(decoded, 0, decoded.size(), 0, 20000, o);
      QVERIFY(first.values == second.values);
    }
  }

  void bilinearDecodingPreservesCountsPerPixel() {
    // One polarity per pixel so nothing cancels.
    auto e = randomEvents(30000, 40, 30, 20000, 5);
    for (size_t i = 0; i < e.size(); ++i)
      e.p[i] = (e.x[i] + e.y[i]) % 2 ? 1 : -1;
    VoxelOptions o;
    const auto grid = encodeVoxelGrid(e, 0, e.size(), 0, 20000, o);
    const auto decoded = decodeVoxelGrid(grid, {});
    QCOMPARE(decoded.size(), e.size());
    std::vector<int> before(40 * 30), after(40 * 30);
    for (size_t i = 0; i < e.size(); ++i)
      before[e.y[i] * 40 + e.x[i]] += e.p[i];
    for (size_t i = 0; i < decoded.size(); ++i)
      after[decoded.y[i] * 40 + decoded.x[i]] += decoded.p[i];
    QVERIFY(before == after);
    for (auto t : decoded.t)
      QVERIFY(t >= 0 && t < 20000);
  }

  void normalisations() {
    const auto e = randomEvents(4000, 16, 16, 20000, 9);
    VoxelOptions o;
    o.normalization = VoxelNormalization::NonzeroMeanStd;
    const auto g = encodeVoxelGrid(e, 0, e.size(), 0, 20000, o);
    double sum = 0, sq = 0;
    int n = 0;
    for (float v : g.values)
      if (v != 0) {
        sum += v;
        sq += v * v;
        ++n;
      }
    QVERIFY(std::abs(sum / n) < 1e-4);
    QVERIFY(std::abs(sq / n - 1.0) < 1e-3);
    o.normalization = VoxelNormalization::Percentile;
    const auto p = encodeVoxelGrid(e, 0, e.size(), 0, 20000, o);
    QCOMPARE(*std::max_element(p.values.begin(), p.values.end()), 1.0f);
  }

  void windowsCoverTheStream() {
    EventArray e;
    e.sensor = {2, 2};
    for (int64_t t = 1000; t < 101000; t += 10)
      e.push(t, 0, 0, 1);
    auto w = segmentWindows(e, 20000);
    QCOMPARE(int(w.size()), 5); // a 100 ms file gives 5 windows
    QCOMPARE(w[0].tStart, int64_t(1000));
    QCOMPARE(w[4].end, e.size());
    e.push(101005, 1, 1, -1);
    QCOMPARE(int(segmentWindows(e, 20000).size()), 6);
    QCOMPARE(int(segmentWindows(e, 20000, std::nullopt, false).size()), 5);
    QCOMPARE(int(segmentWindows(e, 20000, int64_t(0)).size()), 6);
  }
};

QTEST_GUILESS_MAIN(TestVoxelGrid)
#include "TestVoxelGrid.moc"
