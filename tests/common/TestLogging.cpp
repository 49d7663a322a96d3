// Logging: levels filter per sink, the file sink writes whole lines, records from many threads
// never interleave, and a sink bound to a job's context gets that job's lines only.
#include "TestSupport.h"
#include "common/Error.h"
#include "common/JobPool.h"
#include "common/Log.h"

#include <QtTest>
#include <atomic>
#include <thread>

using namespace lumen;

class TestLogging : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void levelsFilterPerSink() {
    std::vector<LogRecord> seen;
    auto sink = std::make_shared<CallbackLogSink>([&](const LogRecord& r) { seen.push_back(r); });
    sink->threshold = LogLevel::Warning;
    ScopedLogSink guard(sink);
    logInfo("ignored");
    logWarning("disk almost full: ", 97, "%");
    logError("gone");
    QCOMPARE(int(seen.size()), 2);
    QCOMPARE(seen[0].message, std::string("disk almost full: 97%"));
    QCOMPARE(seen[1].level, LogLevel::Error);
  }

  void fileSinkWritesFormattedLinesFromManyThreads() {
    const auto path = test::freshDir("logging") + "/log.txt";
    {
      ScopedLogSink guard(std::make_shared<FileLogSink>(path));
      std::vector<std::thread> threads;
      for (int t = 0; t < 4; ++t)
        threads.emplace_back([t] {
          for (int i = 0; i < 250; ++i)
            logInfo("thread ", t, " line ", i);
        });
      for (auto& th : threads)
        th.join();
      logDebug("debug reaches the file");
    }
    const QStringList lines =
        QString::fromStdString(test::readText(path)).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 1001);
    const QRegularExpression format(R"(^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \[(info|debug)\] )");
    for (const auto& line : lines)
      QVERIFY2(format.match(line).hasMatch(), qPrintable(line));
    QVERIFY(lines.last().endsWith("debug reaches the file"));
  }

  void aContextSinkGetsItsOwnJobsLinesOnly() {
    const auto dir = test::freshDir("logging-context");
    std::vector<LogRecord> everything;
    ScopedLogSink all(
        std::make_shared<CallbackLogSink>([&](const LogRecord& r) { everything.push_back(r); }));
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
    JobPool pool(2);
    std::vector<JobPtr> jobs;
    for (const char* name : {"a", "b"})
      jobs.push_back(pool.submit(std::string("run ") + name, [&, name = std::string(name)](Job&) {
        // As a trainer does: the run's log.txt is bound to this job's context.
        ScopedLogSink runLog(std::make_shared<FileLogSink>(dir + "/" + name + ".txt"),
                             ScopedLogSink::Scope::CurrentContext);
        ++ready;
        while (!go)
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        for (int i = 0; i < 200; ++i)
          logInfo("run ", name, " line ", i);
        ++ready;
        while (ready < 4) // both write while both sinks are registered
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }));
    QTRY_COMPARE_WITH_TIMEOUT(ready.load(), 2, 3000);
    go = true;
    for (const auto& job : jobs)
      QVERIFY(job->wait(std::chrono::milliseconds(5000)));
    logInfo("outside any job");
    for (const char* name : {"a", "b"}) {
      const QStringList lines = QString::fromStdString(test::readText(dir + "/" + name + ".txt"))
                                    .split('\n', Qt::SkipEmptyParts);
      QCOMPARE(lines.size(), 200);
      for (const auto& line : lines)
        QVERIFY2(line.contains(QStringLiteral("run %1 line").arg(name)), qPrintable(line));
    }
    // A sink for everything still sees both runs and the line outside them.
    int fromA = 0, fromB = 0;
    for (const auto& r : everything) {
      fromA += r.message.rfind("run a", 0) == 0;
      fromB += r.message.rfind("run b", 0) == 0;
    }
    QCOMPARE(fromA, 200);
    QCOMPARE(fromB, 200);
    QCOMPARE(everything.back().message, std::string("outside any job"));
    QCOMPARE(everything.back().context, LogContextId(0));
  }

  void parsesLevelNames() {
    QCOMPARE(parseLogLevel("warn"), LogLevel::Warning);
    QVERIFY_THROWS_EXCEPTION(InputError, parseLogLevel("loud"));
  }
};

QTEST_GUILESS_MAIN(TestLogging)
#include "TestLogging.moc"
