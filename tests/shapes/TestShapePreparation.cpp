// Shape preparation end to end on synthetic hearts and the real MM-WHS-derived label map:
// signed distances agree with occupancy, surface points lie on the surface with class shares
// matching areas, files round-trip, a case's split and samples follow from its id whatever other
// files come and go, case ids cannot leave the dataset folder, bad input (intensity images,
// MM-WHS values under the wrong map, huge grids) is refused with a message that names the fix,
// and a completion is saved all or nothing.
#include "TestSupport.h"
#include "common/DatasetSplit.h"
#include "common/Error.h"
#include "events/VoxelPairs.h"
#include "io/NiftiIO.h"
#include "shapes/ClassMeshes.h"
#include "shapes/CompletionFiles.h"
#include "shapes/ShapeDataset.h"
#include "shapes/ShapePreparation.h"
#include "shapes/SurfaceMesh.h"
#include "shapes/SyntheticHeart.h"

#include <QtTest>
#include <algorithm>
#include <cmath>
#include <filesystem>

using namespace lumen;
namespace fs = std::filesystem;

namespace {

ShapePrepareOptions smallOptions() {
  ShapePrepareOptions o;
  o.points = 4096;
  o.volumeQueries = 20000;
  o.nearQueries = 20000;
  o.grid = 96;
  return o;
}

// Just enough preparation to have a case file: the split and seeds are what is under test.
ShapeDatasetOptions quickDataset(double valFraction) {
  ShapeDatasetOptions options;
  options.prepare.points = 128;
  options.prepare.volumeQueries = options.prepare.nearQueries = 16;
  options.prepare.grid = 24;
  options.valFraction = valFraction;
  options.threads = 2;
  return options;
}

std::string errorOf(const std::function<void()>& run) {
  try {
    run();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

size_t lineCount(const std::string& text) {
  return size_t(std::count(text.begin(), text.end(), '\n')) + 1;
}

// Files in `dir` whose names mark them as temporary.
int temporaryFiles(const std::string& dir) {
  int count = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    count += entry.path().filename().string().find(".tmp-") != std::string::npos;
  return count;
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
    // heart_001 and heart_002 hash to 0.076 and 0.191, the others of heart_000..004 above 0.2.
    QCOMPARE(result.val, (std::vector<std::string>{"heart_001", "heart_002"}));
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

  void splitAndSamplesStayPutWhenCasesComeAndGo() {
    const std::string dir = test::freshDir("shape-split");
    SyntheticHeartOptions heart;
    heart.spacing = {4, 4, 4};
    writeSyntheticHearts(dir + "/labels", 8, 20, heart); // heart_000..007
    const ShapeDatasetOptions options = quickDataset(0.3);
    const ShapeDatasetResult first = prepareShapeDataset(dir + "/labels", dir + "/v1", options);
    // Their ids hash to 0.45, 0.076, 0.19, 0.82, 0.96, 0.59, 0.70, 0.33.
    QCOMPARE(first.val, (std::vector<std::string>{"heart_001", "heart_002"}));
    // The next version of the dataset: a validation case lost, two added (heart_009 hashes to
    // 0.050, heart_010 to 0.90) and one broken download (heart_011).
    fs::remove(dir + "/labels/heart_002.nii.gz");
    const auto extra = writeSyntheticHearts(dir + "/extra", 2, 40, heart);
    fs::copy_file(extra[0], dir + "/labels/heart_009.nii.gz");
    fs::copy_file(extra[1], dir + "/labels/heart_010.nii.gz");
    const std::string packed = test::readText(extra[0]);
    test::writeText(dir + "/labels/heart_011.nii.gz", packed.substr(0, packed.size() / 2));
    const std::string error =
        errorOf([&] { prepareShapeDataset(dir + "/labels", dir + "/v2", options); });
    QVERIFY2(error.find("heart_011") != std::string::npos, error.c_str());
    QCOMPARE(readCaseList(dir + "/v2", "val"),
             (std::vector<std::string>{"heart_001", "heart_009"}));
    std::vector<std::string> train = first.train;
    train.push_back("heart_010");
    QCOMPARE(readCaseList(dir + "/v2", "train"), train);
    // An unchanged case is sampled alike: its seed is its id's, not its place in the folder.
    for (const char* id : {"heart_004", "heart_007"}) {
      const PreparedShape a = readPreparedShape(caseFile(dir + "/v1", id));
      const PreparedShape b = readPreparedShape(caseFile(dir + "/v2", id));
      QVERIFY2(a.surfacePoints == b.surfacePoints && a.volume.points == b.volume.points, id);
    }
    // The events pipeline splits by the same hash, unchanged.
    QCOMPARE(splitPosition("heart_001", 0), 0.075873);
    for (const std::string name : {"a.h5", "recording_17.h5", "heart_012"})
      for (int seed : {0, 3, -1})
        QCOMPARE(isValidationFile(name, seed, 0.4), isValidationName(name, uint64_t(seed), 0.4));
  }

  void caseIdsCannotLeaveTheDataset() {
    const std::string dir = test::freshDir("shape-ids");
    struct Bad {
      std::string id, problem;
    };
    const std::vector<Bad> bad = {{"../escape", "a case id must not contain a path separator"},
                                  {"sub/case", "a case id must not contain a path separator"},
                                  {"c:\\x", "a case id must not contain a path separator"},
                                  {".hidden", "a case id must not start with a dot"},
                                  {"tab\tid", "a case id must not contain control characters"},
                                  {std::string(129, 'x'), "a case id has at most 128 bytes"}};
    for (const Bad& b : bad) {
      test::writeText(dir + "/val.csv", "case,file\nheart_000,heart_000.h5\n" + b.id + ",x.h5\n");
      const std::string error = errorOf([&] { readCaseList(dir, "val"); });
      QVERIFY2(error.rfind(dir + "/val.csv:3: case id '", 0) == 0 &&
                   error.find(b.problem) != std::string::npos && error.size() < 200,
               error.c_str());
      QVERIFY_THROWS_EXCEPTION(InputError, caseFile(dir, b.id));
    }
    test::writeText(dir + "/val.csv", "case,file\nheart_000,heart_000.h5\nheart 1 (é),x.h5\n");
    QCOMPARE(readCaseList(dir, "val"), (std::vector<std::string>{"heart_000", "heart 1 (é)"}));
    // Label maps whose names are no case id are reported; hidden files are not label maps.
    SyntheticHeartOptions heart;
    heart.spacing = {4, 4, 4};
    const auto files = writeSyntheticHearts(dir + "/labels", 1, 0, heart);
    fs::copy_file(files[0], dir + "/labels/._heart_000.nii.gz");
    fs::copy_file(files[0], dir + "/labels/" + std::string(130, 'y') + ".nii.gz");
    QCOMPARE(findLabelMaps(dir + "/labels").size(), size_t(2));
    const std::string error =
        errorOf([&] { prepareShapeDataset(dir + "/labels", dir + "/out", quickDataset(0.2)); });
    QVERIFY2(error.find("1 of 2 cases") != std::string::npos &&
                 error.find("a case id has at most 128 bytes") != std::string::npos,
             error.c_str());
    QCOMPARE(readCaseList(dir + "/out", "train"), std::vector<std::string>{"heart_000"});
  }

  void labelValueMessagesNameTheFix() {
    LabelVolume image;
    image.geometry.size = {30, 30, 30};
    image.values.resize(image.geometry.voxels());
    // A CT: 3000 distinct Hounsfield values.
    for (size_t i = 0; i < image.values.size(); ++i)
      image.values[i] = int32_t(i * 7 % 3000) - 1024;
    std::string error = errorOf([&] { prepareShape(image, "ct", smallOptions()); });
    QVERIFY2(error.find("looks like a CT intensity image, not a label map") != std::string::npos &&
                 error.find("2989 distinct values from -1024 to 1975") != std::string::npos &&
                 lineCount(error) == 1 && error.size() < 300,
             error.c_str());
    // An MR or other positive intensity image (values 1..10 are classes, the others not).
    for (size_t i = 0; i < image.values.size(); ++i)
      image.values[i] = int32_t(i * 7 % 3000);
    error = errorOf([&] { prepareShape(image, "mr", smallOptions()); });
    QVERIFY2(error.find("looks like an intensity image, not a label map") != std::string::npos &&
                 error.find("2989 distinct values from 11 to 2999") != std::string::npos &&
                 error.size() < 300,
             error.c_str());
    // MM-WHS values read with the 1..10 map.
    LabelVolume mmwhs = makeSyntheticHeart(1);
    for (int32_t& v : mmwhs.values)
      v = v == 1 ? 205 : v == 3 ? 500 : v == 5 ? 600 : 0;
    error = errorOf([&] { prepareShape(mmwhs, "wh", smallOptions()); });
    QVERIFY2(error.find("looks like MM-WHS labels: use --class-map mmwhs7") != std::string::npos &&
                 error.find("205, 500, 600") != std::string::npos,
             error.c_str());
    ShapePrepareOptions withMap = smallOptions();
    withMap.classMap = "mmwhs7";
    QCOMPARE(int(prepareShape(mmwhs, "wh", withMap).present[2]), 1);
    // A few stray values are listed with their counts; many are cut to a few.
    LabelVolume stray = makeSyntheticHeart(1);
    stray.values[0] = 11;
    stray.values[1] = 12;
    stray.values[2] = 12;
    error = errorOf([&] { prepareShape(stray, "stray", smallOptions()); });
    QVERIFY2(error.find("label values 11 (1 voxel), 12 (2 voxels) are not in class map "
                        "'heart10'") != std::string::npos,
             error.c_str());
    for (int32_t v = 0; v < 60; ++v)
      stray.values[size_t(v)] = 20 + v;
    error = errorOf([&] { prepareShape(stray, "stray", smallOptions()); });
    QVERIFY2(error.find("and 52 more") != std::string::npos && error.size() < 400, error.c_str());
    // The real CT of the shared data given as a label map.
    const std::string ct = test::sharedDataFile("ct/abdomen_ct.nii.gz");
    if (!ct.empty()) {
      error = errorOf([&] { prepareShape(readLabelVolume(ct), "abdomen", smallOptions()); });
      QVERIFY2(error.find("looks like a CT intensity image, not a label map") != std::string::npos,
               error.c_str());
    }
  }

  void distanceFieldGridIsBounded() {
    const std::string dir = test::freshDir("shape-grid");
    SyntheticHeartOptions heart;
    heart.spacing = {4, 4, 4};
    writeSyntheticHearts(dir + "/labels", 1, 0, heart);
    ShapeDatasetOptions options = quickDataset(0.2);
    options.prepare.grid = 1024;
    const std::string error =
        errorOf([&] { prepareShapeDataset(dir + "/labels", dir + "/out", options); });
    QVERIFY2(error.find("8 to 256 samples per axis, got 1024") != std::string::npos &&
                 error.find("40 GB") != std::string::npos,
             error.c_str());
    QVERIFY(!fs::exists(dir + "/out"));
    ShapePrepareOptions big = smallOptions();
    big.grid = 257;
    QVERIFY_THROWS_EXCEPTION(InputError, prepareShape(makeSyntheticHeart(0), "big", big));
  }

  void completionFilesAreAllOrNothing() {
    const std::string dir = test::freshDir("completion-files");
    CompletionResult result;
    result.labels = makeSyntheticHeart(2);
    result.meshes = labelMapMeshes(mapClasses(result.labels, classMapByName("heart10")));
    const auto files =
        writeCompletionFiles(result, dir + "/ok/heart.nii.gz", dir + "/ok/meshes", {"vtp", "stl"});
    QCOMPARE(files.size(), size_t(2 * kHeartClasses));
    for (const std::string& f : files)
      QVERIFY2(fs::file_size(f) > 500, f.c_str());
    QCOMPARE(readLabelVolume(dir + "/ok/heart.nii.gz").values, result.labels.values);
    // Meshes that cannot be written (their folder lies under a file): no label map either.
    test::writeText(dir + "/blocker", "a file, not a folder");
    QVERIFY_THROWS_EXCEPTION(
        Error, writeCompletionFiles(result, dir + "/out.nii.gz", dir + "/blocker/meshes", {"vtp"}));
    QVERIFY(!fs::exists(dir + "/out.nii.gz"));
    QVERIFY_THROWS_EXCEPTION(
        Error, writeCompletionFiles(result, dir + "/out.nii.gz", dir + "/blocker", {"vtp"}));
    QVERIFY(!fs::exists(dir + "/out.nii.gz"));
    QCOMPARE(temporaryFiles(dir), 0);
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
      QVERIFY2(std::string(e.what()).find("42 (1 voxel)") != std::string::npos, e.what());
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
