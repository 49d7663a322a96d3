#include "segment/StudyFolder.h"

#include "segment/DatastoreStrategies.h"
#include "workspace/JobContinuations.h"

#include <QTimer>
#include <chrono>

namespace lumen {

namespace {
// Datastore::images() re-reads only what changed on disk (modification times), so a listing
// this often costs a few stat calls.
constexpr int kRefreshMs = 3000;

// What the study panel shows of a listing, to tell whether it changed.
std::string signature(const std::vector<segment::ImageRecord>& images) {
  std::string text;
  for (const auto& image : images) {
    text += image.id + '\n' + image.info.dump() + '\n';
    for (const auto& [tag, label] : image.labels)
      text += tag + ' ' + label.info.dump() + '\n';
  }
  return text;
}
} // namespace

StudyFolder::StudyFolder(Submit submit, JobContinuations* continuations, QObject* parent)
    : QObject(parent), submit_(std::move(submit)), continuations_(continuations),
      refreshTimer_(new QTimer(this)) {
  refreshTimer_->setInterval(kRefreshMs);
  connect(refreshTimer_, &QTimer::timeout, this, &StudyFolder::onRefreshTimer);
}

StudyFolder::~StudyFolder() = default;

void StudyFolder::open(const QString& folder) {
  const uint64_t generation = ++generation_;
  struct Opened {
    std::shared_ptr<segment::Datastore> store;
    std::vector<segment::ImageRecord> images;
    std::vector<std::string> warnings;
  };
  auto out = std::make_shared<Opened>();
  auto job = submit_(makeJob(
      "Open study " + folder.toStdString(),
      [out, path = folder.toStdString()](Job&) {
        out->store = std::make_shared<segment::Datastore>(path);
        out->images = out->store->images();
        out->warnings = out->store->warnings();
      },
      JobPriority::Interactive));
  continuations_->whenFinished(job, [this, out, folder, generation](const Job& done) {
    if (generation != generation_)
      return;
    if (done.state() != JobState::Succeeded) {
      Q_EMIT failed(QString::fromStdString(done.errorMessage()));
      return;
    }
    folder_ = folder;
    store_ = out->store;
    // Seeded from the clock: "random" should differ between sessions, as MONAI Label's does.
    selector_ = std::make_shared<segment::SampleSelector>(
        *store_, uint64_t(std::chrono::steady_clock::now().time_since_epoch().count()));
    images_ = std::move(out->images);
    refreshTimer_->start();
    for (const auto& message : out->warnings)
      Q_EMIT warning(QString::fromStdString(message));
    Q_EMIT opened(folder_);
    Q_EMIT listed();
  });
}

void StudyFolder::close() {
  ++generation_;
  refreshTimer_->stop();
  folder_.clear();
  store_.reset();
  selector_.reset();
  images_.clear();
  Q_EMIT listed();
}

const segment::ImageRecord* StudyFolder::image(const QString& id) const {
  for (const auto& record : images_)
    if (record.id == id.toStdString())
      return &record;
  return nullptr;
}

void StudyFolder::refresh() {
  if (store_)
    list();
}

void StudyFolder::onRefreshTimer() {
  if (store_ && !listing_)
    list();
}

void StudyFolder::list() {
  const uint64_t generation = generation_;
  listing_ = true;
  auto images = std::make_shared<std::vector<segment::ImageRecord>>();
  auto job = submit_(makeJob(
      "List study", [images, store = store_](Job&) { *images = store->images(); },
      JobPriority::Interactive));
  continuations_->whenFinished(job, [this, images, generation](const Job& done) {
    listing_ = false;
    if (generation != generation_)
      return;
    if (done.state() != JobState::Succeeded) {
      Q_EMIT failed(QString::fromStdString(done.errorMessage()));
      return;
    }
    // The periodic listing mostly finds nothing new: the table is rebuilt only on a change.
    if (signature(*images) == signature(images_))
      return;
    images_ = std::move(*images);
    Q_EMIT listed();
  });
}

void StudyFolder::next(const QString& strategy, const QString& imageId) {
  if (!store_)
    return;
  const uint64_t generation = generation_;
  auto choice = std::make_shared<segment::SampleChoice>();
  auto job = submit_(makeJob(
      "Next sample (" + strategy.toStdString() + ")",
      [choice, selector = selector_, store = store_, strategy = strategy.toStdString(),
       id = imageId.toStdString()](Job&) {
        segment::SampleRequest request;
        request.imageId = id;
        *choice = selector->next(strategy, request);
      },
      JobPriority::Interactive));
  continuations_->whenFinished(job, [this, choice, strategy, generation](const Job& done) {
    if (generation != generation_)
      return;
    if (done.state() != JobState::Succeeded) {
      Q_EMIT failed(QString::fromStdString(done.errorMessage()));
      return;
    }
    if (!choice->found()) {
      Q_EMIT nothingToServe(QString::fromStdString(choice->reason));
      return;
    }
    Q_EMIT sampleChosen(QString::fromStdString(choice->image->id),
                        QString::fromStdString(choice->image->path), strategy);
  });
}

} // namespace lumen
