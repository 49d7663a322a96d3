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

  void importsPropheseeEvt2() {
    // Words written by the EVT 2.0 layout: TIME_HIGH, then CD events with 6 low time bits.
    const auto dir = test::freshDir("import-evt2");
    std::string raw = "% evt 2.0\n% format EVT2;height=480;width=640\n% geometry 640x480\n% end\n";
    auto word = [&](uint32_t w) { raw.append(reinterpret_cast<const char*>(&w), 4); };
    auto cd = [](bool on, uint32_t tLow, uint32_t x, uint32_t y) {
      return (uint32_t(on ? 1 : 0) << 28) | (tLow << 22) | (x << 11) | y;
    };
    word(0x80000000u | 1000u); // time high = 1000 -> base 64000 us
    word(cd(true, 5, 10, 20));
    word(cd(false, 63, 639, 479));
    word(0xA0000000u); // an external trigger: skipped
    word(0x80000000u | 1001u);
    word(cd(true, 0, 0, 0));
    const auto path = dir + "/rec.raw";
    test::writeText(path, raw);
    QCOMPARE(detectEventFormat(path), EventFormat::Evt2);
    const auto e = loadRecording(path);
    QCOMPARE(e.sensor.width, 640);
    QCOMPARE(e.sensor.height, 480);
    QCOMPARE(e.t, (std::vector<int64_t>{64005, 64063, 64064}));
    QCOMPARE(e.x, (std::vector<uint16_t>{10, 639, 0}));
    QCOMPARE(e.y, (std::vector<uint16_t>{20, 479, 0}));
    QCOMPARE(e.p, (std::vector<int8_t>{1, -1, 1}));

    test::writeText(dir + "/truncated.raw", raw.substr(0, raw.size() - 2));
    QVERIFY(importError(dir + "/truncated.raw").find("truncated EVT 2.0") != std::string::npos);
    std::string early = "% evt 2.0\n% geometry 640x480\n% end\n";
    const uint32_t first = cd(true, 1, 1, 1);
    early.append(reinterpret_cast<const char*>(&first), 4);
    test::writeText(dir + "/early.raw", early);
    QVERIFY(importError(dir + "/early.raw").find("before any EV_TIME_HIGH") != std::string::npos);
    test::writeText(dir + "/nogeometry.raw", "% evt 2.0\n% end\n");
    QVERIFY(importError(dir + "/nogeometry.raw").find("no valid sensor geometry") !=
            std::string::npos);
  }

  void importsPropheseeEvt3() {
    const auto dir = test::freshDir("import-evt3");
    std::string raw = "% evt 3.0\n% format EVT3;height=720;width=1280\n% end\n";
    auto word = [&](int type, int payload) {
      const uint16_t w = uint16_t((type << 12) | (payload & 0x0FFF));
      raw.append(reinterpret_cast<const char*>(&w), 2);
    };
    word(0x8, 0x001);          // TIME_HIGH: 1 << 12 = 4096
    word(0x6, 0x010);          // TIME_LOW: 16 -> t = 4112
    word(0x0, 100);            // ADDR_Y 100
    word(0x2, (1 << 11) | 7);  // ADDR_X: ON event at x=7
    word(0x3, 0 | 200);        // VECT_BASE_X: OFF, x = 200
    word(0x4, 0b000000000101); // VECT_12: x = 200 and 202; base -> 212
    word(0x5, 0b10000000);     // VECT_8: x = 219
    word(0x6, 0x020);          // t = 4128
    word(0x0, 719);
    word(0x2, (1 << 11) | 1279);
    word(0x8, 0x000); // the 24-bit time wrapped
    word(0x6, 0x000);
    word(0x2, 5); // t = 2^24
    const auto path = dir + "/rec.raw";
    test::writeText(path, raw);
    QCOMPARE(detectEventFormat(path), EventFormat::Evt3);
    const auto e = loadRecording(path);
    QCOMPARE(e.sensor.width, 1280);
    QCOMPARE(e.t, (std::vector<int64_t>{4112, 4112, 4112, 4112, 4128, 16777216}));
    QCOMPARE(e.x, (std::vector<uint16_t>{7, 200, 202, 219, 1279, 5}));
    QCOMPARE(e.y, (std::vector<uint16_t>{100, 100, 100, 100, 719, 719}));
    QCOMPARE(e.p, (std::vector<int8_t>{1, -1, -1, -1, 1, -1}));
    std::string outside = "% evt 3.0\n% geometry 64x64\n% end\n";
    for (uint16_t w : {uint16_t(0x8000), uint16_t(0x0000 | 10), uint16_t(0x2000 | 100)})
      outside.append(reinterpret_cast<const char*>(&w), 2);
    test::writeText(dir + "/outside.raw", outside);
    QVERIFY(importError(dir + "/outside.raw").find("lies outside the 64x64 sensor") !=
            std::string::npos);
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
