// Jobs: progress is reported, cancellation is honoured within 250 ms of work, errors propagate
// with their type, and a pool runs jobs concurrently.
#include "common/Job.h"
#include "common/JobPool.h"

#include <QtTest>
#include <atomic>
#include <thread>

using namespace lumen;
using namespace std::chrono_literals;

namespace {
// Busy work in small chunks, as real jobs do between cancellation checks.
double burn(std::chrono::milliseconds duration) {
  const auto end = std::chrono::steady_clock::now() + duration;
  double x = 0;
  while (std::chrono::steady_clock::now() < end)
    for (int i = 0; i < 1000; ++i)
      x += std::sqrt(double(i));
  return x;
}
} // namespace

class TestJobs : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void progressIsReported() {
    std::atomic<int> gate{0};
    auto job = makeJob("count", [&](Job& j) {
      for (int i = 1; i <= 4; ++i) {
        while (gate.load() < i)
          std::this_thread::sleep_for(1ms);
        j.setProgress(i / 4.0, "chunk " + std::to_string(i));
      }
    });
    std::thread worker([&] { job->run(); });
    for (int i = 1; i <= 3; ++i) {
      gate = i;
      QTRY_COMPARE_WITH_TIMEOUT(job->progress(), i / 4.0, 2000);
      QCOMPARE(job->stage(), "chunk " + std::to_string(i));
      QCOMPARE(job->state(), JobState::Running);
    }
    gate = 4;
    worker.join();
    QCOMPARE(job->state(), JobState::Succeeded);
    QCOMPARE(job->progress(), 1.0);
  }

  void cancelIsHonouredWithin250ms() {
    std::atomic<bool> started{false};
    auto job = makeJob("long", [&](Job& j) {
      started = true;
      for (int i = 0; i < 100000; ++i) {
        burn(5ms);
        j.checkCancelled();
        j.setProgress(i / 100000.0);
      }
    });
    std::thread worker([&] { job->run(); });
    QTRY_VERIFY_WITH_TIMEOUT(started.load(), 2000);
    std::this_thread::sleep_for(100ms);
    const auto requested = std::chrono::steady_clock::now();
    job->requestCancel();
    QVERIFY(job->wait(2000ms));
    const auto latency = std::chrono::steady_clock::now() - requested;
    worker.join();
    QCOMPARE(job->state(), JobState::Cancelled);
    QCOMPARE(*job->errorKind(), ErrorKind::Cancelled);
    QVERIFY2(latency < 250ms,
             qPrintable(QString("cancel took %1 ms")
                            .arg(std::chrono::duration<double, std::milli>(latency).count())));
    QVERIFY_THROWS_EXCEPTION(CancelledError, job->get());
  }

  void errorsPropagateWithTheirType() {
    auto bad = makeJob("bad input", [](Job&) { throw InputError("volume.nii: no such file"); });
    bad->run();
    QCOMPARE(bad->state(), JobState::Failed);
    QCOMPARE(*bad->errorKind(), ErrorKind::InvalidInput);
    QCOMPARE(bad->errorMessage(), std::string("volume.nii: no such file"));
    QVERIFY_THROWS_EXCEPTION(InputError, bad->get());

    auto crash = makeJob("crash", [](Job&) { throw std::out_of_range("index 7"); });
    crash->run();
    QCOMPARE(*crash->errorKind(), ErrorKind::Runtime);
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, crash->get());
  }

  void poolRunsJobsConcurrentlyAndCancelsOnDestruction() {
    std::atomic<int> running{0}, peak{0};
    std::vector<JobPtr> jobs;
    {
      JobPool pool(2);
      for (int i = 0; i < 2; ++i)
        jobs.push_back(pool.submit("worker " + std::to_string(i), [&](Job& j) {
          peak = std::max(peak.load(), ++running);
          for (int k = 0; k < 400; ++k) {
            burn(5ms);
            j.checkCancelled();
          }
        }));
      QTRY_COMPARE_WITH_TIMEOUT(peak.load(), 2, 3000);
      QCOMPARE(int(pool.activeJobs().size()), 2);
    } // destruction cancels and joins
    for (const auto& job : jobs)
      QCOMPARE(job->state(), JobState::Cancelled);
  }

  void etaIsExtrapolated() {
    auto job = makeJob("eta", [](Job& j) {
      for (int i = 1; i <= 10; ++i) {
        burn(100ms);
        j.setProgress(i / 20.0);
      }
      j.requestCancel();
      j.checkCancelled();
    });
    std::thread worker([&] { job->run(); });
    QTRY_VERIFY_WITH_TIMEOUT(job->progress() >= 0.4, 5000);
    const auto eta = job->etaSeconds();
    QVERIFY(eta.has_value());
    // Half done at ~1 s in: about one more second per remaining half; loose bounds for slow CI.
    QVERIFY2(*eta > 0.5 && *eta < 6.0, qPrintable(QString::number(*eta)));
    worker.join();
  }
};

QTEST_GUILESS_MAIN(TestJobs)
#include "TestJobs.moc"
