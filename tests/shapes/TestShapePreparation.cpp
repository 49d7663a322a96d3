// Shape preparation end to end on synthetic hearts and the real MM-WHS-derived label map:
// signed distances agree with occupancy, surface points lie on the surface with class shares
// matching areas, files round-trip, datasets split deterministically, bad input is refused.
#include "TestSupport.h"
#include "common/Error.h"
#include "io/NiftiIO.h"
#include "shapes/ShapeDataset.h"
#include "shapes/ShapePreparation.h"
#include "shapes/SurfaceMesh.h"
#include "shapes/SyntheticHeart.h"

#include <QtTest>
#include <cmath>
#include <filesystem>

using namespace lumen;

namespace {

ShapePrepareOptions smallOptions() {
  ShapePrepareOptions o;
  o.points = 4096;
  o.volumeQueries = 20000;
  o.nearQueries = 20000;
  o.grid = 96;
  return o;
}

} // namespace

class TestShapePreparation : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void signedDistanceAgreesWithOccupancy() {
    const PreparedShape shape = prepareShape(makeSyntheticHeart(1), "heart", smallOptions());
    const double voxel = 2.0 / (96 - 1);
    size_t checked = 0, disagree = 0;
    for (const QuerySet* q : {&shape.volume, &shape.near})
      for (size_t s = 0; s < q->size(); ++s)
        for (size_t c = 0; c < size_t(kHeartClasses); ++c) {
          const float sdf = q->sdf[s * kHeartClasses + c];
          if (std::abs(sdf) < 1.5 * voxel)
            continue; // within a voxel and a half of the boundary either answer is fair
          ++checked;
          disagree += (sdf < 0) != (q->occupancy[s * kHeartClasses + c] == 1);
        }
    QVERIFY(checked > 100000);
    QVERIFY2(disagree == 0, qPrintable(QString("%1 of %2").arg(disagree).arg(checked)));
    // Near queries straddle the surfaces: both signs for every class.
    for (size_t c = 0; c < size_t(kHeartClasses); ++c) {
      size_t inside = 0;
      for (size_t s = 0; s < shape.near.size(); ++s)
        inside += shape.near.sdf[s * kHeartClasses + c] < 0;
      QVERIFY(inside > 0 && inside < shape.near.size());
    }
  }

  void surfacePointsLieOnTheSurfaceInAreaProportion() {
    const LabelVolume heart = makeSyntheticHeart(2);
    const ShapePrepareOptions o = smallOptions();
    const PreparedShape shape = prepareShape(heart, "heart", o);
    QCOMPARE(shape.surfaceSize(), size_t(o.points));
    // Distance to the class surface: the class's own field is ~0 at its surface points.
    const Volume<uint8_t> classes = mapClasses(heart, classMapByName("heart10"));
    const ClassDistanceFields fields =
        computeDistanceFields(resampleToFrame(classes, shape.frame, o.grid));
    const double voxel = 2.0 / (o.grid - 1);
    std::array<size_t, kHeartClasses> count{};
    double sum = 0, worst = 0;
    for (size_t s = 0; s < shape.surfaceSize(); ++s) {
      const int label = shape.surfaceLabels[s];
      ++count[size_t(label - 1)];
      const Vec3 p{shape.surfacePoints[3 * s], shape.surfacePoints[3 * s + 1],
                   shape.surfacePoints[3 * s + 2]};
      const double d = std::abs(fields.at(label, p));
      sum += d;
      worst = std::max(worst, d);
    }
    // Marching cubes interpolates along cell edges, the field trilinearly inside cells: they
    // agree to a fraction of a voxel.
    QVERIFY2(sum / double(shape.surfaceSize()) < 0.05 * voxel && worst < 0.5 * voxel,
             qPrintable(QString("mean %1 worst %2 voxels")
                            .arg(sum / double(shape.surfaceSize()) / voxel)
                            .arg(worst / voxel)));
    // Shares follow the areas of the class meshes (beyond the per-class minimum).
    GridSpec spec;
    spec.size = {o.grid, o.grid, o.grid};
    spec.origin = {-1, -1, -1};
    spec.spacing = {voxel, voxel, voxel};
    std::array<double, kHeartClasses> area{};
    double total = 0;
    for (int c = 1; c <= kHeartClasses; ++c) {
      area[size_t(c - 1)] = extractIsoSurface(fields.sdf[size_t(c - 1)], spec, 0.0, {0, 0, 0},
                                              {o.grid, o.grid, o.grid})
                                .area();
      total += area[size_t(c - 1)];
    }
    for (int c = 1; c <= kHeartClasses; ++c) {
      QVERIFY(count[size_t(c - 1)] >= size_t(o.minPointsPerClass));
      const double expected = area[size_t(c - 1)] / total * o.points;
      if (expected > 2 * o.minPointsPerClass)
        QVERIFY2(std::abs(double(count[size_t(c - 1)]) - expected) < 0.1 * expected + 70,
                 qPrintable(
                     QString("class %1: %2 vs %3").arg(c).arg(count[size_t(c - 1)]).arg(expected)));
    }
  }

  void anyOrientationGivesTheSameShapeInMillimetres() {
    // The same heart stored with flipped and permuted axes prepares to the same frame.
    const LabelVolume heart = makeSyntheticHeart(3);
    LabelVolume flipped = heart;
    ImageGeometry& g = flipped.geometry;
    const ImageGeometry& h = heart.geometry;
    g.direction = {-1, 0, 0, 0, 1, 0, 0, 0, -1}; // index axes now run right-to-left, up-to-down
    g.origin = h.indexToPhysical({double(h.size[0] - 1), 0, double(h.size[2] - 1)});
    for (int64_t k = 0; k < h.size[2]; ++k)
      for (int64_t j = 0; j < h.size[1]; ++j)
        for (int64_t i = 0; i < h.size[0]; ++i)
          flipped.at(h.size[0] - 1 - i, j, h.size[2] - 1 - k) = heart.at(i, j, k);
    QCOMPARE(flipped.geometry.orientationCode(), std::string("RPI"));
    const PreparedShape a = prepareShape(heart, "a", smallOptions());
    const PreparedShape b = prepareShape(flipped, "b", smallOptions());
    for (size_t d = 0; d < 3; ++d)
      QVERIFY(std::abs(a.frame.centerMm[d] - b.frame.centerMm[d]) < 1e-6);
    QVERIFY(std::abs(a.frame.scaleMm - b.frame.scaleMm) < 1e-6);
    size_t same = 0;
    for (size_t s = 0; s < a.volume.size(); ++s)
      same += std::equal(a.volume.occupancy.begin() + long(s * kHeartClasses),
                         a.volume.occupancy.begin() + long((s + 1) * kHeartClasses),
                         b.volume.occupancy.begin() + long(s * kHeartClasses));
    QCOMPARE(same, a.volume.size());
  }

  void datasetFilesRoundTripAndSplit() {
    const std::string dir = test::freshDir("shape-dataset");
    writeSyntheticHearts(dir + "/labels", 5, 10, {});
    ShapeDatasetOptions options;
    options.prepare = smallOptions();
    options.prepare.volumeQueries = 2000;
    options.prepare.nearQueries = 2000;
    const ShapeDatasetResult result =
        prepareShapeDataset(dir + "/labels", dir + "/prepared", options);
    QCOMPARE(result.train.size() + result.val.size(), size_t(5));
    QCOMPARE(result.val.size(), size_t(1));
    QCOMPARE(readCaseList(dir + "/prepared", "train"), result.train);
    QCOMPARE(readCaseList(dir + "/prepared", "val"), result.val);
    const PreparedShape shape = readPreparedShape(caseFile(dir + "/prepared", "heart_002"));
    QCOMPARE(shape.caseId, std::string("heart_002"));
    QCOMPARE(shape.surfaceSize(), size_t(4096));
    QCOMPARE(shape.volume.size(), size_t(2000));
    QCOMPARE(int(shape.annotated[9]), 1);
    QCOMPARE(shape.source.size, makeSyntheticHeart(12).geometry.size);
    // The dense ground truth in the frame comes back as written.
    const PreparedShape direct = prepareShape(readLabelVolume(dir + "/labels/heart_002.nii.gz"),
                                              "heart_002", options.prepare);
    QCOMPARE(shape.grid.n, 96);
    QVERIFY(shape.grid.labels == direct.grid.labels);
    QVERIFY(std::count(shape.grid.labels.begin(), shape.grid.labels.end(), 3) > 1000);
    // Re-running gives the same split.
    const ShapeDatasetResult again = prepareShapeDataset(dir + "/labels", dir + "/again", options);
    QCOMPARE(again.val, result.val);
  }

  void unannotatedClassesAreNeitherLabelledNorPresent() {
    ShapePrepareOptions options = smallOptions();
    options.unannotated = parseHeartClassList("laa,cor,pv");
    const PreparedShape shape = prepareShape(makeSyntheticHeart(4), "partial", options);
    for (int c = 8; c <= 10; ++c) {
      QCOMPARE(int(shape.annotated[size_t(c - 1)]), 0);
      QCOMPARE(int(shape.present[size_t(c - 1)]), 0);
      QVERIFY(std::find(shape.surfaceLabels.begin(), shape.surfaceLabels.end(), c) ==
              shape.surfaceLabels.end());
      QVERIFY(std::find(shape.grid.labels.begin(), shape.grid.labels.end(), c) ==
              shape.grid.labels.end());
    }
    QCOMPARE(int(shape.annotated[0]), 1);
    options.unannotated = {11};
    QVERIFY_THROWS_EXCEPTION(InputError, prepareShape(makeSyntheticHeart(4), "bad", options));
  }

  void badInputIsRefusedClearly() {
    const std::string dir = test::freshDir("shape-bad");
    LabelVolume v;
    v.geometry.size = {12, 12, 12};
    v.values.assign(v.geometry.voxels(), 0);
    // Empty label map.
    try {
      prepareShape(v, "empty", smallOptions());
      QFAIL("an empty label map was prepared");
    } catch (const InputError& e) {
      QVERIFY(std::string(e.what()).find("empty: the label map has no labelled voxel") == 0);
    }
    // Unexpected values name themselves and their counts.
    v.at(5, 5, 5) = 42;
    v.at(6, 5, 5) = 3;
    try {
      prepareShape(v, "odd", smallOptions());
      QFAIL("label 42 was accepted");
    } catch (const InputError& e) {
      QVERIFY2(std::string(e.what()).find("42 (1 voxels)") != std::string::npos, e.what());
    }
    // A single class, a single voxel: prepared, other classes absent.
    v.at(5, 5, 5) = 0;
    const PreparedShape single = prepareShape(v, "single", smallOptions());
    QCOMPARE(int(single.present[2]), 1);
    QCOMPARE(int(single.present[0]), 0);
    for (uint8_t label : single.surfaceLabels)
      QCOMPARE(int(label), 3);
    QCOMPARE(single.volume.sdf[0], kAbsentClassDistance);
    // A folder with one good and one broken case: the good one is kept, the error names the bad.
    writeSyntheticHearts(dir + "/labels", 1, 0, {});
    test::writeText(dir + "/labels/broken.nii.gz", "not gzip");
    ShapeDatasetOptions options;
    options.prepare = smallOptions();
    try {
      prepareShapeDataset(dir + "/labels", dir + "/out", options);
      QFAIL("a broken case passed");
    } catch (const InputError& e) {
      QVERIFY2(std::string(e.what()).find("broken") != std::string::npos, e.what());
    }
    QVERIFY(std::filesystem::exists(dir + "/out/heart_000.h5"));
    QCOMPARE(readCaseList(dir + "/out", "train").size() + readCaseList(dir + "/out", "val").size(),
             size_t(1));
    // A truncated prepared file is refused with its name.
    const std::string whole = test::readText(dir + "/out/heart_000.h5");
    test::writeText(dir + "/cut.h5", whole.substr(0, whole.size() / 3));
    try {
      readPreparedShape(dir + "/cut.h5");
      QFAIL("a truncated prepared case was read");
    } catch (const Error& e) {
      QVERIFY(std::string(e.what()).find("cut.h5") != std::string::npos);
    }
  }

  void realMmwhsLabelMap() {
    const std::string path = test::sharedDataFile("heart/wh_7class.nii.gz");
    if (path.empty())
      QSKIP("../shared/data is absent");
    const LabelVolume labels = readLabelVolume(path);
    QCOMPARE(labels.geometry.size, (std::array<int64_t, 3>{512, 512, 248}));
    QCOMPARE(labels.geometry.orientationCode(), std::string("LAS"));
    QVERIFY(std::abs(labels.geometry.spacing[2] - 0.625) < 1e-3);
    ShapePrepareOptions o = smallOptions();
    o.classMap = "mmwhs7";
    const PreparedShape shape = prepareShape(labels, "wh", o);
    for (int c = 1; c <= 7; ++c) {
      QCOMPARE(int(shape.annotated[size_t(c - 1)]), 1);
      QCOMPARE(int(shape.present[size_t(c - 1)]), 1);
    }
    for (int c = 8; c <= 10; ++c)
      QCOMPARE(int(shape.annotated[size_t(c - 1)]), 0);
    // The heart is ~10-15 cm across: the frame's scale says so in millimetres.
    QVERIFY2(shape.frame.scaleMm > 40 && shape.frame.scaleMm < 120,
             qPrintable(QString::number(shape.frame.scaleMm)));
    // A surface point maps back into the source image near a voxel of its class.
    const Vec3 mm =
        shape.frame.toMm({shape.surfacePoints[0], shape.surfacePoints[1], shape.surfacePoints[2]});
    const Vec3 index = labels.geometry.physicalToIndex(mm);
    bool near = false;
    for (int dk = -3; dk <= 3; ++dk)
      for (int dj = -3; dj <= 3; ++dj)
        for (int di = -3; di <= 3; ++di) {
          const int64_t i = std::llround(index[0]) + di, j = std::llround(index[1]) + dj,
                        k = std::llround(index[2]) + dk;
          near = near || (labels.geometry.contains(i, j, k) &&
                          labels.at(i, j, k) == shape.surfaceLabels[0]);
        }
    QVERIFY(near);
  }
};

QTEST_GUILESS_MAIN(TestShapePreparation)
#include "TestShapePreparation.moc"
