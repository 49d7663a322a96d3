// Synthetic chest CT phantoms as the segmentation and NCCT → CTA pipelines rely on them: every
// class present with a plausible volume and HU in both scans, contrast only in the blood pools,
// one aorta running from the heart over the arch down beside the spine, the same bytes from the
// same seed, the requested geometry, and `ct synth` writing readable files or refusing bad
// options before it writes anything.
#include "TestSupport.h"
#include "common/Error.h"
#include "io/NiftiIO.h"
#include "segment/ChestClasses.h"
#include "segment/SyntheticChestCt.h"

#include <QtTest>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
using namespace lumen;

namespace {

SyntheticChestCtOptions smallOptions() {
  SyntheticChestCtOptions o;
  o.size = {96, 96, 48};
  o.spacing = {4.0, 4.0, 6.5}; // 384 x 384 x 312 mm: the whole chest at its real size
  return o;
}

double median(std::vector<double> v) {
  if (v.empty())
    return std::nan("");
  std::nth_element(v.begin(), v.begin() + long(v.size() / 2), v.end());
  return v[v.size() / 2];
}

struct ClassStats {
  double mL = 0, nct = 0, cta = 0, difference = 0, nctSpread = 0;
};

std::map<int, ClassStats> statsOf(const SyntheticChestCt& ct) {
  const ImageGeometry& g = ct.labels.geometry;
  const double voxelMl = g.spacing[0] * g.spacing[1] * g.spacing[2] / 1000;
  std::map<int, std::vector<double>> nct, cta, diff;
  for (size_t v = 0; v < ct.labels.values.size(); ++v) {
    const int label = ct.labels.values[v];
    nct[label].push_back(ct.nct.values[v]);
    cta[label].push_back(ct.cta.values[v]);
    diff[label].push_back(double(ct.cta.values[v]) - ct.nct.values[v]);
  }
  std::map<int, ClassStats> stats;
  for (auto& [label, values] : nct) {
    ClassStats& s = stats[label];
    s.mL = double(values.size()) * voxelMl;
    s.nct = median(values);
    s.cta = median(cta[label]);
    s.difference = median(diff[label]);
    // Spread as the median absolute deviation: robust to the blurred borders.
    std::vector<double> deviation;
    for (double value : values)
      deviation.push_back(std::abs(value - s.nct));
    s.nctSpread = median(deviation);
  }
  return stats;
}

// 26-connected components of `label`, each as its voxel offsets.
std::vector<std::vector<size_t>> components(const LabelVolume& labels, int label) {
  const ImageGeometry& g = labels.geometry;
  std::vector<char> seen(g.voxels(), 0);
  std::vector<std::vector<size_t>> result;
  for (size_t start = 0; start < g.voxels(); ++start) {
    if (seen[start] || labels.values[start] != label)
      continue;
    std::vector<size_t> members, stack{start};
    seen[start] = 1;
    while (!stack.empty()) {
      const size_t v = stack.back();
      stack.pop_back();
      members.push_back(v);
      const int64_t i = int64_t(v % size_t(g.size[0]));
      const int64_t j = int64_t((v / size_t(g.size[0])) % size_t(g.size[1]));
      const int64_t k = int64_t(v / size_t(g.size[0] * g.size[1]));
      for (int64_t dk = -1; dk <= 1; ++dk)
        for (int64_t dj = -1; dj <= 1; ++dj)
          for (int64_t di = -1; di <= 1; ++di) {
            if (!g.contains(i + di, j + dj, k + dk))
              continue;
            const size_t n = g.offset(i + di, j + dj, k + dk);
            if (!seen[n] && labels.values[n] == label) {
              seen[n] = 1;
              stack.push_back(n);
            }
          }
    }
    result.push_back(std::move(members));
  }
  return result;
}

Vec3 physicalOf(const ImageGeometry& g, size_t v) {
  const double i = double(v % size_t(g.size[0]));
  const double j = double((v / size_t(g.size[0])) % size_t(g.size[1]));
  const double k = double(v / size_t(g.size[0] * g.size[1]));
  return g.indexToPhysical({i, j, k});
}

test::CommandResult runCli(const QStringList& args) {
  return test::runProgram(QStringLiteral(LUMEN_CLI_PATH), args, 120000);
}

} // namespace

class TestSyntheticChestCt : public QObject {
  Q_OBJECT
  SyntheticChestCt ct_;
  std::map<int, ClassStats> stats_;

private Q_SLOTS:
  void initTestCase() {
    ct_ = makeSyntheticChestCt(3, smallOptions());
    stats_ = statsOf(ct_);
  }

  void everyClassHasAPlausibleVolume() {
    QCOMPARE(ct_.scale, 1.0);
    // mL ranges of an adult chest (the lungs and body cut by the field of view).
    const std::map<int, std::pair<double, double>> plausible{{kChestBody, {1500, 15000}},
                                                             {kChestFat, {500, 10000}},
                                                             {kChestMuscle, {1000, 10000}},
                                                             {kChestLungRight, {1000, 4500}},
                                                             {kChestLungLeft, {800, 4000}},
                                                             {kChestSpine, {100, 700}},
                                                             {kChestRibs, {100, 900}},
                                                             {kChestLV, {60, 260}},
                                                             {kChestRV, {50, 260}},
                                                             {kChestLA, {30, 160}},
                                                             {kChestRA, {40, 200}},
                                                             {kChestMyocardium, {80, 320}},
                                                             {kChestAorta, {60, 350}},
                                                             {kChestPulmonaryArtery, {30, 220}},
                                                             {kChestPulmonaryVessels, {10, 400}},
                                                             {kChestCoronaries, {0.5, 30}},
                                                             {kChestAirways, {10, 150}}};
    for (int label = 1; label <= kChestClasses; ++label) {
      const auto [lo, hi] = plausible.at(label);
      const double mL = stats_.count(label) ? stats_.at(label).mL : 0.0;
      QVERIFY2(mL >= lo && mL <= hi, qPrintable(QString("%1: %2 mL, expected %3-%4")
                                                    .arg(chestClassName(label).c_str())
                                                    .arg(mL)
                                                    .arg(lo)
                                                    .arg(hi)));
    }
    QVERIFY(stats_.at(kChestLungLeft).mL < stats_.at(kChestLungRight).mL); // the heart's side
  }

  void medianHuIsRealisticInBothScans() {
    struct Range {
      double nctLo, nctHi, ctaLo, ctaHi;
    };
    const std::map<int, Range> expected{
        {0, {-1010, -990, -1010, -990}},
        {kChestBody, {25, 65, 25, 65}},
        {kChestFat, {-120, -80, -120, -80}},
        {kChestMuscle, {40, 65, 40, 65}},
        {kChestLungRight, {-880, -780, -880, -780}},
        {kChestLungLeft, {-880, -780, -880, -780}},
        {kChestSpine, {180, 700, 180, 700}},
        {kChestRibs, {150, 700, 150, 700}},
        {kChestLV, {25, 60, 300, 450}},
        {kChestLA, {25, 60, 300, 450}},
        {kChestAorta, {25, 60, 300, 450}},
        {kChestRV, {25, 60, 150, 350}},
        {kChestRA, {25, 60, 150, 350}},
        // The branches towards the hila border the lungs: at 4 mm voxels they average with them.
        {kChestPulmonaryArtery, {-60, 60, 120, 350}},
        {kChestMyocardium, {30, 55, 90, 170}},
        // Thin tubes: their voxels average with the lung or fat around them.
        {kChestPulmonaryVessels, {-600, 60, -450, 350}},
        {kChestCoronaries, {-120, 60, 100, 450}},
        {kChestAirways, {-1010, -850, -1010, -850}}};
    for (const auto& [label, r] : expected) {
      const ClassStats& s = stats_.at(label);
      const QString name = label == 0 ? "air" : QString::fromStdString(chestClassName(label));
      QVERIFY2(s.nct >= r.nctLo && s.nct <= r.nctHi,
               qPrintable(QString("%1 non-contrast median %2 HU").arg(name).arg(s.nct)));
      QVERIFY2(s.cta >= r.ctaLo && s.cta <= r.ctaHi,
               qPrintable(QString("%1 CTA median %2 HU").arg(name).arg(s.cta)));
    }
  }

  void contrastRaisesOnlyBloodPoolsAndMyocardium() {
    for (int label : {0, int(kChestBody), int(kChestFat), int(kChestMuscle), int(kChestLungRight),
                      int(kChestLungLeft), int(kChestSpine), int(kChestRibs), int(kChestAirways)}) {
      const ClassStats& s = stats_.at(label);
      QVERIFY2(
          std::abs(s.difference) <= 4,
          qPrintable(QString("class %1: CTA - NCCT median %2 HU").arg(label).arg(s.difference)));
    }
    for (int label : {int(kChestAorta), int(kChestLV), int(kChestLA)})
      QVERIFY2(stats_.at(label).difference > 250,
               qPrintable(QString("class %1 enhanced by %2 HU only")
                              .arg(label)
                              .arg(stats_.at(label).difference)));
    QVERIFY(stats_.at(kChestRV).difference > 100);
    // Thin lung vessels too, though their voxels are mostly partial volume at 4 mm.
    QVERIFY2(stats_.at(kChestPulmonaryVessels).difference > 60,
             qPrintable(QString::number(stats_.at(kChestPulmonaryVessels).difference)));
    QVERIFY(stats_.at(kChestMyocardium).difference > 40);
    QVERIFY(!isChestBloodPool(kChestMyocardium) && isChestBloodPool(kChestAorta));
  }

  void scansAreNotPiecewiseConstant() {
    // Noise of about 14 HU: the median absolute deviation of a Gaussian is 0.67 sigma.
    for (int label : {int(kChestMuscle), int(kChestLV), int(kChestFat)}) {
      const double spread = stats_.at(label).nctSpread;
      QVERIFY2(spread >= 5 && spread <= 25,
               qPrintable(QString("class %1 spread %2 HU").arg(label).arg(spread)));
    }
    size_t equal = 0, muscle = 0;
    for (size_t v = 0; v < ct_.labels.values.size(); ++v)
      if (ct_.labels.values[v] == kChestMuscle) {
        ++muscle;
        equal += ct_.nct.values[v] == ct_.cta.values[v];
      }
    QVERIFY(equal < muscle / 10); // each scan has its own noise
  }

  void aortaRunsFromTheHeartOverTheArchDownBesideTheSpine() {
    const ImageGeometry& g = ct_.labels.geometry;
    const auto parts = components(ct_.labels, kChestAorta);
    QCOMPARE(int(parts.size()), 1);
    const auto& aorta = parts.front();
    double aortaTop = -1e9, aortaBottom = 1e9, lvTop = -1e9;
    for (size_t v = 0; v < g.voxels(); ++v)
      if (ct_.labels.values[v] == kChestLV)
        lvTop = std::max(lvTop, physicalOf(g, v)[2]);
    for (size_t v : aorta) {
      aortaTop = std::max(aortaTop, physicalOf(g, v)[2]);
      aortaBottom = std::min(aortaBottom, physicalOf(g, v)[2]);
    }
    QVERIFY2(aortaTop > lvTop + 40,
             qPrintable(QString("arch top %1 mm, LV top %2 mm").arg(aortaTop).arg(lvTop)));
    QVERIFY(aortaBottom < g.origin[2] + 2 * g.spacing[2]); // down through the whole volume
    // It leaves the LV: some aorta voxel touches an LV voxel.
    bool touches = false;
    for (size_t v : aorta) {
      const Vec3 index = g.physicalToIndex(physicalOf(g, v));
      for (int64_t d = -1; d <= 1 && !touches; d += 2)
        for (size_t axis = 0; axis < 3 && !touches; ++axis) {
          std::array<int64_t, 3> n{int64_t(index[0]), int64_t(index[1]), int64_t(index[2])};
          n[axis] += d;
          touches = g.contains(n[0], n[1], n[2]) && ct_.labels.at(n[0], n[1], n[2]) == kChestLV;
        }
    }
    QVERIFY(touches);
    // Low in the chest the aorta lies left of the spine's midline and just in front of it.
    const int64_t k = int64_t(g.physicalToIndex({0, 0, lvTop - 60})[2]);
    Vec3 aortaCentre{0, 0, 0}, spineCentre{0, 0, 0};
    int aortaCount = 0, spineCount = 0;
    for (int64_t j = 0; j < g.size[1]; ++j)
      for (int64_t i = 0; i < g.size[0]; ++i) {
        const Vec3 p = g.indexToPhysical({double(i), double(j), double(k)});
        const int label = ct_.labels.at(i, j, k);
        if (label == kChestAorta) {
          aortaCentre = {aortaCentre[0] + p[0], aortaCentre[1] + p[1], 0};
          ++aortaCount;
        } else if (label == kChestSpine) {
          spineCentre = {spineCentre[0] + p[0], spineCentre[1] + p[1], 0};
          ++spineCount;
        }
      }
    QVERIFY(aortaCount > 0 && spineCount > 0);
    const double ax = aortaCentre[0] / aortaCount, ay = aortaCentre[1] / aortaCount;
    const double sx = spineCentre[0] / spineCount, sy = spineCentre[1] / spineCount;
    QVERIFY2(ax > sx + 5 && std::hypot(ax - sx, ay - sy) < 70,
             qPrintable(
                 QString("aorta at %1,%2 mm, spine at %3,%4 mm").arg(ax).arg(ay).arg(sx).arg(sy)));
    // At the heart's base an axial slice cuts it twice: ascending in front, descending behind.
    const int64_t base = int64_t(g.physicalToIndex({0, 0, lvTop + 15})[2]);
    double front = 1e9, back = -1e9;
    for (int64_t j = 0; j < g.size[1]; ++j)
      for (int64_t i = 0; i < g.size[0]; ++i)
        if (ct_.labels.at(i, j, base) == kChestAorta) {
          const double y = g.indexToPhysical({double(i), double(j), double(base)})[1];
          front = std::min(front, y);
          back = std::max(back, y);
        }
    QVERIFY2(back - front > 50,
             qPrintable(QString("aorta spans %1 mm front to back").arg(back - front)));
  }

  void sameSeedSameBytesOtherSeedOtherCase() {
    SyntheticChestCtOptions o = smallOptions();
    o.size = {64, 64, 32};
    o.spacing = {6, 6, 10};
    const auto a = makeSyntheticChestCt(11, o), b = makeSyntheticChestCt(11, o);
    QVERIFY(a.nct.values == b.nct.values);
    QVERIFY(a.cta.values == b.cta.values);
    QVERIFY(a.labels.values == b.labels.values);
    const auto c = makeSyntheticChestCt(12, o);
    QVERIFY(a.labels.values != c.labels.values);
    QVERIFY(a.nct.values != c.nct.values);
  }

  void geometryFollowsTheOptions() {
    SyntheticChestCtOptions o;
    o.size = {40, 50, 30};
    o.spacing = {7.5, 6.0, 11.0};
    const auto ct = makeSyntheticChestCt(1, o);
    for (const ImageGeometry* g : {&ct.labels.geometry, &ct.nct.geometry, &ct.cta.geometry}) {
      QCOMPARE(g->size, o.size);
      QCOMPARE(g->spacing, o.spacing);
      QCOMPARE(g->orientationCode(), std::string("LPS"));
      // Centred on the body in x and y.
      QVERIFY(std::abs(g->origin[0] + 0.5 * 39 * 7.5) < 1e-9);
      QVERIFY(std::abs(g->origin[1] + 0.5 * 49 * 6.0) < 1e-9);
    }
    QCOMPARE(ct.nct.values.size(), size_t(40 * 50 * 30));
    // A narrow field of view shrinks the phantom so that the body stays inside.
    o.size = {64, 64, 20};
    o.spacing = {2, 2, 5};
    const auto small = makeSyntheticChestCt(1, o);
    QVERIFY(small.scale < 0.5);
    for (int64_t j = 0; j < 64; ++j)
      QCOMPARE(small.labels.at(0, j, 10), 0);
    QVERIFY_THROWS_EXCEPTION(InputError, [] {
      SyntheticChestCtOptions bad;
      bad.spacing = {0.8, 0.0, 2.5};
      makeSyntheticChestCt(0, bad);
    }());
  }

  void cliWritesReadableCasesAndRefusesToOverwrite() {
    const std::string dir = test::freshDir("chest-ct-cli") + "/out";
    const QString out = QString::fromStdString(dir);
    const QStringList args{"ct", "synth",  out,        "--cases",   "2",       "--seed",
                           "7",  "--size", "48x40x24", "--spacing", "8x8.5x13"};
    const auto run = runCli(args);
    QVERIFY2(run.code == 0, qPrintable(run.err));
    QVERIFY(run.out.contains("s per case"));
    SyntheticChestCtOptions o;
    o.size = {48, 40, 24};
    o.spacing = {8, 8.5, 13};
    const auto expected = makeSyntheticChestCt(8, o);
    const FloatVolume cta = readFloatVolume(dir + "/cta/case_001.nii.gz");
    QCOMPARE(cta.geometry.size, o.size);
    for (size_t d = 0; d < 3; ++d)
      QVERIFY(std::abs(cta.geometry.spacing[d] - o.spacing[d]) < 1e-6);
    QVERIFY(std::equal(cta.values.begin(), cta.values.end(), expected.cta.values.begin()));
    const FloatVolume nct = readFloatVolume(dir + "/nct/case_001.nii.gz");
    QVERIFY(std::equal(nct.values.begin(), nct.values.end(), expected.nct.values.begin()));
    QVERIFY(readLabelVolume(dir + "/labels/case_001.nii.gz").values == expected.labels.values);
    QVERIFY(fs::exists(dir + "/labels/case_000.nii.gz"));

    const auto json = nlohmann::json::parse(test::readText(dir + "/phantoms.json"));
    QCOMPARE(int(json["classes"].size()), kChestClasses + 1);
    QCOMPARE(json["classes"][int(kChestAorta)]["name"].get<std::string>(), std::string("Aorta"));
    QCOMPARE(json["cases"].size(), size_t(2));
    QCOMPARE(json["cases"][1]["seed"].get<int>(), 8);
    QCOMPARE(json["cases"][1]["spacing"][1].get<double>(), 8.5);

    const std::string before = test::readText(dir + "/nct/case_000.nii.gz");
    QStringList otherSeed = args;
    otherSeed[6] = "9";
    const auto refused = runCli(otherSeed);
    QCOMPARE(refused.code, 2);
    QVERIFY2(refused.err.contains("--overwrite"), qPrintable(refused.err));
    QVERIFY(test::readText(dir + "/nct/case_000.nii.gz") == before);
    const auto replaced = runCli(otherSeed + QStringList{"--overwrite"});
    QVERIFY2(replaced.code == 0, qPrintable(replaced.err));
    QVERIFY(test::readText(dir + "/nct/case_000.nii.gz") != before);
  }

  void cliRefusesBadOptionsBeforeWriting_data() {
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<QString>("message");
    QTest::newRow("two sizes") << QStringList{"--size", "64x64"} << "--size";
    QTest::newRow("tiny size") << QStringList{"--size", "4x64x64"} << "--size";
    QTest::newRow("huge size") << QStringList{"--size", "2048x2048x2048"} << "--size";
    QTest::newRow("zero spacing") << QStringList{"--spacing", "0x1x1"} << "--spacing";
    QTest::newRow("text spacing") << QStringList{"--spacing", "axbxc"} << "--spacing";
    QTest::newRow("no cases") << QStringList{"--cases", "0"} << "--cases";
    QTest::newRow("negative seed") << QStringList{"--seed", "-1"} << "--seed";
    QTest::newRow("loud noise") << QStringList{"--noise", "500"} << "--noise";
  }

  void cliRefusesBadOptionsBeforeWriting() {
    QFETCH(QStringList, options);
    QFETCH(QString, message);
    const std::string dir = test::freshDir("chest-ct-bad") + "/out";
    const auto run = runCli(
        QStringList{"ct", "synth", QString::fromStdString(dir), "--size", "32x32x16"} + options);
    QCOMPARE(run.code, 2);
    QVERIFY2(run.err.contains(message), qPrintable(run.err));
    QVERIFY(!fs::exists(dir));
  }
};

QTEST_GUILESS_MAIN(TestSyntheticChestCt)
#include "TestSyntheticChestCt.moc"
