// The learned backends: the tensor contract (SliceNetInput.h) channel by channel, a TorchScript
// plug-in the test writes itself (torch::jit::Module::define) segmenting through the real
// pipeline, plug-ins that break the contract refused with the file named, and the propagator
// trained for real on a small synthetic chest study, then loaded as the "learned" backend from
// the study's models/ folder.
#include "common/Error.h"
#include "io/CtVolumeIO.h"
#include "io/NiftiIO.h"
#include "segment/ChestClasses.h"
#include "segment/ClickSimulator.h"
#include "segment/PromptSegmentation.h"
#include "segment/PropagatorJobs.h"
#include "segment/SegmentationBackends.h"
#include "segment/SliceNetInput.h"
#include "segment/SyntheticChestCt.h"
#include "support/ThresholdPlugin.h"

#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <torch/script.h>

using namespace lumen;
namespace fs = std::filesystem;

namespace {

// A bright ball (300 HU, radius 7 voxels) in tissue (40 HU, sd 10).
CtVolume ballPhantom(MaskVolume* truth) {
  CtVolume v;
  v.geometry.size = {48, 48, 24};
  v.geometry.spacing = {1.0, 1.0, 1.0};
  v.values.resize(v.geometry.voxels());
  truth->geometry = v.geometry;
  truth->values.assign(v.geometry.voxels(), 0);
  std::mt19937 rng(5);
  std::normal_distribution<float> noise(0, 10);
  for (int64_t z = 0; z < 24; ++z)
    for (int64_t y = 0; y < 48; ++y)
      for (int64_t x = 0; x < 48; ++x) {
        const double d2 =
            (x - 24.0) * (x - 24.0) + (y - 22.0) * (y - 22.0) + (z - 12.0) * (z - 12.0) * 1.0;
        const bool inside = d2 <= 49;
        v.at(x, y, z) = int16_t(std::lround((inside ? 300 : 40) + noise(rng)));
        truth->at(x, y, z) = inside;
      }
  return v;
}

using test::writeThresholdPlugin;

int64_t count(const MaskVolume& m) {
  return std::count_if(m.values.begin(), m.values.end(), [](uint8_t v) { return v != 0; });
}

} // namespace

class TestLearnedBackends : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void inputFollowsTheContract() {
    MaskVolume truth;
    const CtVolume image = ballPhantom(&truth);
    std::vector<PromptPoint> points{{{24, 22, 12}, true}};
    const ObjectIntensity intensity = objectIntensity(image, points);
    QVERIFY(std::abs(intensity.mean - 300) < 10);
    QCOMPARE(intensity.halfWidth, std::max(80.0, intensity.halfWidth));

    std::vector<uint8_t> previous(48 * 48, 0);
    for (int64_t y = 18; y <= 26; ++y)
      for (int64_t x = 20; x <= 28; ++x)
        previous[size_t(y * 48 + x)] = 1;
    SliceNetSample sample;
    sample.z = 12;
    sample.box = {8, 6, 39, 37}; // 32 x 32: resampled 1:1 to S = 32
    sample.previous = &previous;
    sample.positives = {{24, 22, 12}};
    sample.negatives = {{10, 10, 12}};
    const auto x = sliceNetInput(image, sample, intensity, 32);
    QCOMPARE(x.sizes().vec(), (std::vector<int64_t>{kSliceNetChannels, 32, 32}));
    // Channel 0: HU / 1000 of the box's pixel; channel 1: relative to the clicks.
    QVERIFY(std::abs(x[0][16][16].item<float>() - image.at(24, 22, 12) / 1000.0f) < 1e-4);
    QVERIFY(std::abs(x[1][16][16].item<float>()) < 0.5f);
    QVERIFY(x[1][0][0].item<float>() < -2.0f); // tissue is 260 HU darker than the ball
    QCOMPARE(x[2][16][16].item<float>(), 1.0f);
    QCOMPARE(x[2][0][0].item<float>(), 0.0f);
    // Blobs peak at the clicked pixels (box-local (16, 16) and (2, 4)).
    QVERIFY(std::abs(x[3][16][16].item<float>() - 1.0f) < 1e-5);
    QVERIFY(x[3][16][22].item<float>() < 0.02f);
    QVERIFY(std::abs(x[4][4][2].item<float>() - 1.0f) < 1e-5);

    // Logits back onto the box: positive on a square, nothing outside the box.
    auto logits = -torch::ones({32, 32});
    logits.slice(0, 10, 20).slice(1, 4, 12).fill_(1.0);
    const auto mask = sliceMaskFromLogits(logits, sample.box, 48, 48);
    QCOMPARE(int64_t(std::count(mask.begin(), mask.end(), 1)), int64_t(10 * 8));
    QCOMPARE(mask[size_t((6 + 10) * 48 + 8 + 4)], uint8_t(1));
    QCOMPARE(mask[size_t((6 + 9) * 48 + 8 + 4)], uint8_t(0));
  }

  void torchScriptPluginSegments() {
    QTemporaryDir dir;
    const std::string file = dir.filePath("threshold.pt").toStdString();
    writeThresholdPlugin(file, 48);
    MaskVolume truth;
    const CtVolume image = ballPhantom(&truth);
    BackendSources sources;
    sources.model = file;
    QCOMPARE(availableSegmentationBackends(sources),
             (std::vector<std::string>{"classical", "torchscript"}));
    const auto backend = makeSegmentationBackend("torchscript", sources);
    SegmentationRequest request;
    // Clicks well inside (the ball's tips are too thin for a 5x5 intensity sample).
    request.points = {{{24, 22, 8}, true}, {{25, 21, 12}, true}, {{24, 23, 16}, true}};
    const auto result = segmentWithPrompts(image, request, *backend);
    QVERIFY2(result.error.empty(), result.error.c_str());
    const double dice = diceScore(truth, result.mask);
    QVERIFY2(dice > 0.85,
             (std::to_string(dice) + ": " + std::to_string(count(result.mask)) + " voxels for " +
              std::to_string(count(truth)) + "; " + segmentationResultJson(result))
                 .c_str());
    // Same file, same backend object while in use.
    QCOMPARE(makeSegmentationBackend("torchscript", sources).get(), backend.get());

    // A study's models/<name>.ts are backends of that name.
    fs::create_directories(dir.filePath("study/models").toStdString());
    fs::copy_file(file, dir.filePath("study/models/ball.ts").toStdString());
    BackendSources study;
    study.study = dir.filePath("study").toStdString();
    QCOMPARE(availableSegmentationBackends(study), (std::vector<std::string>{"classical", "ball"}));
    QCOMPARE(makeSegmentationBackend("ball", study)->name(), std::string("ball"));
  }

  void brokenPluginsAreRefused() {
    QTemporaryDir dir;
    const std::string notModel = dir.filePath("notes.pt").toStdString();
    std::ofstream(notModel) << "not a model";
    BackendSources sources;
    sources.model = notModel;
    try {
      makeSegmentationBackend("torchscript", sources);
      QFAIL("a text file loaded as TorchScript");
    } catch (const InputError& e) {
      QVERIFY2(std::string(e.what()).find(notModel) != std::string::npos, e.what());
    }
    torch::jit::Module wrong("WrongShape");
    wrong.define("def forward(self, x):\n    return x[:, :, :4, :4]\n");
    const std::string wrongFile = dir.filePath("wrong.pt").toStdString();
    wrong.save(wrongFile);
    sources.model = wrongFile;
    try {
      makeSegmentationBackend("torchscript", sources);
      QFAIL("a plug-in with the wrong output shape loaded");
    } catch (const InputError& e) {
      QVERIFY2(std::string(e.what()).find("logits") != std::string::npos, e.what());
    }
    try {
      makeSegmentationBackend("learned", {});
      QFAIL("learned loaded without a model");
    } catch (const InputError& e) {
      QVERIFY2(std::string(e.what()).find("segment train") != std::string::npos, e.what());
    }
  }

  void propagatorTrainsOnAStudy() {
    QTemporaryDir dir;
    const std::string out = dir.path().toStdString();
    SyntheticChestCtOptions options;
    options.size = {96, 96, 40};
    options.spacing = {3.6, 3.6, 7.0};
    const auto files = writeSyntheticChestCts(out, 3, 11, options, false);
    linkSyntheticLabelsAsFinal(out, files.cases);
    const std::string study = out + "/cta";

    PropagatorTrainConfig config;
    config.data.studies = study;
    config.data.input_size = 32;
    config.data.batch_size = 8;
    config.data.samples_per_epoch = 160;
    config.data.val_samples = 32;
    config.data.min_voxels = 50;
    config.model.f_maps = 6;
    config.model.levels = 3;
    config.trainer.epochs = 3;
    config.trainer.log_every = 4;
    config.trainer.optimizer.lr = 0.01;
    config.trainer.best_metric = "val/dice";
    config.trainer.best_mode = "max";
    const std::string run = studyPropagatorRun(study);
    const auto job = propagatorTrainingJob(config, run);
    job->run();
    QVERIFY2(job->state() == JobState::Succeeded, job->errorMessage().c_str());

    // The loss fell and validation saw the pipeline as users run it.
    std::ifstream metrics(run + "/metrics.jsonl");
    std::vector<double> losses, valDice;
    double pipeline = -1;
    for (std::string line; std::getline(metrics, line);) {
      const auto j = nlohmann::json::parse(line);
      if (j.contains("train/loss"))
        losses.push_back(j["train/loss"].get<double>());
      if (j.contains("val/dice"))
        valDice.push_back(j["val/dice"].get<double>());
      if (j.contains("val/pipeline_dice"))
        pipeline = j["val/pipeline_dice"].get<double>();
    }
    QVERIFY(losses.size() >= 4);
    QVERIFY2(losses.back() < losses.front(),
             (std::to_string(losses.front()) + " -> " + std::to_string(losses.back())).c_str());
    QCOMPARE(valDice.size(), size_t(3));
    QVERIFY2(valDice.back() > 0.3, std::to_string(valDice.back()).c_str());
    QVERIFY(pipeline >= 0 && pipeline <= 1);

    // The study's run is the learned backend there.
    BackendSources sources;
    sources.study = study;
    const auto names = availableSegmentationBackends(sources);
    QVERIFY(std::find(names.begin(), names.end(), "learned") != names.end());
    const auto backend = makeSegmentationBackend("learned", sources);
    QCOMPARE(backend->name(), std::string("learned"));
    const CtVolume image = readCtVolume(study + "/case_002.nii.gz");
    const LabelVolume labels = readLabelVolume(out + "/labels/case_002.nii.gz");
    MaskVolume truth;
    truth.geometry = labels.geometry;
    truth.values.resize(labels.values.size());
    for (size_t n = 0; n < truth.values.size(); ++n)
      truth.values[n] = labels.values[n] == kChestAorta;
    SegmentationRequest request;
    request.points = initialClicks(truth, 3);
    const auto result = segmentWithPrompts(image, request, *backend);
    QVERIFY2(result.error.empty(), result.error.c_str());
    QVERIFY(count(result.mask) > 0);
  }
};

QTEST_GUILESS_MAIN(TestLearnedBackends)
#include "TestLearnedBackends.moc"
