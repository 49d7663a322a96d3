// Shape completion end to end on small synthetic hearts: the VecSet autoencoder's shapes and
// determinism, what each training phase shows and supervises, a phase-1 run whose loss falls and
// whose Dice rises, completion back into the input geometry with meshes, completion showing the
// network exactly what training showed it, the workspace's scores equal to `shapes eval`'s, the
// retrieval baseline and evaluation numbers checked against the model's own predictions. Every
// test that needs a trained model trains it itself on first use (once per run), so each one runs
// alone too.
#include "TestSupport.h"
#include "common/AtomicFile.h"
#include "common/Config.h"
#include "common/Error.h"
#include "common/Resources.h"
#include "io/NiftiIO.h"
#include "nn/VecSet.h"
#include "shapes/ClassMeshes.h"
#include "shapes/ShapeCompletion.h"
#include "shapes/ShapeDataset.h"
#include "shapes/ShapeEvaluation.h"
#include "shapes/ShapeJobs.h"
#include "shapes/ShapeMetrics.h"
#include "shapes/ShapePreparation.h"
#include "shapes/ShapeRetrieval.h"
#include "shapes/ShapeTask.h"
#include "shapes/SyntheticHeart.h"
#include "train/Checkpoint.h"

#include <QtTest>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

using namespace lumen;
namespace fs = std::filesystem;

namespace {

ShapeTrainConfig tinyConfig(const std::string& prepared, int phase) {
  auto config = loadConfig<ShapeTrainConfig>(findResource("configs/shapes/small.yaml"));
  config.phase = phase;
  config.data.dirs = {prepared};
  config.data.input_points = 512;
  config.data.queries = 1024;
  config.data.cached_queries = 8192;
  config.data.val_queries = 2048;
  config.data.batch_size = 4;
  config.model.width = 64;
  config.model.latents = 32;
  config.model.depth = 2;
  config.model.heads = 4;
  config.trainer.epochs = 30;
  config.trainer.log_every = 1;
  config.trainer.validate_every = 5;
  config.trainer.optimizer.lr = 2e-3;
  config.trainer.schedule.warmup_steps = 5;
  return config;
}

std::vector<std::map<std::string, double>> validationRecords(const std::string& runDir) {
  std::vector<std::map<std::string, double>> records;
  std::ifstream in(runDir + "/metrics.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line);
    if (!j.contains("val/loss"))
      continue;
    std::map<std::string, double> r;
    for (const auto& [key, value] : j.items())
      if (value.is_number())
        r[key] = value.get<double>();
    records.push_back(r);
  }
  return records;
}

} // namespace

class TestShapeModel : public QObject {
  Q_OBJECT

  std::string root_, hearts_, prepared_, partial_, phase1_;
  std::map<std::string, double> untrained_; // validation metrics before the phase-1 run
  ShapePrepareOptions preparation_;         // how initTestCase prepared the hearts

  // The phase-1 run, trained on first use.
  std::string phaseOne() {
    if (!phase1_.empty())
      return phase1_;
    const std::string runDir = root_ + "/runs/p1";
    const auto config = tinyConfig(prepared_, 1);
    {
      ShapeCompletionTask untrained(config, loadShapeData(config.data));
      torch::NoGradGuard noGrad;
      untrained.network()->eval();
      untrained_ = untrained.validate(nullptr);
    }
    auto job = shapeTrainingJob(config, runDir);
    job->run();
    if (job->state() != JobState::Succeeded) // fails the test that asked for the model
      throw std::runtime_error("the phase-1 run failed: " + job->errorMessage());
    phase1_ = runDir;
    return phase1_;
  }

  // A run folder holding the initial weights of the phase-1 architecture, never trained.
  std::string untrainedRun() {
    const std::string runDir = root_ + "/runs/untrained";
    if (fs::exists(runDir + "/checkpoints/best.pt"))
      return runDir;
    const auto config = tinyConfig(prepared_, 1);
    fs::create_directories(runDir + "/checkpoints");
    writeFileAtomically(runDir + "/config.yaml", configToYaml(config));
    ShapeCompletionTask task(config, loadShapeData(config.data));
    saveModelWeights(runDir + "/checkpoints/best.pt", *task.network());
    return runDir;
  }

  // Completion options that sample a label map as initTestCase prepared it.
  CompletionOptions preparedLike(const std::string& caseId) const {
    CompletionOptions options;
    options.prepare = preparation_;
    options.prepare.seed = caseSeed(preparation_.seed, caseId);
    return options;
  }

private Q_SLOTS:
  void initTestCase() {
    torch::set_num_threads(2);
    root_ = test::freshDir("shape_model");
    hearts_ = root_ + "/hearts";
    SyntheticHeartOptions heart;
    heart.spacing = {2.5, 2.5, 2.5};
    writeSyntheticHearts(hearts_, 10, 0, heart);
    ShapeDatasetOptions options;
    options.prepare.points = 2048;
    options.prepare.volumeQueries = 8000;
    options.prepare.nearQueries = 8000;
    options.prepare.grid = 48;
    options.valFraction = 0.2;
    preparation_ = options.prepare;
    prepared_ = root_ + "/prepared";
    prepareShapeDataset(hearts_, prepared_, options);
    // The same hearts as a dataset that does not label LAA, coronaries and pulmonary veins.
    options.prepare.unannotated = {8, 9, 10};
    partial_ = root_ + "/partial";
    prepareShapeDataset(hearts_, partial_, options);
  }

  void vecSetShapesAndDeterminism() {
    torch::manual_seed(0);
    VecSetOptions o;
    o.width = 32;
    o.latents = 8;
    o.depth = 1;
    o.heads = 4;
    for (const std::string bottleneck : {"kl", "layernorm"})
      for (const bool fps : {false, true}) {
        o.bottleneck = bottleneck;
        o.fpsQueries = fps;
        VecSetAutoencoder model(o);
        const auto points = torch::rand({2, 50, 3}) * 2 - 1;
        const auto classes = torch::one_hot(torch::randint(10, {2, 50}), 10).to(torch::kFloat32);
        model->train();
        const auto encoding = model->encode(points, classes);
        QCOMPARE(encoding.latents.sizes(), (torch::IntArrayRef{2, 8, 32}));
        QVERIFY(encoding.kl.item<double>() >= 0);
        const auto logits = model->decode(encoding.latents, torch::rand({2, 77, 3}));
        QCOMPARE(logits.sizes(), (torch::IntArrayRef{2, 77, 10}));
        model->eval();
        const auto a = model->encode(points, classes).latents;
        const auto b = model->encode(points, classes).latents;
        QVERIFY(torch::equal(a, b)); // eval mode takes the posterior mean
      }
  }

  void farthestPointSamplingSpreadsOut() {
    // Two tight clusters far apart: two samples must take one from each.
    auto points =
        torch::cat({torch::rand({1, 30, 3}) * 0.01, torch::rand({1, 30, 3}) * 0.01 + 5}, 1);
    const auto index = farthestPointSample(points, 2);
    const auto a = index[0][0].item<int64_t>(), b = index[0][1].item<int64_t>();
    QVERIFY((a < 30) != (b < 30));
  }

  void phasesChooseInputs() {
    ShapePhaseConfig phases;
    const ClassSet all = ClassSet().set();
    std::mt19937_64 rng(1);
    for (int trial = 0; trial < 200; ++trial) {
      QCOMPARE(chooseInputClasses(1, all, phases, rng), all);
      QCOMPARE(chooseInputClasses(4, all, phases, rng), all);
      const ClassSet two = chooseInputClasses(2, all, phases, rng);
      QVERIFY(two.count() >= 5 && two.count() <= 8); // 2-5 of 10 dropped
      const ClassSet three = chooseInputClasses(3, all, phases, rng);
      const ClassSet first = classSetOf(std::vector<int>{1, 2, 3, 4, 5});
      QVERIFY(three == first || three == ~first || three == all);
    }
    // A single available class is never dropped.
    const ClassSet lv = classSetOf(std::vector<int>{3});
    QCOMPARE(chooseInputClasses(2, lv, phases, rng), lv);
    phases.subsets = {"lv,nonsense"};
    QVERIFY_THROWS_EXCEPTION(InputError, chooseInputClasses(3, all, phases, rng));
  }

  void droppedClassesStaySupervisedUnannotatedOnesDoNot() {
    auto config = tinyConfig(prepared_, 2);
    config.data.dirs = {prepared_, partial_};
    ShapeCompletionTask task(config, loadShapeData(config.data));
    int droppedSupervised = 0, droppedWithVoxels = 0, unannotatedSeen = 0;
    for (int64_t batch = 0; batch < task.batchesPerEpoch(); ++batch)
      for (const auto& s : task.batchSamples(0, batch)) {
        const bool partial = s.supervised[7].item<float>() == 0;
        for (int c = 0; c < kHeartClasses; ++c) {
          const bool input = s.input[size_t(c)];
          const float supervised = s.supervised[c].item<float>();
          if (partial && c >= 7) {
            QVERIFY(!input);
            QCOMPARE(supervised, 0.0f);
            ++unannotatedSeen;
            continue;
          }
          QCOMPARE(supervised, 1.0f); // every annotated class, visible or dropped
          if (!input) {
            ++droppedSupervised;
            droppedWithVoxels += s.occupancy.select(1, c).sum().item<float>() > 0;
          }
        }
        // Inputs are in the visible classes' frame: their points fill [-1, 1] up to the margin.
        const double extent = s.points.abs().max().item<double>();
        QVERIFY(extent > 0.8 && extent < 0.95);
      }
    QVERIFY(droppedSupervised > 10);
    QVERIFY(droppedWithVoxels > 10); // dropped classes are in the targets, with real voxels
    QVERIFY(unannotatedSeen > 0);
    const StepOutput step = task.trainStep(0, 0);
    QVERIFY(step.extras.count("bce_dropped"));
    QVERIFY(std::isfinite(step.extras.at("bce_dropped")) && step.extras.at("bce_dropped") > 0);
  }

  void phaseOneLossFallsAndDiceRises() {
    const std::string runDir = phaseOne();
    const auto& before = untrained_;
    const auto records = validationRecords(runDir);
    QVERIFY(records.size() >= 3);
    const auto& last = records.back();
    qInfo("val loss %.4f -> %.4f, dice %.4f -> %.4f", before.at("loss"), last.at("val/loss"),
          before.at("dice"), last.at("val/dice"));
    QVERIFY(last.at("val/loss") < 0.9 * before.at("loss"));
    QVERIFY(last.at("val/dice") > before.at("dice") + 0.15);
    QVERIFY(fs::exists(runDir + "/checkpoints/best.pt"));
  }

  void completionReturnsToInputGeometry() {
    const TrainedShapeModel model(phaseOne() + "/checkpoints/best.pt", "cpu");
    const std::string file = findLabelMaps(hearts_).back();
    const LabelVolume input = readLabelVolume(file);
    CompletionOptions options = preparedLike(caseIdOfPath(file));
    options.keep = {1, 2, 3, 4, 5};
    options.resolution = 48;
    const CompletionResult result = completeLabelMap(model, input, options);
    QCOMPARE(result.labels.geometry.size, input.geometry.size);
    QCOMPARE(result.labels.geometry.spacing, input.geometry.spacing);
    QCOMPARE(result.visible, classSetOf(options.keep));
    // Kept classes keep their voxels exactly; nothing else is written as a kept class.
    for (size_t v = 0; v < input.values.size(); ++v) {
      const int given = input.values[v];
      if (given >= 1 && given <= 5)
        QCOMPARE(result.labels.values[v], given);
      else
        QVERIFY(result.labels.values[v] == 0 || result.labels.values[v] > 5);
    }
    QVERIFY(result.evaluated > 0 && result.evaluated < result.gridSamples);
    // Meshes are in millimetres around the heart.
    Vec3 lo{1e9, 1e9, 1e9}, hi{-1e9, -1e9, -1e9};
    for (const Vec3& corner :
         {Vec3{0, 0, 0}, Vec3{double(input.geometry.size[0]), double(input.geometry.size[1]),
                              double(input.geometry.size[2])}}) {
      const Vec3 p = input.geometry.indexToPhysical(corner);
      for (size_t d = 0; d < 3; ++d) {
        lo[d] = std::min(lo[d], p[d]);
        hi[d] = std::max(hi[d], p[d]);
      }
    }
    size_t meshes = 0;
    for (const auto& mesh : result.meshes) {
      if (mesh.triangleCount() == 0)
        continue;
      ++meshes;
      for (size_t p = 0; p < mesh.points.size(); ++p) {
        const double margin = 0.5 * (hi[p % 3] - lo[p % 3]);
        QVERIFY(mesh.points[p] > lo[p % 3] - margin && mesh.points[p] < hi[p % 3] + margin);
      }
    }
    QVERIFY(meshes >= 3);
    // No kept class has a voxel: a clear error.
    options.keep = {9};
    LabelVolume noCoronaries = input;
    for (auto& v : noCoronaries.values)
      if (v == 9)
        v = 0;
    QVERIFY_THROWS_EXCEPTION(InputError, completeLabelMap(model, noCoronaries, options));
    // The completion grid is bounded.
    options.keep = {1, 2, 3};
    for (const int resolution : {4, 513}) {
      options.resolution = resolution;
      try {
        completeLabelMap(model, input, options);
        QFAIL("a resolution outside 8..512 was accepted");
      } catch (const InputError& e) {
        QVERIFY2(std::string(e.what()).find("8 to 512 samples, got " +
                                            std::to_string(resolution)) != std::string::npos,
                 e.what());
      }
    }
  }

  void completionShowsTheNetworkWhatTrainingShows() {
    // A training case as the trainer loads it from its prepared file...
    const auto config = tinyConfig(prepared_, 2);
    const ShapeData data = loadShapeData(config.data);
    const CachedShape& cached = data.train.front();
    const ClassSet input = classSetOf(std::vector<int>{1, 2, 3, 4, 5});
    std::mt19937_64 trainingRng(17);
    const ShapeSample sample = makeShapeSample(cached, input, config.data, trainingRng);
    const NetworkInput trained =
        visibleInput(cached.surfacePoints.data(), cached.surfaceLabels.data(),
                     cached.surfaceLabels.size(), input, config.data.margin);
    // ... and as completion builds it from the label map the case was prepared from.
    CompletionOptions options = preparedLike(cached.caseId);
    options.keep = classLabels(input);
    const LabelVolume labels = readLabelVolume(hearts_ + "/" + cached.caseId + ".nii.gz");
    const CompletionInput completion = completionInput(labels, options, config.data.margin);
    QCOMPARE(completion.visible, input);
    QCOMPARE(completion.network.labels, trained.labels);
    QVERIFY(completion.network.points == trained.points); // bit for bit
    QCOMPARE(completion.network.frame.center, sample.frame.center);
    QCOMPARE(completion.network.frame.scale, sample.frame.scale);
    // The batch tensor: the same draw of input points from the same generator.
    std::mt19937_64 completionRng(17);
    const size_t n = size_t(config.data.input_points);
    const auto chosen =
        chooseInputPoints(completion.network.labels.data(), completion.network.labels.size(), input,
                          n, completionRng);
    auto points = torch::empty({int64_t(n), 3});
    for (size_t i = 0; i < n; ++i)
      std::copy_n(completion.network.points.data() + 3 * chosen[i], 3,
                  points.data_ptr<float>() + 3 * i);
    QVERIFY(torch::equal(points, sample.points));
    // The visible classes' points fill the input frame to 1 - margin, and in millimetres the
    // frame is the case frame composed with theirs, not the visible voxels' box.
    float extent = 0;
    for (float v : completion.network.points)
      extent = std::max(extent, std::abs(v));
    QVERIFY(std::abs(extent - float(1 - config.data.margin)) < 1e-5f);
    const ShapeFrame& mm = completion.frameMm;
    const Vec3 center = completion.prepared.frame.toMm(completion.network.frame.center);
    for (size_t d = 0; d < 3; ++d)
      QCOMPARE(mm.centerMm[d], center[d]);
    QCOMPARE(mm.scaleMm, completion.prepared.frame.scaleMm * completion.network.frame.scale);
    Volume<uint8_t> visibleVoxels = completion.classes;
    for (uint8_t& c : visibleVoxels.values)
      c = c >= 1 && c <= 5 ? c : 0;
    QVERIFY(std::abs(computeShapeFrame(visibleVoxels, config.data.margin).scaleMm - mm.scaleMm) >
            1e-6);
  }

  void workspaceAndCommandLineScoreAlike() {
    // `shapes eval` on the validation cases with the aorta and PA hidden, and the scoring the
    // Shapes workspace does for the same label maps: one scoring, one grid, the same numbers.
    const std::string checkpoint = phaseOne() + "/checkpoints/best.pt";
    ShapeEvalOptions eval;
    eval.data = prepared_;
    eval.drop = {6, 7};
    eval.device = "cpu";
    eval.baseline = false;
    const ShapeEvaluation cli = evaluateShapes(checkpoint, eval);
    QVERIFY(!cli.cases.empty());
    const TrainedShapeModel model(checkpoint, "cpu");
    for (const auto& c : cli.cases) {
      CompletionOptions options = preparedLike(c.caseId);
      options.keep = classLabels(c.visible);
      options.modelOnly = true;
      options.resolution = 32;
      const LabelVolume labels = readLabelVolume(hearts_ + "/" + c.caseId + ".nii.gz");
      const ScoredLabelMapCompletion gui = completeAndScoreLabelMap(model, labels, options);
      QVERIFY(gui.completion.prepared.grid.labels ==
              readPreparedShape(caseFile(prepared_, c.caseId)).grid.labels);
      const auto& expected = c.methods.at(0).classes;
      QCOMPARE(gui.scores.classes.size(), expected.size());
      for (const auto& [label, s] : expected) {
        const ClassScore& g = gui.scores.classes.at(label);
        QCOMPARE(g.truthVoxels, s.truthVoxels);
        QCOMPARE(g.predictedVoxels, s.predictedVoxels);
        QCOMPARE(g.dice, s.dice);
        QCOMPARE(g.hd95, s.hd95);
        QCOMPARE(g.assd, s.assd);
        QCOMPARE(g.chamfer, s.chamfer);
      }
    }
  }

  void retrievalFindsAnIdenticalCase() {
    std::vector<PreparedShape> references;
    for (const auto& id : readCaseList(prepared_, "train"))
      references.push_back(readPreparedShape(caseFile(prepared_, id)));
    const PreparedShape query = references[2];
    RetrievalBaseline baseline(references, 0.1);
    const ClassSet visible = classSetOf(std::vector<int>{1, 3, 5});
    RetrievalBaseline::Match match;
    const auto labels = baseline.predictGrid(query, visible, &match);
    QCOMPARE(match.caseId, query.caseId);
    QVERIFY(match.distance < 1e-6);
    const std::array<int64_t, 3> size{query.grid.n, query.grid.n, query.grid.n};
    QVERIFY(scoreClass(labels, query.grid.labels, size, {1, 1, 1}, 6).dice > 0.97);
  }

  void evaluationScoresModelAndBaseline() {
    ShapeEvalOptions options;
    options.data = prepared_;
    options.drop = {6, 7};
    options.device = "cpu";
    const std::string checkpoint = phaseOne() + "/checkpoints/best.pt";
    const ShapeEvaluation result = evaluateShapes(checkpoint, options);
    QCOMPARE(result.cases.size(), readCaseList(prepared_, "val").size());
    QVERIFY(!result.cases.empty());
    // The model's numbers are its own prediction's: scoring its decoded grid again by hand
    // gives them back.
    const TrainedShapeModel model(checkpoint, "cpu");
    double visibleDice = 0;
    int visiblePairs = 0, missed = 0;
    for (const auto& c : result.cases) {
      QCOMPARE(c.completed, classSetOf(std::vector<int>{6, 7}));
      QCOMPARE(c.methods.size(), size_t(2));
      const PreparedShape truth = readPreparedShape(caseFile(prepared_, c.caseId));
      const NetworkInput input =
          visibleInput(truth.surfacePoints.data(), truth.surfaceLabels.data(),
                       truth.surfaceLabels.size(), c.visible, model.config().data.margin);
      GridSpec grid;
      grid.size = {truth.grid.n, truth.grid.n, truth.grid.n};
      for (size_t d = 0; d < 3; ++d) {
        grid.origin[d] = (-1.0 - input.frame.center[d]) / input.frame.scale;
        grid.spacing[d] = truth.grid.step() / input.frame.scale;
      }
      const auto predicted = model.decode(input.points, input.labels, grid).labels;
      const double h = truth.grid.step() * truth.frame.scaleMm;
      for (const auto& [label, s] : c.methods[0].classes) {
        const ClassScore again =
            scoreClass(predicted, truth.grid.labels, grid.size, {h, h, h}, label);
        QCOMPARE(s.dice, again.dice);
        QCOMPARE(s.hd95, again.hd95);
        QCOMPARE(s.predictedVoxels, again.predictedVoxels);
        QVERIFY(std::isfinite(s.hd95) && std::isfinite(s.assd) && std::isfinite(s.chamfer));
        missed += s.missed();
        if (c.visible[size_t(label - 1)]) {
          visibleDice += s.dice;
          ++visiblePairs;
        }
      }
    }
    const auto summary = result.summary();
    const SummaryScores& visible = summary.at("model").at("visible");
    QCOMPARE(visible.pairs, visiblePairs);
    QVERIFY(std::abs(visible.dice - visibleDice / visiblePairs) < 1e-12);
    QCOMPARE(visible.missed + summary.at("model").at("completed").missed, missed);
    // The same architecture untrained predicts (next to) nothing: its missed classes score Dice
    // 0 and the penalty distance, so it cannot look better than the trained model by missing.
    options.baseline = false;
    const auto blank = evaluateShapes(untrainedRun() + "/checkpoints/best.pt", options).summary();
    const SummaryScores& blankVisible = blank.at("model").at("visible");
    qInfo("visible classes: trained Dice %.3f HD95 %.1f mm missed %d/%d, untrained Dice %.3f "
          "HD95 %.1f mm missed %d/%d; retrieval completed Dice %.3f",
          visible.dice, visible.hd95, visible.missed, visible.pairs, blankVisible.dice,
          blankVisible.hd95, blankVisible.missed, blankVisible.pairs,
          summary.at("retrieval").at("completed").dice);
    QVERIFY(blankVisible.missed >= blankVisible.pairs * 3 / 4);
    QVERIFY(visible.dice > blankVisible.dice + 0.1);
    QVERIFY(visible.missed < blankVisible.missed);
    QVERIFY(visible.hd95 < blankVisible.hd95);
    // The large chambers it was shown are predicted in every case.
    for (const auto& c : result.cases)
      for (int chamber : {kLeftVentricle, kRightVentricle})
        QVERIFY(c.methods[0].classes.at(chamber).predictedVoxels > 0);
    QVERIFY(summary.at("retrieval").at("completed").dice > 0.3);
    QCOMPARE(summary.at("model").at("completed").pairs, int(2 * result.cases.size()));
    const auto json = nlohmann::json::parse(result.toJson());
    QCOMPARE(json["summary"]["model"]["visible"]["dice"].get<double>(), visible.dice);
    QCOMPARE(json["summary"]["model"]["visible"]["missed_pairs"].get<int>(), visible.missed);
    QCOMPARE(json["per_case"].size(), result.cases.size());
  }

  void meshFilesInEveryFormat() {
    const std::string dir = root_ + "/meshes";
    Volume<uint8_t> classes;
    classes.geometry.size = {12, 12, 12};
    classes.geometry.spacing = {1.5, 1.5, 2.0};
    classes.values.assign(12 * 12 * 12, 0);
    for (int k = 3; k < 9; ++k)
      for (int j = 3; j < 9; ++j)
        for (int i = 3; i < 9; ++i)
          classes.values[classes.geometry.offset(i, j, k)] = 3;
    const auto meshes = labelMapMeshes(classes);
    QVERIFY(meshes[2].triangleCount() > 20);
    QCOMPARE(meshes[0].triangleCount(), size_t(0));
    // A 6-voxel cube of 9 x 9 x 12 mm: the surface (smoothed corners) is close to its area.
    const double area = 2 * (9.0 * 9 + 9.0 * 12 + 9.0 * 12);
    QVERIFY(std::abs(meshes[2].area() - area) < 0.25 * area);
    const auto files = writeClassMeshes(dir, meshes, {"vtp", "stl", "obj", "ply"});
    QCOMPARE(files.size(), size_t(4));
    for (const auto& f : files)
      QVERIFY(fs::file_size(f) > 500);
    QVERIFY_THROWS_EXCEPTION(InputError, writeMesh(dir + "/x.txt", meshes[2]));
  }
};

QTEST_GUILESS_MAIN(TestShapeModel)
#include "TestShapeModel.moc"
