// Event HDF5 files: round trips, the field variants of E1 (float64 t, narrow integer x/y,
// /events/Y, -1/+1 and boolean polarity, missing sensor attribute), windowed reads by time, and
// clear errors for inconsistent, truncated and corrupt files.
#include "TestSupport.h"
#include "common/Error.h"
#include "events/EventFile.h"

#include <QtTest>
#include <filesystem>
#include <random>

using namespace lumen;
namespace fs = std::filesystem;

namespace {

EventArray sampleEvents(int n, uint64_t seed = 1) {
  std::mt19937_64 rng(seed);
  EventArray e;
  e.sensor = {64, 48};
  int64_t t = 1000;
  for (int i = 0; i < n; ++i) {
    t += int64_t(rng() % 20);
    e.push(t, int(rng() % 64), int(rng() % 48), rng() % 2 ? 1 : -1, uint8_t(rng() % 2));
  }
  return e;
}

std::string errorOf(const std::string& path) {
  try {
    EventFileReader reader(path);
    reader.readAll();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

} // namespace

class TestEventFiles : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void roundTripKeepsEverything() {
    const auto path = test::freshDir("events-roundtrip") + "/e.h5";
    const auto events = sampleEvents(10000);
    writeEventFile(path, events);
    EventFileReader reader(path);
    QCOMPARE(reader.size(), uint64_t(10000));
    QVERIFY(reader.sensorFromAttribute());
    QCOMPARE(reader.sensor().width, 64);
    QCOMPARE(reader.sensor().height, 48);
    QVERIFY(reader.hasLabels());
    const auto back = reader.readAll();
    QVERIFY(back.t == events.t && back.x == events.x && back.y == events.y && back.p == events.p);
    QVERIFY(back.label == events.label);
    const auto stats = computeStats(back);
    QCOMPARE(stats.numPositive + stats.numNegative, uint64_t(10000));
  }

  void acceptsTheFieldVariants() {
    const auto path = test::freshDir("events-variants") + "/v.h5";
    {
      auto f = Hdf5File::create(path);
      f.write<double>("/events/t", {10.0, 20.0, 20.0, 35.0}, {4});
      f.write<uint8_t>("/events/x", {0, 5, 9, 3}, {4});
      f.write<int32_t>("/events/Y", {1, 2, 7, 0}, {4});
      f.write<int8_t>("/events/p", {-1, 1, 1, -1}, {4});
    }
    EventFileReader reader(path);
    QVERIFY(!reader.sensorFromAttribute());
    QCOMPARE(reader.sensor().width, 10); // inferred from the largest coordinates
    QCOMPARE(reader.sensor().height, 8);
    const auto e = reader.readAll();
    QCOMPARE(e.t, (std::vector<int64_t>{10, 20, 20, 35}));
    QCOMPARE(e.y[2], uint16_t(7));
    QCOMPARE(e.p, (std::vector<int8_t>{-1, 1, 1, -1}));

    // h5py writes booleans as an int8 enumeration {FALSE, TRUE}.
    const auto boolPath = test::freshDir("events-bool") + "/b.h5";
    {
      auto f = Hdf5File::create(boolPath);
      f.write<int64_t>("/events/t", {1, 2}, {2});
      f.write<uint16_t>("/events/x", {0, 1}, {2});
      f.write<uint16_t>("/events/y", {0, 1}, {2});
      f.flush();
    }
    {
      hid_t file = H5Fopen(boolPath.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
      hid_t type = H5Tenum_create(H5T_NATIVE_INT8);
      int8_t no = 0, yes = 1;
      H5Tenum_insert(type, "FALSE", &no);
      H5Tenum_insert(type, "TRUE", &yes);
      hsize_t n = 2;
      hid_t space = H5Screate_simple(1, &n, nullptr);
      hid_t set = H5Dcreate2(file, "/events/p", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      int8_t values[2] = {1, 0};
      H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values);
      H5Dclose(set);
      H5Sclose(space);
      H5Tclose(type);
      H5Fclose(file);
    }
    QCOMPARE(readEventFile(boolPath).p, (std::vector<int8_t>{1, -1}));
  }

  void readsTimeWindowsByBinarySearch() {
    const auto path = test::freshDir("events-window") + "/w.h5";
    const auto events = sampleEvents(200000, 4);
    writeEventFile(path, events);
    EventFileReader reader(path);
    const int64_t t0 = events.t[50000], t1 = events.t[120000];
    QCOMPARE(reader.lowerBound(t0), uint64_t(events.lowerBound(t0)));
    const auto window = reader.readTimeRange(t0, t1);
    QCOMPARE(window.size(), events.lowerBound(t1) - events.lowerBound(t0));
    QVERIFY(window.t.front() >= t0 && window.t.back() < t1);
    QCOMPARE(reader.scan(nullptr, 30000).numEvents, uint64_t(200000));
    QVERIFY_THROWS_EXCEPTION(InputError, reader.readAll(1000)); // the memory guard
  }

  void inconsistentFilesNameTheProblem() {
    const auto dir = test::freshDir("events-bad");
    auto make = [&](const std::string& name, auto&& fill) {
      const auto path = dir + "/" + name + ".h5";
      auto f = Hdf5File::create(path);
      fill(f);
      return path;
    };
    const auto unequal = make("unequal", [](Hdf5File& f) {
      f.write<int64_t>("/events/t", {1, 2, 3}, {3});
      f.write<int16_t>("/events/x", {1, 2}, {2});
      f.write<int16_t>("/events/y", {1, 2, 3}, {3});
      f.write<int8_t>("/events/p", {1, 0, 1}, {3});
    });
    QVERIFY2(errorOf(unequal).find("/events/x has 2 entries but /events/t has 3") !=
                 std::string::npos,
             errorOf(unequal).c_str());
    const auto decreasing = make("decreasing", [](Hdf5File& f) {
      f.write<int64_t>("/events/t", {1, 5, 4}, {3});
      f.write<int16_t>("/events/x", {1, 2, 3}, {3});
      f.write<int16_t>("/events/y", {1, 2, 3}, {3});
      f.write<int8_t>("/events/p", {1, 0, 1}, {3});
    });
    QVERIFY2(errorOf(decreasing).find("decreases at index 2") != std::string::npos,
             errorOf(decreasing).c_str());
    QVERIFY(errorOf(decreasing).find("--sort") != std::string::npos);
    const auto outside = make("outside", [](Hdf5File& f) {
      f.write<int64_t>("/events/t", {1, 2}, {2});
      f.write<int16_t>("/events/x", {1, 20}, {2});
      f.write<int16_t>("/events/y", {1, 2}, {2});
      f.write<int8_t>("/events/p", {1, 0}, {2});
      f.setIntAttribute("/", "sensor_resolution", {10, 10});
    });
    QVERIFY2(errorOf(outside).find("event 1 at (x=20, y=2) lies outside the 10x10 sensor") !=
                 std::string::npos,
             errorOf(outside).c_str());
    const auto nanTime = make("nan", [](Hdf5File& f) {
      f.write<double>("/events/t", {1, std::nan("")}, {2});
      f.write<int16_t>("/events/x", {1, 2}, {2});
      f.write<int16_t>("/events/y", {1, 2}, {2});
      f.write<int8_t>("/events/p", {1, 0}, {2});
    });
    QVERIFY(errorOf(nanTime).find("/events/t[1] is not a finite number") != std::string::npos);
    const auto polarity = make("polarity", [](Hdf5File& f) {
      f.write<int64_t>("/events/t", {1, 2}, {2});
      f.write<int16_t>("/events/x", {1, 2}, {2});
      f.write<int16_t>("/events/y", {1, 2}, {2});
      f.write<int8_t>("/events/p", {1, 7}, {2});
    });
    QVERIFY(errorOf(polarity).find("/events/p[1] = 7") != std::string::npos);
    const auto missing =
        make("missing", [](Hdf5File& f) { f.write<int64_t>("/events/t", {1}, {1}); });
    QVERIFY(errorOf(missing).find("dataset /events/x is missing") != std::string::npos);
  }

  void truncatedAndCorruptFilesAreRejected() {
    const auto dir = test::freshDir("events-corrupt");
    const auto good = dir + "/good.h5";
    writeEventFile(good, sampleEvents(50000));
    const auto truncated = dir + "/truncated.h5";
    fs::copy_file(good, truncated);
    fs::resize_file(truncated, fs::file_size(good) / 2);
    const auto message = errorOf(truncated);
    QVERIFY2(message.find(truncated) != std::string::npos, message.c_str());
    const auto garbage = dir + "/garbage.h5";
    test::writeText(garbage, std::string(4096, '\x5a'));
    QVERIFY(errorOf(garbage).find("not an HDF5 file") != std::string::npos);
    // Flip bytes in the middle of the data: an error or valid-looking data, never a crash.
    const auto flipped = dir + "/flipped.h5";
    auto bytes = test::readText(good);
    for (size_t i = bytes.size() / 3; i < bytes.size() / 3 + 2000; ++i)
      bytes[i] = char(~bytes[i]);
    test::writeText(flipped, bytes);
    (void)errorOf(flipped);
  }

  void aWriterThatIsNotCommittedLeavesNothing() {
    const auto dir = test::freshDir("events-cancel");
    {
      EventFileWriter writer(dir + "/out.h5", {64, 48});
      writer.append(sampleEvents(1000));
    }
    QVERIFY(fs::is_empty(dir));
    EventFileWriter writer(dir + "/out.h5", {64, 48});
    writer.append(sampleEvents(1000, 2));
    auto later = sampleEvents(10, 3);
    for (auto& t : later.t)
      t = 0; // earlier than what was written
    QVERIFY_THROWS_EXCEPTION(InputError, writer.append(later));
  }
};

QTEST_GUILESS_MAIN(TestEventFiles)
#include "TestEventFiles.moc"
