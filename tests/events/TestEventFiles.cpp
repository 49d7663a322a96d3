// Event HDF5 files: round trips, the field variants of E1 (float64 t, narrow integer x/y,
// /events/Y, -1/+1 and boolean polarity, missing sensor attribute), windowed reads by time,
// clear errors for inconsistent, truncated and corrupt files, inferred sensors bounded, string
// attributes of one string only, HDF5 errors silent and cleared on every thread, and writers of
// one destination that do not collide.
#include "TestSupport.h"
#include "common/Error.h"
#include "common/JobPool.h"
#include "events/EventFile.h"
#include "support/QtStdString.h"

#include <QtTest>
#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <random>
#include <unistd.h>

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

// What `body` writes to stderr (file descriptor 2, where libhdf5 prints), from any thread.
template <class Body> std::string capturedStderr(const std::string& path, Body body) {
  std::fflush(stderr);
  const int saved = ::dup(2);
  const int capture = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ::dup2(capture, 2);
  body();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  ::close(capture);
  return test::readText(path);
}

template <class Read> std::string stringAttributeError(const std::string& path, Read read) {
  try {
    read(Hdf5File::openRead(path));
  } catch (const InputError& e) {
    return e.what();
  } catch (const Error& e) {
    return std::string("<not an InputError> ") + e.what();
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

  void selectKeepsFlaggedEventsInOrder() {
    const auto events = sampleEvents(1000, 9);
    std::vector<uint8_t> keep(events.size());
    for (size_t i = 0; i < keep.size(); ++i)
      keep[i] = uint8_t(i % 3 == 1);
    const auto kept = events.select(keep);
    QCOMPARE(kept.size(), size_t(333));
    QCOMPARE(kept.sensor.width, 64);
    for (size_t k = 0; k < kept.size(); ++k) {
      const size_t i = 3 * k + 1;
      QVERIFY(kept.t[k] == events.t[i] && kept.x[k] == events.x[i] && kept.y[k] == events.y[i]);
      QVERIFY(kept.p[k] == events.p[i] && kept.label[k] == events.label[i]);
    }
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, events.select(std::vector<uint8_t>(999)));
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

  void inferredSensorsAreBounded() {
    // Without a sensor_resolution attribute the sensor comes from the largest coordinate, which
    // used to be truncated to int and the coordinates wrapped to uint16: x = 70000 read as 4464.
    const auto dir = test::freshDir("events-infer-bounds");
    auto make = [&](const std::string& name, std::vector<int64_t> x, std::vector<int64_t> y) {
      const auto path = dir + "/" + name + ".h5";
      auto f = Hdf5File::create(path);
      f.write<int64_t>("/events/t", {1, 2}, {2});
      f.write<int64_t>("/events/x", x, {2});
      f.write<int64_t>("/events/y", y, {2});
      f.write<int8_t>("/events/p", {1, 0}, {2});
      return path;
    };
    const auto wide = make("wide", {3, 70000}, {1, 2});
    QVERIFY2(errorOf(wide).find(wide + ": /events/x[1] = 70000: coordinates must lie in "
                                       "0..65534") != std::string::npos,
             errorOf(wide).c_str());
    const auto huge = make("huge", {3, 1}, {1, int64_t(1) << 40});
    QVERIFY2(errorOf(huge).find("/events/y[1] = 1099511627776: coordinates must lie in") !=
                 std::string::npos,
             errorOf(huge).c_str());
    const auto negative = make("negative", {-5, 1}, {1, 2});
    QVERIFY2(errorOf(negative).find("/events/x[0] = -5") != std::string::npos,
             errorOf(negative).c_str());
    const auto largest = make("largest", {0, 65534}, {65534, 7});
    EventFileReader reader(largest);
    QCOMPARE(reader.sensor().width, 65535);
    QCOMPARE(reader.sensor().height, 65535);
    QCOMPARE(reader.readAll().x[1], uint16_t(65534));
  }

  void stringAttributesHoldOneString() {
    // A string attribute of several elements used to be read whole into a buffer for one: a heap
    // overflow for fixed-length strings, n pointers written into one for variable-length ones.
    const auto dir = test::freshDir("events-string-attributes");
    const auto path = dir + "/attributes.h5";
    {
      // The newest format keeps attributes above 64 kB in dense storage.
      H5Id access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
      H5Pset_libver_bounds(access.get(), H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
      H5Id file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access.get()), H5Fclose);
      H5Id events(H5Gcreate2(file.get(), "/events", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                  H5Gclose);
      auto attribute = [&](const char* name, hid_t type, hsize_t n, const void* data) {
        H5Id space(n == 0 ? H5Screate(H5S_NULL) : H5Screate_simple(1, &n, nullptr), H5Sclose);
        H5Id a(H5Acreate2(events.get(), name, type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
               H5Aclose);
        QVERIFY(a.valid());
        if (data)
          QVERIFY(H5Awrite(a.get(), type, data) >= 0);
      };
      H5Id variable(H5Tcopy(H5T_C_S1), H5Tclose);
      H5Tset_size(variable.get(), H5T_VARIABLE);
      std::vector<const char*> texts(500, "12");
      attribute("variable", variable.get(), texts.size(), texts.data());
      H5Id fixed(H5Tcopy(H5T_C_S1), H5Tclose);
      H5Tset_size(fixed.get(), 16);
      H5Id two(H5Tcopy(H5T_C_S1), H5Tclose);
      H5Tset_size(two.get(), 2);
      H5Id scalar(H5Screate(H5S_SCALAR), H5Sclose);
      H5Id single(
          H5Acreate2(events.get(), "single", two.get(), scalar.get(), H5P_DEFAULT, H5P_DEFAULT),
          H5Aclose);
      QVERIFY(H5Awrite(single.get(), two.get(), "20") >= 0);
      const std::string chars(16 * 1000, '7');
      attribute("fixed", fixed.get(), 1000, chars.data());
      attribute("empty", fixed.get(), 0, nullptr);
      const std::vector<int64_t> many(70000, 3);
      attribute("many", H5T_NATIVE_INT64, many.size(), many.data());
    }
    const auto read = [](const char* name) {
      return [name](const Hdf5File& f) { (void)f.stringAttribute("/events", name); };
    };
    QCOMPARE(*Hdf5File::openRead(path).stringAttribute("/events", "single"), std::string("20"));
    QCOMPARE(stringAttributeError(path, read("variable")),
             path + ": /events: attribute 'variable' holds 500 strings (shape 500); expected "
                    "one string");
    QCOMPARE(stringAttributeError(path, read("fixed")),
             path + ": /events: attribute 'fixed' holds 1000 strings (shape 1000); expected "
                    "one string");
    QCOMPARE(stringAttributeError(path, read("empty")),
             path + ": /events: attribute 'empty' holds no string; expected one string");
    QCOMPARE(stringAttributeError(
                 path, [](const Hdf5File& f) { (void)f.intAttribute("/events", "many"); }),
             path + ": /events: attribute 'many' holds 70000 values (shape 70000); at most "
                    "65536 are read");
  }

  void hdf5ErrorsNeitherPrintNorLinger() {
    // libhdf5's error printing and error stack are per thread: a job's worker that never called
    // HDF5 printed "HDF5-DIAG" lines, and the records it left kept the library from closing at
    // exit ("HDF5: infinite loop closing library").
    const auto dir = test::freshDir("events-hdf5-threads");
    const auto good = dir + "/good.h5", truncated = dir + "/truncated.h5";
    writeEventFile(good, sampleEvents(20000));
    fs::copy_file(good, truncated);
    fs::resize_file(truncated, fs::file_size(good) / 2);
    int recordsLeft = -1;
    std::string message;
    const auto printed = capturedStderr(dir + "/stderr.txt", [&] {
      JobPool pool(1);
      pool.submit("read a truncated file",
                  [&](Job&) {
                    try {
                      EventFileReader reader(truncated);
                      reader.readAll();
                    } catch (const Error& e) {
                      message = e.what();
                    }
                    recordsLeft = int(H5Eget_num(H5E_DEFAULT));
                  })
          ->wait();
    });
    QVERIFY2(message.find(truncated) != std::string::npos, message.c_str());
    QCOMPARE(printed, std::string());
    QCOMPARE(recordsLeft, 0);
  }

  void writersOfOneDestinationDoNotCollide() {
    // Two writers of one path in one process shared the temporary name path.tmp-PID, so the
    // second could not create it while the first had it open.
    const auto dir = test::freshDir("events-two-writers");
    const auto out = dir + "/out.h5";
    const auto first = sampleEvents(500, 7), second = sampleEvents(300, 8);
    EventFileWriter a(out, {64, 48}, true);
    EventFileWriter b(out, {64, 48}, true);
    a.append(first);
    b.append(second);
    a.commit();
    QCOMPARE(readEventFile(out).size(), size_t(500));
    b.commit();
    const auto back = readEventFile(out);
    QVERIFY(back.t == second.t && back.x == second.x && back.label == second.label);
    QCOMPARE(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), long(1));
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
