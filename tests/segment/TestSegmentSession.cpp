// The Segment workspace's session model driven without widgets: open a CT, click, undo and redo,
// the newest request wins, accept into a study folder shared with MONAI Label.
#include "TestSupport.h"
#include "common/Error.h"
#include "common/JobPool.h"
#include "io/CtVolumeIO.h"
#include "segment/ChestClasses.h"
#include "segment/ClickSimulator.h"
#include "segment/Datastore.h"
#include "segment/SegmentSession.h"
#include "segment/SyntheticChestCt.h"

#include <QtTest>
#include <filesystem>

using namespace lumen;

class TestSegmentSession : public QObject {
  Q_OBJECT
  std::unique_ptr<JobPool> pool_;
  std::string study_;
  MaskVolume aorta_;
  std::vector<SegmentSession::Change> changes_;

  std::unique_ptr<SegmentSession> makeSession() {
    auto session = std::make_unique<SegmentSession>(
        [this](JobPtr job, bool) { return pool_->submit(std::move(job)); });
    session->setListener([this](const SegmentSession::Change& c) { changes_.push_back(c); });
    return session;
  }

  bool settle(SegmentSession& s) {
    return test::pollUntil([&] { s.poll(); }, [&] { return !s.isLoading() && !s.isSegmenting(); });
  }

private Q_SLOTS:
  void initTestCase() {
    pool_ = std::make_unique<JobPool>(2);
    study_ = test::freshDir("segment-session");
    SyntheticChestCtOptions o;
    o.size = {256, 256, 48};
    o.spacing = {1.4, 1.4, 6};
    const auto ct = makeSyntheticChestCt(7, o);
    writeCtVolume(study_ + "/chest 1.nii.gz", ct.cta);
    aorta_.geometry = ct.cta.geometry;
    aorta_.values.resize(ct.labels.values.size());
    for (size_t v = 0; v < aorta_.values.size(); ++v)
      aorta_.values[v] = ct.labels.values[v] == kChestAorta;
  }

  void clickUndoRedoAccept() {
    auto session = makeSession();
    QVERIFY_THROWS_EXCEPTION(InputError, session->addPoint({{1, 1, 1}, true}));
    session->openImage(study_ + "/chest 1.nii.gz", {}, "chest 1");
    QVERIFY(session->isLoading());
    QVERIFY(settle(*session));
    QVERIFY(session->image());
    QCOMPARE(session->image()->geometry.size, aorta_.geometry.size);

    const auto clicks = initialClicks(aorta_, 3);
    for (const auto& c : clicks)
      session->addPoint(c);
    QVERIFY(settle(*session));
    QVERIFY(session->resultIsCurrent());
    const int64_t three = session->result()->voxels();
    QVERIFY(three > 0);
    QVERIFY(diceScore(aorta_, session->result()->mask) > 0.5);
    QVERIFY(session->canUndo());
    QVERIFY(!session->canRedo());

    session->undo(); // back to two clicks
    QCOMPARE(int64_t(session->points().size()), int64_t(2));
    QVERIFY(!session->resultIsCurrent()); // the old mask stays shown until the new one is there
    QVERIFY(settle(*session));
    QVERIFY(session->resultIsCurrent());
    session->redo();
    QCOMPARE(int64_t(session->points().size()), int64_t(3));
    QVERIFY(settle(*session));
    QCOMPARE(session->result()->voxels(), three); // the same prompts give the same mask

    QVERIFY_THROWS_EXCEPTION(InputError, session->addPoint({{-1, 0, 0}, true}));
    QVERIFY_THROWS_EXCEPTION(InputError, session->removePoint(9));
    QVERIFY_THROWS_EXCEPTION(InputError, session->setBackend("medsam9"));

    auto store = std::make_shared<segment::Datastore>(study_);
    QVERIFY(!store->image("chest 1")->completed());
    QVERIFY(session->hasUnacceptedWork());
    auto job = session->accept(store, "aorta");
    QVERIFY(test::pollUntil([&] { session->poll(); }, [&] { return job->finished(); }));
    session->poll();
    QCOMPARE(job->state(), JobState::Succeeded);
    QVERIFY(!session->hasUnacceptedWork()); // accepted: moving on loses nothing
    QCOMPARE(changes_.back().kind, SegmentSession::Change::Accepted);
    const auto image = store->image("chest 1");
    QVERIFY(image->completed());
    const auto final = store->label("chest 1", "final");
    QVERIFY(final);
    QCOMPARE(final->info["label_info"][0]["name"].get<std::string>(), std::string("aorta"));
    const auto saved = readCtVolume(final->path);
    int64_t inside = 0;
    for (int16_t v : saved.values)
      inside += v != 0;
    QCOMPARE(inside, three);
    QVERIFY(store->image("chest 1")->uncertainFraction().has_value());
  }

  void newestRequestWins() {
    auto session = makeSession();
    session->openImage(study_ + "/chest 1.nii.gz", {}, "chest 1");
    QVERIFY(settle(*session));
    const auto clicks = initialClicks(aorta_, 5);
    changes_.clear();
    for (const auto& c : clicks) // five requests, no poll in between: the first four superseded
      session->addPoint(c);
    QVERIFY(settle(*session));
    QVERIFY(session->resultIsCurrent());
    int segmented = 0;
    for (const auto& c : changes_)
      segmented += c.kind == SegmentSession::Change::Segmented;
    QCOMPARE(segmented, 1);
    QCOMPARE(int64_t(session->points().size()), int64_t(5));

    QVERIFY(session->hasUnacceptedWork());
    session->clearPoints();
    QVERIFY(settle(*session));
    QVERIFY(!session->result());
    QVERIFY(!session->hasUnacceptedWork()); // no points, nothing to lose
    QVERIFY_THROWS_EXCEPTION(
        InputError, session->accept(std::make_shared<segment::Datastore>(study_), "aorta"));
  }

  void invalidImageIsReported() {
    auto session = makeSession();
    changes_.clear();
    session->openImage(study_ + "/missing.nii.gz");
    QVERIFY(settle(*session));
    QVERIFY(!session->image());
    QCOMPARE(changes_.back().kind, SegmentSession::Change::ImageFailed);
    QVERIFY(QString::fromStdString(changes_.back().message).contains("missing.nii.gz"));
  }
};

QTEST_GUILESS_MAIN(TestSegmentSession)
#include "TestSegmentSession.moc"
