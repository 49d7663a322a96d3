// The synthesis scores against SynthRAD's definitions: a case whose figures were computed with
// the challenge's recipe on scikit-image 0.19 (bench/python/synthrad_metrics.py), closed forms,
// a direct (unoptimised) SSIM, the body mask, and `lumen-cli synth eval` on NIfTI files.
#include "TestSupport.h"
#include "common/Error.h"
#include "io/NiftiIO.h"
#include "synthesis/BodyMask.h"
#include "synthesis/PairedScans.h"
#include "synthesis/SynthesisEvaluation.h"
#include "synthesis/SynthesisMetrics.h"
#include "synthesis/SyntheticPairs.h"

#include <QtTest>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace lumen;

namespace {

// The case of bench/python/synthrad_metrics.py --self-test: integer HU patterns that cross both
// ends of the clipping range, a prediction that is off in scale, offset and noise, and an
// ellipsoid mask.
struct Case {
  FloatVolume reference, prediction;
  Volume<uint8_t> mask;
};

template <class T> Volume<T> blank(const std::array<int64_t, 3>& size) {
  Volume<T> v;
  v.geometry.size = size;
  v.geometry.spacing = {0.8, 0.8, 2.0};
  v.geometry.origin = {-10, 20, 30};
  v.values.assign(v.geometry.voxels(), T(0));
  return v;
}

Case referenceCase() {
  Case c;
  const std::array<int64_t, 3> size{20, 18, 16};
  c.reference = blank<float>(size);
  c.prediction = blank<float>(size);
  c.mask = blank<uint8_t>(size);
  for (int64_t k = 0; k < size[2]; ++k)
    for (int64_t j = 0; j < size[1]; ++j)
      for (int64_t i = 0; i < size[0]; ++i) {
        const double r = -1100 + double((i * 73 + j * 151 + k * 283 + i * j * 7) % 4200);
        c.reference.at(i, j, k) = float(r);
        c.prediction.at(i, j, k) =
            float(0.7 * r + 300 + double((i * 31 + j * 17 + k * 11) % 401) - 200);
        c.mask.at(i, j, k) = (i - 10) * (i - 10) + (j - 9) * (j - 9) + 2 * (k - 8) * (k - 8) < 70;
      }
  return c;
}

int64_t reflect(int64_t i, int64_t n) {
  return i < 0 ? -i - 1 : (i >= n ? 2 * n - i - 1 : i);
}

// SSIM straight from the definition: every voxel's 7x7x7 window summed in full.
double directSsim(const FloatVolume& x, const FloatVolume& y, const Volume<uint8_t>& mask,
                  double low, double high) {
  const auto& s = x.geometry.size;
  auto value = [&](const FloatVolume& v, int64_t i, int64_t j, int64_t k) {
    i = reflect(i, s[0]);
    j = reflect(j, s[1]);
    k = reflect(k, s[2]);
    return mask.at(i, j, k) ? std::clamp(double(v.at(i, j, k)), low, high) - low : 0.0;
  };
  const double range = high - low, c1 = std::pow(0.01 * range, 2), c2 = std::pow(0.03 * range, 2);
  double total = 0;
  int64_t count = 0;
  for (int64_t k = 3; k < s[2] - 3; ++k)
    for (int64_t j = 3; j < s[1] - 3; ++j)
      for (int64_t i = 3; i < s[0] - 3; ++i) {
        if (!mask.at(i, j, k))
          continue;
        double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        for (int64_t c = -3; c <= 3; ++c)
          for (int64_t b = -3; b <= 3; ++b)
            for (int64_t a = -3; a <= 3; ++a) {
              const double p = value(x, i + a, j + b, k + c), q = value(y, i + a, j + b, k + c);
              sx += p;
              sy += q;
              sxx += p * p;
              syy += q * q;
              sxy += p * q;
            }
        const double n = 343, ux = sx / n, uy = sy / n, norm = n / (n - 1);
        const double vx = norm * (sxx / n - ux * ux), vy = norm * (syy / n - uy * uy),
                     vxy = norm * (sxy / n - ux * uy);
        total +=
            ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
        ++count;
      }
  return total / double(count);
}

// The intensity-weighted centre of a scan (HU + 1000: air weighs nothing), in mm.
Vec3 weightedCentre(const CtVolume& ct) {
  const auto& g = ct.geometry;
  Vec3 sum{0, 0, 0};
  double total = 0;
  for (int64_t k = 0; k < g.size[2]; ++k)
    for (int64_t j = 0; j < g.size[1]; ++j)
      for (int64_t i = 0; i < g.size[0]; ++i) {
        const double w = std::max(0.0, double(ct.at(i, j, k)) + 1000);
        const Vec3 p = g.indexToPhysical({double(i), double(j), double(k)});
        for (size_t a = 0; a < 3; ++a)
          sum[a] += w * p[a];
        total += w;
      }
  for (double& v : sum)
    v /= total;
  return sum;
}

test::CommandResult runCli(const QStringList& args) {
  return test::runProgram(QStringLiteral(LUMEN_CLI_PATH), args, 60000);
}

} // namespace

class TestSynthesisMetrics : public QObject {
  Q_OBJECT

private Q_SLOTS:
  // SynthRAD's recipe in Python (scikit-image 0.19.3, scipy 1.10.1) gave these figures.
  void matchesTheChallengesOwnRecipe() {
    const Case c = referenceCase();
    SynthesisScores s = scoreSynthesis(c.prediction, c.reference, c.mask, nullptr);
    QCOMPARE(s.maskVoxels, int64_t(1719));
    QCOMPARE(s.ssimVoxels, int64_t(1398));
    QVERIFY(std::abs(s.maeHu - 319.6278650378) < 1e-6);
    QVERIFY(std::abs(s.psnrDb - 20.5846848483) < 1e-6);
    QVERIFY2(std::abs(s.ssim - 0.963024764208) < 1e-9,
             qPrintable(QString::number(s.ssim, 'g', 12)));
    QVERIFY(std::isnan(s.vesselMaeHu));

    SynthesisMetricOptions synthrad2025;
    synthrad2025.highHu = 3071;
    s = scoreSynthesis(c.prediction, c.reference, c.mask, nullptr, synthrad2025);
    QVERIFY(std::abs(s.maeHu - 319.6278650378) < 1e-6); // MAE is never clipped
    QVERIFY(std::abs(s.psnrDb - 20.6954613869) < 1e-6);
    QVERIFY(std::abs(s.ssim - 0.962737745569) < 1e-9);

    Volume<uint8_t> everywhere = c.mask;
    std::fill(everywhere.values.begin(), everywhere.values.end(), uint8_t(1));
    s = scoreSynthesis(c.prediction, c.reference, everywhere, nullptr);
    QVERIFY(std::abs(s.maeHu - 322.2775347222) < 1e-6);
    QVERIFY(std::abs(s.psnrDb - 20.5763277283) < 1e-6);
    QVERIFY(std::abs(s.ssim - 0.934241419646) < 1e-9);
  }

  // The sliding, chunked SSIM against the definition on a volume taller than one chunk, with one
  // thread and several.
  void ssimEqualsTheDirectSum() {
    FloatVolume x = blank<float>({17, 13, 61}), y = x;
    Volume<uint8_t> mask = blank<uint8_t>({17, 13, 61});
    for (size_t n = 0; n < x.values.size(); ++n) {
      x.values[n] = float(int64_t(n * 2654435761u % 3000) - 1000);
      y.values[n] = x.values[n] * 0.9f + float(int64_t(n * 40503u % 300));
      mask.values[n] = (n * 7919u) % 11 != 0;
    }
    const double expected = directSsim(x, y, mask, -1024, 3000);
    for (int threads : {1, 3}) {
      SynthesisMetricOptions options;
      options.threads = threads;
      const double got = maskedSsim3d(x, y, mask, options);
      QVERIFY2(std::abs(got - expected) < 1e-12,
               qPrintable(QString("%1 vs %2").arg(got, 0, 'g', 15).arg(expected, 0, 'g', 15)));
    }
  }

  void closedForms() {
    // A constant offset of 50 HU everywhere: MAE 50, PSNR 20 log10(4024 / 50), and SSIM of two
    // flat images: (2 a b + C1) / (a^2 + b^2 + C1) after the shift by 1024.
    FloatVolume ref = blank<float>({9, 9, 9}), pred = ref;
    Volume<uint8_t> mask = blank<uint8_t>({9, 9, 9});
    std::fill(ref.values.begin(), ref.values.end(), 40.f);
    std::fill(pred.values.begin(), pred.values.end(), 90.f);
    std::fill(mask.values.begin(), mask.values.end(), uint8_t(1));
    const SynthesisScores s = scoreSynthesis(pred, ref, mask, &mask);
    QVERIFY(std::abs(s.maeHu - 50) < 1e-9);
    QVERIFY(std::abs(s.vesselMaeHu - 50) < 1e-9);
    QVERIFY(std::abs(s.psnrDb - 20 * std::log10(4024.0 / 50)) < 1e-9);
    const double a = 40 + 1024, b = 90 + 1024, c1 = std::pow(0.01 * 4024, 2);
    QVERIFY(std::abs(s.ssim - (2 * a * b + c1) / (a * a + b * b + c1)) < 1e-12);
    QCOMPARE(s.ssimVoxels, int64_t(27)); // 3 of 9 voxels per axis after the crop

    // Identical volumes: PSNR is infinite, SSIM 1; values past the range clip for PSNR only.
    FloatVolume high = ref;
    std::fill(high.values.begin(), high.values.end(), 3500.f);
    FloatVolume higher = high;
    std::fill(higher.values.begin(), higher.values.end(), 3900.f);
    const SynthesisScores clipped = scoreSynthesis(higher, high, mask, nullptr);
    QVERIFY(std::isinf(clipped.psnrDb));
    QVERIFY(std::abs(clipped.ssim - 1) < 1e-12);
    QVERIFY(std::abs(clipped.maeHu - 400) < 1e-9);
  }

  void refusesWhatItCannotScore() {
    const Case c = referenceCase();
    FloatVolume shifted = c.prediction;
    shifted.geometry.origin[2] += 2.0;
    QVERIFY_THROWS_EXCEPTION(InputError, scoreSynthesis(shifted, c.reference, c.mask, nullptr));
    Volume<uint8_t> empty = c.mask;
    std::fill(empty.values.begin(), empty.values.end(), uint8_t(0));
    QVERIFY_THROWS_EXCEPTION(InputError, scoreSynthesis(c.prediction, c.reference, empty, nullptr));
    FloatVolume thin = blank<float>({20, 18, 5});
    Volume<uint8_t> thinMask = blank<uint8_t>({20, 18, 5});
    QVERIFY_THROWS_EXCEPTION(InputError, maskedSsim3d(thin, thin, thinMask));
    SynthesisMetricOptions bad;
    bad.highHu = -2000;
    QVERIFY_THROWS_EXCEPTION(InputError, checkSynthesisMetricOptions(bad));
    bad = {};
    bad.ssimWindow = 8;
    QVERIFY_THROWS_EXCEPTION(InputError, checkSynthesisMetricOptions(bad));
  }

  // Air around a body with lungs inside and a couch below it, apart from the body.
  void bodyMaskKeepsTheBodyAndFillsItsLungs() {
    FloatVolume ct = blank<float>({40, 40, 6});
    std::fill(ct.values.begin(), ct.values.end(), -1000.f);
    for (int64_t k = 0; k < 6; ++k)
      for (int64_t j = 0; j < 40; ++j)
        for (int64_t i = 0; i < 40; ++i) {
          const double r2 = (i - 20) * (i - 20) + (j - 18) * (j - 18);
          if (r2 < 15 * 15)
            ct.at(i, j, k) = 40;
          if ((i - 14) * (i - 14) + (j - 18) * (j - 18) < 16) // a lung
            ct.at(i, j, k) = -850;
          if (j == 37 && i > 5 && i < 35) // the couch
            ct.at(i, j, k) = 200;
        }
    const Volume<uint8_t> mask = bodyMask(ct);
    QCOMPARE(int(mask.at(20, 18, 2)), 1);
    QCOMPARE(int(mask.at(14, 18, 2)), 1); // the lung is inside the body
    QCOMPARE(int(mask.at(20, 37, 2)), 0); // the couch is not
    QCOMPARE(int(mask.at(1, 1, 2)), 0);
  }

  // The CTA's patient moves by the drawn shift (its centre in x and y, where the whole body is in
  // view, follows it); anatomy and the NCCT stay as they were.
  void syntheticPairsAreMisalignedByTheirMotion() {
    SyntheticChestCtOptions options;
    options.size = {64, 56, 20};
    options.spacing = {5, 5, 10};
    options.threads = 2;
    const SyntheticChestCt still = makeSyntheticChestCt(7, options);
    QVERIFY(still.ctaMotion.isIdentity());
    options.misalignMm = 3;
    const SyntheticChestCt moved = makeSyntheticChestCt(7, options);
    QVERIFY(moved.nct.values == still.nct.values);
    QVERIFY(moved.labels.values == still.labels.values);
    QVERIFY(moved.cta.values != still.cta.values);
    const Vec3 a = weightedCentre(still.cta), b = weightedCentre(moved.cta);
    double length = 0;
    for (size_t d = 0; d < 3; ++d) {
      const double shift = moved.ctaMotion.shiftMm[d];
      QVERIFY(std::abs(shift) <= 3);
      length += shift * shift;
      if (d == 2)
        continue; // the torso runs past the field of view in z: its centre there stays put
      QVERIFY2(std::abs((b[d] - a[d]) - shift) < 0.35,
               qPrintable(QString("axis %1: centre moved %2 mm, shift %3 mm")
                              .arg(d)
                              .arg(b[d] - a[d])
                              .arg(shift)));
    }
    QVERIFY(std::sqrt(length) > 0.5); // the draw for this seed is not close to zero

    options.misalignMm = 0;
    options.misalignDegrees = 4;
    const SyntheticChestCt rotated = makeSyntheticChestCt(7, options);
    const auto& r = rotated.ctaMotion.rotation;
    const double angle = std::acos(std::clamp((r[0] + r[4] + r[8] - 1) / 2, -1.0, 1.0));
    QVERIFY(angle > 0 && angle <= 4 * 3.14159265358979 / 180 + 1e-9);
  }

  // `synth pairs` folders pair up by name; unmatched scans, missing masks and pairs on two grids
  // are refused with the files named.
  void pairedFoldersAreMatchedAndChecked() {
    const std::string dir = test::freshDir("synth-pairs");
    SyntheticChestCtOptions options = defaultSyntheticPairOptions();
    options.size = {40, 32, 12};
    options.spacing = {8, 8, 12};
    options.threads = 2;
    writeSyntheticPairs(dir, 2, 3, options, false);
    const auto pairs = findScanPairs(
        {dir + "/nct", dir + "/cta", dir + "/" + kBodyMaskFolder, dir + "/" + kLungMaskFolder});
    QCOMPARE(pairs.size(), size_t(2));
    QCOMPARE(pairs[1].name, std::string("case_001"));
    QVERIFY(pairs[1].lungMask.find("masks/lung/case_001.nii.gz") != std::string::npos);
    const auto vessels = readLabelVolume(dir + "/" + kVesselMaskFolder + "/case_000.nii.gz");
    QVERIFY(std::count(vessels.values.begin(), vessels.values.end(), 1) > 20);
    std::ifstream json(dir + "/phantoms.json");
    const auto phantoms = nlohmann::json::parse(json);
    QCOMPARE(phantoms["cases"][0]["cta_motion"]["shift_mm"].size(), size_t(3));

    // A scan without a partner, then a partner on another grid.
    FloatVolume odd = blank<float>({40, 32, 11});
    writeFloatVolume(dir + "/cta/case_002.nii.gz", odd);
    try {
      findScanPairs({dir + "/nct", dir + "/cta", "", ""});
      QFAIL("an unpaired scan was accepted");
    } catch (const InputError& e) {
      QVERIFY2(std::string(e.what()).find("cta/case_002.nii.gz") != std::string::npos, e.what());
    }
    writeFloatVolume(dir + "/nct/case_002.nii.gz", blank<float>({40, 32, 12}));
    try {
      findScanPairs({dir + "/nct", dir + "/cta", "", ""});
      QFAIL("a pair on two grids was accepted");
    } catch (const InputError& e) {
      QVERIFY2(std::string(e.what()).find("40x32x12 and 40x32x11") != std::string::npos, e.what());
    }
    std::filesystem::remove(dir + "/nct/case_002.nii.gz");
    std::filesystem::remove(dir + "/cta/case_002.nii.gz");
    std::filesystem::remove(dir + "/" + kBodyMaskFolder + "/case_001.nii.gz");
    QVERIFY_THROWS_EXCEPTION(
        InputError, findScanPairs({dir + "/nct", dir + "/cta", dir + "/" + kBodyMaskFolder, ""}));
    QVERIFY_THROWS_EXCEPTION(InputError, findScanPairs({dir + "/missing", dir + "/cta", "", ""}));

    // The window maps HU onto [-1, 1] and back.
    const HuWindow window;
    QCOMPARE(huToUnit(-1024, window), -1.0f);
    QCOMPARE(huToUnit(3071, window), 1.0f);
    QCOMPARE(huToUnit(-3000, window), -1.0f);
    QVERIFY(std::abs(unitToHu(huToUnit(40, window), window) - 40) < 1e-3);
  }

  // `lumen-cli synth eval` on NIfTI files, with the NCCT as the identity baseline and its
  // contrast-uptake vessel region; a prediction on another grid is refused, naming the file.
  void evalCommandScoresFiles() {
    const std::string dir = test::freshDir("synth-eval");
    const Case c = referenceCase();
    FloatVolume ncct = c.reference;
    for (size_t n = 0; n < ncct.values.size(); ++n)
      if (n % 5 == 0)
        ncct.values[n] -= 250; // "contrast" where the reference is 250 HU brighter
    writeFloatVolume(dir + "/cta.nii.gz", c.reference);
    writeFloatVolume(dir + "/pred.nii.gz", c.prediction);
    writeFloatVolume(dir + "/ncct.nii.gz", ncct);
    writeNiftiVolume(dir + "/mask.nii.gz", c.mask);
    const auto r =
        runCli({"synth", "eval", "--prediction", QString::fromStdString(dir + "/pred.nii.gz"),
                "--reference", QString::fromStdString(dir + "/cta.nii.gz"), "--mask",
                QString::fromStdString(dir + "/mask.nii.gz"), "--ncct",
                QString::fromStdString(dir + "/ncct.nii.gz"), "--json"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const auto out = nlohmann::json::parse(r.out.toStdString());
    QVERIFY(std::abs(out["prediction"]["mae_hu"].get<double>() - 319.6278650378) < 1e-4);
    QVERIFY(std::abs(out["prediction"]["ssim"].get<double>() - 0.963024764208) < 1e-8);
    QCOMPARE(out["mask"]["source"].get<std::string>(), std::string("file"));
    QCOMPARE(out["vessels"]["source"].get<std::string>(), std::string("contrast uptake"));
    const SynthesisScores ncctScores = scoreSynthesis(ncct, c.reference, c.mask, nullptr);
    QVERIFY(std::abs(out["ncct"]["mae_hu"].get<double>() - ncctScores.maeHu) < 1e-4);
    QVERIFY(std::abs(out["ncct"]["vessel_mae_hu"].get<double>() - 250) < 1e-4);
    QVERIFY(out["vessels"]["voxels"].get<int64_t>() > 300);

    // Folders: cases pair up by name, the mean comes with them, a missing partner is named.
    for (const char* folder : {"/p", "/r", "/m"})
      std::filesystem::create_directories(dir + folder);
    for (const char* name : {"a", "b"}) {
      writeFloatVolume(dir + "/p/" + name + ".nii.gz", c.prediction);
      writeFloatVolume(dir + "/r/" + name + ".nii", c.reference);
      writeNiftiVolume(dir + "/m/" + name + ".nii.gz", c.mask);
    }
    const auto folders =
        runCli({"synth", "eval", "--prediction", QString::fromStdString(dir + "/p"), "--reference",
                QString::fromStdString(dir + "/r"), "--mask", QString::fromStdString(dir + "/m"),
                "--json"});
    QVERIFY2(folders.code == 0, qPrintable(folders.err));
    const auto set = nlohmann::json::parse(folders.out.toStdString());
    QCOMPARE(set["cases"].size(), size_t(2));
    QCOMPARE(set["cases"][1]["name"].get<std::string>(), std::string("b"));
    QCOMPARE(set["mean"]["prediction"]["ssim"]["cases"].get<int>(), 2);
    QVERIFY(std::abs(set["mean"]["prediction"]["ssim"]["mean"].get<double>() - 0.963024764208) <
            1e-8);
    QVERIFY(std::abs(set["mean"]["prediction"]["mae_hu"]["sd"].get<double>()) < 1e-9);
    std::filesystem::remove(dir + "/m/b.nii.gz");
    const auto unpaired =
        runCli({"synth", "eval", "--prediction", QString::fromStdString(dir + "/p"), "--reference",
                QString::fromStdString(dir + "/r"), "--mask", QString::fromStdString(dir + "/m")});
    QCOMPARE(unpaired.code, 1);
    QVERIFY2(unpaired.err.contains("/m/b"), qPrintable(unpaired.err));

    FloatVolume moved = c.prediction;
    moved.geometry.size = {20, 18, 15};
    moved.values.resize(moved.geometry.voxels());
    writeFloatVolume(dir + "/moved.nii.gz", moved);
    const auto refused =
        runCli({"synth", "eval", "--prediction", QString::fromStdString(dir + "/moved.nii.gz"),
                "--reference", QString::fromStdString(dir + "/cta.nii.gz")});
    QCOMPARE(refused.code, 1);
    QVERIFY2(refused.err.contains("moved.nii.gz") && refused.err.contains("20x18x15"),
             qPrintable(refused.err));
  }
};

QTEST_GUILESS_MAIN(TestSynthesisMetrics)
#include "TestSynthesisMetrics.moc"
