// Deterministic fuzzing of every event and shape reader with the main compiler: valid seed files
// of each format (synthetic AEDAT4 recordings included, so nothing here needs ../shared/data)
// are mutated (bytes flipped, runs zeroed, truncated, spliced) a few thousand times and fed to
// the reader, which must answer each with data or an error, never a crash. The coverage-guided
// libFuzzer targets in bench/fuzz use the same entry points. Byte flips never build the extreme
// shapes and sizes of a crafted file: test_hostile_files builds those. The HDF5-based formats are
// replayed by test_fuzz_replay_hdf5 (see its header for why they have a suite of their own).
#include "FuzzReplay.h"
#include "TestSupport.h"
#include "events/SyntheticEvents.h"
#include "io/NiftiIO.h"
#include "support/Aedat4Writer.h"

#include <QtTest>
#include <random>

using namespace lumen;
using test::bytesOf;

class TestFuzzReplay : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void aedat4() {
    // Synthetic recordings of each compression (so a fresh clone fuzzes the parser too): event
    // packets between IMU, trigger and frame packets, and the data table.
    std::mt19937_64 rng(10);
    using C = test::Aedat4Compression;
    for (C compression : {C::None, C::Lz4, C::Zstd}) {
      test::Aedat4Writer writer(compression);
      writer.addStream({1, "FRME", "frames", 32, 24});
      writer.addDvxplorerStreams(32, 24);
      int64_t t = 1000;
      for (int packet = 0; packet < 4; ++packet) {
        std::vector<test::Aedat4Event> events;
        for (int i = 0; i < 40; ++i)
          events.push_back(
              {t += int64_t(rng() % 5), int16_t(rng() % 32), int16_t(rng() % 24), rng() % 2 == 0});
        writer.addEvents(0, events);
        writer.addOpaquePacket(2, "IMUS", 96);
        writer.addOpaquePacket(packet % 2 ? 1 : 3, packet % 2 ? "FRME" : "TRIG", 48);
      }
      test::replayMutations("aedat4", bytesOf(writer.bytes()), 1500, 20 + uint64_t(compression));
    }
  }

  void realAedat4() {
    const auto sample = test::sharedDataFile("events/dvxplorer_sample.aedat4");
    if (sample.empty())
      QSKIP("../shared/data is absent");
    // The first 40 kB: the header and the first packets, so mutations reach the parsers.
    auto seed = bytesOf(test::readText(sample));
    seed.resize(40000);
    test::replayMutations("aedat4", seed, 3000, 1);
  }

  void evt2AndEvt3() {
    std::string evt2 = "% evt 2.0\n% geometry 64x48\n% end\n";
    std::string evt3 = "% evt 3.0\n% format EVT3;height=48;width=64\n% end\n";
    std::mt19937_64 rng(2);
    for (int i = 0; i < 400; ++i) {
      const uint32_t w = i % 16 == 0 ? (0x80000000u | uint32_t(i))
                                     : ((uint32_t(rng() % 2) << 28) | (uint32_t(rng() % 64) << 22) |
                                        (uint32_t(rng() % 64) << 11) | uint32_t(rng() % 48));
      evt2.append(reinterpret_cast<const char*>(&w), 4);
      const uint16_t words[3] = {uint16_t(0x8000 | (i / 8)), uint16_t(0x0000 | (i % 48)),
                                 uint16_t(0x2000 | (rng() % 64))};
      evt3.append(reinterpret_cast<const char*>(words), 6);
    }
    test::replayMutations("raw", bytesOf(evt2), 3000, 3);
    test::replayMutations("raw", bytesOf(evt3), 3000, 4);
  }

  void text() {
    std::string text = "64 48\n";
    for (int i = 0; i < 300; ++i)
      text += std::to_string(i * 10) + " " + std::to_string(i % 64) + " " + std::to_string(i % 48) +
              " " + std::to_string(i % 2) + "\n";
    test::replayMutations("txt", bytesOf(text), 3000, 5);
  }

  void nifti() {
    LabelVolume v;
    v.geometry.size = {12, 10, 8};
    v.geometry.spacing = {0.8, 0.8, 2.0};
    v.values.assign(v.geometry.voxels(), 0);
    for (size_t i = 0; i < v.values.size(); i += 3)
      v.values[i] = int32_t(i % 11);
    const std::string dir = test::freshDir("fuzz-nii");
    writeLabelVolume(dir + "/seed.nii", v);
    writeLabelVolume(dir + "/seed.nii.gz", v);
    test::replayMutations("nii", bytesOf(test::readText(dir + "/seed.nii")), 1500, 7);
    test::replayMutations("nii.gz", bytesOf(test::readText(dir + "/seed.nii.gz")), 1500, 8);
  }
};

QTEST_GUILESS_MAIN(TestFuzzReplay)
#include "TestFuzzReplay.moc"
