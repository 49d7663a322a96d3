// Run-directory files: metrics.jsonl written and tailed while it grows, non-finite values kept,
// Python-written lines accepted, resumed runs drop repeated steps, runs listed with their state.
#include "TestSupport.h"
#include "common/AtomicFile.h"
#include "common/Error.h"
#include "train/MetricsLog.h"
#include "train/RunDirectory.h"

#include <QtTest>
#include <cmath>
#include <filesystem>

using namespace lumen;
namespace fs = std::filesystem;

namespace {
MetricsRecord record(int64_t step, double loss) {
  MetricsRecord r;
  r.step = step;
  r.epoch = step / 10;
  r.wallTime = 1.7e9 + double(step);
  r.scalars["train/loss"] = loss;
  return r;
}
} // namespace

class TestRunFiles : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void tailReadsOnlyCompleteNewLines() {
    const auto path = test::freshDir("runfiles-tail") + "/metrics.jsonl";
    MetricsTail tail(path);
    QVERIFY(tail.poll().empty()); // not created yet
    {
      MetricsWriter writer(path);
      for (int i = 0; i < 3; ++i)
        writer.append(record(i, 1.0 / (i + 1)));
    }
    auto first = tail.poll();
    QCOMPARE(int(first.size()), 3);
    QCOMPARE(first[2].scalars.at("train/loss"), 1.0 / 3);
    {
      std::FILE* f = std::fopen(path.c_str(), "a");
      std::fputs("{\"step\": 3, \"train/loss\": 0.2", f); // a line still being written
      std::fclose(f);
    }
    QVERIFY(tail.poll().empty());
    {
      std::FILE* f = std::fopen(path.c_str(), "a");
      std::fputs("}\nnot json\n", f);
      std::fclose(f);
    }
    auto second = tail.poll();
    QCOMPARE(int(second.size()), 1);
    QCOMPARE(second[0].step, int64_t(3));
    QCOMPARE(tail.malformedLines(), 1);
  }

  void nonFiniteValuesSurvive() {
    auto r = record(5, std::nan(""));
    r.scalars["grad"] = INFINITY;
    const auto parsed = parseMetricsLine(metricsRecordToJson(r));
    QVERIFY(parsed && std::isnan(parsed->scalars.at("train/loss")));
    QVERIFY(std::isinf(parsed->scalars.at("grad")));
    // What Python's json.dumps writes for float('nan').
    const auto python = parseMetricsLine(R"({"step": 7, "loss": NaN, "x": -Infinity, "tag": "a"})");
    QVERIFY(python && std::isnan(python->scalars.at("loss")));
    QVERIFY(python->scalars.at("x") < 0 && std::isinf(python->scalars.at("x")));
    QVERIFY(!python->scalars.count("tag"));
    QVERIFY(!parseMetricsLine(R"({"loss": 1})")); // no step
    // The tokens only count as values: inside strings they stay text.
    const auto quoted = parseMetricsLine(R"({"step": 1, "note": "NaN, Infinity", "v":[NaN, 2]})");
    QVERIFY(quoted && !quoted->scalars.count("note") && !quoted->scalars.count("v"));
    // A long line is parsed in linear time, without the recursion std::regex needs.
    const std::string huge =
        "{\"step\": 2, \"loss\": 0.5, \"blob\": \"" + std::string(2000000, 'x') + "\"}";
    const auto big = parseMetricsLine(huge);
    QVERIFY(big && big->scalars.at("loss") == 0.5);
  }

  void tailFollowsAReplacedFileAndReadsInBoundedChunks() {
    const auto dir = test::freshDir("runfiles-replaced");
    const auto path = dir + "/metrics.jsonl";
    {
      MetricsWriter writer(path);
      for (int i = 1; i <= 5; ++i)
        writer.append(record(i, 1.0));
    }
    MetricsTail tail(path);
    QCOMPARE(int(tail.poll().size()), 5);
    // Replaced by a rewrite (as truncateMetricsAfter does) that grew past the old offset before
    // the next poll: read again from its start, not from the middle of a line.
    {
      MetricsWriter writer(path + ".new");
      for (int i = 1; i <= 40; ++i)
        writer.append(record(i, 2.0));
    }
    std::filesystem::rename(path + ".new", path);
    const auto again = tail.poll();
    QVERIFY(tail.restarted());
    QCOMPARE(int(again.size()), 40);
    QCOMPARE(again.front().step, int64_t(1));
    QCOMPARE(tail.malformedLines(), 0);
    // A file far larger than one poll's read comes in over several polls, losing nothing.
    const auto bigPath = dir + "/big.jsonl";
    {
      MetricsWriter writer(bigPath);
      for (int i = 0; i < 120000; ++i)
        writer.append(record(i, 0.25));
    }
    QVERIFY(std::filesystem::file_size(bigPath) > 2 * MetricsTail::kMaxReadPerPoll);
    MetricsTail bigTail(bigPath);
    size_t total = 0;
    int polls = 0;
    do {
      total += bigTail.poll().size();
      ++polls;
    } while (bigTail.hasMore());
    QCOMPARE(total, size_t(120000));
    QVERIFY(polls >= 3);
    QCOMPARE(readMetricsFile(bigPath).size(), size_t(120000));
  }

  void aForeignStatusFileNeverThrows() {
    // Hand-edited or written by another tool: wrong types read as defaults, garbage as nothing.
    const auto dir = test::freshDir("runfiles-status");
    test::writeText(dir + "/status.json",
                    R"({"state": 3, "step": "twelve", "total_steps": 1e300, "pid": -5,)"
                    R"( "best": "low", "task": ["x"], "updated": null})");
    const auto status = readRunStatus(dir);
    QVERIFY(status.has_value());
    QCOMPARE(status->state, std::string("unknown"));
    QCOMPARE(status->step, int64_t(0));
    QCOMPARE(status->totalSteps, int64_t(0));
    QCOMPARE(status->pid, 0);
    QVERIFY(!status->best);
    QCOMPARE(status->task, std::string());
    test::writeText(dir + "/status.json", "{not json");
    QVERIFY(!readRunStatus(dir).has_value());
    test::writeText(dir + "/status.json", "[1, 2]");
    QVERIFY(!readRunStatus(dir).has_value());
  }

  void truncateDropsRepeatedSteps() {
    const auto path = test::freshDir("runfiles-truncate") + "/metrics.jsonl";
    {
      MetricsWriter writer(path);
      for (int i = 1; i <= 10; ++i)
        writer.append(record(i, 1.0));
    }
    truncateMetricsAfter(path, 6);
    const auto records = readMetricsFile(path);
    QCOMPARE(int(records.size()), 6);
    QCOMPARE(records.back().step, int64_t(6));
  }

  void listsRunsWithTheirState() {
    const auto root = test::freshDir("runfiles-list");
    RunDirectory a(root + "/alpha");
    {
      MetricsWriter writer(a.metricsPath());
      writer.append(record(10, 0.5));
    }
    RunStatus finished;
    finished.state = "finished";
    finished.step = 10;
    finished.updated = 100;
    a.writeStatus(finished);
    RunDirectory b(root + "/group/beta");
    RunStatus running;
    running.state = "running";
    running.pid = 999999; // no such process: the run was interrupted
    running.updated = 200;
    b.writeStatus(running);
    fs::create_directories(root + "/not-a-run");

    const auto runs = listRuns(root);
    QCOMPARE(int(runs.size()), 2);
    QCOMPARE(runs[0].name, std::string("beta")); // newest first
    QCOMPARE(runs[0].status->state, std::string("interrupted"));
    QCOMPARE(runs[1].name, std::string("alpha"));
    QCOMPARE(runs[1].records, size_t(1));
    QCOMPARE(runs[1].lastRecord->scalars.at("train/loss"), 0.5);
    QVERIFY_THROWS_EXCEPTION(IoError, listRuns(root + "/missing"));
  }

  void atomicWriteReplacesWholeFiles() {
    const auto path = test::freshDir("runfiles-atomic") + "/file.txt";
    writeFileAtomically(path, "first");
    writeFileAtomically(path, "second");
    QCOMPARE(test::readText(path), std::string("second"));
    QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                             replaceFileAtomically(path, [](const std::string& temp) {
                               writeFileAtomically(temp, "partial");
                               throw std::runtime_error("disk full");
                             }));
    QCOMPARE(test::readText(path), std::string("second"));
    int files = 0;
    for (const auto& entry : fs::directory_iterator(fs::path(path).parent_path()))
      files += entry.is_regular_file();
    QCOMPARE(files, 1); // the temporary file was cleaned up
  }
};

QTEST_GUILESS_MAIN(TestRunFiles)
#include "TestRunFiles.moc"
