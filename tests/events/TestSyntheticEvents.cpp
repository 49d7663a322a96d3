// Synthetic pairs: the noisy file holds every clean event labelled as signal plus labelled
// noise of each kind; events follow the moving scene; the generator is deterministic per seed
// and writes the paired folder layout the dataset code expects.
#include "TestSupport.h"
#include "events/EventFile.h"
#include "events/SyntheticEvents.h"

#include <QtTest>
#include <filesystem>
#include <set>
#include <tuple>

using namespace lumen;
namespace fs = std::filesystem;

class TestSyntheticEvents : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void noisyIsCleanPlusLabelledNoise() {
    SyntheticEventConfig config;
    const auto pair = makeSyntheticEventPair(config, 5);
    QVERIFY(pair.clean.size() > 5000);
    QVERIFY(pair.noisy.size() > pair.clean.size());
    QCOMPARE(pair.noisy.label.size(), pair.noisy.size());
    std::multiset<std::tuple<int64_t, int, int, int>> clean, signal;
    for (size_t i = 0; i < pair.clean.size(); ++i)
      clean.insert({pair.clean.t[i], pair.clean.x[i], pair.clean.y[i], pair.clean.p[i]});
    size_t noise = 0;
    for (size_t i = 0; i < pair.noisy.size(); ++i) {
      if (pair.noisy.label[i])
        signal.insert({pair.noisy.t[i], pair.noisy.x[i], pair.noisy.y[i], pair.noisy.p[i]});
      else
        ++noise;
    }
    QVERIFY(clean == signal);
    // Background activity alone is about 3 Hz x 43,200 pixels x 0.1 s.
    QVERIFY2(noise > 10000, qPrintable(QString::number(noise)));
    QVERIFY(std::is_sorted(pair.noisy.t.begin(), pair.noisy.t.end()));
    for (auto t : pair.noisy.t)
      QVERIFY(t >= 0 && t <= config.durationUs);
  }

  void sceneEventsComeFromMovingEdges() {
    SyntheticEventConfig config;
    config.flare = false;
    config.backgroundHz = 0;
    config.hotPixels = 0;
    const auto pair = makeSyntheticEventPair(config, 9);
    QCOMPARE(pair.noisy.size(), pair.clean.size());
    // Moving shapes touch a limited part of the sensor; a static scene part stays silent.
    std::set<int> pixels;
    for (size_t i = 0; i < pair.clean.size(); ++i)
      pixels.insert(pair.clean.y[i] * config.width + pair.clean.x[i]);
    QVERIFY(pixels.size() > 500);
    QVERIFY(pixels.size() < size_t(config.width * config.height));
    // Both polarities: leading and trailing edges.
    const auto positives = std::count(pair.clean.p.begin(), pair.clean.p.end(), 1);
    QVERIFY(positives > int64_t(pair.clean.size() / 5) &&
            positives < int64_t(pair.clean.size() * 4 / 5));
  }

  void deterministicPerSeedAndWritesPairs() {
    SyntheticEventConfig config;
    config.width = 64;
    config.height = 48;
    QVERIFY(makeSyntheticEventPair(config, 3).noisy.t == makeSyntheticEventPair(config, 3).noisy.t);
    QVERIFY(makeSyntheticEventPair(config, 3).noisy.t != makeSyntheticEventPair(config, 4).noisy.t);
    const auto dir = test::freshDir("synthetic-dataset");
    writeSyntheticEventDataset(dir, 2, 1, config);
    for (const char* name : {"scene_0000.h5", "scene_0001.h5"}) {
      EventFileReader noisy(dir + "/" + kNoisyFolder + "/" + name);
      EventFileReader clean(dir + "/" + kCleanFolder + "/" + name);
      QVERIFY(noisy.hasLabels());
      QVERIFY(!clean.hasLabels());
      QCOMPARE(noisy.sensor().width, 64);
      QVERIFY(noisy.size() > clean.size());
    }
  }
};

QTEST_GUILESS_MAIN(TestSyntheticEvents)
#include "TestSyntheticEvents.moc"
