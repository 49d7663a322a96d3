// The shape metrics' definitions pinned by hand-computed cases that tell the conventions apart:
// HD95 by np.percentile's linear interpolation (not nearest rank), ASSD as the mean of both
// distance sets together (not the mean of the two means, not Chamfer / 2), MONAI's surfaces with
// border voxels counted, and a missed class scored with the penalty distance and counted in the
// evaluation's means and its missed pairs instead of silently dropped.
#include "shapes/ShapeEvaluation.h"
#include "shapes/ShapeMetrics.h"

#include <QtTest>
#include <cmath>
#include <nlohmann/json.hpp>

using namespace lumen;

namespace {

// A 10^3 cube of class 3 in a 20^3 grid, shifted by `dx` voxels along x.
std::vector<uint8_t> cube(int dx) {
  std::vector<uint8_t> v(8000, 0);
  for (int k = 5; k < 15; ++k)
    for (int j = 5; j < 15; ++j)
      for (int i = 5; i < 15; ++i)
        if (i + dx >= 0 && i + dx < 20)
          v[size_t((k * 20 + j) * 20 + i + dx)] = 3;
  return v;
}

const std::array<int64_t, 3> kCubeGrid{20, 20, 20};
const std::array<double, 3> kCubeSpacing{1.5, 1.5, 1.5};

CaseEvaluation caseWith(const std::string& id, const ClassScore& lv) {
  CaseEvaluation c;
  c.caseId = id;
  c.visible = classSetOf(std::vector<int>{1});
  c.completed = classSetOf(std::vector<int>{3});
  MethodScores model;
  model.method = "model";
  model.classes[3] = lv;
  c.methods.push_back(model);
  return c;
}

} // namespace

class TestShapeMetrics : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void percentileInterpolatesLikeNumpy() {
    QCOMPARE(interpolatedPercentile({1, 2, 3, 4}, 95), 3.85); // np.percentile([1,2,3,4], 95)
    QCOMPARE(interpolatedPercentile({4, 1, 3, 2}, 50), 2.5);
    QCOMPARE(interpolatedPercentile({7}, 95), 7.0);
    QCOMPARE(interpolatedPercentile({0, 10}, 100), 10.0);
  }

  void hd95InterpolatesTheDirectedDistances() {
    // One row of 11 voxels, 2 mm apart: the truth is voxel 0, the prediction voxels 0..10. Every
    // voxel is on the border, so every voxel is surface. Prediction -> truth: 0, 2, ..., 20 mm;
    // truth -> prediction: 0. np.percentile puts the 95th at 0.95 * 10 = 9.5: 19 mm, where the
    // nearest rank (ceil(0.95 * 11) = 11th value) would say 20 and "lower" 18.
    const std::array<int64_t, 3> size{11, 1, 1};
    std::vector<uint8_t> truth(11, 0), predicted(11, 1);
    truth[0] = 1;
    const ClassScore s = scoreClass(predicted, truth, size, {2, 1, 1}, 1);
    QVERIFY2(std::abs(s.hd95 - 19.0) < 1e-5, qPrintable(QString::number(s.hd95)));
    QCOMPARE(s.dice, 2.0 / 12.0);
    // ASSD: the mean of all 12 distances (110 / 12 mm), not the mean of the two means (5 mm);
    // Chamfer: the sum of the two means (10 + 0 mm), which is not 2 * ASSD here.
    QVERIFY2(std::abs(s.assd - 110.0 / 12.0) < 1e-5, qPrintable(QString::number(s.assd)));
    QVERIFY2(std::abs(s.chamfer - 10.0) < 1e-5, qPrintable(QString::number(s.chamfer)));
    QVERIFY(!s.penalised());
  }

  void borderVoxelsAreSurfaceVoxels() {
    // The truth fills a 3^3 grid, the prediction is its centre voxel. With MONAI's erosion (an
    // empty border), the truth's surface is its 26 outer voxels: 6 faces at 1 mm from the centre,
    // 12 edges at sqrt 2, 8 corners at sqrt 3; the centre is 1 mm from the nearest of them.
    const std::array<int64_t, 3> size{3, 3, 3};
    std::vector<uint8_t> truth(27, 5), predicted(27, 0);
    predicted[13] = 5;
    const ClassScore s = scoreClass(predicted, truth, size, {1, 1, 1}, 5);
    const double r2 = std::sqrt(2.0), r3 = std::sqrt(3.0);
    // 26 sorted values, the 95th percentile at 23.75: between two corners.
    QVERIFY2(std::abs(s.hd95 - r3) < 1e-5, qPrintable(QString::number(s.hd95)));
    QVERIFY(std::abs(s.assd - (1 + 6 + 12 * r2 + 8 * r3) / 27) < 1e-5);
    QVERIFY(std::abs(s.chamfer - (1 + (6 + 12 * r2 + 8 * r3) / 26)) < 1e-5);
  }

  void shiftedCubes() {
    const auto same = scoreClass(cube(0), cube(0), kCubeGrid, kCubeSpacing, 3);
    QCOMPARE(same.dice, 1.0);
    QCOMPARE(same.hd95, 0.0);
    QCOMPARE(same.assd, 0.0);
    const auto moved = scoreClass(cube(2), cube(0), kCubeGrid, kCubeSpacing, 3);
    QCOMPARE(moved.dice, 2.0 * 800 / 2000);
    // The far x faces (100 of each cube's 488 surface voxels, over 5 %) are 2 voxels apart.
    QVERIFY(std::abs(moved.hd95 - 3.0) < 1e-5);
    QVERIFY(std::abs(moved.chamfer - 2 * moved.assd) < 1e-9); // equal set sizes here
  }

  void missedClassScoresThePenalty() {
    const double diagonal = std::sqrt(3.0) * 20 * 1.5;
    QCOMPARE(missedClassPenalty(kCubeGrid, kCubeSpacing), diagonal);
    const std::vector<uint8_t> empty(8000, 0);
    const auto missed = scoreClass(empty, cube(0), kCubeGrid, kCubeSpacing, 3);
    QVERIFY(missed.missed() && missed.penalised() && !missed.spurious());
    QCOMPARE(missed.dice, 0.0);
    QCOMPARE(missed.hd95, diagonal);
    QCOMPARE(missed.assd, diagonal);
    QCOMPARE(missed.chamfer, 2 * diagonal);
    QCOMPARE(missed.truthVoxels, int64_t(1000));
    const auto spurious = scoreClass(cube(0), empty, kCubeGrid, kCubeSpacing, 3);
    QVERIFY(spurious.spurious() && !spurious.missed());
    QCOMPARE(spurious.hd95, diagonal);
    const auto neither = scoreClass(empty, empty, kCubeGrid, kCubeSpacing, 3);
    QVERIFY(!neither.penalised());
    QCOMPARE(neither.dice, 1.0);
    QCOMPARE(neither.hd95, 0.0);
    // The penalty exceeds any distance two voxels of the grid can have.
    std::vector<uint8_t> corner(8000, 0), opposite(8000, 0);
    corner[0] = 3;
    opposite[7999] = 3;
    QVERIFY(scoreClass(corner, opposite, kCubeGrid, kCubeSpacing, 3).hd95 < diagonal);
  }

  void missedClassesCountInTheMeans() {
    const ClassScore good = scoreClass(cube(2), cube(0), kCubeGrid, kCubeSpacing, 3);
    const ClassScore far = scoreClass(cube(-5), cube(5), kCubeGrid, kCubeSpacing, 3);
    const ClassScore missed =
        scoreClass(std::vector<uint8_t>(8000, 0), cube(0), kCubeGrid, kCubeSpacing, 3);
    QVERIFY(far.hd95 > good.hd95 && !far.penalised());

    ShapeEvaluation dropsIt, triesIt;
    dropsIt.cases = {caseWith("a", good), caseWith("b", missed)};
    triesIt.cases = {caseWith("a", good), caseWith("b", far)};
    const SummaryScores dropped = dropsIt.summary().at("model").at("completed");
    const SummaryScores tried = triesIt.summary().at("model").at("completed");
    QCOMPARE(dropped.pairs, 2);
    QCOMPARE(dropped.missed, 1);
    QCOMPARE(tried.missed, 0);
    QCOMPARE(dropped.hd95, (good.hd95 + missed.hd95) / 2);
    QCOMPARE(dropped.assd, (good.assd + missed.assd) / 2);
    QCOMPARE(dropped.chamfer, (good.chamfer + missed.chamfer) / 2);
    QCOMPARE(dropped.dice, (good.dice + 0.0) / 2);
    // Dropping a class never beats predicting it, however badly.
    QVERIFY(dropped.hd95 > tried.hd95);
    QVERIFY(dropped.assd > tried.assd);

    const auto json = nlohmann::json::parse(dropsIt.toJson());
    const auto& summary = json["summary"]["model"]["completed"];
    QCOMPARE(summary["missed_pairs"].get<int>(), 1);
    QCOMPARE(summary["pairs"].get<int>(), 2);
    QCOMPARE(summary["hd95_mm"].get<double>(), dropped.hd95);
    QCOMPARE(json["per_case"][1]["model"]["LV"]["missed"].get<bool>(), true);
    QCOMPARE(json["per_case"][0]["model"]["LV"]["missed"].get<bool>(), false);
    QCOMPARE(json["per_case"][1]["model"]["LV"]["hd95_mm"].get<double>(), missed.hd95);
  }
};

QTEST_GUILESS_MAIN(TestShapeMetrics)
#include "TestShapeMetrics.moc"
