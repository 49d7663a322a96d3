// The deterministic fuzz replay of the HDF5-based formats (event files and prepared shapes): seed
// files mutated byte by byte and read, each answered with data or a lumen::Error. A suite of its
// own because libhdf5 1.10.8 (Debian 12) reads past its own heap buffers on some corrupt
// attribute messages (H5O__msg_iterate_real, found by this replay under AddressSanitizer): under
// `make sanitize` this suite alone suppresses reports from memcpy calls made inside libhdf5
// (tests/fuzz/libhdf5.supp); every line of Lumen's own code stays checked, and
// test_hostile_files checks Lumen's HDF5 guards under the full sanitizer.
#include "FuzzReplay.h"
#include "TestSupport.h"
#include "events/EventFile.h"
#include "events/SyntheticEvents.h"
#include "shapes/ShapePreparation.h"
#include "shapes/SyntheticHeart.h"

#include <QtTest>

using namespace lumen;
using test::bytesOf;

class TestFuzzReplayHdf5 : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void hdf5() {
    SyntheticEventConfig config;
    config.width = 32;
    config.height = 24;
    config.durationUs = 20000;
    const auto path = test::freshDir("fuzz-h5") + "/seed.h5";
    writeEventFile(path, makeSyntheticEventPair(config, 1).noisy);
    test::replayMutations("h5", bytesOf(test::readText(path)), 1500, 6);
  }

  void preparedShape() {
    ShapePrepareOptions o;
    o.points = 256;
    o.volumeQueries = o.nearQueries = 200;
    o.grid = 32;
    const std::string path = test::freshDir("fuzz-shape") + "/seed.h5";
    writePreparedShape(path, prepareShape(makeSyntheticHeart(0), "seed", o));
    test::replayMutations("shape.h5", bytesOf(test::readText(path)), 1500, 9);
  }
};

QTEST_GUILESS_MAIN(TestFuzzReplayHdf5)
#include "TestFuzzReplayHdf5.moc"
