// The Shapes workspace's session without any widget: a folder lists its cases and their classes,
// a selection loads its case (a newer one wins), an unreadable case is reported without showing
// another, the class map is checked before anything changes, and preparation, training,
// completion and saving run as jobs whose results land in the session — one training at a time,
// with the finished run's best model becoming the completion checkpoint.
#include "TestSupport.h"
#include "common/Error.h"
#include "common/JobPool.h"
#include "io/NiftiIO.h"
#include "shapes/ShapesSession.h"
#include "shapes/SyntheticHeart.h"

#include <QtTest>
#include <filesystem>

using namespace lumen;
namespace fs = std::filesystem;

namespace {

bool pollUntil(ShapesSession& session, const std::function<bool()>& done, int seconds = 120) {
  return test::pollUntil([&] { session.poll(); }, done, seconds);
}

} // namespace

class TestShapesSession : public QObject {
  Q_OBJECT
  std::string root_, hearts_;
  std::vector<std::string> files_;
  std::unique_ptr<JobPool> pool_;
  std::vector<ShapesSession::Change> changes_;

  std::unique_ptr<ShapesSession> makeSession() {
    auto session =
        std::make_unique<ShapesSession>([this](JobPtr job, bool) { return pool_->submit(job); });
    session->setListener([this](const ShapesSession::Change& c) { changes_.push_back(c); });
    return session;
  }

private Q_SLOTS:
  void initTestCase() {
    root_ = test::freshDir("shapes-session");
    hearts_ = root_ + "/hearts";
    SyntheticHeartOptions options;
    options.spacing = {3.0, 3.0, 3.0};
    files_ = writeSyntheticHearts(hearts_, 3, 21, options);
    QCOMPARE(int(files_.size()), 3);
    pool_ = std::make_unique<JobPool>(2);
  }

  void cleanupTestCase() { pool_.reset(); }

  void aFolderListsItsCasesAndLoadsTheChosenOne() {
    auto session = makeSession();
    changes_.clear();
    session->open(files_[1]); // a file opens its folder on that case
    QCOMPARE(int(session->cases().size()), 3);
    QCOMPARE(session->currentCase(), 1);
    QVERIFY(session->isLoadingCase());
    QVERIFY(pollUntil(*session, [&] {
      return session->loadedCase() &&
             std::all_of(session->cases().begin(), session->cases().end(),
                         [](const auto& c) { return c.classes.has_value(); });
    }));
    QCOMPARE(session->loadedCase()->path, files_[1]);
    QCOMPARE(int(session->loadedCase()->present.count()), kHeartClasses);
    for (const auto& entry : session->cases())
      QCOMPARE(int(entry.classes->count()), kHeartClasses);
    // Two selections in a row: the second is what is shown.
    session->selectCase(0);
    session->selectCase(2);
    QVERIFY(pollUntil(*session, [&] { return !session->isLoadingCase(); }));
    QCOMPARE(session->loadedCase()->path, files_[2]);
    QCOMPARE(session->currentCase(), 2);
    // An unknown class map is refused before anything changes.
    QVERIFY_THROWS_EXCEPTION(InputError, session->setClassMap("heart11"));
    QCOMPARE(session->classMap(), std::string("heart10"));
    QVERIFY_THROWS_EXCEPTION(InputError, session->open(test::freshDir("shapes-session-empty")));
  }

  void anUnreadableCaseShowsNoOtherCase() {
    const std::string dir = test::freshDir("shapes-session-broken");
    fs::copy_file(files_[0], dir + "/a.nii.gz");
    test::writeText(dir + "/b.nii.gz", "not a gzip stream at all");
    auto session = makeSession();
    session->open(dir);
    QVERIFY(pollUntil(*session, [&] { return session->loadedCase() != nullptr; }));
    changes_.clear();
    session->selectCase(1);
    QVERIFY(pollUntil(*session, [&] { return !session->isLoadingCase(); }));
    QVERIFY(session->loadedCase() == nullptr); // not the previous case under the new name
    QVERIFY(!session->cases()[1].error.empty());
    QCOMPARE(changes_.back().kind, ShapesSession::Change::CaseCleared);
    QVERIFY(!changes_.back().ok);
    std::string why;
    QVERIFY(!session->canComplete(&why));
    QCOMPARE(why, std::string("Open a case first"));
  }

  void prepareTrainOnceAtATimeCompleteAndSave() {
    auto session = makeSession();
    session->open(hearts_);
    QVERIFY(pollUntil(*session, [&] { return session->loadedCase() != nullptr; }));
    QCOMPARE(ShapesSession::defaultPreparedDir(hearts_), root_ + "/hearts-prepared");
    auto prepare = session->startPreparation(hearts_, ShapesSession::defaultPreparedDir(hearts_));
    QVERIFY(pollUntil(
        *session, [&] { return prepare->finished() && !session->poll(); }, 300));
    QVERIFY2(prepare->state() == JobState::Succeeded, prepare->errorMessage().c_str());
    QCOMPARE(session->preparedDir(), root_ + "/hearts-prepared");

    const std::vector<std::string> tiny = {"trainer.epochs=1",     "model.width=32",
                                           "model.latents=16",     "model.depth=1",
                                           "model.heads=2",        "data.input_points=256",
                                           "data.queries=256",     "data.cached_queries=2048",
                                           "data.val_queries=512", "trainer.threads=1"};
    changes_.clear();
    auto training = session->startTraining(1, session->preparedDir(), "", tiny);
    QVERIFY(session->isTraining());
    QVERIFY(session->lastRunDir().rfind(root_ + "/runs/shapes-p1-", 0) == 0);
    QCOMPARE(changes_.front().kind, ShapesSession::Change::RunStarted);
    QVERIFY_THROWS_EXCEPTION(InputError,
                             session->startTraining(1, session->preparedDir(), "", tiny));
    QVERIFY(pollUntil(
        *session, [&] { return training->finished() && !session->poll(); }, 300));
    QVERIFY2(training->state() == JobState::Succeeded, training->errorMessage().c_str());
    QCOMPARE(session->checkpoint(), session->lastRunDir() + "/checkpoints/best.pt");
    QCOMPARE(session->initCheckpointFor(2, session->preparedDir()), session->checkpoint());

    // Complete the loaded case from its chambers; the result is scored against the case.
    session->setInputClasses(classSetOf(std::vector<int>{1, 2, 3, 4, 5}));
    QVERIFY(session->canComplete());
    auto completion = session->startCompletion(48);
    QVERIFY(pollUntil(
        *session, [&] { return session->completion() != nullptr; }, 300));
    QVERIFY2(completion->state() == JobState::Succeeded, completion->errorMessage().c_str());
    const auto& scored = *session->completion();
    QCOMPARE(scored.hidden,
             session->loadedCase()->present & ~classSetOf(std::vector<int>{1, 2, 3, 4, 5}));
    QCOMPARE(int(scored.scores.size()), kHeartClasses);
    QCOMPARE(scored.result.labels.geometry.size, session->loadedCase()->labels.geometry.size);
    // Saving writes the label map and its meshes beside it.
    const std::string out = root_ + "/completed/case.nii.gz";
    auto save = session->saveCompletion(out);
    QVERIFY(save->wait(std::chrono::seconds(60)));
    QVERIFY2(save->state() == JobState::Succeeded, save->errorMessage().c_str());
    QVERIFY(readLabelVolume(out).values == scored.result.labels.values);
    QVERIFY(fs::is_directory(ShapesSession::meshFolderFor(out)));
    QCOMPARE(ShapesSession::meshFolderFor(out), root_ + "/completed/case_meshes");

    // A new session over the same folder finds that model by itself.
    auto again = makeSession();
    again->open(hearts_);
    QCOMPARE(again->checkpoint(), session->checkpoint());
    QCOMPARE(again->preparedDir(), session->preparedDir());
  }
};

QTEST_GUILESS_MAIN(TestShapesSession)
#include "TestShapesSession.moc"
