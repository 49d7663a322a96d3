// Tasks with several networks (SPEC C7) on a real adversarial problem: a generator learns to
// produce samples of a 2-D Gaussian against a discriminator, each with its own optimiser,
// schedule, clipping and EMA. The generator's samples approach the data's mean; a run stopped
// half-way resumes to the uninterrupted run's weights exactly; checkpoints key every network,
// optimiser and EMA by name; two processes train like one with the same global batch; a task
// that names networks or optimisers wrongly is refused with a clear error; the step context
// refuses misuse and lets a loss scaler skip one optimiser's overflowed step.
#include "TestSupport.h"
#include "common/Error.h"
#include "train/Checkpoint.h"
#include "train/GradScaler.h"
#include "train/MetricsLog.h"
#include "train/RunDirectory.h"
#include "train/SeededInit.h"
#include "train/StepContext.h"
#include "train/Trainer.h"

#include <QCoreApplication>
#include <QProcess>
#include <QtTest>
#include <cmath>
#include <filesystem>

using namespace lumen;
namespace fs = std::filesystem;

namespace {

const std::vector<double> kDataMean{2.0, -1.0};

OptimizerGroupConfig generatorSettings() {
  OptimizerGroupConfig g;
  g.optimizer.name = "adam";
  g.optimizer.lr = 0.02;
  g.optimizer.beta1 = 0.5;
  // A GAN circles its equilibrium at a constant rate: the generator's steps shrink to settle.
  g.schedule.name = "warmup_cosine";
  g.schedule.min_lr_ratio = 0.05;
  g.ema.enabled = true;
  g.ema.decay = 0.9;
  return g;
}

OptimizerGroupConfig discriminatorSettings() {
  OptimizerGroupConfig d;
  d.optimizer.name = "sgd";
  d.optimizer.lr = 0.1;
  d.optimizer.momentum = 0.5;
  d.schedule.name = "warmup_cosine";
  d.schedule.warmup_steps = 10;
  d.schedule.min_lr_ratio = 0.1;
  d.grad_clip_norm = 1.0;
  return d;
}

// LSGAN on samples of N(kDataMean, 0.5²): G maps 4-D noise to 2-D points, D scores points.
class GaussianGan : public MultiNetworkTask {
public:
  explicit GaussianGan(int64_t batchSize, std::vector<std::string> gNetworks = {"G"})
      : batchSize_(batchSize), gNetworks_(std::move(gNetworks)) {
    seededInit(11, [&] {
      g_ = std::make_shared<torch::nn::LinearImpl>(4, 2);
      d_ = std::make_shared<torch::nn::SequentialImpl>(
          torch::nn::Linear(2, 16),
          torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2)),
          torch::nn::Linear(16, 1));
      return 0;
    });
    auto data = at::detail::createCPUGenerator(5);
    real_ = torch::randn({kSamples, 2}, data) * 0.5 + torch::tensor(kDataMean).to(torch::kFloat32);
    validationNoise_ = torch::randn({512, 4}, data);
  }

  std::vector<NamedNetwork> networks() override { return {{"G", g_}, {"D", d_}}; }
  std::vector<NamedOptimizer> optimizers() override {
    return {{"D", {"D"}, discriminatorSettings()}, {"G", gNetworks_, generatorSettings()}};
  }
  void to(const torch::Device&) override {}
  int64_t batchesPerEpoch() const override { return shardedBatchCount(kSamples, batchSize_); }

  void step(StepContext& context, int64_t epoch, int64_t batch) override {
    const auto samples = shardedBatch(kSamples, batchSize_, 9, epoch, batch);
    std::vector<int64_t> indices;
    std::vector<torch::Tensor> noise;
    for (const auto& s : samples) {
      indices.push_back(s.index);
      auto draw = sampleGenerator(9, epoch, s.position);
      noise.push_back(torch::randn({4}, draw));
    }
    const auto real = real_.index_select(0, torch::tensor(indices));
    const auto fake = g_->forward(torch::stack(noise));

    const auto dReal = d_->forward(real);
    const auto dFake = d_->forward(fake.detach());
    const auto lossD = 0.5 * ((dReal - 1).pow(2).mean() + dFake.pow(2).mean());
    context.backward(lossD, "loss_D");
    context.step("D");

    const auto lossG = 0.5 * (d_->forward(fake) - 1).pow(2).mean();
    context.backward(lossG, "loss_G");
    context.step("G");
    context.log("D_real", dReal.mean().item<double>());
    context.log("D_fake", dFake.mean().item<double>());
  }

  std::map<std::string, double> validate(Job*) override {
    const auto mean = g_->forward(validationNoise_).mean(0);
    return {{"mean_error",
             (mean - torch::tensor(kDataMean).to(torch::kFloat32)).norm().item<double>()}};
  }

  std::vector<torch::Tensor> weights() {
    std::vector<torch::Tensor> out;
    for (const auto& p : g_->parameters())
      out.push_back(p.detach().clone());
    for (const auto& p : d_->parameters())
      out.push_back(p.detach().clone());
    return out;
  }

  static constexpr int64_t kSamples = 256;

private:
  int64_t batchSize_;
  std::vector<std::string> gNetworks_;
  std::shared_ptr<torch::nn::LinearImpl> g_;
  std::shared_ptr<torch::nn::SequentialImpl> d_;
  torch::Tensor real_, validationNoise_;
};

TrainerConfig trainerConfig(int epochs) {
  TrainerConfig c;
  c.epochs = epochs;
  c.log_every = 1;
  c.threads = 1;
  c.device = "cpu";
  c.seed = 4;
  c.best_metric = "val/mean_error";
  return c;
}

double maxDifference(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, (a[i] - b[i]).abs().max().item<double>());
  return worst;
}

std::vector<double> series(const std::string& runDir, const std::string& name) {
  std::vector<double> values;
  for (const auto& record : readMetricsFile(runDir + "/metrics.jsonl"))
    if (record.scalars.count(name))
      values.push_back(record.scalars.at(name));
  return values;
}

std::vector<std::string> archiveKeys(const std::string& path, const std::string& group) {
  torch::serialize::InputArchive archive, child;
  archive.load_from(path);
  archive.read(group, child);
  auto keys = child.keys();
  std::sort(keys.begin(), keys.end());
  return keys;
}

// The child process of the data-parallel test: one rank of the run in `runDir` (the launcher's
// variables are in its environment).
[[noreturn]] void trainRank(const std::string& runDir, int64_t batchSize) {
  torch::set_num_threads(1);
  try {
    GaussianGan task(batchSize);
    Trainer(trainerConfig(2), task, runDir).fit();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    std::_Exit(1);
  }
  std::_Exit(0);
}

} // namespace

class TestMultiNetwork : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void theGeneratorLearnsTheDataAgainstItsDiscriminator() {
    const std::string dir = test::freshDir("gan-learns");
    GaussianGan task(16);
    const auto summary = Trainer(trainerConfig(16), task, dir).fit(); // 256 steps
    QCOMPARE(summary.steps, int64_t(256));
    const auto error = series(dir, "val/mean_error");
    QVERIFY(error.size() == 16);
    // The generator starts about 2.2 away from the data's mean and ends close to it.
    QVERIFY2(error.front() > 1.0 && error.back() < 0.25 * error.front(),
             qPrintable(QString("mean error %1 -> %2").arg(error.front()).arg(error.back())));
    // Each optimiser logs its own learning rate: G decaying from 0.02 without a warm-up, D
    // warming up to 0.1 over 10 steps, then decaying.
    const auto lrG = series(dir, "lr_G"), lrD = series(dir, "lr_D");
    QVERIFY(!lrG.empty() && lrG.size() == lrD.size());
    QCOMPARE(lrG.front(), 0.02);
    QVERIFY(lrG.back() < 0.0011);
    QVERIFY(std::abs(lrD.front() - 0.01) < 1e-12); // step 0 of the warm-up
    QVERIFY(lrD[9] > 0.099 && lrD.back() < 0.011);
    for (const char* name : {"train/loss_D", "train/loss_G", "train/grad_norm_D",
                             "train/grad_norm_G", "train/D_real", "train/D_fake"})
      QVERIFY2(series(dir, name).size() == lrG.size(), name);
    // Every network, optimiser and schedule is in the checkpoint by name; only G has an EMA.
    const std::string last = dir + "/checkpoints/last.pt";
    QCOMPARE(archiveKeys(last, "networks"), (std::vector<std::string>{"D", "G"}));
    QCOMPARE(archiveKeys(last, "optimizers"), (std::vector<std::string>{"D", "G"}));
    QCOMPARE(archiveKeys(last, "schedules"), (std::vector<std::string>{"D", "G"}));
    QCOMPARE(archiveKeys(last, "ema"), (std::vector<std::string>{"G"}));
    // best.pt holds both networks, G as its average; a network is loaded from it by name.
    QCOMPARE(archiveKeys(dir + "/checkpoints/best.pt", "networks"),
             (std::vector<std::string>{"D", "G"}));
    torch::nn::Linear g(4, 2);
    loadNetworkWeights(dir + "/checkpoints/best.pt", "G", *g);
    QVERIFY_THROWS_EXCEPTION(IoError, loadNetworkWeights(last, "R", *g));
    QVERIFY_THROWS_EXCEPTION(IoError, loadModelWeights(last, *g)); // which of the two?
  }

  void aStoppedRunResumesToTheUninterruptedWeights() {
    const std::string whole = test::freshDir("gan-whole"), parts = test::freshDir("gan-parts");
    GaussianGan uninterrupted(16);
    Trainer(trainerConfig(3), uninterrupted, whole).fit();

    {
      GaussianGan first(16);
      Trainer trainer(trainerConfig(3), first, parts);
      trainer.setStopAfterSteps(21); // inside the second epoch, after a warm-up and a validation
      QCOMPARE(trainer.fit().steps, int64_t(21));
    }
    GaussianGan second(16);
    const auto summary = Trainer(trainerConfig(3), second, parts).fit();
    QVERIFY(summary.resumed);
    QCOMPARE(summary.resumedFromStep, int64_t(21));
    // Both networks, both optimisers' moments, D's schedule, G's EMA and the noise all resumed:
    // any of them lost and the weights would part.
    QCOMPARE(maxDifference(second.weights(), uninterrupted.weights()), 0.0);
    QCOMPARE(series(parts, "train/loss_G"), series(whole, "train/loss_G"));
    torch::nn::Linear a(4, 2), b(4, 2);
    loadNetworkWeights(whole + "/checkpoints/best.pt", "G", *a);
    loadNetworkWeights(parts + "/checkpoints/best.pt", "G", *b);
    QCOMPARE(maxDifference(a->parameters(), b->parameters()), 0.0);
  }

  void twoProcessesTrainLikeOneWithTheSameGlobalBatch() {
    const std::string one = test::freshDir("gan-one-rank"), two = test::freshDir("gan-two-ranks");
    GaussianGan alone(16);
    Trainer(trainerConfig(2), alone, one).fit();

    const int port = test::freeLoopbackPort();
    std::vector<std::unique_ptr<QProcess>> ranks;
    for (int r = 0; r < 2; ++r) {
      auto env = QProcessEnvironment::systemEnvironment();
      env.insert("RANK", QString::number(r));
      env.insert("LOCAL_RANK", QString::number(r));
      env.insert("WORLD_SIZE", "2");
      env.insert("MASTER_ADDR", "127.0.0.1");
      env.insert("MASTER_PORT", QString::number(port));
      env.insert("LUMEN_DIST_TIMEOUT_S", "60");
      auto process = std::make_unique<QProcess>();
      process->setProcessEnvironment(env);
      process->start(QCoreApplication::applicationFilePath(),
                     {"--rank", QString::fromStdString(two), "8"});
      ranks.push_back(std::move(process));
    }
    for (auto& rank : ranks) {
      QVERIFY(rank->waitForFinished(120000));
      QVERIFY2(rank->exitCode() == 0, rank->readAllStandardError().constData());
    }
    for (const char* name : {"train/loss_D", "train/loss_G", "train/grad_norm_G"}) {
      const auto a = series(one, name), b = series(two, name);
      QCOMPARE(a.size(), size_t(32));
      QCOMPARE(b.size(), a.size());
      for (size_t i = 0; i < a.size(); ++i)
        QVERIFY2(std::abs(a[i] - b[i]) < 1e-5,
                 qPrintable(
                     QString("%1 at step %2: %3 vs %4").arg(name).arg(i + 1).arg(a[i]).arg(b[i])));
    }
  }

  void aTaskThatNamesItsPartsWronglyIsRefused() {
    const std::string dir = test::freshDir("gan-wrong");
    GaussianGan unknown(16, {"G", "R"}); // R is no network of the task
    try {
      Trainer(trainerConfig(1), unknown, dir + "/unknown").fit();
      QFAIL("an optimiser of an unknown network was accepted");
    } catch (const InputError& e) {
      QVERIFY2(std::string(e.what()).find("network 'R'") != std::string::npos, e.what());
    }
    GaussianGan twice(16, {"G", "D"}); // D is stepped by its own optimiser already
    try {
      Trainer(trainerConfig(1), twice, dir + "/twice").fit();
      QFAIL("a network stepped by two optimisers was accepted");
    } catch (const InputError& e) {
      QVERIFY2(std::string(e.what()).find("'D' is stepped by two optimizers") != std::string::npos,
               e.what());
    }
  }

  void theStepContextChecksEveryCallAndSkipsAnOverflowedStep() {
    torch::nn::Linear g(2, 1), d(2, 1);
    std::vector<OptimizerSlot> slots(2);
    const std::pair<std::string, torch::nn::Linear*> parts[2] = {{"G", &g}, {"D", &d}};
    for (int i = 0; i < 2; ++i) {
      slots[i].name = parts[i].first;
      slots[i].parameters = (*parts[i].second)->parameters();
      slots[i].optimizer = makeOptimizer(OptimizerConfig{}, slots[i].parameters);
      slots[i].schedule = std::make_unique<LrSchedule>(ScheduleConfig{}, 1e-3, 10, 10);
    }
    const auto x = torch::ones({4, 2});
    {
      StepContext context(slots, nullptr, nullptr, 0, 0);
      context.backward(g->forward(x).pow(2).mean(), "loss_G");
      QVERIFY(context.step("G") > 0.0);
      QVERIFY_THROWS_EXCEPTION(InputError, context.step("G")); // its gradients were used
      try {
        context.step("R");
        QFAIL("an unknown optimiser was stepped");
      } catch (const InputError& e) {
        QVERIFY2(std::string(e.what()).find("names optimizer 'R', but the task has G, D") !=
                     std::string::npos,
                 e.what());
      }
      context.zeroGrad("G");
      context.backward(g->forward(x).pow(2).mean(), "loss_G");
      context.step("G"); // zeroed in between: allowed
      QCOMPARE(context.optimizerSteps(), 2);
      QVERIFY(context.logged().count("grad_norm_G"));
      try {
        context.backward(d->forward(x).sum() * std::nan(""), "loss_D");
        QFAIL("a NaN loss was backpropagated");
      } catch (const NonFiniteStep& e) {
        QCOMPARE(std::string(e.what()), std::string("training loss loss_D became NaN"));
      }
      QVERIFY(std::isnan(context.logged().at("loss_D"))); // the record still shows it
    }
    {
      // With a loss scaler, gradients that overflow at this scale skip the step of the
      // optimiser that meets them, not the run; the other optimiser steps.
      GradScaler scaler;
      StepContext context(slots, nullptr, &scaler, 1, 0);
      for (auto& slot : slots)
        slot.optimizer->zero_grad();
      const auto before = d->weight.clone();
      context.backward(d->forward(x).mean() + g->forward(x).mean(), "loss");
      auto gradient = d->weight.grad(); // a handle to the same gradient
      gradient.index_put_({0, 0}, INFINITY);
      QCOMPARE(context.step("D"), 0.0);
      QVERIFY(torch::equal(d->weight, before));
      QVERIFY(context.overflowed());
      QVERIFY(context.step("G") > 0.0);
      QCOMPARE(context.optimizerSteps(), 1);
    }
  }

  void aCheckpointWithoutOneOfTheNetworksIsRefusedWhole() {
    const std::string dir = test::freshDir("gan-partial");
    GaussianGan task(16);
    Trainer trainer(trainerConfig(1), task, dir);
    trainer.setStopAfterSteps(3);
    trainer.fit();
    // A task with a third network reads the run's checkpoint: the file lacks it, and nothing of
    // what the task holds changes.
    torch::nn::Linear g(4, 2), extra(2, 2);
    torch::optim::Adam optimizer(g->parameters());
    LrSchedule::State schedule;
    const auto before = extra->weight.clone();
    TrainingState state{{{"G", g.ptr().get(), nullptr}, {"R", extra.ptr().get(), nullptr}},
                        {{"G", &optimizer, &schedule}}};
    try {
      loadTrainingCheckpoint(dir + "/checkpoints/last.pt", state, torch::kCPU, {});
      QFAIL("a checkpoint without network R was read");
    } catch (const IoError& e) {
      QVERIFY2(std::string(e.what()).find("has no network 'R' (it holds G, D)") !=
                   std::string::npos,
               e.what());
    }
    QVERIFY(torch::equal(extra->weight, before));
  }
};

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--rank")
    trainRank(argv[2], std::stoll(argv[3]));
  QCoreApplication app(argc, argv);
  TestMultiNetwork test;
  return QTest::qExec(&test, argc, argv);
}
#include "TestMultiNetwork.moc"
