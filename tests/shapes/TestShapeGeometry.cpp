// The geometry under shape preparation: NIfTI round trips keep physical space, exact distance
// transforms against brute force, frames that map back to millimetres, class maps, and the
// synthetic heart's classes and spacing.
#include "TestSupport.h"
#include "common/Error.h"
#include "io/NiftiIO.h"
#include "shapes/DistanceTransform.h"
#include "shapes/HeartClasses.h"
#include "shapes/ShapeFrame.h"
#include "shapes/SyntheticHeart.h"

#include <QtTest>
#include <cmath>
#include <random>

using namespace lumen;

class TestShapeGeometry : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void niftiRoundTripKeepsGeometry() {
    LabelVolume v;
    v.geometry.size = {5, 4, 3};
    v.geometry.spacing = {0.5, 0.75, 2.0};
    v.geometry.origin = {-10, 20, 5};
    const double c = std::cos(0.3), s = std::sin(0.3);
    v.geometry.direction = {c, -s, 0, s, c, 0, 0, 0, 1};
    v.values.resize(v.geometry.voxels());
    for (size_t i = 0; i < v.values.size(); ++i)
      v.values[i] = int32_t(i % 11);
    const std::string path = test::freshDir("nifti") + "/labels.nii.gz";
    writeLabelVolume(path, v);
    std::string type;
    readNiftiGeometry(path, &type);
    QCOMPARE(QString::fromStdString(type), QString("unsigned_char"));
    const LabelVolume back = readLabelVolume(path);
    QCOMPARE(back.values, v.values);
    for (size_t d = 0; d < 3; ++d) {
      QCOMPARE(back.geometry.size[d], v.geometry.size[d]);
      QVERIFY(std::abs(back.geometry.spacing[d] - v.geometry.spacing[d]) < 1e-6);
      QVERIFY(std::abs(back.geometry.origin[d] - v.geometry.origin[d]) < 1e-4);
    }
    for (size_t k = 0; k < 9; ++k)
      QVERIFY(std::abs(back.geometry.direction[k] - v.geometry.direction[k]) < 1e-5);
    // A physical point maps to the same voxel through either geometry.
    const Vec3 p = v.geometry.indexToPhysical({3, 2, 1});
    const Vec3 index = back.geometry.physicalToIndex(p);
    QVERIFY(std::abs(index[0] - 3) < 1e-4 && std::abs(index[1] - 2) < 1e-4 &&
            std::abs(index[2] - 1) < 1e-4);
  }

  void niftiRejectsBadFiles() {
    const std::string dir = test::freshDir("nifti-bad");
    test::writeText(dir + "/text.nii", "this is not a NIfTI header at all");
    QVERIFY_THROWS_EXCEPTION(IoError, readLabelVolume(dir + "/text.nii"));
    QVERIFY_THROWS_EXCEPTION(IoError, readLabelVolume(dir + "/missing.nii.gz"));
    // Truncated: a valid file cut in half.
    LabelVolume v;
    v.geometry.size = {32, 32, 32};
    v.values.assign(v.geometry.voxels(), 3);
    writeLabelVolume(dir + "/whole.nii", v);
    const std::string whole = test::readText(dir + "/whole.nii");
    test::writeText(dir + "/cut.nii", whole.substr(0, whole.size() / 2));
    writeLabelVolume(dir + "/whole.nii.gz", v);
    const std::string packed = test::readText(dir + "/whole.nii.gz");
    test::writeText(dir + "/cut.nii.gz", packed.substr(0, packed.size() / 2));
    for (const std::string name : {"cut.nii", "cut.nii.gz"}) {
      try {
        readLabelVolume(dir + "/" + name);
        QFAIL(qPrintable(QString::fromStdString("truncated " + name + " was read")));
      } catch (const Error& e) {
        QVERIFY2(std::string(e.what()).find(name) != std::string::npos, e.what());
      }
    }
    // The memory guard refuses before reading voxels.
    NiftiReadLimits limits;
    limits.maxVoxels = 1000;
    QVERIFY_THROWS_EXCEPTION(InputError, readLabelVolume(dir + "/whole.nii", limits));
  }

  void distanceTransformMatchesBruteForce() {
    const std::array<int64_t, 3> size{9, 7, 6};
    const std::array<double, 3> spacing{1.0, 1.5, 0.7};
    std::mt19937 rng(3);
    std::vector<uint8_t> feature(size_t(9 * 7 * 6));
    for (auto& f : feature)
      f = rng() % 17 == 0;
    const auto d2 = squaredDistanceTransform(feature, size, spacing);
    for (int64_t k = 0; k < 6; ++k)
      for (int64_t j = 0; j < 7; ++j)
        for (int64_t i = 0; i < 9; ++i) {
          double best = INFINITY;
          for (int64_t c = 0; c < 6; ++c)
            for (int64_t b = 0; b < 7; ++b)
              for (int64_t a = 0; a < 9; ++a)
                if (feature[size_t((c * 7 + b) * 9 + a)])
                  best = std::min(best, std::pow((a - i) * 1.0, 2) + std::pow((b - j) * 1.5, 2) +
                                            std::pow((c - k) * 0.7, 2));
          QVERIFY(std::abs(d2[size_t((k * 7 + j) * 9 + i)] - best) < 1e-4);
        }
  }

  void signedDistanceOfABall() {
    const int n = 41;
    std::vector<uint8_t> mask(size_t(n * n * n));
    const double r = 12.0;
    for (int k = 0; k < n; ++k)
      for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i)
          mask[size_t((k * n + j) * n + i)] = std::hypot(i - 20.0, j - 20.0, k - 20.0) <= r ? 1 : 0;
    const auto sdf = signedDistance(mask, {n, n, n}, {1, 1, 1});
    for (int k = 0; k < n; k += 3)
      for (int j = 0; j < n; j += 3)
        for (int i = 0; i < n; i += 3) {
          const double exact = std::hypot(i - 20.0, j - 20.0, k - 20.0) - r;
          const float value = sdf[size_t((k * n + j) * n + i)];
          QVERIFY2(std::abs(value - exact) < 1.0, qPrintable(QString::number(value)));
          QCOMPARE(value < 0, mask[size_t((k * n + j) * n + i)] == 1);
        }
    QVERIFY(std::isinf(signedDistance(std::vector<uint8_t>(8, 0), {2, 2, 2}, {1, 1, 1})[0]));
  }

  void frameMapsBackToMillimetres() {
    LabelVolume v;
    v.geometry.size = {20, 10, 8};
    v.geometry.spacing = {0.5, 1.0, 2.0};
    v.geometry.origin = {100, -50, 30};
    v.values.assign(v.geometry.voxels(), 0);
    for (int64_t i = 4; i <= 15; ++i) // x: voxels 4..15 -> [3.5, 15.5] * 0.5 mm
      v.at(i, 5, 3) = 2;
    const ShapeFrame frame = computeShapeFrame(v, 0.1);
    QVERIFY(std::abs(frame.centerMm[0] - (100 + 0.5 * 9.5)) < 1e-9);
    QVERIFY(std::abs(frame.scaleMm - (0.5 * 12 / 2) / 0.9) < 1e-9); // the longest half-side
    const Vec3 p{101.25, -44.0, 36.0};
    const Vec3 back = frame.toMm(frame.toNormalized(p));
    for (size_t d = 0; d < 3; ++d)
      QCOMPARE(back[d], p[d]);
    // The labelled extent ends at +-0.9 along x.
    const Vec3 end = frame.toNormalized(v.geometry.indexToPhysical({15.5, 5, 3}));
    QVERIFY(std::abs(end[0] - 0.9) < 1e-9);
    v.values.assign(v.geometry.voxels(), 0);
    QVERIFY_THROWS_EXCEPTION(InputError, computeShapeFrame(v));
  }

  void classMapsAndLists() {
    const ClassMap mmwhs = classMapByName("mmwhs7");
    QCOMPARE(mmwhs.classOf(3), int(kLeftVentricle));
    QCOMPARE(mmwhs.classOf(500), int(kLeftVentricle));
    QCOMPARE(mmwhs.classOf(850), int(kPulmonaryArtery));
    QVERIFY(mmwhs.annotated[size_t(kAorta - 1)]);
    QVERIFY(!mmwhs.annotated[size_t(kLeftAtrialAppendage - 1)]);
    QVERIFY(!mmwhs.annotated[size_t(kCoronaryArteries - 1)]);
    QVERIFY_THROWS_EXCEPTION(InputError, mmwhs.classOf(9));
    QVERIFY_THROWS_EXCEPTION(InputError, classMapByName("acdc"));
    QCOMPARE(parseHeartClassList("lv, 5,Aorta"), (std::vector<int>{3, 5, 6}));
    QVERIFY_THROWS_EXCEPTION(InputError, parseHeartClassList("3,heart"));
  }

  void syntheticHeartHasAllClasses() {
    const LabelVolume heart = makeSyntheticHeart(4);
    std::array<size_t, 11> count{};
    for (int32_t v : heart.values) {
      QVERIFY(v >= 0 && v <= 10);
      ++count[size_t(v)];
    }
    const double voxelMl = 1.25 * 1.25 * 1.25 / 1000.0;
    // Blood pools of tens of millilitres, thin coronaries well under 10 ml.
    for (int c : {kLeftVentricle, kRightVentricle, kLeftAtrium, kRightAtrium})
      QVERIFY2(count[size_t(c)] * voxelMl > 20 && count[size_t(c)] * voxelMl < 250,
               qPrintable(QString::fromStdString(heartClassName(c))));
    for (int c = 1; c <= 10; ++c)
      QVERIFY2(count[size_t(c)] > 50, qPrintable(QString::fromStdString(heartClassName(c))));
    QVERIFY(count[kCoronaryArteries] * voxelMl < 10);
    // The myocardium encloses the LV: every LV voxel's 6 neighbours are LV, myocardium or (at
    // the base) atrium, aorta or background above the valve plane — never RV.
    const ImageGeometry& g = heart.geometry;
    for (int64_t k = 1; k + 1 < g.size[2]; ++k)
      for (int64_t j = 1; j + 1 < g.size[1]; ++j)
        for (int64_t i = 1; i + 1 < g.size[0]; ++i)
          if (heart.at(i, j, k) == kLeftVentricle)
            for (const auto& [di, dj, dk] : {std::array<int, 3>{1, 0, 0},
                                             {-1, 0, 0},
                                             {0, 1, 0},
                                             {0, -1, 0},
                                             {0, 0, 1},
                                             {0, 0, -1}})
              QVERIFY(heart.at(i + di, j + dj, k + dk) != kRightVentricle);
    // Same seed, same heart; another seed, another heart.
    QCOMPARE(makeSyntheticHeart(4).values, heart.values);
    QVERIFY(makeSyntheticHeart(5).values != heart.values);
    SyntheticHeartOptions anisotropic;
    anisotropic.spacing = {1.0, 1.0, 2.5};
    const LabelVolume thick = makeSyntheticHeart(4, anisotropic);
    QVERIFY(thick.geometry.size[2] < thick.geometry.size[0] / 2 + 10);
  }
};

QTEST_GUILESS_MAIN(TestShapeGeometry)
#include "TestShapeGeometry.moc"
