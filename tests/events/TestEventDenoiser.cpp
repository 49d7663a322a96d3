// The learned event denoiser: U-Net shapes with anisotropic pooling and padding, a real
// training run on synthetic pairs whose loss falls, and inference writing a denoised recording
// that the metrics can score against the labels.
#include "TestSupport.h"
#include "common/Config.h"
#include "common/Resources.h"
#include "events/DenoiseModel.h"
#include "events/Denoiser.h"
#include "events/EventFile.h"
#include "events/SyntheticEvents.h"
#include "events/VoxelPairs.h"
#include "train/MetricsLog.h"
#include "train/Trainer.h"

#include <QtTest>
#include <filesystem>

using namespace lumen;
namespace fs = std::filesystem;

class TestEventDenoiser : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() { torch::set_num_threads(2); }

  void unetKeepsShapesThroughPadding() {
    UNet3dOptions options;
    options.fMaps = 4;
    options.levels = 4; // 8 bins survive three (1,2,2) poolings
    options.groups = 2;
    UNet3d net(options);
    const auto x = torch::randn({2, 1, 8, 37, 50});
    const auto padded = padToMultiple(x, net->spatialMultiple(), "reflect");
    QCOMPARE(padded.size(3), int64_t(40));
    QCOMPARE(padded.size(4), int64_t(56));
    const auto y = cropTo(net->forward(padded), 37, 50);
    QCOMPARE(y.sizes(), x.sizes());
    QVERIFY(torch::isfinite(y).all().item<bool>());
    const auto zero = padToMultiple(x, 8, "zero");
    QCOMPARE(zero.index({0, 0, 0, 39, 55}).item<float>(), 0.0f);
  }

  void trainingOnSyntheticPairsReducesTheLoss() {
    const auto dir = test::freshDir("event-denoiser");
    SyntheticEventConfig synth;
    synth.width = 64;
    synth.height = 48;
    writeSyntheticEventDataset(dir + "/data", 5, 3, synth);
    EventTrainConfig config = loadConfig<EventTrainConfig>(
        findResource("configs/events/train.yaml"),
        {"data.noisy_dir=" + dir + "/data/" + kNoisyFolder,
         "data.clean_dir=" + dir + "/data/" + kCleanFolder, "data.patch=32", "data.batch_size=4",
         "model.f_maps=4", "model.levels=2", "model.groups=2", "trainer.epochs=8",
         "trainer.log_every=2", "trainer.threads=2", "trainer.optimizer.lr=0.01"});
    const auto info = prepareVoxelPairs(config.data, dir + "/prepared.h5");
    QCOMPARE(info.samples, uint64_t(25)); // 5 files x 5 windows of 20 ms
    QVERIFY(info.valSamples >= 5);
    const std::string runDir = dir + "/run";
    fs::create_directories(runDir);
    saveConfig(config, runDir + "/config.yaml");
    EventDenoiseTask task(config, loadVoxelPairs(dir + "/prepared.h5"));
    const double before = task.validate(nullptr).at("loss");
    const auto summary = Trainer(config.trainer, task, runDir, "events").fit();
    const double after = summary.lastValidation.at("val/loss");
    QVERIFY2(after < 0.9 * before, qPrintable(QString("val/loss %1 -> %2").arg(before).arg(after)));
    std::vector<double> losses;
    for (const auto& r : readMetricsFile(runDir + "/metrics.jsonl"))
      if (r.scalars.count("train/loss"))
        losses.push_back(r.scalars.at("train/loss"));
    QVERIFY(losses.size() >= 4);
    QVERIFY(losses.back() < losses.front());

    // Inference through the saved run: a denoised recording on the same sensor.
    TrainedDenoiser denoiser(runDir + "/checkpoints/best.pt", "cpu");
    const std::string noisy = dir + "/data/" + kNoisyFolder + "/scene_0000.h5";
    const auto result = denoiseEventFile(denoiser, noisy, dir + "/denoised.h5", {});
    QCOMPARE(result.windows, uint64_t(5));
    QVERIFY(result.eventsOut > 0);
    EventFileReader out(dir + "/denoised.h5");
    QCOMPARE(out.sensor().width, 64);
    QCOMPARE(
        *Hdf5File::openRead(dir + "/denoised.h5").stringAttribute("/events", "match_tolerance_us"),
        std::string("2500"));
    const auto metrics = compareWithLabels(out.readAll(), EventFileReader(noisy).readAll(), 2500);
    QVERIFY(metrics.truePositives > 0);
  }
};

QTEST_GUILESS_MAIN(TestEventDenoiser)
#include "TestEventDenoiser.moc"
