// The trainer on a genuine regression problem: the loss falls; a run killed in the middle resumes
// from its checkpoint and ends with the same weights as an uninterrupted run, random draws
// included; a crash during a checkpoint write leaves the previous checkpoint readable; two runs
// in one process keep their own generator, thread budget and log; a run folder has one trainer;
// changed settings, newer or foreign checkpoints and non-finite gradients are refused; schedules,
// EMA.
#include "TestSupport.h"
#include "common/Config.h"
#include "common/Job.h"
#include "common/JobPool.h"
#include "events/DenoiseJobs.h"
#include "events/SyntheticEvents.h"
#include "train/Checkpoint.h"
#include "train/Device.h"
#include "train/LrSchedule.h"
#include "train/MetricAlerts.h"
#include "train/RegressionTask.h"
#include "train/RunDirectory.h"
#include "train/Trainer.h"
#include "train/TrainingTasks.h"
#include "train/WeightEma.h"

#include <QtTest>
#include <csignal>
#include <filesystem>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace lumen;
namespace fs = std::filesystem;

namespace {

std::vector<torch::Tensor> weightsOf(TrainTask& task) {
  std::vector<torch::Tensor> out;
  for (const auto& p : task.model()->parameters())
    out.push_back(p.detach().clone());
  return out;
}

RegressionConfig smallConfig() {
  RegressionConfig c;
  c.samples = 1024;
  c.val_samples = 256;
  c.hidden = 32;
  c.batch_size = 64;     // 16 steps per epoch
  c.trainer.epochs = 20; // 320 steps
  c.trainer.log_every = 4;
  c.trainer.threads = 1;
  c.trainer.device = "cpu";
  c.trainer.optimizer.lr = 0.02;
  c.trainer.schedule.name = "warmup_cosine";
  c.trainer.schedule.warmup_steps = 8;
  c.trainer.ema.enabled = true;
  c.trainer.ema.decay = 0.9;
  c.input_noise = 0.05; // every step draws from the run's generator, which resume must restore
  return c;
}

// The trained weights a run folder's last checkpoint holds.
std::vector<torch::Tensor> weightsOfRun(const RegressionConfig& config, const std::string& dir) {
  RegressionTask task(config);
  loadModelWeights(dir + "/checkpoints/last.pt", *task.model());
  return weightsOf(task);
}

bool waitFor(const std::function<bool()>& condition, int milliseconds = 60000) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(milliseconds);
  while (std::chrono::steady_clock::now() < end) {
    if (condition())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

double maxDifference(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, (a[i] - b[i]).abs().max().item<double>());
  return worst;
}

RegressionConfig crashConfig() {
  auto config = smallConfig();
  config.trainer.checkpoint_every_steps = 2; // last.pt write k holds step 2k
  config.trainer.max_steps = 40;
  return config;
}

bool isLastCheckpoint(const std::string& temp) {
  return fs::path(temp).filename().string().rfind("last.pt", 0) == 0;
}

// The child process of the crash tests: trains in runDir until it is killed or crashes.
[[noreturn]] void childTrain(const std::string& runDir, const std::string& mode) {
  static int writes = 0;
  if (mode == "crash-in-write")
    setCheckpointWriteHook([](const std::string& temp) {
      if (isLastCheckpoint(temp) && ++writes == 3) {
        // Half of the new checkpoint reached the disk, then the process died.
        fs::resize_file(temp, fs::file_size(temp) / 2);
        std::_Exit(9);
      }
    });
  if (mode == "kill")
    setCheckpointWriteHook([](const std::string& temp) {
      if (isLastCheckpoint(temp) && ++writes == 12) // step 24: hold here until killed
        std::this_thread::sleep_for(std::chrono::minutes(10));
    });
  auto config = crashConfig();
  RegressionTask task(config);
  Trainer trainer(config.trainer, task, runDir);
  trainer.fit();
  std::_Exit(0);
}

pid_t spawnChild(const std::string& runDir, const std::string& mode) {
  const pid_t pid = fork();
  if (pid == 0) {
    execl("/proc/self/exe", "test_trainer", "--child", runDir.c_str(), mode.c_str(), nullptr);
    std::_Exit(127);
  }
  return pid;
}

} // namespace

class TestTrainer : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void alertsWhenWorseThanPassingTheInputThrough() {
    // Three validations in a row below the identity's PSNR make one message; one better
    // validation starts the count again.
    MetricAlerts alerts;
    auto validation = [](int64_t epoch, double psnr) {
      MetricsRecord record;
      record.epoch = epoch;
      record.step = epoch * 10;
      record.scalars = {{"val/psnr", psnr}, {"val/psnr_noisy_input", 22.0}};
      return std::vector<MetricsRecord>{record};
    };
    QVERIFY(alerts.check("run-a", validation(1, 20.5)).empty());
    QVERIFY(alerts.check("run-a", validation(2, 20.5)).empty());
    QVERIFY(alerts.check("run-a", validation(3, 23.0)).empty()); // better: the streak ends
    QVERIFY(alerts.check("run-a", validation(4, 20.5)).empty());
    QVERIFY(alerts.check("run-a", validation(5, 21.25)).empty());
    const auto messages = alerts.check("run-a", validation(6, 21.0));
    QCOMPARE(messages,
             std::vector<std::string>{
                 "run-a: val/psnr = 21 dB is below val/psnr_noisy_input = 22 dB at epoch "
                 "6 for 3 validations: the model is worse than passing its input through"});
    QVERIFY(alerts.check("run-a", validation(7, 20.0)).empty()); // said once
    // A PSNR without the identity's beside it, and train metrics, are not compared.
    MetricsRecord alone;
    alone.scalars = {{"val/psnr", 1.0}, {"train/psnr_noisy_input", 30.0}};
    MetricAlerts other;
    for (int i = 0; i < 5; ++i)
      QVERIFY(other.check("run-b", {alone}).empty());
  }

  void lossFallsOnARealRegressionProblem() {
    const auto dir = test::freshDir("trainer-loss");
    auto config = smallConfig();
    RegressionTask task(config);
    const double before = task.validate(nullptr).at("loss");
    Trainer trainer(config.trainer, task, dir, "regression");
    const auto summary = trainer.fit();
    QCOMPARE(summary.steps, int64_t(320));
    const double after = summary.lastValidation.at("val/loss");
    QVERIFY2(after < 0.25 * before,
             qPrintable(QString("val/loss %1 -> %2").arg(before).arg(after)));
    QVERIFY(summary.lastValidation.at("val/r2") > 0.5);

    const auto records = readMetricsFile(dir + "/metrics.jsonl");
    std::vector<double> trainLoss;
    for (const auto& r : records)
      if (r.scalars.count("train/loss"))
        trainLoss.push_back(r.scalars.at("train/loss"));
    QVERIFY(trainLoss.size() >= 12);
    QVERIFY(trainLoss.back() < 0.5 * trainLoss.front());
    QVERIFY(records.back().scalars.count("val/loss"));
    QVERIFY(fs::exists(dir + "/checkpoints/last.pt"));
    QVERIFY(fs::exists(dir + "/checkpoints/best.pt"));
    QVERIFY(test::readText(dir + "/log.txt").find("training finished") != std::string::npos);
    const auto status = readRunStatus(dir);
    QVERIFY(status.has_value());
    QCOMPARE(status->state, std::string("finished"));
    QCOMPARE(status->step, int64_t(320));
  }

  void resumeAfterCancelReachesTheSameWeights() {
    const auto reference = test::freshDir("trainer-reference");
    auto config = smallConfig();
    RegressionTask full(config);
    Trainer(config.trainer, full, reference).fit();
    const auto expected = weightsOf(full);

    const auto dir = test::freshDir("trainer-resume");
    {
      // The user presses Cancel while batch 5 of epoch 2 runs.
      class CancelledMidway : public RegressionTask {
      public:
        using RegressionTask::RegressionTask;
        Job* job = nullptr;
        StepOutput trainStep(int64_t epoch, int64_t batch) override {
          if (epoch == 1 && batch == 5)
            job->requestCancel();
          return RegressionTask::trainStep(epoch, batch);
        }
      };
      CancelledMidway first(config);
      Trainer trainer(config.trainer, first, dir);
      auto job = makeJob("train", [&](Job& j) { trainer.fit(&j); });
      first.job = job.get();
      job->run();
      QCOMPARE(job->state(), JobState::Cancelled);
      QCOMPARE(readRunStatus(dir)->state, std::string("cancelled"));
      QCOMPARE(readRunStatus(dir)->step, int64_t(16 + 6)); // the running step completes first
    }
    RegressionTask second(config);
    Trainer trainer(config.trainer, second, dir);
    const auto summary = trainer.fit();
    QVERIFY(summary.resumed);
    QCOMPARE(summary.resumedFromStep, int64_t(22));
    const double diff = maxDifference(weightsOf(second), expected);
    QVERIFY2(diff < 1e-5, qPrintable(QString("max weight difference %1").arg(diff)));
    // The resumed run's metrics continue without repeated steps.
    int64_t lastStep = -1;
    for (const auto& r : readMetricsFile(dir + "/metrics.jsonl")) {
      if (!r.scalars.count("train/loss"))
        continue;
      QVERIFY(r.step > lastStep);
      lastStep = r.step;
    }
  }

  void resumeAfterAKilledProcessReachesTheSameWeights() {
    const auto dir = test::freshDir("trainer-killed");
    const pid_t child = spawnChild(dir, "kill");
    QTRY_VERIFY_WITH_TIMEOUT(readRunStatus(dir) && readRunStatus(dir)->step == 22, 60000);
    ::kill(child, SIGKILL);
    int wstatus = 0;
    waitpid(child, &wstatus, 0);
    QVERIFY(WIFSIGNALED(wstatus));
    QCOMPARE(readRunStatus(dir)->state, std::string("interrupted"));

    auto config = crashConfig();
    RegressionTask resumed(config);
    const auto summary = Trainer(config.trainer, resumed, dir).fit();
    QVERIFY(summary.resumed);
    QCOMPARE(summary.resumedFromStep, int64_t(22));
    QCOMPARE(summary.steps, int64_t(40));
    const auto reference = test::freshDir("trainer-killed-reference");
    RegressionTask full(config);
    Trainer(config.trainer, full, reference).fit();
    const double diff = maxDifference(weightsOf(resumed), weightsOf(full));
    QVERIFY2(diff < 1e-5, qPrintable(QString("max weight difference %1").arg(diff)));
  }

  void crashDuringCheckpointWriteKeepsThePreviousOne() {
    const auto dir = test::freshDir("trainer-crash-write");
    const pid_t child = spawnChild(dir, "crash-in-write");
    int wstatus = 0;
    waitpid(child, &wstatus, 0);
    QVERIFY(WIFEXITED(wstatus));
    QCOMPARE(WEXITSTATUS(wstatus), 9); // died inside the third checkpoint write
    // The torn temporary file is there and unreadable; last.pt is the second checkpoint, intact.
    bool tornFound = false;
    for (const auto& entry : fs::directory_iterator(dir + "/checkpoints"))
      tornFound |= entry.path().filename().string().find("last.pt.tmp") == 0;
    QVERIFY(tornFound);
    auto config = crashConfig();
    RegressionTask task(config);
    auto model = task.model();
    torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(1e-3));
    WeightEma ema(*model, 0.9);
    const auto position =
        loadCheckpoint(dir + "/checkpoints/last.pt", *model, optimizer, &ema, torch::kCPU, {});
    QCOMPARE(position.step, int64_t(4));
    // A truncated checkpoint is reported, not crashed on.
    const std::string torn = dir + "/torn.pt";
    fs::copy_file(dir + "/checkpoints/last.pt", torn);
    fs::resize_file(torn, fs::file_size(torn) / 3);
    QVERIFY_THROWS_EXCEPTION(IoError,
                             loadCheckpoint(torn, *model, optimizer, &ema, torch::kCPU, {}));
  }

  void schedulesFollowTheirDefinitions() {
    ScheduleConfig cosine;
    cosine.name = "warmup_cosine";
    cosine.warmup_steps = 10;
    cosine.min_lr_ratio = 0.1;
    LrSchedule s(cosine, 1.0, 110, 10);
    QCOMPARE(s.lrAt(0), 0.1);
    QCOMPARE(s.lrAt(9), 1.0);
    QVERIFY(std::abs(s.lrAt(60) - 0.55) < 1e-9); // half-way down the cosine: (1 + 0.1) / 2
    QVERIFY(std::abs(s.lrAt(110) - 0.1) < 1e-9);

    ScheduleConfig step;
    step.name = "step";
    step.step_epochs = 2;
    step.gamma = 0.5;
    LrSchedule st(step, 1.0, 100, 10);
    QCOMPARE(st.lrAt(19), 1.0);
    QCOMPARE(st.lrAt(20), 0.5);
    QCOMPARE(st.lrAt(45), 0.25);

    ScheduleConfig plateau;
    plateau.name = "plateau";
    plateau.patience = 1;
    plateau.factor = 0.5;
    LrSchedule p(plateau, 1.0, 100, 10);
    p.observe(1.0, true);
    p.observe(1.0, true); // one bad epoch: within patience
    QCOMPARE(p.lrAt(50), 1.0);
    p.observe(1.1, true); // second bad epoch: decay
    QCOMPARE(p.lrAt(50), 0.5);
    p.observe(0.5, true);
    QCOMPARE(p.lrAt(50), 0.5);
  }

  void emaAveragesAndSwapsBack() {
    torch::nn::Linear layer(2, 1);
    WeightEma ema(*layer, 0.5);
    const auto original = layer->weight.detach().clone();
    {
      torch::NoGradGuard noGrad;
      layer->weight.add_(2.0);
    }
    ema.update(*layer);
    // shadow = 0.5 * original + 0.5 * (original + 2) = original + 1
    ema.swapInto(*layer);
    QVERIFY(torch::allclose(layer->weight, original + 1.0));
    ema.swapInto(*layer);
    QVERIFY(torch::allclose(layer->weight, original + 2.0));
  }

  void nanLossStopsWithAClearError() {
    class NanTask : public RegressionTask {
    public:
      using RegressionTask::RegressionTask;
      StepOutput trainStep(int64_t epoch, int64_t batch) override {
        auto out = RegressionTask::trainStep(epoch, batch);
        if (epoch == 0 && batch == 5)
          out.loss = out.loss * std::nan("");
        return out;
      }
    };
    const auto dir = test::freshDir("trainer-nan");
    auto config = smallConfig();
    NanTask task(config);
    Trainer trainer(config.trainer, task, dir);
    try {
      trainer.fit();
      QFAIL("expected an error");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("NaN at step 6; no checkpoint was written yet") !=
                   std::string::npos,
               e.what());
    }
    QVERIFY(test::readText(dir + "/metrics.jsonl").find("\"train/loss\":\"NaN\"") !=
            std::string::npos);
    QCOMPARE(readRunStatus(dir)->state, std::string("failed"));
  }

  void twoRunsAtOnceKeepTheirOwnGeneratorThreadsAndLog() {
    auto a = smallConfig();
    a.trainer.epochs = 6;
    auto b = a;
    b.trainer.seed = 3;
    b.trainer.threads = 2;
    b.trainer.optimizer.name = "sgd";
    b.trainer.optimizer.lr = 0.05;
    // Each alone, then both at once in one pool as the GUI runs them.
    const auto aloneA = test::freshDir("trainer-alone-a"),
               aloneB = test::freshDir("trainer-alone-b");
    regressionTrainingJob(a, aloneA)->run();
    regressionTrainingJob(b, aloneB)->run();
    const auto root = test::freshDir("trainer-together");
    const std::string dirA = root + "/a", dirB = root + "/b";
    {
      JobPool pool(2);
      auto jobA = pool.submit(regressionTrainingJob(a, dirA));
      auto jobB = pool.submit(regressionTrainingJob(b, dirB));
      QVERIFY(jobA->wait(std::chrono::minutes(2)) && jobB->wait(std::chrono::minutes(2)));
      QCOMPARE(jobA->state(), JobState::Succeeded);
      QCOMPARE(jobB->state(), JobState::Succeeded);
    }
    const double diffA = maxDifference(weightsOfRun(a, dirA), weightsOfRun(a, aloneA));
    const double diffB = maxDifference(weightsOfRun(b, dirB), weightsOfRun(b, aloneB));
    QVERIFY2(
        diffA < 1e-6 && diffB < 1e-6,
        qPrintable(QString("weights differ from the runs alone: %1, %2").arg(diffA).arg(diffB)));
    // Each log.txt holds its own run's lines, with its own thread budget.
    const std::string logA = test::readText(dirA + "/log.txt"),
                      logB = test::readText(dirB + "/log.txt");
    QVERIFY2(logA.find("CPU (1 threads)") != std::string::npos, logA.c_str());
    QVERIFY2(logB.find("CPU (2 threads)") != std::string::npos, logB.c_str());
    QVERIFY(logA.find("optimizer adamw") != std::string::npos);
    QVERIFY2(logA.find("sgd") == std::string::npos, logA.c_str());
    QVERIFY2(logB.find("adamw") == std::string::npos, logB.c_str());
  }

  void aRunFolderHasOneTrainer() {
    auto config = smallConfig();
    config.trainer.epochs = 400;
    const auto dir = test::freshDir("trainer-locked");
    JobPool pool(2);
    auto first = pool.submit(regressionTrainingJob(config, dir));
    QVERIFY(waitFor([&] { return readRunStatus(dir) && readRunStatus(dir)->step > 0; }));
    // A second job on the same folder (a double click, the CLI beside the GUI) is refused...
    auto second = regressionTrainingJob(config, dir);
    second->run();
    QCOMPARE(second->state(), JobState::Failed);
    QVERIFY2(second->errorMessage().find("is in use by another training (pid " +
                                         std::to_string(::getpid())) != std::string::npos,
             second->errorMessage().c_str());
    // ...and so is a bare Trainer.
    RegressionTask task(config);
    QVERIFY_THROWS_EXCEPTION(InputError, Trainer(config.trainer, task, dir).fit());
    QCOMPARE(readRunStatus(dir)->state, std::string("running")); // the owner is undisturbed
    first->requestCancel();
    QVERIFY(first->wait(std::chrono::seconds(30)));
    QCOMPARE(readRunStatus(dir)->state, std::string("cancelled"));
    // Free again once the owner ended.
    QCOMPARE(runIsLocked(dir), std::optional<bool>(false));
  }

  void resumeRefusesChangedSettingsUnlessAccepted() {
    auto config = smallConfig();
    config.trainer.epochs = 2;
    const auto dir = test::freshDir("trainer-changed");
    regressionTrainingJob(config, dir)->run();
    QCOMPARE(readRunStatus(dir)->step, int64_t(32));
    auto longer = config;
    longer.trainer.epochs = 3;
    auto refused = regressionTrainingJob(longer, dir);
    refused->run();
    QCOMPARE(refused->state(), JobState::Failed);
    QVERIFY2(refused->errorMessage().find("trainer.epochs: 2 -> 3") != std::string::npos,
             refused->errorMessage().c_str());
    QCOMPARE(readRunStatus(dir)->state, std::string("finished")); // left as it was
    TrainingRunOptions accept;
    accept.acceptConfigChange = true;
    auto resumed = regressionTrainingJob(longer, dir, accept);
    resumed->run();
    QCOMPARE(resumed->state(), JobState::Succeeded);
    QCOMPARE(readRunStatus(dir)->step, int64_t(48));
    QVERIFY(test::readText(dir + "/log.txt")
                .find("resuming with a changed setting: "
                      "trainer.epochs: 2 -> 3") != std::string::npos);
    QVERIFY(test::readText(dir + "/config.yaml").find("epochs: 3") != std::string::npos);
    // An accepted change that trains no further step is recorded too: the run then resumes
    // with its (new) own settings without being refused.
    auto chatty = longer;
    chatty.trainer.log_every = 5;
    auto noSteps = regressionTrainingJob(chatty, dir, accept);
    noSteps->run();
    QCOMPARE(noSteps->state(), JobState::Succeeded);
    auto again = regressionTrainingJob(chatty, dir);
    again->run();
    QVERIFY2(again->state() == JobState::Succeeded, again->errorMessage().c_str());
    // A run started before a setting existed (its config.yaml lacks trainer.amp) resumes
    // without asking, at the new setting's value, and says so.
    auto saved = test::readText(dir + "/config.yaml");
    const auto line = saved.find("  amp: false\n");
    QVERIFY(line != std::string::npos);
    saved.erase(line, std::string("  amp: false\n").size());
    test::writeText(dir + "/config.yaml", saved);
    auto evenLonger = chatty;
    evenLonger.trainer.epochs = 4;
    auto older = regressionTrainingJob(evenLonger, dir, accept);
    older->run();
    QVERIFY2(older->state() == JobState::Succeeded, older->errorMessage().c_str());
    QVERIFY(test::readText(dir + "/log.txt")
                .find("a setting this run did not have yet: trainer.amp: (absent) -> false") !=
            std::string::npos);
    // Only the new key differs now: the run's own settings without it resume unasked.
    auto current = test::readText(dir + "/config.yaml");
    current.erase(current.find("  amp: false\n"), std::string("  amp: false\n").size());
    test::writeText(dir + "/config.yaml", current);
    auto onlyNew = regressionTrainingJob(evenLonger, dir);
    onlyNew->run();
    QVERIFY2(onlyNew->state() == JobState::Succeeded, onlyNew->errorMessage().c_str());
  }

  void everyTaskResumesFromItsRunFolder() {
    std::vector<std::string> names;
    for (const auto& task : trainingTasks())
      names.push_back(task.name);
    QCOMPARE(names, (std::vector<std::string>{"regression", "events", "shapes", "segment"}));
    QVERIFY_THROWS_EXCEPTION(InputError, trainingTask("segmentation"));

    // An event denoiser run cancelled after a few steps resumes with its own config.yaml.
    const auto root = test::freshDir("trainer-resume-events");
    SyntheticEventConfig synth;
    synth.width = 48;
    synth.height = 32;
    writeSyntheticEventDataset(root + "/data", 3, 1, synth);
    const auto& events = trainingTask("events");
    const std::string config = events.resolve(
        "", {"data.noisy_dir=" + root + "/data/" + kNoisyFolder,
             "data.clean_dir=" + root + "/data/" + kCleanFolder, "data.patch=16",
             "data.val_fraction=0.3", "model.f_maps=4", "model.levels=2", "model.groups=2",
             "trainer.epochs=40", "trainer.threads=1", "trainer.checkpoint_every_steps=2"});
    const std::string run = root + "/run";
    {
      JobPool pool(1);
      auto job = pool.submit(events.start(config, run, {}));
      QVERIFY(waitFor([&] { return readRunStatus(run) && readRunStatus(run)->step >= 4; }));
      job->requestCancel();
      QVERIFY(job->wait(std::chrono::seconds(60)));
      QCOMPARE(job->state(), JobState::Cancelled);
    }
    const int64_t stopped = readRunStatus(run)->step;
    QVERIFY(stopped < readRunStatus(run)->totalSteps);
    // As the Runs workspace's Resume does it: the run's own config.yaml, whatever the task.
    auto resumed = resumeTrainingJob(run);
    resumed->run();
    QVERIFY2(resumed->state() == JobState::Succeeded, resumed->errorMessage().c_str());
    QCOMPARE(readRunStatus(run)->state, std::string("finished"));
    QCOMPARE(readRunStatus(run)->step, readRunStatus(run)->totalSteps);
    QVERIFY(test::readText(run + "/log.txt")
                .find("resuming run from step " + std::to_string(stopped)) != std::string::npos);
    QVERIFY_THROWS_EXCEPTION(InputError, resumeTrainingJob(root + "/data"));
  }

  void aRunThatFailsAtStartIsListedAsFailed() {
    const auto root = test::freshDir("trainer-fails-at-start");
    EventTrainConfig config;
    config.data.noisy_dir = root + "/missing-noisy";
    config.data.clean_dir = root + "/missing-clean";
    auto job = eventTrainingJob(config, root + "/run");
    job->run();
    QCOMPARE(job->state(), JobState::Failed);
    const auto status = readRunStatus(root + "/run");
    QVERIFY(status.has_value());
    QCOMPARE(status->state, std::string("failed"));
    QCOMPARE(status->task, std::string("events"));
    QVERIFY2(status->message.find("missing-noisy does not exist") != std::string::npos,
             status->message.c_str());
    QVERIFY(test::readText(root + "/run/log.txt").find("missing-noisy") != std::string::npos);
  }

  void nonFiniteGradientsNeverReachTheWeights() {
    // A finite loss whose gradient is NaN: d sqrt(|z|) at z = 0.
    class NanGradientTask : public RegressionTask {
    public:
      using RegressionTask::RegressionTask;
      StepOutput trainStep(int64_t epoch, int64_t batch) override {
        auto out = RegressionTask::trainStep(epoch, batch);
        if (epoch == 0 && batch == 5) {
          const auto z = model()->parameters()[0].sum() * 0.0;
          out.loss = out.loss + torch::sqrt(z.abs());
        }
        return out;
      }
    };
    const auto dir = test::freshDir("trainer-nan-gradients");
    auto config = smallConfig();
    config.trainer.checkpoint_every_steps = 2;
    NanGradientTask task(config);
    Trainer trainer(config.trainer, task, dir);
    std::string message;
    try {
      trainer.fit();
    } catch (const Error& e) {
      message = e.what();
    }
    QVERIFY2(message.find("gradients became NaN") != std::string::npos, message.c_str());
    const std::string checkpoint = dir + "/checkpoints/last.pt";
    QVERIFY2(message.find("the last good checkpoint is " + checkpoint) != std::string::npos,
             message.c_str());
    QVERIFY(fs::exists(checkpoint));
    for (const auto& p : task.model()->parameters())
      QVERIFY(torch::isfinite(p).all().item<bool>());
    RegressionTask restored(config);
    loadModelWeights(checkpoint, *restored.model());
    for (const auto& p : restored.model()->parameters())
      QVERIFY(torch::isfinite(p).all().item<bool>());
    QCOMPARE(readRunStatus(dir)->state, std::string("failed"));
  }

  void checkpointsAreCheckedAndReadAllOrNothing() {
    const auto dir = test::freshDir("trainer-checkpoint-checks");
    auto config = smallConfig();
    RegressionTask task(config);
    auto model = task.model();
    torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(1e-3));
    WeightEma ema(*model, 0.9);
    TrainingPosition position;
    position.step = 7;
    const std::string path = dir + "/a.pt";
    saveCheckpoint(path, *model, optimizer, nullptr, position, {&task.generator(), "aaaa", true});
    // Another configuration's checkpoint is refused, unless the change was accepted.
    QVERIFY_THROWS_EXCEPTION(InputError, loadCheckpoint(path, *model, optimizer, &ema, torch::kCPU,
                                                        {nullptr, "bbbb", true}));
    // Without saved EMA weights the average starts from the loaded model, not from noise.
    {
      torch::NoGradGuard noGrad;
      for (auto& shadow : ema.shadow())
        shadow.fill_(123.0);
    }
    QCOMPARE(
        loadCheckpoint(path, *model, optimizer, &ema, torch::kCPU, {nullptr, "bbbb", false}).step,
        int64_t(7));
    QVERIFY(torch::equal(ema.shadow()[0], model->parameters()[0]));
    // A newer format is named as such.
    {
      torch::serialize::OutputArchive archive;
      archive.write("format", torch::tensor(int64_t(99)));
      archive.save_to(dir + "/newer.pt");
    }
    try {
      loadCheckpoint(dir + "/newer.pt", *model, optimizer, &ema, torch::kCPU, {});
      QFAIL("expected an error");
    } catch (const IoError& e) {
      QVERIFY2(std::string(e.what()).find("has format 99") != std::string::npos, e.what());
    }
    // A checkpoint of another architecture fails part-way and leaves the model as it was.
    auto wider = config;
    wider.hidden = 48;
    RegressionTask other(wider);
    torch::optim::AdamW otherOptimizer(other.model()->parameters(),
                                       torch::optim::AdamWOptions(1e-3));
    saveCheckpoint(dir + "/wider.pt", *other.model(), otherOptimizer, nullptr, position, {});
    const auto before = weightsOf(task);
    QVERIFY_THROWS_EXCEPTION(
        IoError, loadCheckpoint(dir + "/wider.pt", *model, optimizer, &ema, torch::kCPU, {}));
    QCOMPARE(maxDifference(weightsOf(task), before), 0.0);
  }

  void aCheckpointOfTheOneModelLayoutStillResumes() {
    // Runs trained before tasks could have several networks wrote format 2: one "model", one
    // "optimizer", the EMA and the schedule's state beside them. They resume as the run's only
    // network and optimiser.
    const auto dir = test::freshDir("trainer-format-2");
    auto config = smallConfig();
    RegressionTask written(config), read(config);
    torch::optim::AdamW optimizer(written.model()->parameters(), torch::optim::AdamWOptions(1e-3));
    torch::serialize::OutputArchive archive, model, moments, ema;
    written.model()->save(model);
    optimizer.save(moments);
    const auto params = written.model()->parameters();
    for (size_t i = 0; i < params.size(); ++i)
      ema.write(std::to_string(i), params[i].detach() + 1.0);
    const auto buffers = written.model()->buffers();
    for (size_t i = 0; i < buffers.size(); ++i)
      ema.write(std::to_string(params.size() + i), buffers[i]);
    archive.write("model", model);
    archive.write("optimizer", moments);
    archive.write("ema", ema);
    auto number = [&](const char* key, double v) {
      archive.write(key, torch::tensor(v, torch::kFloat64));
    };
    auto integer = [&](const char* key, int64_t v) {
      archive.write(key, torch::tensor(v, torch::kInt64));
    };
    integer("format", 2);
    integer("step", 33);
    integer("epoch", 2);
    integer("batch_in_epoch", 1);
    integer("has_best", 1);
    number("best", 0.25);
    number("schedule_scale", 0.5);
    number("schedule_best", 0.3);
    integer("schedule_has_best", 1);
    integer("schedule_bad_epochs", 2);
    {
      std::lock_guard lock(written.generator().mutex());
      archive.write("rng_cpu", written.generator().get_state());
    }
    const std::string path = dir + "/old.pt";
    archive.save_to(path);

    torch::optim::AdamW readOptimizer(read.model()->parameters(), torch::optim::AdamWOptions(1e-3));
    WeightEma readEma(*read.model(), 0.9);
    const auto position =
        loadCheckpoint(path, *read.model(), readOptimizer, &readEma, torch::kCPU, {});
    QCOMPARE(position.step, int64_t(33));
    QCOMPARE(position.batchInEpoch, int64_t(1));
    QCOMPARE(position.best, 0.25);
    QCOMPARE(position.schedule.plateauScale, 0.5);
    QCOMPARE(position.schedule.plateauBadEpochs, 2);
    QCOMPARE(maxDifference(weightsOf(read), weightsOf(written)), 0.0);
    QVERIFY(torch::allclose(readEma.shadow()[0], params[0] + 1.0));
    // A task with two networks cannot take it for its own.
    torch::nn::Linear other(2, 2);
    LrSchedule::State a, b;
    TrainingState two{{{"model", read.model().get(), nullptr}, {"D", other.ptr().get(), nullptr}},
                      {{"model", &readOptimizer, &a}, {"D", &readOptimizer, &b}}};
    try {
      loadTrainingCheckpoint(path, two, torch::kCPU, {});
      QFAIL("a one-model checkpoint was read into two networks");
    } catch (const IoError& e) {
      QVERIFY2(std::string(e.what()).find("holds one network and one optimiser; this task has 2") !=
                   std::string::npos,
               e.what());
    }
  }

  void deviceChoiceIsValidated() {
    QCOMPARE(resolveDevice("cpu").type(), torch::kCPU);
    if (!torch::cuda::is_available()) {
      QCOMPARE(resolveDevice("auto").type(), torch::kCPU);
      QVERIFY_THROWS_EXCEPTION(InputError, resolveDevice("cuda"));
    }
    QVERIFY_THROWS_EXCEPTION(InputError, resolveDevice("tpu"));
  }
};

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--child") {
    torch::set_num_threads(1);
    childTrain(argv[2], argv[3]);
  }
  TestTrainer test;
  return QTest::qExec(&test, argc, argv);
}
#include "TestTrainer.moc"
