// A study folder shared with MONAI Label: images, labels/<tag>/ folders and datastore_v2.json in
// exactly MONAI Label's layout (MONAILABEL.md §4), kept in step with the files on disk.
//
// One object serves many threads (an HTTP worker pool and the GUI): every call takes an internal
// mutex. Several objects, in this process or others (MONAI Label included), share the folder
// through the `.lock` flock: each change re-reads the JSON under the lock when it changed on disk,
// applies itself and writes the file atomically, so no one's write is lost. Changes made by others
// (files copied in or deleted, the JSON rewritten) are noticed by each call from the modification
// times of the JSON and the folders, and `refresh()` forces a full reconciliation.
#pragma once
#include "segment/DatastoreDocument.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace lumen::segment {

inline const std::string kFinalTag = "final";       // a label a person submitted
inline const std::string kOriginalTag = "original"; // a model's output

struct DatastoreOptions {
  std::string imagesDir = "."; // relative to the study folder, as MONAI Label's images_dir
  std::string labelsDir = "labels";
  std::vector<std::string> patterns; // empty: defaultImagePatterns()
  uint64_t maxJsonBytes = uint64_t(256) << 20;
  double lockTimeoutSeconds = 30;
  // A corrupt datastore_v2.json is renamed to a .corrupt-<time> backup and the datastore rebuilt
  // from the files (with a warning); false makes the constructor throw instead, touching nothing.
  bool recoverCorruptJson = true;
  std::function<int64_t()> clock; // seconds since the epoch for "ts" fields; empty: the system's
};

struct LabelRecord {
  std::string tag;
  std::string ext;  // the label file's own extension (".nrrd" may label a ".nii.gz" image)
  std::string path; // absolute
  Json info;        // ts, name, label_info, model, params, ...
};

struct ImageRecord {
  std::string id;
  std::string ext;
  std::string path; // absolute
  Json info;        // ts, name, strategy records, uncertain_fraction, ...
  std::map<std::string, LabelRecord> labels;

  // MONAI Label's "completed"/labeled: the image has a `final` label.
  bool completed() const { return labels.count(kFinalTag) > 0; }
  // info.uncertain_fraction, when a segmentation result recorded one.
  std::optional<double> uncertainFraction() const;
  // The latest info.strategy.<name>.ts of any strategy; 0 when never served.
  int64_t lastServed() const;
};

// GET /datastore/?output=stats.
struct DatastoreStats {
  int64_t total = 0;
  int64_t completed = 0;
  std::map<std::string, int64_t> labelTags; // only tags some image has
  Json toJson() const;
};

class Datastore {
public:
  // Opens (and creates when missing) the datastore of `folder`, an existing folder: creates
  // labels/, labels/final/ and labels/original/ and reconciles the JSON with the files.
  explicit Datastore(const std::string& folder, DatastoreOptions options = {});
  ~Datastore();
  Datastore(const Datastore&) = delete;
  Datastore& operator=(const Datastore&) = delete;

  const std::string& folder() const { return folder_; }
  std::string jsonPath() const;

  // Re-reads the JSON and lists the folders even when no modification time changed.
  void refresh();

  std::vector<ImageRecord> images(); // sorted by id
  std::optional<ImageRecord> image(const std::string& id);
  std::vector<std::string> unlabeledImageIds(); // no `final` label, sorted by id
  DatastoreStats stats();
  Json document(); // GET /datastore/?output=all
  std::vector<std::pair<std::string, std::string>>
  trainingPairs(); // ?output=train: image, final label

  // Copies `source` in as `<id><ext>` (ext from `fileName`, or from the source's name when empty)
  // atomically and records info = `info` + ts + name. An empty id takes idOfUploadName(fileName).
  // Replacing an image keeps its labels. Returns the id. Throws InputError for an unsafe id or a
  // name no image pattern matches.
  std::string addImage(const std::string& source, std::string id, const Json& info = Json::object(),
                       const std::string& fileName = "");
  // Deletes the image file, its labels and its entry. Throws InputError for an unknown id.
  void removeImage(const std::string& id);
  // Merges `info` into the image's info. Throws InputError for an unknown id.
  void updateImageInfo(const std::string& id, const Json& info);

  // Copies `source` to labels/<tag>/<id><ext> (ext from `fileName` or the source's name)
  // atomically and records info = `info` + ts + name. Throws InputError for an unknown image. A
  // saved `original` whose info.params.uncertain_fraction is a number also records it for the
  // image.
  LabelRecord saveLabel(const std::string& imageId, const std::string& source,
                        const std::string& tag = kFinalTag, const Json& info = Json::object(),
                        const std::string& fileName = "");
  std::optional<LabelRecord> label(const std::string& imageId, const std::string& tag);
  // Deletes the label file and entry; false when there was none.
  bool removeLabel(const std::string& imageId, const std::string& tag);
  // Merges `info` into the label's info. Throws InputError when there is no such label.
  void updateLabelInfo(const std::string& imageId, const std::string& tag, const Json& info);

  // info.strategy.<strategy> = {ts, client_id} (client_id null when empty), as MONAI Label records
  // a served sample. Returns the updated image.
  ImageRecord recordServed(const std::string& id, const std::string& strategy,
                           const std::string& clientId);
  // info.uncertain_fraction (in [0, 1]) and info.uncertain_ts, for uncertainty-ranked selection.
  void recordUncertainFraction(const std::string& id, double fraction);

  // What the datastore had to report: a corrupt JSON kept as a backup, orphan labels, clashing ids.
  std::vector<std::string> warnings();

  // Seconds since the epoch, from DatastoreOptions::clock: the time "ts" fields get.
  int64_t now() const;

private:
  struct Stamp;
  struct State;

  std::string imagesFolder() const;
  std::string labelsFolder() const;
  std::string imagePath(const std::string& id, const std::string& ext) const;
  std::string labelPath(const std::string& tag, const std::string& id,
                        const std::string& ext) const;
  ImageRecord recordOf(const std::string& id, const Json& entry) const;
  Json& entryOf(const std::string& id);
  std::string joinPatterns() const;

  // Brings the state up to date with the disk when a modification time says so (or `force`).
  void syncLocked(bool force);
  // Runs `change` on the up-to-date document under the folder lock and writes it when `change`
  // returns true.
  void mutateLocked(const std::function<bool(Json&)>& change);
  void reloadUnderFileLock(bool force);
  bool reconcile(Json& document);
  void writeDocument(const Json& document);
  std::vector<Stamp> currentStamps() const;
  void warn(const std::string& message);

  std::string folder_;
  DatastoreOptions options_;
  std::mutex mutex_;
  std::unique_ptr<State> state_;
};

} // namespace lumen::segment
