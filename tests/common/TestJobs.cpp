// Jobs: progress is reported, cancellation is honoured within 250 ms of work, errors propagate
// with their type, a pool runs jobs concurrently and by priority with a worker kept for
// interactive jobs, and parallelFor spreads a job's items over the same pool without letting an
// exception of any type escape a worker.
#include "common/Job.h"
#include "common/JobPool.h"
#include "common/Log.h"
#include "common/Parallel.h"

#include <QtTest>
#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
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

  void interactiveJobsNeverWaitBehindTrainings() {
    JobPool pool(2); // two shared workers and one kept for interactive jobs
    std::atomic<bool> release{false};
    std::vector<JobPtr> trainings;
    for (int i = 0; i < 3; ++i)
      trainings.push_back(pool.submit(
          "training " + std::to_string(i),
          [&](Job& j) {
            while (!release) {
              std::this_thread::sleep_for(2ms);
              j.checkCancelled();
            }
          },
          JobPriority::Background));
    QTRY_COMPARE_WITH_TIMEOUT(
        int(std::count_if(trainings.begin(), trainings.end(),
                          [](const JobPtr& j) { return j->state() == JobState::Running; })),
        2, 3000);
    // The third training waits for a shared worker; a normal job waits too, an interactive one
    // starts at once on the kept worker.
    QCOMPARE(trainings[2]->state(), JobState::Queued);
    auto normal = pool.submit("import", [](Job&) {});
    auto click = pool.submit(
        "load case", [](Job&) {}, JobPriority::Interactive);
    QVERIFY(click->wait(2000ms));
    QCOMPARE(click->state(), JobState::Succeeded);
    QCOMPARE(normal->state(), JobState::Queued);
    // Freed shared workers take the higher priority first: the import before the third training.
    release = true;
    QVERIFY(normal->wait(3000ms));
    QCOMPARE(normal->state(), JobState::Succeeded);
    for (const auto& t : trainings)
      QVERIFY(t->wait(3000ms));
  }

  void aQueuedJobCancelledEndsAtOnce() {
    JobPool pool(1);
    std::atomic<bool> release{false};
    auto busy = pool.submit("busy", [&](Job&) {
      while (!release)
        std::this_thread::sleep_for(2ms);
    });
    std::atomic<bool> ran{false};
    auto queued = pool.submit("queued", [&](Job&) { ran = true; });
    QTRY_COMPARE_WITH_TIMEOUT(busy->state(), JobState::Running, 2000);
    QCOMPARE(queued->state(), JobState::Queued);
    queued->requestCancel();
    // Not "queued" until a worker frees: cancelled now, and its body never runs.
    QCOMPARE(queued->state(), JobState::Cancelled);
    QVERIFY(queued->finished());
    release = true;
    QVERIFY(busy->wait(2000ms));
    std::this_thread::sleep_for(50ms);
    QVERIFY(!ran.load());
  }

  void parallelForSpreadsItemsOverThePool() {
    JobPool pool(2);
    std::vector<int> hits(200, 0);
    std::atomic<int> concurrent{0}, peak{0};
    std::mutex threadsMutex;
    std::set<std::thread::id> threads;
    LogContextId seen = 0;
    auto job = pool.submit("parallel", [&](Job& j) {
      seen = currentLogContext();
      parallelFor(
          hits.size(), 2,
          [&](size_t i) {
            peak = std::max(peak.load(), ++concurrent);
            burn(2ms);
            QCOMPARE(currentLogContext(), j.logContext()); // helpers write in the job's context
            {
              std::lock_guard lock(threadsMutex);
              threads.insert(std::this_thread::get_id());
            }
            hits[i]++;
            --concurrent;
          },
          &j);
    });
    QVERIFY(job->wait(10000ms));
    QCOMPARE(job->state(), JobState::Succeeded);
    QCOMPARE(seen, job->logContext());
    QVERIFY(std::all_of(hits.begin(), hits.end(), [](int h) { return h == 1; }));
    QCOMPARE(int(threads.size()), 2);
    QCOMPARE(peak.load(), 2);
  }

  void parallelForRethrowsAnyExceptionOnTheCaller() {
    JobPool pool(2);
    std::atomic<int> done{0};
    auto job = pool.submit("parallel", [&](Job& j) {
      parallelFor(
          1000, 2,
          [&](size_t i) {
            if (i == 10)
              throw std::length_error("vector too long"); // not a lumen::Error
            burn(1ms);
            ++done;
          },
          &j);
    });
    QVERIFY(job->wait(10000ms));
    QCOMPARE(job->state(), JobState::Failed);
    QCOMPARE(job->errorMessage(), std::string("vector too long"));
    QVERIFY_THROWS_EXCEPTION(std::length_error, job->get());
    QVERIFY(done.load() < 1000); // the first failure stops the remaining items
  }

  void parallelForWithoutAPoolRunsOnTheCaller() {
    std::vector<int> hits(50, 0);
    parallelFor(hits.size(), 4, [&](size_t i) { hits[i] = int(i); });
    for (size_t i = 0; i < hits.size(); ++i)
      QCOMPARE(hits[i], int(i));
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
