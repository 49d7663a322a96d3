// The Events workspace's session without any widget: opening a noisy recording brings its clean
// partner and its earlier denoised output, other formats are imported first, a broken file is
// reported in its slot, a newer request for a slot wins, the time span covers every stream, and
// training and inference run as jobs whose results land in the session — one training at a time.
#include "TestSupport.h"
#include "common/Error.h"
#include "common/JobPool.h"
#include "events/EventFile.h"
#include "events/EventsSession.h"
#include "events/SyntheticEvents.h"

#include <QtTest>
#include <algorithm>
#include <filesystem>

using namespace lumen;
namespace fs = std::filesystem;

namespace {

bool pollUntil(EventsSession& session, const std::function<bool()>& done, int seconds = 60) {
  return test::pollUntil([&] { session.poll(); }, done, seconds);
}

} // namespace

class TestEventsSession : public QObject {
  Q_OBJECT
  std::string dir_, noisy_, clean_;
  std::unique_ptr<JobPool> pool_;
  std::vector<JobPtr> listed_;
  std::vector<EventsSession::Change> changes_;

  std::unique_ptr<EventsSession> makeSession() {
    auto session = std::make_unique<EventsSession>([this](JobPtr job, bool listed) {
      if (listed)
        listed_.push_back(job);
      return pool_->submit(job);
    });
    session->setListener([this](const EventsSession::Change& c) { changes_.push_back(c); });
    return session;
  }

private Q_SLOTS:
  void initTestCase() {
    dir_ = test::freshDir("events-session");
    SyntheticEventConfig config;
    config.width = 64;
    config.height = 48;
    writeSyntheticEventDataset(dir_ + "/data", 4, 3, config);
    noisy_ = dir_ + "/data/" + kNoisyFolder + "/scene_0000.h5";
    clean_ = dir_ + "/data/" + kCleanFolder + "/scene_0000.h5";
    QVERIFY(fs::exists(noisy_) && fs::exists(clean_));
    pool_ = std::make_unique<JobPool>(2);
  }

  void cleanupTestCase() { pool_.reset(); }

  void aNoisyRecordingBringsItsCleanPartner() {
    auto session = makeSession();
    changes_.clear();
    session->open(noisy_);
    QVERIFY(session->isLoading(StreamSlot::Noisy) && session->isLoading(StreamSlot::Clean));
    QVERIFY(pollUntil(*session, [&] {
      return session->stream(StreamSlot::Noisy) && session->stream(StreamSlot::Clean);
    }));
    QCOMPARE(session->stream(StreamSlot::Noisy)->stats.numEvents, EventFileReader(noisy_).size());
    QCOMPARE(fs::path(session->stream(StreamSlot::Clean)->path), fs::path(clean_));
    QVERIFY(!session->stream(StreamSlot::Denoised));
    QVERIFY(listed_.empty()); // loads show in their slots, not among the user's jobs
    const auto span = session->timeSpan();
    QVERIFY(span.has_value());
    const auto& noisyStats = session->stream(StreamSlot::Noisy)->stats;
    const auto& cleanStats = session->stream(StreamSlot::Clean)->stats;
    QCOMPARE(span->first, std::min(noisyStats.tFirst, cleanStats.tFirst));
    QCOMPARE(span->second, std::max(noisyStats.tLast, cleanStats.tLast) + 1);
    int loaded = 0;
    for (const auto& c : changes_)
      loaded += c.kind == EventsSession::Change::Loaded;
    QCOMPARE(loaded, 2);
    QVERIFY(session->canTrain() && session->canDenoise());
  }

  void otherFormatsAreImportedFirst() {
    const std::string text = dir_ + "/recording.txt";
    test::writeText(text, "32 24\n100 1 2 1\n150 3 4 0\n300 31 23 1\n");
    auto session = makeSession();
    listed_.clear();
    session->open(text);
    QCOMPARE(int(listed_.size()), 1); // the import is a job the user sees
    QVERIFY(pollUntil(*session, [&] { return session->stream(StreamSlot::Noisy) != nullptr; }));
    QCOMPARE(session->stream(StreamSlot::Noisy)->path, dir_ + "/recording.h5");
    QCOMPARE(session->stream(StreamSlot::Noisy)->stats.numEvents, uint64_t(3));
    QCOMPARE(session->stream(StreamSlot::Noisy)->stats.sensor.width, 32);
  }

  void aBrokenFileIsReportedInItsSlotAndTheNewestRequestWins() {
    const std::string broken = dir_ + "/broken.h5";
    test::writeText(broken, "this is not HDF5");
    auto session = makeSession();
    changes_.clear();
    session->openInSlot(StreamSlot::Clean, broken);
    QVERIFY(pollUntil(*session, [&] { return !session->isLoading(StreamSlot::Clean); }));
    QVERIFY(!session->stream(StreamSlot::Clean));
    QCOMPARE(changes_.back().kind, EventsSession::Change::LoadFailed);
    QVERIFY2(changes_.back().message.find("broken.h5") != std::string::npos &&
                 changes_.back().message.find("not an HDF5 file") != std::string::npos,
             changes_.back().message.c_str());
    // Two requests for one slot in a row: the second is what the slot holds, whichever loads
    // first.
    session->openInSlot(StreamSlot::Noisy, noisy_);
    session->openInSlot(StreamSlot::Noisy, clean_);
    QVERIFY(pollUntil(*session, [&] { return !session->isLoading(StreamSlot::Noisy); }));
    QCOMPARE(session->stream(StreamSlot::Noisy)->path, clean_);
    // A folder or an unknown format is refused at once.
    QVERIFY_THROWS_EXCEPTION(IoError, session->open(dir_));
    test::writeText(dir_ + "/image.png", std::string("\x89PNG\r\n\x1a\n\x01\x02", 10));
    QVERIFY_THROWS_EXCEPTION(InputError, session->open(dir_ + "/image.png"));
  }

  void trainsOnceAtATimeAndDenoisesIntoTheDenoisedSlot() {
    auto session = makeSession();
    session->open(noisy_);
    QVERIFY(pollUntil(*session, [&] { return session->canTrain(); }));
    changes_.clear();
    listed_.clear();
    auto training =
        session->startTraining(dir_ + "/data/" + kNoisyFolder, dir_ + "/data/" + kCleanFolder,
                               {"data.patch=16", "model.f_maps=4", "model.levels=2",
                                "model.groups=2", "trainer.epochs=2", "trainer.threads=1"},
                               dir_ + "/runs");
    QVERIFY(session->isTraining());
    QVERIFY(!session->canTrain());
    QVERIFY(session->lastRunDir().rfind(dir_ + "/runs/events-", 0) == 0);
    QCOMPARE(changes_.front().kind, EventsSession::Change::RunStarted);
    QCOMPARE(changes_.front().path, session->lastRunDir());
    // A second training while the first runs is refused (a double click).
    QVERIFY_THROWS_EXCEPTION(InputError, session->startTraining());
    QCOMPARE(int(listed_.size()), 1);
    QVERIFY(pollUntil(
        *session, [&] { return training->finished(); }, 300));
    QVERIFY2(training->state() == JobState::Succeeded, training->errorMessage().c_str());
    const std::string checkpoint = session->lastRunDir() + "/checkpoints/best.pt";
    QCOMPARE(session->suggestedCheckpoint(), checkpoint);
    auto inference = session->startInference(checkpoint);
    QVERIFY(pollUntil(
        *session, [&] { return session->stream(StreamSlot::Denoised) != nullptr; }, 300));
    QVERIFY2(inference->state() == JobState::Succeeded, inference->errorMessage().c_str());
    QCOMPARE(session->stream(StreamSlot::Denoised)->path, EventsSession::denoisedPathFor(noisy_));
    QCOMPARE(EventsSession::denoisedPathFor(noisy_),
             dir_ + "/data/denoised/scene_0000_denoised.h5");
    // With both loaded, what the network keeps is tabulated beside BAF and STCF.
    QVERIFY(pollUntil(*session, [&] { return session->keptEvents().has_value(); }));
    const auto& kept = *session->keptEvents();
    QCOMPARE(kept.rows.size(), size_t(4));
    const std::vector<std::string> methods = {"input", "baf", "stcf", "network"};
    for (size_t i = 0; i < 4; ++i) {
      QCOMPARE(kept.rows[i].method, methods[i]);
      QVERIFY(kept.rows[i].subset);
      QVERIFY(kept.rows[i].share > 0 && kept.rows[i].share <= 1);
    }
    QCOMPARE(kept.rows[0].kept, uint64_t(session->stream(StreamSlot::Noisy)->events->size()));
    QCOMPARE(kept.rows[3].kept, uint64_t(session->stream(StreamSlot::Denoised)->events->size()));
    QVERIFY(std::any_of(changes_.begin(), changes_.end(), [](const EventsSession::Change& c) {
      return c.kind == EventsSession::Change::Compared;
    }));
    // Opening the noisy file again now brings the denoised output along.
    auto again = makeSession();
    again->open(noisy_);
    QVERIFY(pollUntil(*again, [&] { return again->stream(StreamSlot::Denoised) != nullptr; }));
    QVERIFY_THROWS_EXCEPTION(IoError, session->startInference(dir_ + "/none.pt"));
  }
};

QTEST_GUILESS_MAIN(TestEventsSession)
#include "TestEventsSession.moc"
