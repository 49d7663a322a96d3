// Importing recordings: synthetic AEDAT4 files of every compression (written by
// tests/support/Aedat4Writer, so the parser is covered on a fresh clone) and the real DVXplorer
// sample (111,954 events, 320x240) that the writer is checked against, text recordings with and
// without a header, Prophesee RAW, format detection, --sort repair, and malformed input
// (truncated, corrupted, inconsistent, numbers out of range, endless lines) rejected with errors
// naming the file.
#include "TestSupport.h"
#include "common/Error.h"
#include "events/EventFile.h"
#include "events/EventImport.h"
#include "events/KeptEvents.h"
#include "support/Aedat4Writer.h"
#include "support/QtStdString.h"

#include <QtTest>
#include <cstring>
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
std::vector<test::Aedat4Event> syntheticEvents(size_t n, int64_t t0, uint64_t seed) {
  std::vector<test::Aedat4Event> events;
  uint64_t state = seed;
  for (size_t i = 0; i < n; ++i) {
    state = state * 6364136223846793005u + 1442695040888963407u;
    events.push_back({t0 + int64_t(i) * 3 + int64_t(state >> 62), int16_t((state >> 20) % 64),
                      int16_t((state >> 40) % 48), (state >> 33) % 2 == 0});
  }
  std::sort(events.begin(), events.end(), [](auto& a, auto& b) { return a.t < b.t; });
  return events;
}

// Event packets of 100, 1 and 250 events with IMU, trigger and frame packets between them.
test::Aedat4Writer syntheticRecording(test::Aedat4Compression compression,
                                      std::vector<test::Aedat4Event>& all) {
  test::Aedat4Writer writer(compression);
  writer.addStream({1, "FRME", "frames", 64, 48});
  writer.addDvxplorerStreams(64, 48);
  all = syntheticEvents(351, 1'000'000, 5);
  const std::vector<test::Aedat4Event> a(all.begin(), all.begin() + 100),
      b(all.begin() + 100, all.begin() + 101), c(all.begin() + 101, all.end());
  writer.addOpaquePacket(2, "IMUS", 448);
  writer.addEvents(0, a);
  writer.addOpaquePacket(1, "FRME", 64 * 48);
  writer.addOpaquePacket(3, "TRIG", 40);
  writer.addEvents(0, b);
  writer.addOpaquePacket(2, "IMUS", 448);
  writer.addEvents(0, c);
  return writer;
}

void compareEvents(const EventArray& e, const std::vector<test::Aedat4Event>& expected) {
  QCOMPARE(e.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    QCOMPARE(e.t[i], expected[i].t);
    QCOMPARE(e.x[i], uint16_t(expected[i].x));
    QCOMPARE(e.y[i], uint16_t(expected[i].y));
    QCOMPARE(e.p[i], int8_t(expected[i].on ? 1 : -1));
  }
}

// Bytes [from, to) of the file removed, or the file cut at `from` when `to` is 0.
std::string cut(const std::string& bytes, size_t from, size_t to = 0) {
  return to ? bytes.substr(0, from) + bytes.substr(to) : bytes.substr(0, from);
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

  // What BAF and STCF keep of the real recording, without labels: subsets of it, with their
  // event structure ratio; an output with one event moved by 1 µs is no subset.
  void keptEventsOnTheRealRecording() {
    const auto sample = test::sharedDataFile("events/dvxplorer_sample.aedat4");
    if (sample.empty())
      QSKIP("../shared/data is absent");
    const auto out = test::freshDir("kept-aedat4") + "/dvx.h5";
    importEvents(sample, out);
    const EventArray input = EventFileReader(out).readAll();
    EventArray moved = input;
    moved.t[1000] += 1;
    const auto table = compareKeptEvents("dvx.h5", input, {{"moved", moved}});
    QCOMPARE(table.rows.size(), size_t(4));
    QCOMPARE(table.inputEvents, uint64_t(111954));
    const auto& all = table.rows[0];
    QCOMPARE(all.method, std::string("input"));
    QCOMPARE(all.kept, uint64_t(111954));
    QCOMPARE(all.share, 1.0);
    QVERIFY(all.subset);
    // BAF and STCF (10 ms, k 2) as `events filter` keeps them on this file.
    QCOMPARE(table.rows[1].method, std::string("baf"));
    QCOMPARE(table.rows[1].kept, uint64_t(72167));
    QCOMPARE(table.rows[2].method, std::string("stcf"));
    QCOMPARE(table.rows[2].kept, uint64_t(44603));
    for (size_t i = 0; i < 3; ++i) {
      QVERIFY(table.rows[i].subset);
      QVERIFY2(table.rows[i].esr > 0 && table.rows[i].esr < 10,
               qPrintable(QString::number(table.rows[i].esr)));
    }
    QCOMPARE(table.rows[3].kept, uint64_t(111954));
    QVERIFY(!table.rows[3].subset);
    QVERIFY(isEventSubset(EventArray(), input));
    QVERIFY(!isEventSubset(input, EventArray()));
    const std::string text = formatKeptEventsTable(table);
    QVERIFY2(text.find("baf") != std::string::npos && text.find("64.5%") != std::string::npos,
             text.c_str());
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

  void importsSyntheticAedat4OfEveryCompression() {
    const auto dir = test::freshDir("import-aedat4-synthetic");
    using C = test::Aedat4Compression;
    for (C compression : {C::None, C::Lz4, C::Lz4High, C::Zstd, C::ZstdHigh}) {
      std::vector<test::Aedat4Event> expected;
      const auto writer = syntheticRecording(compression, expected);
      for (bool table : {true, false}) {
        const auto path = dir + "/rec-" + std::to_string(int(compression)) + "-" +
                          std::to_string(table) + ".aedat4";
        writer.write(path, table);
        QCOMPARE(detectEventFormat(path), EventFormat::Aedat4);
        const auto result = importEvents(path, path + ".h5");
        QCOMPARE(result.format, EventFormat::Aedat4);
        QCOMPARE(result.events, uint64_t(351));
        QCOMPARE(result.sensor.width, 64);
        QCOMPARE(result.sensor.height, 48);
        const auto e = readEventFile(path + ".h5");
        compareEvents(e, expected); // the frame, IMU and trigger packets are skipped, and counted
        QCOMPARE(result.counts.framePackets, uint64_t(1));
        QCOMPARE(result.counts.imuPackets, uint64_t(2));
        QCOMPARE(result.counts.triggerPackets, uint64_t(1));
        QCOMPARE(result.counts.otherPackets, uint64_t(0));
        QCOMPARE(describeCounts(result.counts),
                 std::string("skipped 1 frame packet, 2 IMU packets, 1 trigger packet"));
      }
    }
  }

  void aedat4StreamsAreFoundByTheirType() {
    // The event stream need not be stream 0 nor the first node; other EVTS-sized packets of
    // other streams are not events.
    const auto dir = test::freshDir("import-aedat4-streams");
    test::Aedat4Writer writer(test::Aedat4Compression::Zstd);
    writer.addStream({0, "IMUS", "imu", 0, 0});
    writer.addStream({7, "EVTS", "events", 10, 5});
    const auto events = std::vector<test::Aedat4Event>{{5, 9, 4, true}, {6, 0, 0, false}};
    writer.addEvents(0, {{1, 1, 1, true}});
    writer.addEvents(7, events);
    writer.write(dir + "/seven.aedat4");
    const auto e = loadRecording(dir + "/seven.aedat4");
    QCOMPARE(e.sensor.width, 10);
    QCOMPARE(e.sensor.height, 5);
    compareEvents(e, events);
    test::Aedat4Writer noEvents;
    noEvents.addStream({2, "IMUS", "imu", 0, 0});
    noEvents.write(dir + "/imu.aedat4");
    QCOMPARE(importError(dir + "/imu.aedat4"),
             dir + "/imu.aedat4: AEDAT4 header: the recording has no event stream "
                   "(typeIdentifier EVTS)");
    test::Aedat4Writer outside;
    outside.addDvxplorerStreams(10, 5);
    outside.addEvents(0, {{1, 3, 2, true}, {2, 10, 2, true}});
    outside.write(dir + "/outside.aedat4");
    QVERIFY2(importError(dir + "/outside.aedat4")
                     .find(": event 1 at (10, 2) lies outside the "
                           "10x5 sensor") != std::string::npos,
             importError(dir + "/outside.aedat4").c_str());
  }

  void truncatedAedat4NamesThePacketAndItsOffset() {
    const auto dir = test::freshDir("import-aedat4-truncated");
    std::vector<test::Aedat4Event> expected;
    const auto writer = syntheticRecording(test::Aedat4Compression::Lz4, expected);
    const std::string whole = writer.bytes(false), indexed = writer.bytes(true);
    const size_t first = writer.packetsStart();
    // Packet 0 is IMU: its 8-byte header and payload; packet 1 (events) follows.
    int32_t imuSize = 0;
    std::memcpy(&imuSize, whole.data() + first + 4, 4);
    const size_t second = first + 8 + size_t(imuSize);
    const auto write = [&](const std::string& name, const std::string& bytes) {
      const auto path = dir + "/" + name + ".aedat4";
      test::writeText(path, bytes);
      return path;
    };
    const auto inPayload = write("payload", cut(whole, second + 8 + 20));
    QVERIFY2(
        importError(inPayload).find(inPayload + ": packet 1 at byte " + std::to_string(second) +
                                    " is truncated or corrupt: it claims") != std::string::npos,
        importError(inPayload).c_str());
    const auto inHeader = write("header", cut(whole, second + 4));
    QCOMPARE(importError(inHeader), inHeader + ": packet 1 at byte " + std::to_string(second) +
                                        " is truncated: 4 of its 8 header bytes are there");
    // At a packet boundary a file without a data table is whole; one with a table is not.
    const auto boundary = write("boundary", cut(whole, second));
    QCOMPARE(loadRecording(boundary).size(), size_t(0));
    const auto indexedCut = write("indexed", cut(indexed, second));
    QVERIFY2(importError(indexedCut).find("AEDAT4 header places the data table at byte") !=
                 std::string::npos,
             importError(indexedCut).c_str());
    const auto headerOnly = write("magic", whole.substr(0, 20));
    QVERIFY2(importError(headerOnly).find(headerOnly + ": truncated or corrupt AEDAT4 header") !=
                 std::string::npos,
             importError(headerOnly).c_str());
    // A damaged compressed payload: its LZ4 frame's magic number.
    auto damaged = whole;
    damaged[second + 8] = char(damaged[second + 8] ^ 0x5a);
    const auto corrupt = write("corrupt", damaged);
    QVERIFY2(importError(corrupt).find(corrupt + ": event packet 1 at byte " +
                                       std::to_string(second) + ": corrupt LZ4 data") !=
                 std::string::npos,
             importError(corrupt).c_str());
    QVERIFY(!fs::exists(inPayload + ".out.h5"));
  }

  void syntheticAedat4MatchesTheRealRecording() {
    // The writer against DV's own output: the IOHeader's layout byte for byte, and the real
    // events written back in packets of the sample's size read the same.
    const auto sample = test::sharedDataFile("events/dvxplorer_sample.aedat4");
    if (sample.empty())
      QSKIP("../shared/data is absent");
    const auto real = loadRecording(sample);
    test::Aedat4Writer writer(test::Aedat4Compression::Lz4);
    writer.addDvxplorerStreams(320, 240);
    for (size_t begin = 0; begin < real.size(); begin += 918) {
      std::vector<test::Aedat4Event> packet;
      for (size_t i = begin; i < std::min(real.size(), begin + 918); ++i)
        packet.push_back({real.t[i], int16_t(real.x[i]), int16_t(real.y[i]), real.p[i] > 0});
      writer.addEvents(0, packet);
      writer.addOpaquePacket(2, "IMUS", 448);
    }
    const auto path = test::freshDir("import-aedat4-versus-real") + "/rewritten.aedat4";
    writer.write(path);
    const auto back = loadRecording(path);
    QVERIFY(back.t == real.t && back.x == real.x && back.y == real.y && back.p == real.p);
    QCOMPARE(back.sensor.width, real.sensor.width);
    QCOMPARE(back.sensor.height, real.sensor.height);
    const auto realBytes = test::readText(sample), ours = test::readText(path);
    QCOMPARE(ours.substr(0, 14), realBytes.substr(0, 14));
    QCOMPARE(ours.substr(18, 32), realBytes.substr(18, 32)); // offsets, vtable, compression
    QCOMPARE(ours.substr(18 + 48, 40), realBytes.substr(18 + 48, 40)); // the XML's start
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
    // Timestamps of opposite extremes: their difference does not fit int64.
    const auto extremes = dir + "/extremes.txt";
    test::writeText(extremes, "9223372036854775807 1 1 1\n-9223372036854775808 2 2 0\n0 3 3 1\n");
    const auto sorted = loadRecording(extremes, sort);
    QCOMPARE(sorted.t, (std::vector<int64_t>{INT64_MIN, 0, INT64_MAX}));
    QCOMPARE(sorted.x, (std::vector<uint16_t>{2, 3, 1}));
    QCOMPARE(computeStats(sorted).durationSeconds(),
             (double(INT64_MAX) - double(INT64_MIN)) * 1e-6);
    const auto binary = dir + "/noise.bin";
    test::writeText(binary, std::string("\x01\x02\x03\xff\xfe", 5));
    QVERIFY(importError(binary).find("not a recognised event recording") != std::string::npos);
  }

  void textNumbersAndLinesAreBounded() {
    const auto dir = test::freshDir("import-text-bounds");
    auto errorFor = [&](const std::string& name, const std::string& text) {
      test::writeText(dir + "/" + name + ".txt", text);
      return importError(dir + "/" + name + ".txt");
    };
    // llround of 1e306 µs is undefined; x = 65535 made a 65536-wide sensor no reader accepts.
    QCOMPARE(errorFor("seconds", "0.5 1 2 1\n1e300 1 2 1\n"),
             dir + "/seconds.txt:2: timestamp '1e300' s is out of range (at most 9.2e+12 s)");
    QCOMPARE(errorFor("x", "5 65535 1 1\n"),
             dir + "/x.txt:1: x and y must be integers in [0, 65534]");
    QCOMPARE(errorFor("header", "70000 10\n5 1 1 1\n"),
             dir + "/header.txt:1: expected a 'width height' header with integers in 1..65535");
    QCOMPARE(errorFor("huge", "99999999999999999999 1 2 1\n"),
             dir + "/huge.txt:1: bad timestamp '99999999999999999999'");
    QCOMPARE(errorFor("long", "1 2 3 1\n" + std::string(100000, '7') + "\n"),
             dir + "/long.txt:2: the line is longer than 65536 characters");
    test::writeText(dir + "/edge.txt", "65535 65535\n9200000000000.0 65534 65534 1\n");
    const auto edge = loadRecording(dir + "/edge.txt");
    QCOMPARE(edge.t, (std::vector<int64_t>{9'200'000'000'000'000'000}));
    QCOMPARE(edge.x, (std::vector<uint16_t>{65534}));
  }

  void rawHeadersAreScannedWithBounds() {
    const auto dir = test::freshDir("import-raw-bounds");
    auto errorFor = [&](const std::string& name, const std::string& header) {
      test::writeText(dir + "/" + name + ".raw", header + std::string(8, '\0'));
      return importError(dir + "/" + name + ".raw");
    };
    // std::stoi threw std::out_of_range here, which is no lumen::Error.
    QCOMPARE(errorFor("geometry", "% evt 2.0\n% geometry 99999999999x480\n% end\n"),
             dir + "/geometry.raw: RAW header: geometry width 99999999999 is not a sensor size "
                   "(sides are at most 65535)");
    QCOMPARE(errorFor("width", "% evt 3.0\n% format EVT3;height=720;width=70000\n% end\n"),
             dir + "/width.raw: RAW header: width 70000 is not a sensor size (sides are at most "
                   "65535)");
    QCOMPARE(errorFor("line", "% evt 2.0\n% " + std::string(3 << 20, 'a')),
             dir + "/line.raw: RAW header:2: the line is longer than 65536 characters");
    std::string endless = "% evt 2.0\n";
    while (endless.size() < (2u << 20))
      endless += "% geometry 64x48\n";
    QCOMPARE(errorFor("endless", endless),
             dir + "/endless.raw: the RAW header is longer than 1 MiB (no '% end' line?)");
    // The forms that are read: geometry, width=/height= and both format names.
    test::writeText(dir + "/forms.raw", "% Date 2024\n% format EVT3;height=720;width=1280\n"
                                        "% end\n");
    QCOMPARE(loadRecording(dir + "/forms.raw").sensor.width, 1280);
    test::writeText(dir + "/geometry-ok.raw", "% evt 2.0\n% geometry 640x480\n% end\n");
    QCOMPARE(loadRecording(dir + "/geometry-ok.raw").sensor.height, 480);
    QVERIFY(errorFor("noformat", "% evt 4.0\n% geometry 640x480\n% end\n")
                .find("names no EVT 2.0 or EVT 3.0 format") != std::string::npos);
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
    word(0xA0000000u); // an external trigger (channel 0, falling edge): to /triggers
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
    // Words before the first time high have no time: skipped and counted, as OpenEB does.
    const auto earlyRecording = readRecording(dir + "/early.raw");
    QCOMPARE(earlyRecording.events.size(), size_t(0));
    QCOMPARE(earlyRecording.info.counts.wordsBeforeTime, uint64_t(1));
    test::writeText(dir + "/nogeometry.raw", "% evt 2.0\n% end\n");
    QVERIFY(importError(dir + "/nogeometry.raw").find("give it with --sensor WIDTHxHEIGHT") !=
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
    word(0x8, 0xC00); // the time high climbs (no event here) ...
    word(0x8, 0x000); // ... and falls by more than half its range: the 24-bit time wrapped
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
    // Off the sensor the header gives: dropped and counted, as OpenEB does.
    const auto off = readRecording(dir + "/outside.raw");
    QCOMPARE(off.events.size(), size_t(0));
    QCOMPARE(off.info.counts.outsideSensor, uint64_t(1));
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
