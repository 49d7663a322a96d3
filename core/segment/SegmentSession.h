// The Segment workspace's state and background work, without widgets (ITK-SNAP's Logic -> Model
// -> View), shared by the GUI and the service: the CT being annotated, its point prompts with
// undo and redo, the backend, the mask of the newest request, and accepting it into the study
// folder. Every change of the prompts starts a request at once; the newest wins: a request
// still running is cancelled, and a result that arrives for prompts the user has changed since
// is dropped.
//
// Jobs go through the `submit` the owner gives (the GUI's pool, a test's JobPool); their results
// are applied by poll(), on the owner's thread, which then tells the listener what changed.
#pragma once
#include "common/Job.h"
#include "common/JobFollowUps.h"
#include "segment/PromptSegmentation.h"
#include "segment/SegmentationBackends.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace lumen {

namespace segment {
class Datastore;
}
class SegmentationBackend;

class SegmentSession {
public:
  using Submit = std::function<JobPtr(JobPtr job, bool listed)>;

  struct Change {
    enum Kind {
      ImageLoading,
      ImageLoaded,
      ImageFailed,    // message
      PromptsChanged, // points, undo or redo
      Segmenting,     // a request started
      Segmented,      // result() is the mask of the current prompts
      SegmentFailed,  // message (an invalid request: result() is blank and carries the error)
      Accepted,       // message: where the label went
      AcceptFailed,   // message
    } kind;
    std::string message;
  };
  using Listener = std::function<void(const Change&)>;

  explicit SegmentSession(Submit submit);
  ~SegmentSession();
  void setListener(Listener listener) { listener_ = std::move(listener); }

  // Loads a CT (any format readCtVolume reads; a DICOM folder's series by uid) as a job; the
  // prompts, undo history and mask of the previous image are cleared once it is loaded. `imageId`
  // is its id in a study folder, for accept().
  void openImage(const std::string& path, const std::string& seriesUid = {},
                 const std::string& imageId = {});
  const CtVolume* image() const { return image_.get(); }
  // The same image, for a view that must keep its voxels while it shows them.
  const std::shared_ptr<const CtVolume>& sharedImage() const { return image_; }
  const std::string& imagePath() const { return imagePath_; }
  const std::string& imageId() const { return imageId_; }
  bool isLoading() const { return loading_ != nullptr; }

  // ---- prompts: each edit is one undo step and starts a request ----
  // Throws InputError for a point outside the image or an index out of range.
  void addPoint(const PromptPoint& point);
  void movePoint(size_t index, const VoxelIndex& ijk);
  void removePoint(size_t index);
  void clearPoints();
  const std::vector<PromptPoint>& points() const { return points_; }
  bool canUndo() const { return !undo_.empty(); }
  bool canRedo() const { return !redo_.empty(); }
  void undo();
  void redo();

  // Throws InputError naming the known backends, or saying what model a learned backend lacks;
  // a change re-runs the request.
  void setBackend(const std::string& name);
  // Where learned backends find their models (the study folder's models/, a --model file); the
  // backend is reloaded from them.
  void setBackendSources(const BackendSources& sources);
  const BackendSources& backendSources() const { return sources_; }
  const std::string& backendName() const { return backendName_; }
  void setCombination(PassCombination combination);

  bool isSegmenting() const { return running_ != nullptr; }
  // The mask of the newest finished request (null before the first, and once the prompts are
  // cleared); resultIsCurrent() tells whether it belongs to the prompts shown now.
  const SegmentationResult* result() const { return result_.get(); }
  const std::shared_ptr<const SegmentationResult>& sharedResult() const { return result_; }
  bool resultIsCurrent() const { return result_ && resultGeneration_ == generation_; }

  // Saves the current mask into `store` for imageId(): as `original` (the model's output, with
  // its uncertain fraction) and as `final` with label_info [{name, idx: 1}], as a job. Throws
  // InputError when there is no current, error-free mask or no image id. The job holds `store`
  // until it ends, so the caller may let go of it at once.
  JobPtr accept(std::shared_ptr<segment::Datastore> store, const std::string& labelName);
  // Whether moving to another image would lose something: points placed (and their mask) since
  // the image was opened or last accepted.
  bool hasUnacceptedWork() const;

  // Applies what finished jobs brought; call from the owner's thread.
  void poll();
  // The follow-ups poll() runs, for an owner that runs them from its own timer (the GUI's
  // JobContinuations::watch).
  JobFollowUps& followUps() { return followUps_; }

private:
  void edited(std::vector<PromptPoint> before);
  void request();
  void notify(Change::Kind kind, const std::string& message = {});

  Submit submit_;
  Listener listener_;
  JobFollowUps followUps_;
  std::shared_ptr<const CtVolume> image_;
  std::string imagePath_, imageId_;
  JobPtr loading_, running_;
  std::vector<PromptPoint> points_;
  std::vector<std::vector<PromptPoint>> undo_, redo_;
  std::string backendName_ = "classical";
  BackendSources sources_;
  std::shared_ptr<const SegmentationBackend> backend_;
  PassCombination combination_ = PassCombination::Intersection;
  uint64_t generation_ = 0, resultGeneration_ = 0, loadGeneration_ = 0, acceptedGeneration_ = 0;
  std::shared_ptr<const SegmentationResult> result_;
};

} // namespace lumen
