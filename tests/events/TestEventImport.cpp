// Importing recordings: the real DVXplorer AEDAT4 sample (111,954 events, 320x240), text
// recordings with and without a header, format detection, --sort repair, and malformed input
// (truncated, corrupted, inconsistent) rejected with errors naming the file.
#include "TestSupport.h"
#include "common/Error.h"
#include "events/EventFile.h"
#include "events/EventImport.h"

#include <QtTest>
#include <filesystem>

using namespace lumen;
namespace fs = std::filesystem;

namespace {
std::string importError(const std::string& in, const ImportOptions& options = {}) {
  try {
    importEvents(in, in + ".out.h5", options);
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}
} // namespace

class TestEventImport : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void importsTheRealAedat4Recording() {
    const auto sample = test::sharedDataFile("events/dvxplorer_sample.aedat4");
    if (sample.empty())
      QSKIP("../shared/data is absent");
    QCOMPARE(detectEventFormat(sample), EventFormat::Aedat4);
    const auto out = test::freshDir("import-aedat4") + "/dvx.h5";
    const auto result = importEvents(sample, out);
    QCOMPARE(result.events, uint64_t(111954));
    QCOMPARE(result.sensor.width, 320);
    QCOMPARE(result.sensor.height, 240);
    EventFileReader reader(out);
    const auto stats = reader.scan();
    QCOMPARE(stats.numEvents, uint64_t(111954));
    QCOMPARE(stats.tFirst, int64_t(1605537493718345));
    QCOMPARE(stats.tLast, int64_t(1605537494308262));
    QCOMPARE(stats.numPositive + stats.numNegative, uint64_t(111954));
    QVERIFY(stats.numPositive > 40000 && stats.numNegative > 40000);
  }

  void malformedAedat4GivesErrors() {
    const auto sample = test::sharedDataFile("events/dvxplorer_sample.aedat4");
    if (sample.empty())
      QSKIP("../shared/data is absent");
    const auto dir = test::freshDir("import-aedat4-bad");
    const auto bytes = test::readText(sample);
    const auto truncated = dir + "/truncated.aedat4";
    test::writeText(truncated, bytes.substr(0, bytes.size() / 2));
    const auto message = importError(truncated);
    QVERIFY2(message.find(truncated) != std::string::npos &&
                 (message.find("truncated") != std::string::npos ||
                  message.find("corrupt") != std::string::npos),
             message.c_str());
    const auto headerOnly = dir + "/header.aedat4";
    test::writeText(headerOnly, bytes.substr(0, 20));
    QVERIFY(importError(headerOnly).find("truncated") != std::string::npos);
    // Corrupt the compressed payloads at several places: errors, never a crash.
    for (size_t where : {size_t(5000), bytes.size() / 3, bytes.size() * 2 / 3}) {
      auto damaged = bytes;
      for (size_t i = where; i < where + 64 && i < damaged.size(); ++i)
        damaged[i] = char(damaged[i] ^ 0x5a);
      const auto path = dir + "/damaged-" + std::to_string(where) + ".aedat4";
      test::writeText(path, damaged);
      (void)importError(path);
    }
    QVERIFY(!fs::exists(truncated + ".out.h5")); // nothing half-written
  }

  void importsTextRecordings() {
    const auto dir = test::freshDir("import-text");
    const auto withHeader = dir + "/a.txt";
    test::writeText(withHeader, "# comment\n640 480\n100 1 2 1\n150 639 479 0\n150 3 4 -1\n");
    const auto e = loadRecording(withHeader);
    QCOMPARE(e.sensor.width, 640);
    QCOMPARE(e.t, (std::vector<int64_t>{100, 150, 150}));
    QCOMPARE(e.p, (std::vector<int8_t>{1, -1, -1}));
    const auto seconds = dir + "/b.dat";
    test::writeText(seconds, "0.000100 5 6 1\n0.000250 7 8 0\n");
    QCOMPARE(detectEventFormat(seconds), EventFormat::Text);
    const auto s = loadRecording(seconds);
    QCOMPARE(s.t, (std::vector<int64_t>{100, 250}));
    QCOMPARE(s.sensor.width, 8); // inferred
    QCOMPARE(s.sensor.height, 9);
  }

  void textErrorsNameTheLine() {
    const auto dir = test::freshDir("import-text-bad");
    const auto fields = dir + "/fields.txt";
    test::writeText(fields, "1 2 3 1\n2 2 3\n");
    QVERIFY2(importError(fields).find("fields.txt:2: expected 't x y p', found 3 fields") !=
                 std::string::npos,
             importError(fields).c_str());
    const auto polarity = dir + "/polarity.txt";
    test::writeText(polarity, "1 2 3 5\n");
    QVERIFY(importError(polarity).find("polarity.txt:1: polarity must be 0, 1 or -1") !=
            std::string::npos);
    const auto outside = dir + "/outside.txt";
    test::writeText(outside, "10 10\n1 2 3 1\n2 12 3 1\n");
    QVERIFY(importError(outside).find("outside.txt:3: (x=12, y=3) lies outside") !=
            std::string::npos);
    const auto order = dir + "/order.txt";
    test::writeText(order, "5 1 1 1\n3 1 1 0\n");
    QVERIFY(importError(order).find("timestamps decrease at event 1") != std::string::npos);
    ImportOptions sort;
    sort.sort = true;
    const auto result = importEvents(order, dir + "/sorted.h5", sort);
    QCOMPARE(result.events, uint64_t(2));
    QCOMPARE(readEventFile(dir + "/sorted.h5").t, (std::vector<int64_t>{3, 5}));
    const auto binary = dir + "/noise.bin";
    test::writeText(binary, std::string("\x01\x02\x03\xff\xfe", 5));
    QVERIFY(importError(binary).find("not a recognised event recording") != std::string::npos);
  }

  void hdf5InputsAreValidatedAndSortable() {
    const auto dir = test::freshDir("import-h5");
    {
      auto f = Hdf5File::create(dir + "/unsorted.h5");
      f.write<int64_t>("/events/t", {5, 3, 9}, {3});
      f.write<int16_t>("/events/x", {1, 2, 3}, {3});
      f.write<int16_t>("/events/y", {1, 2, 3}, {3});
      f.write<int8_t>("/events/p", {1, 0, 1}, {3});
    }
    QVERIFY(importError(dir + "/unsorted.h5").find("decreases at index 1") != std::string::npos);
    ImportOptions sort;
    sort.sort = true;
    importEvents(dir + "/unsorted.h5", dir + "/sorted.h5", sort);
    const auto e = readEventFile(dir + "/sorted.h5");
    QCOMPARE(e.t, (std::vector<int64_t>{3, 5, 9}));
    QCOMPARE(e.x, (std::vector<uint16_t>{2, 1, 3})); // fields move with their timestamps
  }
};

QTEST_GUILESS_MAIN(TestEventImport)
#include "TestEventImport.moc"
