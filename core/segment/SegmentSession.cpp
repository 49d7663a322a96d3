#include "segment/SegmentSession.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "io/CtVolumeIO.h"
#include "segment/Datastore.h"
#include "segment/SegmentationBackends.h"

#include <algorithm>
#include <filesystem>

namespace lumen {

SegmentSession::SegmentSession(Submit submit)
    : submit_(std::move(submit)), backend_(makeSegmentationBackend(backendName_)) {}

SegmentSession::~SegmentSession() {
  if (running_)
    running_->requestCancel();
  if (loading_)
    loading_->requestCancel();
}

void SegmentSession::notify(Change::Kind kind, const std::string& message) {
  if (listener_)
    listener_({kind, message});
}

void SegmentSession::openImage(const std::string& path, const std::string& seriesUid,
                               const std::string& imageId) {
  if (loading_)
    loading_->requestCancel();
  auto volume = std::make_shared<std::shared_ptr<const CtVolume>>();
  const uint64_t load = ++loadGeneration_;
  loading_ = submit_(makeJob(
                         "Open " + std::filesystem::path(path).filename().string(),
                         [volume, path, seriesUid](Job&) {
                           *volume =
                               std::make_shared<const CtVolume>(readCtVolume(path, {}, seriesUid));
                         },
                         JobPriority::Interactive),
                     false);
  notify(Change::ImageLoading, path);
  followUps_.whenFinished(loading_, [this, volume, path, imageId, load](const Job& job) {
    if (load != loadGeneration_)
      return; // a newer image was asked for
    loading_.reset();
    if (job.state() != JobState::Succeeded) {
      notify(Change::ImageFailed, job.errorMessage());
      return;
    }
    if (running_)
      running_->requestCancel();
    running_.reset();
    image_ = *volume;
    imagePath_ = path;
    imageId_ = imageId;
    points_.clear();
    undo_.clear();
    redo_.clear();
    result_.reset();
    ++generation_;
    notify(Change::ImageLoaded, path);
  });
}

void SegmentSession::addPoint(const PromptPoint& point) {
  if (!image_)
    throw InputError("open an image before placing points");
  if (!image_->geometry.contains(point.ijk[0], point.ijk[1], point.ijk[2]))
    throw InputError("point (" + std::to_string(point.ijk[0]) + ", " +
                     std::to_string(point.ijk[1]) + ", " + std::to_string(point.ijk[2]) +
                     ") lies outside the image");
  auto before = points_;
  points_.push_back(point);
  edited(std::move(before));
}

void SegmentSession::movePoint(size_t index, const VoxelIndex& ijk) {
  if (index >= points_.size())
    throw InputError("there is no point " + std::to_string(index + 1));
  if (!image_->geometry.contains(ijk[0], ijk[1], ijk[2]))
    throw InputError("a point cannot move outside the image");
  auto before = points_;
  points_[index].ijk = ijk;
  edited(std::move(before));
}

void SegmentSession::removePoint(size_t index) {
  if (index >= points_.size())
    throw InputError("there is no point " + std::to_string(index + 1));
  auto before = points_;
  points_.erase(points_.begin() + long(index));
  edited(std::move(before));
}

void SegmentSession::clearPoints() {
  if (points_.empty())
    return;
  auto before = points_;
  points_.clear();
  edited(std::move(before));
}

void SegmentSession::undo() {
  if (undo_.empty())
    return;
  redo_.push_back(points_);
  points_ = undo_.back();
  undo_.pop_back();
  notify(Change::PromptsChanged);
  request();
}

void SegmentSession::redo() {
  if (redo_.empty())
    return;
  undo_.push_back(points_);
  points_ = redo_.back();
  redo_.pop_back();
  notify(Change::PromptsChanged);
  request();
}

void SegmentSession::edited(std::vector<PromptPoint> before) {
  undo_.push_back(std::move(before));
  redo_.clear();
  notify(Change::PromptsChanged);
  request();
}

void SegmentSession::setBackend(const std::string& name) {
  backend_ = makeSegmentationBackend(name, sources_);
  backendName_ = name;
  request();
}

void SegmentSession::setBackendSources(const BackendSources& sources) {
  // The classical backend needs no model; a learned one must load from the new place or the
  // session falls back to classical rather than keep a model of another study (a missing model,
  // or a file of another kind: a TorchScript plug-in is no propagator checkpoint).
  sources_ = sources;
  try {
    backend_ = makeSegmentationBackend(backendName_, sources_);
  } catch (const Error&) {
    backendName_ = "classical";
    backend_ = makeSegmentationBackend(backendName_, sources_);
  }
  request();
}

void SegmentSession::setCombination(PassCombination combination) {
  combination_ = combination;
  request();
}

void SegmentSession::request() {
  const uint64_t generation = ++generation_;
  if (running_)
    running_->requestCancel(); // superseded
  running_.reset();
  if (!image_)
    return;
  const bool anyPositive =
      std::any_of(points_.begin(), points_.end(), [](const PromptPoint& p) { return p.positive; });
  if (!anyPositive) {
    result_.reset(); // nothing to segment: no mask, not an error
    notify(Change::Segmented);
    return;
  }
  SegmentationRequest request;
  request.points = points_;
  request.combination = combination_;
  auto out = std::make_shared<SegmentationResult>();
  const auto image = image_;
  const auto backend = backend_;
  running_ = submit_(makeJob(
                         "Segment",
                         [out, image, backend, request](Job& job) {
                           *out = segmentWithPrompts(*image, request, *backend, &job);
                         },
                         JobPriority::Interactive),
                     false);
  notify(Change::Segmenting);
  followUps_.whenFinished(running_, [this, out, generation](const Job& job) {
    if (generation != generation_)
      return; // the prompts changed since: a newer request is on its way
    running_.reset();
    if (job.state() != JobState::Succeeded) {
      notify(Change::SegmentFailed, job.errorMessage());
      return;
    }
    result_ = out;
    resultGeneration_ = generation;
    if (out->error.empty())
      notify(Change::Segmented);
    else
      notify(Change::SegmentFailed, out->error);
  });
}

JobPtr SegmentSession::accept(std::shared_ptr<segment::Datastore> store,
                              const std::string& labelName) {
  if (!resultIsCurrent() || !result_->error.empty() || result_->voxels() == 0)
    throw InputError("there is no mask of the current points to accept");
  if (imageId_.empty())
    throw InputError("the image is not part of a study folder; save the mask as a file instead");
  const auto result = result_;
  const std::string id = imageId_, backend = backendName_;
  auto job = submit_(
      makeJob("Accept " + id,
              [store, result, id, backend, labelName](Job&) {
                const std::string temp = uniqueTemporaryPath(
                    (std::filesystem::temp_directory_path() / "lumen-mask").string(), ".nii.gz");
                struct Remove {
                  std::string path;
                  ~Remove() { std::filesystem::remove(path); }
                } remove{temp};
                writeLabelMask(temp, result->mask);
                const segment::Json labelInfo =
                    segment::Json::array({{{"name", labelName}, {"idx", 1}}});
                segment::Json original = {
                    {"model", backend},
                    {"label_info", labelInfo},
                    {"params", {{"uncertain_fraction", result->uncertainFraction()}}}};
                store->saveLabel(id, temp, "original", original, id + ".nii.gz");
                store->saveLabel(id, temp, "final", {{"model", backend}, {"label_info", labelInfo}},
                                 id + ".nii.gz");
              }),
      true);
  followUps_.whenFinished(job, [this, id, generation = generation_](const Job& done) {
    if (done.state() == JobState::Succeeded) {
      if (id == imageId_)
        acceptedGeneration_ = generation;
      notify(Change::Accepted, id);
    } else
      notify(Change::AcceptFailed, done.errorMessage());
  });
  return job;
}

bool SegmentSession::hasUnacceptedWork() const {
  return image_ && !points_.empty() && acceptedGeneration_ != generation_;
}

void SegmentSession::poll() {
  followUps_.run();
}

} // namespace lumen
