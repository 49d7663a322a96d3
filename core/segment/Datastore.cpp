#include "segment/Datastore.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "common/Files.h"
#include "common/Log.h"
#include "common/Text.h"
#include "segment/DatastoreLock.h"
#include "segment/DatastoreNames.h"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <set>
#include <sys/stat.h>

namespace fs = std::filesystem;

namespace lumen::segment {
namespace {

const char* const kJsonName = "datastore_v2.json";
const char* const kLockName = ".lock";

// A folder or file modified this recently may change again within the same timestamp tick (file
// times are only as fine as the kernel's clock tick), so its stamp is not trusted until it ages.
constexpr int64_t kRacyNanoseconds = int64_t(2) * 1000 * 1000 * 1000;

int64_t wallNanoseconds() {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  return int64_t(now.tv_sec) * 1000000000 + now.tv_nsec;
}

void requireRelativeFolder(const std::string& value, const char* option) {
  const fs::path path(value);
  bool climbs = false;
  for (const auto& part : path)
    climbs = climbs || part == "..";
  if (value.empty() || path.is_absolute() || climbs)
    throw InputError(std::string("datastore option ") + option + " '" + value +
                     "': expected a folder inside the study folder");
}

// Files matching the patterns in one folder, id -> extension, sorted by name. When two files give
// one id (a.nii and a.nii.gz) the one `recorded` names wins, else the first by name.
std::map<std::string, std::string>
listByIds(const std::string& folder, const std::vector<std::string>& patterns,
          const std::function<std::string(const std::string& id)>& recorded,
          std::vector<std::string>& clashes) {
  std::vector<std::string> names;
  std::error_code error;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    std::error_code typeError;
    if (!matchesImagePattern(name, patterns) || !it->is_regular_file(typeError))
      continue;
    if (isValidUtf8(name))
      names.push_back(name);
    else
      clashes.push_back(folder + " has a file whose name is not UTF-8 text; ignored (JSON "
                                 "cannot name it)");
  }
  std::sort(names.begin(), names.end());
  std::map<std::string, std::string> ids;
  for (const auto& name : names) {
    const std::string id = idOfFileName(name, patterns);
    const std::string ext = fileExtension(name, patterns);
    if (id.empty())
      continue;
    const auto [it, added] = ids.emplace(id, ext);
    if (added)
      continue;
    if (recorded(id) == ext)
      it->second = ext;
    clashes.push_back(folder + ": " + id + ext + " and " + id + it->second +
                      " both give image id '" + id + "'; using " + id + it->second);
  }
  return ids;
}

std::vector<std::string> subfolders(const std::string& folder) {
  std::vector<std::string> names;
  std::error_code error;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    std::error_code typeError;
    if (!name.empty() && name[0] != '.' && isValidUtf8(name) && it->is_directory(typeError))
      names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool isFile(const std::string& path) {
  std::error_code error;
  return fs::is_regular_file(path, error);
}

void removeFile(const std::string& path) {
  std::error_code error;
  fs::remove(path, error);
  if (error)
    throw IoError("cannot delete " + path + ": " + error.message());
}

Json infoWith(const Json& info, int64_t ts, const std::string& name, const char* what) {
  if (!info.is_object())
    throw InputError(std::string(what) + " info: expected a JSON object, got " + info.type_name());
  Json merged = info;
  merged["ts"] = ts;
  merged["name"] = name;
  return merged;
}

// The source copied beside its destination under a name no pattern lists, ready to be renamed in
// under the lock: a large image is copied without holding up every other request.
class StagedFile {
public:
  StagedFile(const std::string& source, const std::string& destination)
      : destination_(destination), temp_(uniqueTemporaryPath(destination, ".partial")) {
    std::error_code error;
    fs::create_directories(fs::path(destination).parent_path(), error);
    fs::copy_file(source, temp_, fs::copy_options::overwrite_existing, error);
    if (error) {
      fs::remove(temp_, error);
      throw IoError("cannot copy " + source + " to " + destination + ": " + error.message());
    }
    syncFile(temp_);
  }
  ~StagedFile() {
    if (!committed_) {
      std::error_code ignored;
      fs::remove(temp_, ignored);
    }
  }
  void commit() {
    commitTemporaryFile(temp_, destination_);
    committed_ = true;
  }

private:
  std::string destination_, temp_;
  bool committed_ = false;
};

} // namespace

struct Datastore::Stamp {
  std::string path;
  bool exists = false;
  bool racy = false;
  uint64_t device = 0, inode = 0;
  int64_t size = 0, mtimeNs = 0;

  bool sameAs(const Stamp& other) const {
    return !racy && !other.racy && path == other.path && exists == other.exists &&
           device == other.device && inode == other.inode && size == other.size &&
           mtimeNs == other.mtimeNs;
  }
};

struct Datastore::State {
  Json document;
  std::vector<Stamp> stamps;     // the JSON and folders as the document last reflected them
  std::vector<std::string> tags; // the tag folders found at the last reconciliation
  std::vector<std::string> warnings;
  std::set<std::string> warned;
};

std::optional<double> ImageRecord::uncertainFraction() const {
  const auto it = info.find("uncertain_fraction");
  if (it == info.end() || !it->is_number())
    return std::nullopt;
  return it->get<double>();
}

int64_t ImageRecord::lastServed() const {
  int64_t latest = 0;
  const auto strategies = info.find("strategy");
  if (strategies == info.end() || !strategies->is_object())
    return 0;
  for (const auto& [name, record] : strategies->items())
    if (record.is_object() && record.contains("ts") && record["ts"].is_number())
      latest = std::max(latest, int64_t(record["ts"].get<double>()));
  return latest;
}

Json DatastoreStats::toJson() const {
  Json tags = Json::object();
  for (const auto& [tag, count] : labelTags)
    tags[tag] = count;
  return Json{{"total", total}, {"completed", completed}, {"label_tags", tags}};
}

Datastore::Datastore(const std::string& folder, DatastoreOptions options)
    : options_(std::move(options)), state_(std::make_unique<State>()) {
  requireFolder(folder, "a study folder");
  folder_ = fs::absolute(folder).lexically_normal().string();
  while (folder_.size() > 1 && folder_.back() == '/')
    folder_.pop_back();
  requireRelativeFolder(options_.imagesDir, "images_dir");
  requireRelativeFolder(options_.labelsDir, "labels_dir");
  if (options_.patterns.empty())
    options_.patterns = defaultImagePatterns();
  std::error_code error;
  for (const auto& tag : {kFinalTag, kOriginalTag}) {
    fs::create_directories(fs::path(labelsFolder()) / tag, error);
    if (error)
      throw IoError("cannot create " + labelsFolder() + "/" + tag + ": " + error.message());
  }
  std::lock_guard guard(mutex_);
  syncLocked(true);
}

Datastore::~Datastore() = default;

std::string Datastore::jsonPath() const {
  return folder_ + "/" + kJsonName;
}

int64_t Datastore::now() const {
  return options_.clock ? options_.clock() : int64_t(std::time(nullptr));
}

std::string Datastore::imagesFolder() const {
  return (fs::path(folder_) / options_.imagesDir).lexically_normal().string();
}

std::string Datastore::labelsFolder() const {
  return (fs::path(folder_) / options_.labelsDir).lexically_normal().string();
}

std::string Datastore::imagePath(const std::string& id, const std::string& ext) const {
  return (fs::path(imagesFolder()) / (id + ext)).string();
}

std::string Datastore::labelPath(const std::string& tag, const std::string& id,
                                 const std::string& ext) const {
  return (fs::path(labelsFolder()) / tag / (id + ext)).string();
}

std::string Datastore::joinPatterns() const {
  return joinLimited(options_.patterns, 12);
}

void Datastore::warn(const std::string& message) {
  if (!state_->warned.insert(message).second)
    return;
  state_->warnings.push_back(message);
  logWarning(message);
}

std::vector<Datastore::Stamp> Datastore::currentStamps() const {
  std::vector<std::string> paths{jsonPath(), imagesFolder(), labelsFolder()};
  for (const auto& tag : state_->tags)
    paths.push_back(labelsFolder() + "/" + tag);
  const int64_t wall = wallNanoseconds();
  std::vector<Stamp> stamps;
  for (auto& path : paths) {
    Stamp stamp;
    stamp.path = std::move(path);
    struct stat info {};
    if (::stat(stamp.path.c_str(), &info) == 0) {
      stamp.exists = true;
      stamp.device = uint64_t(info.st_dev);
      stamp.inode = uint64_t(info.st_ino);
      stamp.size = int64_t(info.st_size);
      stamp.mtimeNs = int64_t(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
      stamp.racy = wall - stamp.mtimeNs < kRacyNanoseconds;
    }
    stamps.push_back(std::move(stamp));
  }
  return stamps;
}

void Datastore::syncLocked(bool force) {
  if (!force) {
    const auto stamps = currentStamps();
    bool same = stamps.size() == state_->stamps.size();
    for (size_t i = 0; same && i < stamps.size(); ++i)
      same = stamps[i].sameAs(state_->stamps[i]);
    if (same)
      return;
  }
  DatastoreLock lock(folder_ + "/" + kLockName, options_.lockTimeoutSeconds);
  reloadUnderFileLock(force);
}

void Datastore::reloadUnderFileLock(bool force) {
  if (!force && !state_->stamps.empty()) {
    const auto stamps = currentStamps();
    bool same = stamps.size() == state_->stamps.size();
    for (size_t i = 0; same && i < stamps.size(); ++i)
      same = stamps[i].sameAs(state_->stamps[i]);
    if (same)
      return;
  }
  const std::string path = jsonPath();
  DocumentRead read = readDatastoreDocument(path, options_.maxJsonBytes);
  bool write = false;
  Json document;
  if (!read.exists) {
    document = newDatastoreDocument(options_.imagesDir, options_.labelsDir);
    write = true;
  } else if (!read.problem.empty()) {
    const std::string message = path + ": " + read.problem;
    if (!options_.recoverCorruptJson)
      throw InputError(message + " (left untouched; fix or move it away to start afresh)");
    const std::string backup = keepCorruptDocument(path);
    warn(message + "; kept it as " + backup +
         " and rebuilt the datastore from the files in the folder (the label info is in the "
         "backup)");
    document = newDatastoreDocument(options_.imagesDir, options_.labelsDir);
    write = true;
  } else {
    document = std::move(read.document);
  }
  // The folders are this datastore's configuration, as MONAI Label's are its constructor's.
  for (const auto& [key, value] :
       {std::pair<const char*, const std::string&>{"images_dir", options_.imagesDir},
        {"labels_dir", options_.labelsDir}})
    if (!document.contains(key) || document[key] != value) {
      document[key] = value;
      write = true;
    }
  write = reconcile(document) || write;
  if (write)
    writeDocument(document);
  state_->document = std::move(document);
  state_->stamps = currentStamps();
}

bool Datastore::reconcile(Json& document) {
  Json& objects = document["objects"];
  const int64_t ts = now();
  bool changed = false;
  std::vector<std::string> clashes;
  auto recordedImageExt = [&](const std::string& id) {
    const auto it = objects.find(id);
    return it == objects.end() ? std::string() : (*it)["image"]["ext"].get<std::string>();
  };
  const auto onDisk = listByIds(imagesFolder(), options_.patterns, recordedImageExt, clashes);

  // MONAI Label drops an entry whose file is gone and adds one for each new file; an image whose
  // extension changed (a.nii replaced by a.nii.gz) is both.
  std::vector<std::string> gone;
  for (const auto& [id, entry] : objects.items())
    if (!isFile(imagePath(id, entry["image"]["ext"].get<std::string>())))
      gone.push_back(id);
  for (const auto& id : gone)
    objects.erase(id);
  changed = changed || !gone.empty();
  for (const auto& [id, ext] : onDisk) {
    if (objects.contains(id))
      continue;
    // MONAILABEL.md gives {ts, name} without saying which time; the time of registration, as for
    // an upload.
    objects[id] =
        Json{{"image", Json{{"ext", ext}, {"info", Json{{"ts", ts}, {"name", id + ext}}}}},
             {"labels", Json::object()}};
    changed = true;
  }

  state_->tags = subfolders(labelsFolder());
  for (auto& [id, entry] : objects.items()) {
    Json& labels = entry["labels"];
    std::vector<std::string> missing;
    for (const auto& [tag, label] : labels.items())
      if (!isFile(labelPath(tag, id, label["ext"].get<std::string>())))
        missing.push_back(tag);
    for (const auto& tag : missing)
      labels.erase(tag);
    changed = changed || !missing.empty();
  }
  for (const auto& tag : state_->tags) {
    const std::string folder = labelsFolder() + "/" + tag;
    auto recordedLabelExt = [&](const std::string& id) {
      const auto it = objects.find(id);
      if (it == objects.end() || !(*it)["labels"].contains(tag))
        return std::string();
      return (*it)["labels"][tag]["ext"].get<std::string>();
    };
    for (const auto& [id, ext] : listByIds(folder, options_.patterns, recordedLabelExt, clashes)) {
      const auto it = objects.find(id);
      if (it == objects.end()) {
        warn(folder + "/" + id + ext + " labels no image of the datastore; ignored");
        continue;
      }
      Json& labels = (*it)["labels"];
      if (labels.contains(tag))
        continue;
      labels[tag] = Json{{"ext", ext}, {"info", Json{{"ts", ts}, {"name", id + ext}}}};
      changed = true;
    }
  }
  for (const auto& clash : clashes)
    warn(clash);
  return changed;
}

void Datastore::writeDocument(const Json& document) {
  writeFileAtomically(jsonPath(), serializeDatastoreDocument(document));
}

void Datastore::mutateLocked(const std::function<bool(Json&)>& change) {
  DatastoreLock lock(folder_ + "/" + kLockName, options_.lockTimeoutSeconds);
  // Read-modify-write under the lock: another writer's change since our last look is read first.
  reloadUnderFileLock(false);
  Json document = state_->document;
  // Written before it becomes the state, so a failed write leaves memory and disk alike.
  if (change(document)) {
    writeDocument(document);
    state_->document = std::move(document);
  }
  state_->stamps = currentStamps();
}

Json& Datastore::entryOf(const std::string& id) {
  Json& objects = state_->document["objects"];
  const auto it = objects.find(id);
  if (it == objects.end())
    throw InputError("no image '" + id + "' in the datastore " + jsonPath());
  return *it;
}

ImageRecord Datastore::recordOf(const std::string& id, const Json& entry) const {
  ImageRecord record;
  record.id = id;
  record.ext = entry["image"]["ext"].get<std::string>();
  record.path = imagePath(id, record.ext);
  record.info = entry["image"]["info"];
  for (const auto& [tag, label] : entry["labels"].items()) {
    LabelRecord l;
    l.tag = tag;
    l.ext = label["ext"].get<std::string>();
    l.path = labelPath(tag, id, l.ext);
    l.info = label["info"];
    record.labels.emplace(tag, std::move(l));
  }
  return record;
}

void Datastore::refresh() {
  std::lock_guard guard(mutex_);
  syncLocked(true);
}

std::vector<ImageRecord> Datastore::images() {
  std::lock_guard guard(mutex_);
  syncLocked(false);
  std::vector<ImageRecord> records;
  for (const auto& [id, entry] : state_->document["objects"].items())
    records.push_back(recordOf(id, entry));
  std::sort(records.begin(), records.end(),
            [](const ImageRecord& a, const ImageRecord& b) { return a.id < b.id; });
  return records;
}

std::optional<ImageRecord> Datastore::image(const std::string& id) {
  std::lock_guard guard(mutex_);
  syncLocked(false);
  const Json& objects = state_->document["objects"];
  const auto it = objects.find(id);
  if (it == objects.end())
    return std::nullopt;
  return recordOf(id, *it);
}

std::vector<std::string> Datastore::unlabeledImageIds() {
  std::vector<std::string> ids;
  for (const auto& record : images())
    if (!record.completed())
      ids.push_back(record.id);
  return ids;
}

DatastoreStats Datastore::stats() {
  DatastoreStats stats;
  for (const auto& record : images()) {
    ++stats.total;
    stats.completed += record.completed() ? 1 : 0;
    for (const auto& [tag, label] : record.labels)
      ++stats.labelTags[tag];
  }
  return stats;
}

Json Datastore::document() {
  std::lock_guard guard(mutex_);
  syncLocked(false);
  return state_->document;
}

std::vector<std::pair<std::string, std::string>> Datastore::trainingPairs() {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& record : images())
    if (record.completed())
      pairs.emplace_back(record.path, record.labels.at(kFinalTag).path);
  return pairs;
}

std::string Datastore::addImage(const std::string& source, std::string id, const Json& info,
                                const std::string& fileName) {
  requireFile(source, "an image file");
  const std::string name = fs::path(fileName.empty() ? source : fileName).filename().string();
  if (id.empty())
    id = idOfUploadName(name);
  requireSafeId(id);
  const std::string ext = fileExtension(name, options_.patterns);
  if (!matchesImagePattern(id + ext, options_.patterns))
    throw InputError("image file name '" + name + "': its extension '" + ext +
                     "' is not one the datastore lists (" + joinPatterns() + ")");
  const Json recorded = infoWith(info, now(), id + ext, "image");
  StagedFile staged(source, imagePath(id, ext));
  std::lock_guard guard(mutex_);
  mutateLocked([&](Json& document) {
    Json& objects = document["objects"];
    staged.commit();
    Json labels = Json::object();
    if (const auto it = objects.find(id); it != objects.end()) {
      const std::string oldExt = (*it)["image"]["ext"].get<std::string>();
      if (oldExt != ext)
        removeFile(imagePath(id, oldExt));
      labels = (*it)["labels"];
    }
    objects[id] = Json{{"image", Json{{"ext", ext}, {"info", recorded}}}, {"labels", labels}};
    return true;
  });
  return id;
}

void Datastore::removeImage(const std::string& id) {
  std::lock_guard guard(mutex_);
  mutateLocked([&](Json& document) {
    Json& objects = document["objects"];
    const auto it = objects.find(id);
    if (it == objects.end())
      throw InputError("no image '" + id + "' in the datastore " + jsonPath());
    for (const auto& [tag, label] : (*it)["labels"].items())
      removeFile(labelPath(tag, id, label["ext"].get<std::string>()));
    removeFile(imagePath(id, (*it)["image"]["ext"].get<std::string>()));
    objects.erase(it);
    return true;
  });
}

void Datastore::updateImageInfo(const std::string& id, const Json& info) {
  if (!info.is_object())
    throw InputError("image info: expected a JSON object, got " + std::string(info.type_name()));
  std::lock_guard guard(mutex_);
  mutateLocked([&](Json& document) {
    const auto it = document["objects"].find(id);
    if (it == document["objects"].end())
      throw InputError("no image '" + id + "' in the datastore " + jsonPath());
    (*it)["image"]["info"].update(info);
    return true;
  });
}

LabelRecord Datastore::saveLabel(const std::string& imageId, const std::string& source,
                                 const std::string& tag, const Json& info,
                                 const std::string& fileName) {
  requireSafeTag(tag);
  requireFile(source, "a label file");
  const std::string name = fs::path(fileName.empty() ? source : fileName).filename().string();
  const std::string ext = fileExtension(name, options_.patterns);
  if (!matchesImagePattern(imageId + ext, options_.patterns))
    throw InputError("label file name '" + name + "': its extension '" + ext +
                     "' is not one the datastore lists (" + joinPatterns() + ")");
  const Json recorded = infoWith(info, now(), imageId + ext, "label");
  {
    // Refused before the copy, so an unknown image costs no copying.
    std::lock_guard guard(mutex_);
    syncLocked(false);
    entryOf(imageId);
  }
  StagedFile staged(source, labelPath(tag, imageId, ext));
  std::lock_guard guard(mutex_);
  mutateLocked([&](Json& document) {
    const auto it = document["objects"].find(imageId);
    if (it == document["objects"].end())
      throw InputError("no image '" + imageId + "' in the datastore " + jsonPath() +
                       " (it was removed while the label was copied)");
    staged.commit();
    Json& labels = (*it)["labels"];
    if (labels.contains(tag)) {
      const std::string oldExt = labels[tag]["ext"].get<std::string>();
      if (oldExt != ext)
        removeFile(labelPath(tag, imageId, oldExt));
    }
    labels[tag] = Json{{"ext", ext}, {"info", recorded}};
    if (tag == kOriginalTag && recorded.contains("params") && recorded["params"].is_object()) {
      const Json& params = recorded["params"];
      if (params.contains("uncertain_fraction") && params["uncertain_fraction"].is_number()) {
        Json& imageInfo = (*it)["image"]["info"];
        imageInfo["uncertain_fraction"] = params["uncertain_fraction"];
        imageInfo["uncertain_ts"] = recorded["ts"];
      }
    }
    return true;
  });
  return recordOf(imageId, entryOf(imageId)).labels.at(tag);
}

std::optional<LabelRecord> Datastore::label(const std::string& imageId, const std::string& tag) {
  const auto record = image(imageId);
  if (!record || !record->labels.count(tag))
    return std::nullopt;
  return record->labels.at(tag);
}

bool Datastore::removeLabel(const std::string& imageId, const std::string& tag) {
  bool removed = false;
  std::lock_guard guard(mutex_);
  mutateLocked([&](Json& document) {
    const auto it = document["objects"].find(imageId);
    if (it == document["objects"].end() || !(*it)["labels"].contains(tag))
      return false;
    Json& labels = (*it)["labels"];
    removeFile(labelPath(tag, imageId, labels[tag]["ext"].get<std::string>()));
    labels.erase(tag);
    removed = true;
    return true;
  });
  return removed;
}

void Datastore::updateLabelInfo(const std::string& imageId, const std::string& tag,
                                const Json& info) {
  if (!info.is_object())
    throw InputError("label info: expected a JSON object, got " + std::string(info.type_name()));
  std::lock_guard guard(mutex_);
  mutateLocked([&](Json& document) {
    const auto it = document["objects"].find(imageId);
    if (it == document["objects"].end() || !(*it)["labels"].contains(tag))
      throw InputError("no label '" + tag + "' for image '" + imageId + "' in the datastore " +
                       jsonPath());
    (*it)["labels"][tag]["info"].update(info);
    return true;
  });
}

ImageRecord Datastore::recordServed(const std::string& id, const std::string& strategy,
                                    const std::string& clientId) {
  std::lock_guard guard(mutex_);
  mutateLocked([&](Json& document) {
    const auto it = document["objects"].find(id);
    if (it == document["objects"].end())
      throw InputError("no image '" + id + "' in the datastore " + jsonPath());
    Json& info = (*it)["image"]["info"];
    if (!info.contains("strategy") || !info["strategy"].is_object())
      info["strategy"] = Json::object();
    info["strategy"][strategy] =
        Json{{"ts", now()}, {"client_id", clientId.empty() ? Json() : Json(clientId)}};
    return true;
  });
  return recordOf(id, entryOf(id));
}

void Datastore::recordUncertainFraction(const std::string& id, double fraction) {
  if (!(fraction >= 0 && fraction <= 1))
    throw InputError("uncertain fraction of image '" + id + "': expected a number in [0, 1], got " +
                     std::to_string(fraction));
  std::lock_guard guard(mutex_);
  mutateLocked([&](Json& document) {
    const auto it = document["objects"].find(id);
    if (it == document["objects"].end())
      throw InputError("no image '" + id + "' in the datastore " + jsonPath());
    Json& info = (*it)["image"]["info"];
    info["uncertain_fraction"] = fraction;
    info["uncertain_ts"] = now();
    return true;
  });
}

std::vector<std::string> Datastore::warnings() {
  std::lock_guard guard(mutex_);
  return state_->warnings;
}

} // namespace lumen::segment
