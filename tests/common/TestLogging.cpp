// Logging: levels filter per sink, the file sink writes whole lines, records from many threads
// never interleave.
#include "TestSupport.h"
#include "common/Error.h"
#include "common/Log.h"

#include <QtTest>
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

  void parsesLevelNames() {
    QCOMPARE(parseLogLevel("warn"), LogLevel::Warning);
    QVERIFY_THROWS_EXCEPTION(InputError, parseLogLevel("loud"));
  }
};

QTEST_GUILESS_MAIN(TestLogging)
#include "TestLogging.moc"
