// Data-parallel training (SPEC C10): the launcher's variables, gradient averaging and weight
// broadcast over real Gloo process groups on loopback, sharded batches that together are the
// global batch, `lumen-cli events train` started as torchrun starts it (two processes with RANK,
// WORLD_SIZE, MASTER_ADDR, MASTER_PORT) training like one process with the same global batch, and
// a run whose peer dies ending with a clear error instead of a hang.
#include "TestSupport.h"
#include "common/Error.h"
#include "train/DataParallel.h"
#include "train/MetricsLog.h"
#include "train/TrainTask.h"

#include <QFile>
#include <QProcess>
#include <QThread>
#include <QtTest>
#include <future>
#include <thread>
#include <unistd.h>

using namespace lumen;

namespace {

DataParallelSettings rankOf(int rank, int world, int port) {
  DataParallelSettings s;
  s.rank = rank;
  s.world = world;
  s.masterAddr = "127.0.0.1";
  s.masterPort = port;
  return s;
}

// Runs `body(group)` on `world` threads, one rank each, in one process.
template <class Body> void onRanks(int world, Body body, int timeoutMs = 20000) {
  const int port = test::freeLoopbackPort();
  std::vector<std::future<void>> ranks;
  for (int r = 0; r < world; ++r)
    ranks.push_back(std::async(std::launch::async, [=] {
      auto group = DataParallelGroup::connect(rankOf(r, world, port), torch::kCPU,
                                              std::chrono::milliseconds(timeoutMs));
      body(*group);
    }));
  for (auto& rank : ranks)
    rank.get();
}

class ShardProbe : public TrainTask {
public:
  std::shared_ptr<torch::nn::Module> model() override { return nullptr; }
  void to(const torch::Device&) override {}
  int64_t batchesPerEpoch() const override { return shardedBatchCount(samples, batchSize); }
  StepOutput trainStep(int64_t, int64_t) override { return {}; }
  std::map<std::string, double> validate(Job*) override { return {}; }
  std::vector<BatchSample> batch(int64_t epoch, int64_t b) const {
    return shardedBatch(samples, batchSize, 7, epoch, b);
  }
  int64_t samples = 0, batchSize = 0;
};

struct Environment {
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  Environment(int rank, int world, int port) {
    env.insert("RANK", QString::number(rank));
    env.insert("LOCAL_RANK", QString::number(rank));
    env.insert("WORLD_SIZE", QString::number(world));
    env.insert("MASTER_ADDR", "127.0.0.1");
    env.insert("MASTER_PORT", QString::number(port));
    env.insert("LUMEN_DIST_TIMEOUT_S", "60");
  }
};

std::unique_ptr<QProcess>
startCli(const QStringList& args,
         const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment()) {
  auto process = std::make_unique<QProcess>();
  process->setProcessEnvironment(env);
  process->start(QStringLiteral(LUMEN_CLI_PATH), QStringList{"--quiet"} + args);
  return process;
}

// Six synthetic pairs in `dir`/data and the `events train` arguments that train on them with
// one thread, a metrics record per step, for `epochs` epochs.
QStringList eventTrainingOn(const QString& dir, int epochs) {
  const auto synth = startCli({"events", "synth", dir + "/data", "--files", "6", "--seed", "3",
                               "--width", "64", "--height", "48"});
  if (!synth->waitForFinished(120000) || synth->exitCode() != 0)
    qFatal("events synth failed: %s", synth->readAllStandardError().constData());
  return {"events", "train",
          "--set",  "data.noisy_dir=" + dir + "/data/background_with_flare_events",
          "--set",  "data.clean_dir=" + dir + "/data/background_with_light_events",
          "--set",  "trainer.epochs=" + QString::number(epochs),
          "--set",  "trainer.log_every=1",
          "--set",  "trainer.threads=1"};
}

std::vector<double> trainLosses(const std::string& runDir) {
  std::vector<double> losses;
  if (!QFile::exists(QString::fromStdString(runDir + "/metrics.jsonl")))
    return losses;
  for (const auto& record : readMetricsFile(runDir + "/metrics.jsonl"))
    if (record.scalars.count("train/loss"))
      losses.push_back(record.scalars.at("train/loss"));
  return losses;
}

// Runs `args` as two ranks on loopback, as torchrun would start them; false (with each failed
// rank's stderr as a warning) unless both end well.
bool trainOnTwoRanks(const QStringList& args) {
  const int port = test::freeLoopbackPort();
  std::vector<std::unique_ptr<QProcess>> ranks;
  for (int r = 0; r < 2; ++r)
    ranks.push_back(startCli(args, Environment(r, 2, port).env));
  bool ok = true;
  for (auto& rank : ranks) {
    ok = rank->waitForFinished(300000) && ok;
    if (rank->exitCode() != 0) {
      qWarning("%s", rank->readAllStandardError().constData());
      ok = false;
    }
  }
  return ok;
}

} // namespace

class TestDataParallel : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void settingsComeFromTheLauncher() {
    const auto clear = [] {
      for (const char* name : {"WORLD_SIZE", "RANK", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT",
                               "SLURM_NTASKS", "SLURM_PROCID", "SLURM_LOCALID"})
        qunsetenv(name);
    };
    clear();
    QVERIFY(!dataParallelSettingsFromEnvironment());
    qputenv("WORLD_SIZE", "1");
    QVERIFY(!dataParallelSettingsFromEnvironment()); // one process is no group
    qputenv("WORLD_SIZE", "4");
    qputenv("RANK", "2");
    qputenv("LOCAL_RANK", "0");
    qputenv("MASTER_ADDR", "127.0.0.1");
    qputenv("MASTER_PORT", "29511");
    const auto s = dataParallelSettingsFromEnvironment();
    QVERIFY(s && s->rank == 2 && s->world == 4 && s->masterPort == 29511);
    qputenv("RANK", "4");
    try {
      dataParallelSettingsFromEnvironment();
      QFAIL("a rank outside the world was accepted");
    } catch (const InputError& e) {
      QVERIFY2(QString(e.what()).contains("RANK=4") && QString(e.what()).contains("0..3"),
               e.what());
    }
    qunsetenv("RANK");
    qunsetenv("MASTER_PORT");
    qputenv("SLURM_PROCID", "1"); // srun's name when RANK is absent
    try {
      dataParallelSettingsFromEnvironment();
      QFAIL("a missing MASTER_PORT was accepted");
    } catch (const InputError& e) {
      QVERIFY2(QString(e.what()).contains("MASTER_PORT"), e.what());
    }
    qputenv("MASTER_PORT", "29511");
    QCOMPARE(dataParallelSettingsFromEnvironment()->rank, 1);
    clear();
  }

  void shardsTogetherAreTheGlobalBatch() {
    ShardProbe one, rank0, rank1;
    for (ShardProbe* p : {&one, &rank0, &rank1})
      p->samples = 21;
    one.batchSize = 6;
    rank0.batchSize = rank1.batchSize = 3;
    rank0.setShard({0, 2});
    rank1.setShard({1, 2});
    QCOMPARE(one.batchesPerEpoch(), int64_t(4));
    QCOMPARE(rank0.batchesPerEpoch(), int64_t(4)); // 21 padded to 22: 11 per rank
    for (int64_t b = 0; b < 3; ++b) {
      std::multiset<std::pair<int64_t, int64_t>> global, shards;
      for (const auto& s : one.batch(2, b))
        global.insert({s.index, s.position});
      for (const ShardProbe* p : {&rank0, &rank1})
        for (const auto& s : p->batch(2, b))
          shards.insert({s.index, s.position});
      QVERIFY(global == shards);
      QCOMPARE(int(global.size()), 6);
    }
    // The last batch: 3 left for one process; 2 per rank with the wrapped one.
    QCOMPARE(one.batch(2, 3).size(), size_t(3));
    QCOMPARE(rank0.batch(2, 3).size(), size_t(2));
    QCOMPARE(rank1.batch(2, 3).size(), size_t(2));
    QCOMPARE(rank1.batch(2, 3).back().index, one.batch(2, 0).front().index);
  }

  void gradientsAreAveragedAndWeightsBroadcast() {
    onRanks(2, [](DataParallelGroup& group) {
      const double r = group.rank();
      // Three tensors in buckets of 16 bytes: one per bucket, one exchange each.
      std::vector<torch::Tensor> grads{torch::full({2}, 1.0f + float(r)),
                                       torch::full({3}, 10.0f * float(r + 1)),
                                       torch::arange(4, torch::kFloat32) * float(r)};
      group.averageInPlace(grads, 16);
      QVERIFY(torch::allclose(grads[0], torch::full({2}, 1.5f)));
      QVERIFY(torch::allclose(grads[1], torch::full({3}, 15.0f)));
      QVERIFY(torch::allclose(grads[2], torch::arange(4, torch::kFloat32) * 0.5f));
      auto weights = torch::full({5}, float(r) + 3.0f).requires_grad_();
      group.broadcastFromRankZero({weights});
      QVERIFY(torch::allclose(weights, torch::full({5}, 3.0f)));
      group.barrier();
    });
  }

  void aRendezvousWithoutItsPeersTimesOut() {
    const auto started = std::chrono::steady_clock::now();
    try {
      DataParallelGroup::connect(rankOf(0, 2, test::freeLoopbackPort()), torch::kCPU,
                                 std::chrono::milliseconds(1500));
      QFAIL("a group of two formed with one process");
    } catch (const Error& e) {
      QVERIFY2(QString(e.what()).contains("rank 0 of 2") &&
                   QString(e.what()).contains("rendezvous"),
               e.what());
    }
    QVERIFY(std::chrono::steady_clock::now() - started < std::chrono::seconds(30));
  }

  void twoProcessesTrainLikeOneWithTheSameGlobalBatch() {
    const QString dir = QString::fromStdString(test::freshDir("data-parallel"));
    const QStringList common = eventTrainingOn(dir, 2);
    // One process with a global batch of 4 ...
    auto single =
        startCli(common + QStringList{"--set", "data.batch_size=4", "--run-dir", dir + "/one"});
    QVERIFY(single->waitForFinished(300000));
    QVERIFY2(single->exitCode() == 0, single->readAllStandardError().constData());
    // ... and two processes of 2 each, started as torchrun starts them.
    QVERIFY(trainOnTwoRanks(common +
                            QStringList{"--set", "data.batch_size=2", "--run-dir", dir + "/two"}));
    const auto one = trainLosses((dir + "/one").toStdString());
    const auto two = trainLosses((dir + "/two").toStdString());
    // 20 training windows (4 of the 6 files, 5 windows each): 5 global batches of 4 per epoch.
    // (A set that is no multiple of the world size repeats a sample in each epoch's last
    // global batch, as PyTorch's DistributedSampler does; then only that batch differs.)
    QCOMPARE(one.size(), size_t(10));
    QCOMPARE(two.size(), one.size());
    for (size_t i = 0; i < one.size(); ++i)
      QVERIFY2(std::abs(one[i] - two[i]) <= 1e-5,
               qPrintable(QString("step %1: one process %2, two processes %3")
                              .arg(i + 1)
                              .arg(one[i], 0, 'g', 9)
                              .arg(two[i], 0, 'g', 9)));
    // Rank 0 alone wrote the run: one status, one checkpoint set, log lines of one process.
    QVERIFY(QFile::exists(dir + "/two/checkpoints/last.pt"));
    QVERIFY(QFile::exists(dir + "/two/checkpoints/best.pt"));
    const QString log =
        QString::fromStdString(test::readText((dir + "/two/log.txt").toStdString()));
    QVERIFY2(log.contains("rank 0 of 2") && !log.contains("rank 1 of 2"), qPrintable(log));
  }

  // Every task shards the same way: the regression task too, on 2 x 32 against 1 x 64.
  void theRegressionTaskTrainsLikeOneProcessToo() {
    const QString dir = QString::fromStdString(test::freshDir("data-parallel-regression"));
    const QStringList common = {"regression", "train",
                                "--set",      "samples=512",
                                "--set",      "trainer.epochs=2",
                                "--set",      "trainer.log_every=1",
                                "--set",      "trainer.threads=1"};
    auto single =
        startCli(common + QStringList{"--set", "batch_size=64", "--run-dir", dir + "/one"});
    QVERIFY(single->waitForFinished(120000));
    QVERIFY2(single->exitCode() == 0, single->readAllStandardError().constData());
    QVERIFY(
        trainOnTwoRanks(common + QStringList{"--set", "batch_size=32", "--run-dir", dir + "/two"}));
    const auto one = trainLosses((dir + "/one").toStdString());
    const auto two = trainLosses((dir + "/two").toStdString());
    QCOMPARE(one.size(), size_t(16)); // 512 / 64 = 8 steps per epoch
    QCOMPARE(two.size(), one.size());
    for (size_t i = 0; i < one.size(); ++i)
      QVERIFY2(std::abs(one[i] - two[i]) <= 1e-5 * std::max(1.0, std::abs(one[i])),
               qPrintable(QString("step %1: one process %2, two processes %3")
                              .arg(i + 1)
                              .arg(one[i], 0, 'g', 9)
                              .arg(two[i], 0, 'g', 9)));
  }

  // Stopped after 7 of 10 steps and resumed by two new processes, a run ends where the
  // uninterrupted one does: every rank restores weights, optimiser, position and generator
  // from rank 0's last.pt.
  void aDataParallelRunResumesExactly() {
    const QString dir = QString::fromStdString(test::freshDir("data-parallel-resume"));
    const QStringList common =
        eventTrainingOn(dir, 2) +
        QStringList{"--set", "data.batch_size=2", "--set", "trainer.schedule.name=constant"};
    const auto twoRanks = [&](const QStringList& extra) { return trainOnTwoRanks(common + extra); };
    QVERIFY(twoRanks({"--run-dir", dir + "/full"}));
    QVERIFY(twoRanks({"--run-dir", dir + "/cut", "--set", "trainer.max_steps=7"}));
    QCOMPARE(trainLosses((dir + "/cut").toStdString()).size(), size_t(7));
    QVERIFY(twoRanks({"--run-dir", dir + "/cut", "--accept-config-change"}));
    const auto full = trainLosses((dir + "/full").toStdString());
    const auto cut = trainLosses((dir + "/cut").toStdString());
    QCOMPARE(full.size(), size_t(10));
    QCOMPARE(cut.size(), full.size());
    for (size_t i = 0; i < full.size(); ++i)
      QVERIFY2(std::abs(full[i] - cut[i]) <= 1e-7,
               qPrintable(QString("step %1: uninterrupted %2, resumed %3")
                              .arg(i + 1)
                              .arg(full[i], 0, 'g', 9)
                              .arg(cut[i], 0, 'g', 9)));
  }

  void aDeadPeerEndsTheRunWithAClearError() {
    const QString dir = QString::fromStdString(test::freshDir("data-parallel-dead"));
    const QStringList args = eventTrainingOn(dir, 1000) +
                             QStringList{"--set", "data.batch_size=2", "--run-dir", dir + "/run"};
    const int port = test::freeLoopbackPort();
    auto rank0 = startCli(args, Environment(0, 2, port).env);
    auto rank1 = startCli(args, Environment(1, 2, port).env);
    QVERIFY(test::pollUntil([] { QThread::msleep(50); },
                            [&] { return trainLosses((dir + "/run").toStdString()).size() >= 3; },
                            240));
    rank1->kill();
    rank1->waitForFinished(10000);
    const auto killed = std::chrono::steady_clock::now();
    QVERIFY2(rank0->waitForFinished(60000), "rank 0 hung after its peer died");
    QVERIFY(std::chrono::steady_clock::now() - killed < std::chrono::seconds(60));
    QVERIFY(rank0->exitCode() != 0);
    const QString err = rank0->readAllStandardError();
    QVERIFY2(err.contains("rank 0 of 2") && err.contains("another process of the run"),
             qPrintable(err));
    const QString status =
        QString::fromStdString(test::readText((dir + "/run/status.json").toStdString()));
    QVERIFY2(status.contains("\"failed\""), qPrintable(status));
  }
};

QTEST_GUILESS_MAIN(TestDataParallel)
#include "TestDataParallel.moc"
