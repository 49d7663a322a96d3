// Prophesee RAW recordings as real kits write them: an EVT 2.0 file of an old Gen3 camera whose
// header names only plugin_name, system_ID, serial_number and evt, and EVT 3.0 files of a
// Gen4.1 camera with the old and the new header forms. A word-level encoder written here (from
// the EVT 2.0 / 3.0 specifications) lays out CD events, vectors, time words with wraps and with
// the time low falling while the time high rises, triggers, OTHERS and CONTINUED words; every
// imported event's t, x, y, p, the geometry, /triggers and the counts of what was skipped are
// checked against values worked out by hand. Also: the size from every header form, --sensor
// (used when the header has no size, refused when it contradicts one, named when neither), and
// event_utils' HDF5 layout.
#include "TestSupport.h"
#include "common/Error.h"
#include "events/EventFile.h"
#include "events/EventImport.h"
#include "events/PropheseeHeader.h"
#include "io/Hdf5File.h"
#include "support/QtStdString.h"

#include <QtTest>
#include <filesystem>
#include <hdf5.h>

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

ImportOptions withSensor(int width, int height) {
  ImportOptions options;
  options.sensor = {width, height};
  return options;
}

// EVT 2.0: 32-bit little-endian words, the type in bits 31-28.
class Evt2Words {
public:
  void word(uint32_t w) {
    for (int i = 0; i < 4; ++i)
      bytes_.push_back(char((w >> (8 * i)) & 0xFF));
  }
  // EV_TIME_HIGH: bits 33-6 of the time.
  void timeHigh(uint64_t t) { word((0x8u << 28) | uint32_t((t >> 6) & 0x0FFFFFFF)); }
  // CD_ON / CD_OFF with the 6 low time bits.
  void cd(uint64_t t, uint32_t x, uint32_t y, bool on) {
    word((uint32_t(on ? 0x1 : 0x0) << 28) | (uint32_t(t & 0x3F) << 22) | (x << 11) | y);
  }
  void trigger(uint64_t t, uint32_t id, uint32_t value) {
    word((0xAu << 28) | (uint32_t(t & 0x3F) << 22) | (id << 8) | value);
  }
  void others(uint32_t subtype) { word((0xEu << 28) | subtype); }
  void continued(uint32_t data) { word((0xFu << 28) | data); }
  void imu() {
    word((0xDu << 28) | 0x1234);
    for (int i = 0; i < 5; ++i)
      continued(0x0ABCDE + uint32_t(i));
  }
  const std::string& bytes() const { return bytes_; }

private:
  std::string bytes_;
};

// EVT 3.0: 16-bit little-endian words, the type in bits 15-12.
class Evt3Words {
public:
  void word(int type, int payload) {
    const auto w = uint16_t((type << 12) | (payload & 0x0FFF));
    bytes_.push_back(char(w & 0xFF));
    bytes_.push_back(char(w >> 8));
  }
  void addrY(int y, bool master = true) { word(0x0, y | (master ? 0x800 : 0)); }
  void addrX(int x, bool on) { word(0x2, x | (on ? 0x800 : 0)); }
  void vectBase(int x, bool on) { word(0x3, x | (on ? 0x800 : 0)); }
  void vect12(int mask) { word(0x4, mask); }
  void vect8(int mask) { word(0x5, mask); }
  void timeLow(int low) { word(0x6, low); }
  void timeHigh(int high) { word(0x8, high); }
  void trigger(int id, int value) { word(0xA, (id << 8) | value); }
  const std::string& bytes() const { return bytes_; }

private:
  std::string bytes_;
};

std::string writeRaw(const std::string& path, const std::string& header, const std::string& data) {
  test::writeText(path, header + data);
  return path;
}

struct Expected {
  std::vector<int64_t> t;
  std::vector<uint16_t> x, y;
  std::vector<int8_t> p;
};

void compare(const EventArray& e, const Expected& expected) {
  QCOMPARE(e.t, expected.t);
  QCOMPARE(e.x, expected.x);
  QCOMPARE(e.y, expected.y);
  QCOMPARE(e.p, expected.p);
}

// A Gen3 EVT 2.0 stream: events, a trigger, OTHERS and IMU words with their CONTINUED words, a
// time high that steps back a little (not a wrap), and the 34-bit time wrapping.
std::string gen3Stream() {
  Evt2Words w;
  w.cd(3, 1, 1, true); // before any time high: no time, skipped
  w.timeHigh(64000);
  w.cd(64005, 10, 20, true);
  w.cd(64063, 639, 479, false);
  w.trigger(64010, 0, 1);
  w.others(0x0014);
  w.continued(0x0000123);
  w.imu(); // 1 IMU word + 5 CONTINUED
  w.timeHigh(64064);
  w.cd(64065, 0, 0, true);
  w.timeHigh(64000); // steps back 64 µs: a word out of order, not a wrap
  w.cd(64002, 5, 5, false);
  w.timeHigh((uint64_t(1) << 34) - 64); // the largest time high
  w.cd((uint64_t(1) << 34) - 1, 1, 2, true);
  w.timeHigh(uint64_t(1) << 34); // written as 0: the time wrapped
  w.cd((uint64_t(1) << 34) + 3, 7, 8, true);
  w.trigger((uint64_t(1) << 34) + 4, 1, 0);
  w.cd((uint64_t(1) << 34) + 5, 640, 0, true); // outside the 640x480 sensor
  w.word(0x2u << 28);                          // a reserved (exposure measurement) type
  return w.bytes();
}

// A Gen4.1 EVT 3.0 stream; the comments give each event's time.
std::string gen41Stream() {
  Evt3Words w;
  w.addrY(5); // before any time high: skipped
  w.addrX(3, true);
  w.timeHigh(0x005);
  w.timeLow(0xFF0); // t = 5 * 4096 + 4080 = 24560
  w.addrX(9, true); // no row yet: dropped
  w.addrY(100);     // master bit set: y stays 100
  w.addrX(7, true); // (24560, 7, 100, +)
  w.vectBase(96, false);
  w.vect12(0b100000000001); // x 96 and 107, base -> 108
  w.vect12(0b000000000001); // x 108, base -> 120
  w.vect8(0b10000000);      // x 127, base -> 128
  w.trigger(0, 1);
  w.word(0xE, 0x014); // OTHERS with its 12-12-4 CONTINUED data, whose payloads look like
  w.word(0xF, 0xFFF); // addresses and times but are none
  w.word(0xF, 0x800);
  w.word(0x7, 0x002);
  w.timeHigh(0x006);
  w.timeLow(0x010); // the low falls as the high rises: t = 6 * 4096 + 16 = 24592, no wrap
  w.addrY(719);
  w.addrX(1279, true); // (24592, 1279, 719, +)
  w.timeLow(0x008);    // the low falls alone: 24584, a step back, not a wrap
  w.addrX(0, false);
  w.timeHigh(0xFFF);
  w.timeLow(0xFFE);  // t = 4095 * 4096 + 4094 = 16777214
  w.addrX(2, true);  //
  w.timeHigh(0xFF0); // a small fall of the high: a step back (16711680), not a wrap
  w.timeLow(0x000);
  w.addrX(3, true);
  w.timeHigh(0x000); // falls by more than half its range: the 24-bit time wrapped
  w.timeLow(0x005);  // t = 2^24 + 5 = 16777221
  w.addrX(4, false);
  w.trigger(1, 0);
  w.addrY(800); // below the 720 rows
  w.addrX(5, true);
  w.word(0x9, 0x123); // stereo disparity: reserved here
  w.word(0xD, 0x001); // IMU
  return w.bytes();
}

const std::string kOldGen3Header = "% evt 2.0\n% plugin_name hal_plugin_gen3_fx3\n"
                                   "% serial_number 00001c2a\n% system_ID 21\n% end\n";
const std::string kOldGen41Header = "% evt 3.0\n% plugin_name hal_plugin_gen41_evk3\n"
                                    "% serial_number 00ca0009\n% system_ID 48\n% end\n";
const std::string kNewGen41Header =
    "% camera_integrator_name Prophesee\n% date 2023-03-29 16:37:46\n% evt 3.0\n"
    "% format EVT3;height=720;width=1280\n% generation 4.1\n% geometry 1280x720\n"
    "% integrator_name Prophesee\n% plugin_integrator_name Prophesee\n"
    "% plugin_name hal_plugin_gen41_evk3\n% sensor_generation 4.1\n% serial_number 00ca0009\n"
    "% system_ID 48\n% end\n";

// A tiny stream with an event at (x, y) of the sensor's far corner and one just right of it.
std::string cornerStream(int version, int width, int height) {
  if (version == 2) {
    Evt2Words w;
    w.timeHigh(640);
    w.cd(641, uint32_t(width - 1), uint32_t(height - 1), true);
    w.cd(642, uint32_t(width), 0, true);
    return w.bytes();
  }
  Evt3Words w;
  w.timeHigh(1);
  w.timeLow(2);
  w.addrY(height - 1);
  w.addrX(width - 1, true);
  w.addrX(width, true);
  return w.bytes();
}

// The HDF5 enum h5py writes for numpy bools.
hid_t h5pyBool() {
  const hid_t type = H5Tenum_create(H5T_NATIVE_INT8);
  int8_t value = 0;
  H5Tenum_insert(type, "FALSE", &value);
  value = 1;
  H5Tenum_insert(type, "TRUE", &value);
  return type;
}

// A file as event_utils' hdf5_packager writes it: /events/{xs,ys} int16, ts float64 seconds,
// ps numpy bool, and root attributes such as sensor_resolution (height, width[, channels]).
void writeEventUtilsFile(const std::string& path, const std::vector<int16_t>& xs,
                         const std::vector<int16_t>& ys, const std::vector<double>& ts,
                         const std::vector<int8_t>& ps, const std::vector<int64_t>& resolution) {
  {
    auto f = Hdf5File::create(path);
    f.write<int16_t>("/events/xs", xs, {xs.size()});
    f.write<int16_t>("/events/ys", ys, {ys.size()});
    f.write<double>("/events/ts", ts, {ts.size()});
    if (!resolution.empty())
      f.setIntAttribute("/", "sensor_resolution", resolution);
    f.setIntAttribute("/", "num_events", {int64_t(ts.size())});
  }
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  const hsize_t dims[1] = {hsize_t(ps.size())};
  const hid_t space = H5Screate_simple(1, dims, nullptr);
  const hid_t type = h5pyBool();
  const hid_t set =
      H5Dcreate2(file, "/events/ps", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ps.data()); // the values as the enum
  H5Dclose(set);
  H5Tclose(type);
  H5Sclose(space);
  H5Fclose(file);
}

} // namespace

class TestPropheseeRaw : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void importsAGen3Evt2RecordingOfOldFirmware() {
    const auto dir = test::freshDir("raw-gen3");
    const auto path = writeRaw(dir + "/gen3.raw", kOldGen3Header, gen3Stream());
    QCOMPARE(detectEventFormat(path), EventFormat::Evt2);
    const auto out = dir + "/gen3.h5";
    const auto result = importEvents(path, out);
    QCOMPARE(result.format, EventFormat::Evt2);
    QCOMPARE(result.sensor.width, 640);
    QCOMPARE(result.sensor.height, 480);
    QCOMPARE(result.sensorSource,
             std::string("the RAW header's plugin_name hal_plugin_gen3_fx3 (sensor Gen3.0)"));
    const int64_t wrap = int64_t(1) << 34;
    // The step back (64002) is raised to the time before it; the wrap adds 2^34 µs.
    compare(readEventFile(out), {{64005, 64063, 64065, 64065, wrap - 1, wrap + 3},
                                 {10, 639, 0, 5, 1, 7},
                                 {20, 479, 0, 5, 2, 8},
                                 {1, -1, 1, -1, 1, 1}});
    const auto& c = result.counts;
    QCOMPARE(c.triggers, uint64_t(2));
    QCOMPARE(c.clampedTimestamps, uint64_t(1));
    QCOMPARE(c.wordsBeforeTime, uint64_t(1));
    QCOMPARE(c.outsideSensor, uint64_t(1));
    QCOMPARE(c.imuWords, uint64_t(1));
    QCOMPARE(c.othersWords, uint64_t(2 + 5)); // OTHERS + CONTINUED, and the IMU's 5 CONTINUED
    QCOMPARE(c.reservedWords, uint64_t(1));
    const EventFileReader reader(out);
    QVERIFY(reader.sensorFromAttribute());
    const auto triggers = reader.readTriggers();
    QCOMPARE(triggers.t, (std::vector<int64_t>{64010, wrap + 4}));
    QCOMPARE(triggers.id, (std::vector<uint8_t>{0, 1}));
    QCOMPARE(triggers.value, (std::vector<uint8_t>{1, 0}));

    // With --sort the step back keeps its recorded time and moves into place.
    ImportOptions sort;
    sort.sort = true;
    const auto sorted = importEvents(path, dir + "/sorted.h5", sort);
    QCOMPARE(sorted.counts.clampedTimestamps, uint64_t(0));
    compare(readEventFile(dir + "/sorted.h5"), {{64002, 64005, 64063, 64065, wrap - 1, wrap + 3},
                                                {5, 10, 639, 0, 1, 7},
                                                {5, 20, 479, 0, 2, 8},
                                                {-1, 1, -1, 1, 1, 1}});
  }

  void importsGen41Evt3RecordingsOfBothHeaderForms() {
    const auto dir = test::freshDir("raw-gen41");
    for (const auto& [name, header, source] :
         {std::tuple{"old", kOldGen41Header,
                     "the RAW header's plugin_name hal_plugin_gen41_evk3 (sensor Gen4.1)"},
          std::tuple{"new", kNewGen41Header, "the RAW header's geometry line"}}) {
      const auto path = writeRaw(dir + "/" + name + ".raw", header, gen41Stream());
      QCOMPARE(detectEventFormat(path), EventFormat::Evt3);
      const auto out = dir + "/" + name + ".h5";
      const auto result = importEvents(path, out);
      QCOMPARE(result.format, EventFormat::Evt3);
      QCOMPARE(result.sensor.width, 1280);
      QCOMPARE(result.sensor.height, 720);
      QCOMPARE(result.sensorSource, std::string(source));
      const int64_t wrapped = int64_t(1) << 24;
      compare(readEventFile(out),
              {{24560, 24560, 24560, 24560, 24560, 24592, 24592, 16777214, 16777214, wrapped + 5},
               {7, 96, 107, 108, 127, 1279, 0, 2, 3, 4},
               {100, 100, 100, 100, 100, 719, 719, 719, 719, 719},
               {1, -1, -1, -1, -1, 1, -1, 1, 1, -1}});
      const auto& c = result.counts;
      QCOMPARE(c.triggers, uint64_t(2));
      QCOMPARE(c.clampedTimestamps, uint64_t(2)); // the low's and the high's steps back
      QCOMPARE(c.wordsBeforeTime, uint64_t(2));
      QCOMPARE(c.unplacedEvents, uint64_t(1));
      QCOMPARE(c.outsideSensor, uint64_t(1));
      QCOMPARE(c.othersWords, uint64_t(4));
      QCOMPARE(c.imuWords, uint64_t(1));
      QCOMPARE(c.reservedWords, uint64_t(1));
      const auto triggers = EventFileReader(out).readTriggers();
      QCOMPARE(triggers.t, (std::vector<int64_t>{24560, wrapped + 5}));
      QCOMPARE(triggers.id, (std::vector<uint8_t>{0, 1}));
      QCOMPARE(triggers.value, (std::vector<uint8_t>{1, 0}));
      // The triggers are plain datasets others can read.
      const auto file = Hdf5File::openRead(out);
      QCOMPARE(file.read<int64_t>("/triggers/t"), triggers.t);
      QCOMPARE(file.stringAttribute("/events", "sensor_source").value_or(""), std::string(source));
      QCOMPARE(describeCounts(c),
               std::string("skipped 1 IMU word, 4 OTHERS/CONTINUED words, 1 word of a type "
                           "without CD events, 2 words before the first TIME_HIGH, 1 event "
                           "outside the sensor, 1 event before any row or vector base; kept "
                           "order over 2 timestamps that stepped back, raised to the previous "
                           "one; wrote 2 triggers to /triggers"));
    }
    // --sort keeps both steps back as recorded.
    ImportOptions sort;
    sort.sort = true;
    const auto e = loadRecording(dir + "/old.raw", sort);
    QCOMPARE(e.t, (std::vector<int64_t>{24560, 24560, 24560, 24560, 24560, 24584, 24592, 16711680,
                                        16777214, 16777221}));
    QCOMPARE(e.x, (std::vector<uint16_t>{7, 96, 107, 108, 127, 0, 1279, 3, 2, 4}));
  }

  void everyHeaderFormGivesTheSize() {
    const auto dir = test::freshDir("raw-headers");
    struct Case {
      const char* name;
      std::string header;
      int version, width, height;
      std::string source;
    };
    const std::vector<Case> cases{
        {"gen3-system", "% evt 2.0\n% serial_number 1\n% system_ID 28\n% end\n", 2, 640, 480,
         "the RAW header's system_ID 28 (sensor Gen3.1)"},
        // Headers older than the evt line: the system names the encoding too.
        {"no-evt", "% plugin_name hal_plugin_gen3_fx3\n% system_ID 21\n% end\n", 2, 640, 480,
         "the RAW header's plugin_name hal_plugin_gen3_fx3 (sensor Gen3.0)"},
        // EVK4 (IMX636), as its ROS driver writes it: a bare format name and no end line.
        {"evk4",
         "% date 2022-09-14 17:11:11\n% evt 3.0\n% firmware_version 0.0.0\n% format EVT3\n"
         "% geometry 1280x720\n% integrator_name Prophesee\n"
         "% plugin_name hal_plugin_imx636_evk4\n% sensor_generation 4.2\n"
         "% serial_number 00050108\n% system_ID 49\n",
         3, 1280, 720, "the RAW header's geometry line"},
        {"format", "% format EVT3;height=320;width=320\n% end\n", 3, 320, 320,
         "the RAW header's format line"},
        {"generation", "% evt 3.0\n% sensor_generation 3.1\n% end\n", 3, 640, 480,
         "the RAW header's sensor_generation 3.1 (sensor Gen3.1)"},
        {"name", "% evt 3.0\n% sensor_generation 4.2\n% sensor_name IMX637\n% end\n", 3, 640, 512,
         "the RAW header's sensor_name IMX637 (sensor IMX637)"},
        {"imx636", "% evt 3.0\n% system_ID 49\n% end\n", 3, 1280, 720,
         "the RAW header's system_ID 49 (sensor IMX636)"},
    };
    for (const auto& c : cases) {
      const auto path = writeRaw(dir + "/" + c.name + ".raw", c.header,
                                 cornerStream(c.version, c.width, c.height));
      const auto result = importEvents(path, path + ".h5");
      QCOMPARE(result.format, c.version == 2 ? EventFormat::Evt2 : EventFormat::Evt3);
      QCOMPARE(result.sensor.width, c.width);
      QCOMPARE(result.sensor.height, c.height);
      QCOMPARE(result.sensorSource, c.source);
      // The corner event is kept, the one past the right edge dropped.
      const auto e = readEventFile(path + ".h5");
      QCOMPARE(e.x, (std::vector<uint16_t>{uint16_t(c.width - 1)}));
      QCOMPARE(e.y, (std::vector<uint16_t>{uint16_t(c.height - 1)}));
      QCOMPARE(result.counts.outsideSensor, uint64_t(1));
    }
    // Forms that contradict each other, or are malformed, are refused naming the field.
    QCOMPARE(importError(writeRaw(dir + "/disagree.raw",
                                  "% evt 3.0\n% format EVT3;height=720;width=1280\n"
                                  "% geometry 640x480\n% end\n",
                                  cornerStream(3, 64, 64))),
             dir + "/disagree.raw: RAW header: geometry 640x480 and format "
                   "EVT3;height=720;width=1280 give different sensor sizes");
    QCOMPARE(importError(writeRaw(dir + "/encodings.raw", "% evt 2.0\n% format EVT3\n% end\n",
                                  cornerStream(3, 64, 64))),
             dir + "/encodings.raw: RAW header: evt 2.0 and format EVT3 name different encodings");
    QCOMPARE(importError(writeRaw(dir + "/bad.raw", "% evt 3.0\n% geometry 640 by 480\n% end\n",
                                  cornerStream(3, 64, 64))),
             dir + "/bad.raw: RAW header: geometry '640 by 480' is not WIDTHxHEIGHT");
    QCOMPARE(importError(writeRaw(dir + "/evt21.raw", "% evt 2.1\n% geometry 64x64\n% end\n",
                                  cornerStream(3, 64, 64))),
             dir + "/evt21.raw: the RAW header names no EVT 2.0 or EVT 3.0 format (it says evt "
                   "2.1); only those two encodings are read");
  }

  void sensorOptionFillsAGapButNeverOverrides() {
    const auto dir = test::freshDir("raw-sensor-option");
    // The universal plugin and an unknown system name no sensor; neither does an integrator's
    // camera, whose system_ID OpenEB does not interpret.
    for (const std::string header :
         {"% evt 3.0\n% plugin_name hal_plugin_prophesee\n% system_ID 999\n% end\n",
          "% evt 3.0\n% camera_integrator_name CenturyArks\n% plugin_integrator_name CenturyArks\n"
          "% plugin_name evc3a_plugin_gen31\n% system_ID 48\n% end\n"}) {
      const auto path = writeRaw(dir + "/unsized.raw", header, cornerStream(3, 640, 480));
      QCOMPARE(importError(path),
               path + ": the RAW header gives no sensor size (no geometry or format line, and no "
                      "sensor generation, plugin_name or system_ID of a known sensor); give it "
                      "with --sensor WIDTHxHEIGHT");
      const auto result = importEvents(path, dir + "/unsized.h5", withSensor(641, 480));
      QCOMPARE(result.sensor.width, 641);
      QCOMPARE(result.sensorSource, std::string("--sensor"));
      QCOMPARE(readEventFile(dir + "/unsized.h5").x, (std::vector<uint16_t>{639, 640}));
      // A --sensor the events do not fit is wrong, not a reason to drop them.
      QCOMPARE(importError(path, withSensor(640, 480)),
               path + ": word 4: event at (640, 479) lies outside the 640x480 sensor --sensor "
                      "gives");
    }
    const auto sized = writeRaw(dir + "/sized.raw", kOldGen41Header, cornerStream(3, 1280, 720));
    QCOMPARE(importError(sized, withSensor(640, 480)),
             sized + ": --sensor 640x480 contradicts the 1280x720 sensor of the RAW header's "
                     "plugin_name hal_plugin_gen41_evk3 (sensor Gen4.1); --sensor only supplies "
                     "the size of a recording that gives none");
    QCOMPARE(importEvents(sized, dir + "/same.h5", withSensor(1280, 720)).sensor.height, 720);
    QVERIFY(!fs::exists(sized + ".out.h5"));
    // The same rule for the other formats: a text header's size is not overridden.
    test::writeText(dir + "/a.txt", "64 48\n1 2 3 1\n");
    QCOMPARE(importError(dir + "/a.txt", withSensor(640, 480)),
             dir + "/a.txt: --sensor 640x480 contradicts the 64x48 sensor of the text header's "
                   "'width height' line; --sensor only supplies the size of a recording that "
                   "gives none");
    test::writeText(dir + "/b.txt", "1 2 3 1\n");
    QCOMPARE(loadRecording(dir + "/b.txt", withSensor(640, 480)).sensor.width, 640);
  }

  void truncatedAndHostileRawDataGiveErrors() {
    const auto dir = test::freshDir("raw-hostile");
    const std::string data = gen41Stream();
    QVERIFY(
        importError(writeRaw(dir + "/cut.raw", kOldGen41Header, data.substr(0, data.size() - 1)))
            .find("truncated EVT 3.0 data (a partial 16-bit word at the end)") !=
        std::string::npos);
    // A run of vectors longer than any row: the base stays bounded, the events fall off.
    Evt3Words w;
    w.timeHigh(1);
    w.addrY(1);
    w.vectBase(0, true);
    for (int i = 0; i < 200000; ++i)
      w.vect12(0xFFF);
    const auto path = writeRaw(dir + "/vectors.raw", kOldGen41Header, w.bytes());
    const auto result = importEvents(path, path + ".h5");
    QCOMPARE(result.events, uint64_t(1280));
    QCOMPARE(result.counts.outsideSensor, uint64_t(200000 * 12 - 1280));
  }

  void readsEventUtilsLayout() {
    const auto dir = test::freshDir("event-utils");
    // 1.000001 s is 1000000.9999999999 µs as a double product: truncating loses a microsecond.
    const std::vector<double> ts{0.000007, 1.000001, 1.5, 1605537493.718345};
    writeEventUtilsFile(dir + "/eu.h5", {0, 345, 7, 345}, {0, 259, 1, 2}, ts, {1, 0, 0, 1},
                        {260, 346});
    const EventFileReader reader(dir + "/eu.h5");
    QVERIFY(reader.eventUtilsLayout());
    QCOMPARE(reader.sensor().width, 346);
    QCOMPARE(reader.sensor().height, 260);
    const auto e = reader.readAll();
    QCOMPARE(e.t, (std::vector<int64_t>{7, 1000001, 1500000, 1605537493718345}));
    QCOMPARE(e.x, (std::vector<uint16_t>{0, 345, 7, 345}));
    QCOMPARE(e.y, (std::vector<uint16_t>{0, 259, 1, 2}));
    QCOMPARE(e.p, (std::vector<int8_t>{1, -1, -1, 1}));
    QCOMPARE(reader.readTimeRange(1000001, 1500001).size(), size_t(2));
    // Importable like any event file, into Lumen's layout.
    const auto result = importEvents(dir + "/eu.h5", dir + "/lumen.h5");
    QCOMPARE(result.format, EventFormat::Hdf5);
    QCOMPARE(readEventFile(dir + "/lumen.h5").t, e.t);
    // sensor_resolution as the shape of event_utils' colour frames: (height, width, 3).
    writeEventUtilsFile(dir + "/colour.h5", {1}, {2}, {0.5}, {1}, {260, 346, 3});
    QCOMPARE(EventFileReader(dir + "/colour.h5").sensor().width, 346);
    // event_utils infers the attribute as the largest coordinates: one short of the size.
    writeEventUtilsFile(dir + "/short.h5", {0, 345}, {0, 259}, {0.1, 0.2}, {1, 1}, {259, 345});
    QCOMPARE(importError(dir + "/short.h5"),
             dir + "/short.h5: event 1 at (x=345, y=259) lies outside the 345x259 sensor of its "
                   "sensor_resolution attribute (event_utils stores the largest coordinates "
                   "there when it infers the size; set the attribute to (height, width))");
    // Without the attribute the size is inferred, as for any event file.
    writeEventUtilsFile(dir + "/bare.h5", {3}, {4}, {2.0}, {0}, {});
    QCOMPARE(EventFileReader(dir + "/bare.h5").sensor().width, 4);
    // Bad times name the dataset and what was expected.
    writeEventUtilsFile(dir + "/huge.h5", {1}, {1}, {1e300}, {1}, {});
    QCOMPARE(importError(dir + "/huge.h5"),
             dir + "/huge.h5: /events/ts[0] = 1e+300 s is out of range (at most 9.2e+12 s)");
    {
      auto f = Hdf5File::create(dir + "/ints.h5");
      f.write<int64_t>("/events/ts", {1}, {1});
      f.write<int16_t>("/events/xs", {1}, {1});
      f.write<int16_t>("/events/ys", {1}, {1});
      f.write<int8_t>("/events/ps", {1}, {1});
    }
    QCOMPARE(importError(dir + "/ints.h5"),
             dir + "/ints.h5: /events/ts must hold float64 seconds (event_utils' layout)");
  }

  void triggersSurviveAnHdf5Reimport() {
    const auto dir = test::freshDir("raw-triggers-reimport");
    const auto raw = writeRaw(dir + "/gen3.raw", kOldGen3Header, gen3Stream());
    importEvents(raw, dir + "/a.h5");
    const auto again = importEvents(dir + "/a.h5", dir + "/b.h5");
    QCOMPARE(again.counts.triggers, uint64_t(2));
    QCOMPARE(EventFileReader(dir + "/b.h5").readTriggers().t,
             EventFileReader(dir + "/a.h5").readTriggers().t);
  }

  void knownSensorTables() {
    using namespace prophesee;
    QCOMPARE(sensorOfPlugin("hal_plugin_gen31_evk3").size.width, 640);
    QCOMPARE(sensorOfPlugin("hal_plugin_gen4_evk2").size.height, 720);
    QCOMPARE(sensorOfPlugin("hal_plugin_genx320_evk3").size.width, 320);
    QVERIFY(!sensorOfPlugin("hal_plugin_prophesee").size.valid());
    QVERIFY(!sensorOfPlugin("gen41").size.valid());
    QCOMPARE(sensorOfSystemId(0x30).size.width, 1280); // EVK3 Gen4.1
    QCOMPARE(sensorOfSystemId(0x30).defaultVersion, 3);
    QCOMPARE(sensorOfSystemId(0x15).defaultVersion, 2); // CCAM3 Gen3
    QCOMPARE(sensorOfSystemId(0x40).size.height, 320);  // EVK3 GenX320
    QVERIFY(!sensorOfSystemId(0x37).size.valid());      // Saphir: size unknown here
    QCOMPARE(sensorOfGeneration("4.2").size.width, 1280);
    QVERIFY(!sensorOfGeneration("9.9").size.valid());
    QCOMPARE(sensorOfName("imx636").size.height, 720);
  }
};

QTEST_GUILESS_MAIN(TestPropheseeRaw)
#include "TestPropheseeRaw.moc"
