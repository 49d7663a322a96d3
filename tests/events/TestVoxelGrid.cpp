// Voxel grids by hand: window- and event-anchored bilinear values computed on paper, the
// event_utils formula, zero time spans, hard-binned round trips, count preservation, windows;
// and the bounds on what files and options can ask for: extreme timestamps, window counts, grid
// shapes, non-finite values and grids that would decode into billions of events.
#include "TestSupport.h"
#include "common/Error.h"
#include "events/EventFile.h"
#include "events/VoxelFile.h"
#include "events/VoxelGrid.h"
#include "support/QtStdString.h"

#include <QtTest>
#include <algorithm>
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

template <class Body> std::string inputErrorOf(Body body) {
  try {
    body();
  } catch (const InputError& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("<not an InputError> ") + e.what();
  }
  return "<no error>";
}

#define QVERIFY_CONTAINS(text, part)                                                               \
  QVERIFY2(std::string(text).find(part) != std::string::npos, std::string(text).c_str())

EventArray twoEvents(int64_t first, int64_t last) {
  EventArray e;
  e.sensor = {4, 4};
  e.push(first, 0, 0, 1);
  e.push(last, 1, 1, -1);
  return e;
}

// A voxel file as `events encode` writes it, with the shapes and values given.
void writeVoxelFile(const std::string& path, const std::vector<float>& voxels,
                    const std::vector<uint64_t>& voxelShape, const std::vector<int64_t>& windows,
                    const std::vector<uint64_t>& windowShape) {
  auto f = Hdf5File::create(path);
  f.write("/voxels", voxels, voxelShape);
  f.write("/windows", windows, windowShape);
}

// A chunked dataset of the given shape with nothing written: a file of a few kB that claims
// any size.
void addEmptyDataset(const std::string& path, const char* name, hid_t type,
                     const std::vector<hsize_t>& dims) {
  H5Id file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose);
  H5Id space(H5Screate_simple(int(dims.size()), dims.data(), nullptr), H5Sclose);
  H5Id plist(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  const std::vector<hsize_t> chunk(dims.size(), 1);
  H5Pset_chunk(plist.get(), int(chunk.size()), chunk.data());
  H5Id set(H5Dcreate2(file.get(), name, type, space.get(), H5P_DEFAULT, plist.get(), H5P_DEFAULT),
           H5Dclose);
  QVERIFY(set.valid());
}

// The first microsecond of hard bin b over offsets 0..span: ceil(b span / B), the integer rule
// b = floor(B d / span) solved for d.
int64_t hardBinStart(int b, int bins, int64_t span) {
  return (int64_t(b) * span + bins - 1) / bins;
}

// The span in [from, from + 2000) with the most bin edges that the float formula
// floor(d * (B / span)) puts in the bin before, as encoding computed it: those are the edges a
// round trip must survive. (30152 µs over 8 bins has seven.)
int64_t spanWhereFloatBinsFail(int bins, int64_t from) {
  int64_t best = from;
  int bestCount = -1;
  for (int64_t span = from; span < from + 2000; ++span) {
    int count = 0;
    const double scale = double(bins) / double(span);
    for (int b = 1; b < bins; ++b) {
      const int64_t d = hardBinStart(b, bins, span);
      count += int(double(d) * scale) != b;
    }
    if (count > bestCount) {
      best = span;
      bestCount = count;
    }
  }
  return best;
}

// About `count` events on a 640 x 480 sensor in `windows` windows of `windowUs` from t0, half of
// them on the first or last microsecond of a hard bin, the window's first and last microsecond
// included, and a few hot pixels that fire hundreds of times so voxels hold counts far above
// one. Under the event anchor the bins span the window's first to last event, both of which are
// present, so the edges are those of a span one shorter than the window.
EventArray edgeHeavyRecording(int64_t t0, int64_t windowUs, int windows, int bins,
                              VoxelAnchor anchor, size_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  EventArray e;
  e.sensor = {640, 480};
  const int64_t span = anchor == VoxelAnchor::Events ? windowUs - 1 : windowUs;
  const size_t perWindow = count / size_t(windows);
  std::vector<int64_t> times;
  for (int k = 0; k < windows; ++k) {
    const int64_t ws = t0 + int64_t(k) * windowUs;
    times.push_back(ws);
    times.push_back(ws + windowUs - 1);
    for (size_t i = 0; i + 2 < perWindow; ++i) {
      int64_t d = int64_t(rng() % uint64_t(windowUs));
      if (i % 2 == 0) {
        const int b = int(rng() % uint64_t(bins));
        d = hardBinStart(b, bins, span) - int64_t(rng() % 2); // a bin's first or the previous µs
        d = std::clamp<int64_t>(d, 0, windowUs - 1);
      }
      times.push_back(ws + d);
    }
  }
  std::sort(times.begin(), times.end());
  for (size_t i = 0; i < times.size(); ++i) {
    const bool hot = i % 50 == 0;
    const int x = hot ? int(i % 7) * 90 : int(rng() % 640);
    const int y = hot ? 240 : int(rng() % 480);
    e.push(times[i], x, y, rng() % 4 ? 1 : -1);
  }
  return e;
}

// Where two grids differ, for the failure message: how many cells and the first of them.
std::string gridDifference(const VoxelGrid& a, const VoxelGrid& b) {
  if (a.values.size() != b.values.size())
    return "sizes differ";
  size_t cells = 0, first = 0;
  for (size_t i = 0; i < a.values.size(); ++i)
    if (a.values[i] != b.values[i] && cells++ == 0)
      first = i;
  if (cells == 0)
    return "span " + std::to_string(a.tStart) + ".." + std::to_string(a.tEnd) + " vs " +
           std::to_string(b.tStart) + ".." + std::to_string(b.tEnd);
  return std::to_string(cells) + " voxels differ, the first at index " + std::to_string(first) +
         ": " + std::to_string(a.values[first]) + " vs " + std::to_string(b.values[first]);
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

  // SPEC E6: for hard-binned grids encode -> decode -> encode is exact. At VGA with 300 k events,
  // half of them on bin edges, float bin indices moved counts into the neighbouring bin, and
  // under the event anchor the decoded events spanned a shorter time than the grid.
  void hardRoundTripIsExactOnBinEdgesAtScale() {
    const int64_t t0 = 1'000'003;
    for (const int bins : {8, 7}) {
      for (const auto anchor : {VoxelAnchor::Window, VoxelAnchor::Events}) {
        // The bins span the window, or one µs less between its first and last event.
        const int64_t windowUs =
            spanWhereFloatBinsFail(bins, 30000) + (anchor == VoxelAnchor::Events ? 1 : 0);
        auto e = edgeHeavyRecording(t0, windowUs, 1, bins, anchor, 300'000, 21 + uint64_t(bins));
        if (anchor == VoxelAnchor::Window) // exactly on the window's end: the last bin is closed
          for (int k = 0; k < 40; ++k)
            e.push(t0 + windowUs, 3 * k, 7, k % 2 ? 1 : -1);
        VoxelOptions o;
        o.bins = bins;
        o.anchor = anchor;
        o.hard = true;
        const auto first = encodeVoxelGrid(e, 0, e.size(), t0, t0 + windowUs, o);
        DecodeOptions d;
        d.hard = true;
        d.anchor = anchor;
        for (const bool jitter : {false, true}) {
          d.jitter = jitter;
          const auto decoded = decodeVoxelGrid(first, d);
          QVERIFY(std::is_sorted(decoded.t.begin(), decoded.t.end()));
          const auto second = encodeVoxelGrid(decoded, 0, decoded.size(), t0, t0 + windowUs, o);
          const std::string what = "bins " + std::to_string(bins) +
                                   (anchor == VoxelAnchor::Events ? ", events" : ", window") +
                                   (jitter ? ", jitter: " : ": ") + gridDifference(first, second);
          QVERIFY2(first.values == second.values, what.c_str());
          QVERIFY2(first.tStart == second.tStart && first.tEnd == second.tEnd, what.c_str());
          if (anchor == VoxelAnchor::Window)
            QVERIFY(decoded.t.back() < t0 + windowUs); // decoded events stay inside the window
        }
      }
    }
  }

  // The same through the files `events encode --hard` and `events decode` write: the decoded
  // file re-encodes into the same grids over the same windows.
  void hardRoundTripThroughFilesIsExact() {
    const auto dir = test::freshDir("voxel-hard-files");
    const int64_t t0 = 5'000'017;
    for (const auto anchor : {VoxelAnchor::Window, VoxelAnchor::Events}) {
      const std::string name = anchor == VoxelAnchor::Events ? "events" : "window";
      const int64_t windowUs =
          spanWhereFloatBinsFail(8, 30000) + (anchor == VoxelAnchor::Events ? 1 : 0);
      // Three whole windows and a partial fourth (its last event is where the recording ends).
      auto e = edgeHeavyRecording(t0, windowUs, 4, 8, anchor, 300'000, 5);
      EventArray recording;
      recording.sensor = e.sensor;
      for (size_t i = 0; i < e.size(); ++i)
        if (e.t[i] < t0 + 3 * windowUs + 20000)
          recording.push(e.t[i], e.x[i], e.y[i], e.p[i]);
      const std::string in = dir + "/" + name + ".h5", voxels = dir + "/" + name + "-voxels.h5",
                        decoded = dir + "/" + name + "-decoded.h5",
                        again = dir + "/" + name + "-again.h5";
      writeEventFile(in, recording);
      EncodeFileOptions options;
      options.windowUs = windowUs;
      options.voxel.hard = true;
      options.voxel.anchor = anchor;
      QCOMPARE(encodeEventFile(in, voxels, options).segments, uint64_t(4));
      // Hard binning and the anchor are read from the voxel file, not given again.
      const auto decodeResult = decodeVoxelFile(voxels, decoded, {});
      QCOMPARE(decodeResult.segments, uint64_t(4));
      QVERIFY(decodeResult.events > 250'000);
      QCOMPARE(encodeEventFile(decoded, again, options).segments, uint64_t(4));
      const auto a = Hdf5File::openRead(voxels), b = Hdf5File::openRead(again);
      QVERIFY2(a.read<int64_t>("/windows") == b.read<int64_t>("/windows"), name.c_str());
      const auto va = a.read<float>("/voxels"), vb = b.read<float>("/voxels");
      size_t differing = 0;
      for (size_t i = 0; i < va.size() && va.size() == vb.size(); ++i)
        differing += va[i] != vb[i];
      QVERIFY2(va.size() == vb.size() && differing == 0,
               (name + ": " + std::to_string(differing) + " voxels differ").c_str());
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

  void windowsRefuseExtremeTimesAndCounts() {
    // last - start + 1 overflowed int64 for extreme but finite timestamps.
    const auto extreme = twoEvents(INT64_MIN + 5, INT64_MAX - 5);
    QVERIFY_CONTAINS(inputErrorOf([&] { segmentWindows(extreme, 20000); }),
                     "span more than int64 microseconds can hold");
    // The last window would end past INT64_MAX.
    const auto nearTheEnd = twoEvents(INT64_MAX - 30000, INT64_MAX - 1);
    QVERIFY_CONTAINS(inputErrorOf([&] { segmentWindows(nearTheEnd, 20000); }),
                     "end past the largest int64 timestamp");
    // One entry per window: 1 µs windows over an hour are 3.6 billion of them.
    const auto hour = twoEvents(0, 3'600'000'000);
    QCOMPARE(inputErrorOf([&] { segmentWindows(hour, 1); }),
             std::string("events from 0 to 3600000000 µs (3600.000001 s) make 3600000001 windows "
                         "of 1 µs, more than the 10000000 supported; choose a longer "
                         "--window-us"));
    QCOMPARE(segmentWindows(hour, 600'000'000).size(), size_t(7));
  }

  void windowCountsAtTheLimit() {
    QCOMPARE(countWindows(0, 3'599'999'999, 360, true), uint64_t(10'000'000));
    QVERIFY_CONTAINS(inputErrorOf([] { countWindows(0, 3'600'000'000, 360, true); }),
                     "make 10000001 windows of 360 µs");
    QCOMPARE(countWindows(0, 3'600'000'000, 360, false), uint64_t(10'000'000));
    QCOMPARE(countWindows(0, 99, 10, true), uint64_t(10));
    QCOMPARE(countWindows(0, 100, 10, false), uint64_t(10));
    QCOMPARE(countWindows(0, 100, 10, true), uint64_t(11));
    QCOMPARE(countWindows(5, 4, 10, true), uint64_t(0));
    QVERIFY_CONTAINS(inputErrorOf([] { countWindows(0, 1, 0, true); }),
                     "--window-us must be positive");
  }

  void encodingRefusesExtremeSpansAndHugeGrids() {
    const auto e = twoEvents(0, 10);
    VoxelOptions o;
    QVERIFY_CONTAINS(inputErrorOf([&] { encodeVoxelGrid(e, 0, 2, INT64_MIN, INT64_MAX, o); }),
                     "is longer than int64 microseconds can hold");
    auto far = twoEvents(INT64_MIN + 1, 0);
    QVERIFY_CONTAINS(
        inputErrorOf([&] { encodeVoxelGrid(far, 0, 2, INT64_MAX - 100, INT64_MAX, o); }),
        "is longer than int64 microseconds can hold");
    auto wide = e;
    wide.sensor = {65535, 65535};
    o.bins = 1024;
    QCOMPARE(inputErrorOf([&] { encodeVoxelGrid(wide, 0, 2, 0, 20, o); }),
             std::string("a 1024 x 65535 x 65535 voxel grid holds more than the 1073741824 values "
                         "supported; use fewer --bins or a smaller sensor"));
  }

  void decodingRefusesGridsThatHoldNoCounts() {
    VoxelGrid grid;
    grid.bins = 2;
    grid.height = 3;
    grid.width = 4;
    grid.tStart = 0;
    grid.tEnd = 20000;
    grid.values.assign(24, 0.0f);
    grid.values[12 + 5] = std::nanf("");
    QCOMPARE(inputErrorOf([&] { decodeVoxelGrid(grid, {}); }),
             std::string("the voxel value at bin 1, pixel (1, 1) is nan; voxel grids hold finite "
                         "numbers"));
    grid.values[12 + 5] = -INFINITY;
    QVERIFY_CONTAINS(inputErrorOf([&] { decodeVoxelGrid(grid, {}); }), "pixel (1, 1) is -inf");
    // lround(sum |V|) events per pixel: 1e12 of them would never fit in memory.
    grid.values[12 + 5] = 1e12f;
    QCOMPARE(inputErrorOf([&] { decodeVoxelGrid(grid, {}); }),
             std::string("pixel (1, 1) would emit 999999995904 events, more than the 1000000 a "
                         "pixel may; the grid does not hold event counts"));
    // Each pixel within its limit, the grid beyond its own.
    grid.bins = 1;
    grid.height = 200;
    grid.width = 1;
    grid.values.assign(200, 900000.0f);
    QCOMPARE(inputErrorOf([&] { decodeVoxelGrid(grid, {}); }),
             std::string("the grid would decode into 180000000 events, more than the 100000000 "
                         "supported; the grid does not hold event counts"));
    grid.values.assign(200, 0.0f);
    grid.values[7] = 1000.0f;
    grid.tEnd = INT64_MIN;
    grid.tStart = INT64_MAX;
    QVERIFY_CONTAINS(inputErrorOf([&] { decodeVoxelGrid(grid, {}); }),
                     "is longer than int64 microseconds can hold");
    grid.tStart = 0;
    grid.tEnd = 1000;
    const auto decoded = decodeVoxelGrid(grid, {});
    QCOMPARE(decoded.size(), size_t(1000)); // at the limits' scale nothing is refused
    QVERIFY(std::all_of(decoded.y.begin(), decoded.y.end(), [](uint16_t y) { return y == 7; }));
  }

  void voxelFilesAreCheckedBeforeDecoding() {
    const auto dir = test::freshDir("voxel-file-bounds");
    const std::string out = dir + "/decoded.h5";
    // A height of 2^32 + 100 used to become int 100; the read of its first grid then asked for
    // 4 x (2^32 + 100) floats.
    const auto tall = dir + "/tall.h5";
    writeVoxelFile(tall, {}, {0}, {0, 1}, {1, 2});
    addEmptyDataset(tall, "/voxels2", H5T_NATIVE_FLOAT, {1, 4, (hsize_t(1) << 32) + 100, 1});
    {
      H5Id file(H5Fopen(tall.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose);
      H5Ldelete(file.get(), "/voxels", H5P_DEFAULT);
      H5Lmove(file.get(), "/voxels2", file.get(), "/voxels", H5P_DEFAULT, H5P_DEFAULT);
    }
    QCOMPARE(inputErrorOf([&] { decodeVoxelFile(tall, out, {}); }),
             tall + ": /voxels has grids of 4 x 4294967396 x 1; expected 1..1024 bins on a "
                    "sensor of at most 65535 x 65535 (and at most 1073741824 values)");
    // /windows was read whole, whatever its size.
    const auto windows = dir + "/windows.h5";
    writeVoxelFile(windows, std::vector<float>(2 * 2 * 3 * 4, 0.0f), {2, 2, 3, 4}, {}, {0});
    {
      H5Id file(H5Fopen(windows.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose);
      H5Ldelete(file.get(), "/windows", H5P_DEFAULT);
    }
    addEmptyDataset(windows, "/windows", H5T_NATIVE_INT64, {hsize_t(1) << 40, 2});
    QCOMPARE(inputErrorOf([&] { decodeVoxelFile(windows, out, {}); }),
             windows + ": /windows must hold one integer [t_start, t_end] pair per segment (2 x "
                       "2)");
    // Values that are no event counts name the file and the segment.
    std::vector<float> values(2 * 2 * 3 * 4, 0.0f);
    values[24 + 3] = std::nanf("");
    const auto nan = dir + "/nan.h5";
    writeVoxelFile(nan, values, {2, 2, 3, 4}, {0, 100, 100, 200}, {2, 2});
    QCOMPARE(inputErrorOf([&] { decodeVoxelFile(nan, out, {}); }),
             nan + ": segment 1: the voxel value at bin 0, pixel (3, 0) is nan; voxel grids "
                   "hold finite numbers");
    values[24 + 3] = 0.0f;
    const auto extreme = dir + "/extreme.h5";
    writeVoxelFile(extreme, values, {2, 2, 3, 4}, {0, 100, INT64_MIN, INT64_MAX}, {2, 2});
    QVERIFY_CONTAINS(inputErrorOf([&] { decodeVoxelFile(extreme, out, {}); }),
                     extreme + ": segment 1: the time span");
    QVERIFY(!std::filesystem::exists(out));
  }

  void encodingAFileBoundsItsWindows() {
    const auto dir = test::freshDir("voxel-encode-bounds");
    const auto in = dir + "/hour.h5";
    writeEventFile(in, twoEvents(0, 3'600'000'000));
    EncodeFileOptions options;
    options.windowUs = 1;
    QCOMPARE(inputErrorOf([&] { encodeEventFile(in, dir + "/voxels.h5", options); }),
             in + ": events from 0 to 3600000000 µs (3600.000001 s) make 3600000001 windows of "
                  "1 µs, more than the 10000000 supported; choose a longer --window-us");
    QVERIFY(!std::filesystem::exists(dir + "/voxels.h5"));
    options.windowUs = 600'000'000;
    const auto result = encodeEventFile(in, dir + "/voxels.h5", options);
    QCOMPARE(result.segments, uint64_t(7));
    QCOMPARE(result.events, uint64_t(2));
  }
};

QTEST_GUILESS_MAIN(TestVoxelGrid)
#include "TestVoxelGrid.moc"
