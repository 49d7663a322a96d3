#include "segment/MonaiLabelService.h"

#include "common/Error.h"
#include "common/Log.h"
#include "common/Version.h"
#include "io/CtVolumeIO.h"
#include "segment/DatastoreNames.h"
#include "segment/DatastoreStrategies.h"
#include "segment/PromptSegmentation.h"
#include "segment/SegmentationBackends.h"
#include "segment/ServiceTraining.h"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <httplib.h>
#include <map>
#include <mutex>
#include <random>
#include <unistd.h>

namespace lumen::segment {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxPoints = 1000;          // per list; Slicer resends every click of a segment
constexpr uint64_t kDownloadChunk = 1 << 20; // file replies stream in pieces this size

// An answer other than 200, with FastAPI's {"detail": ...} body.
struct HttpError : std::runtime_error {
  int status;
  HttpError(int s, const std::string& detail) : std::runtime_error(detail), status(s) {}
};

void replyJson(httplib::Response& res, const Json& body, int status = 200) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

std::string query(const httplib::Request& req, const std::string& name,
                  const std::string& fallback = "") {
  return req.has_param(name.c_str()) ? req.get_param_value(name.c_str()) : fallback;
}

// A required query value, refused as FastAPI refuses a missing one.
std::string requiredQuery(const httplib::Request& req, const std::string& name) {
  if (!req.has_param(name.c_str()))
    throw HttpError(422, "query parameter '" + name + "' is required");
  return req.get_param_value(name.c_str());
}

std::string safeId(const std::string& id) {
  try {
    requireSafeId(id);
  } catch (const InputError& e) {
    throw HttpError(400, e.what());
  }
  return id;
}

// A form field holding JSON (MONAI Label's "params" and "info"); an absent one is {}.
Json formJson(const httplib::Request& req, const std::string& name) {
  if (!req.has_file(name.c_str()))
    return Json::object();
  const auto text = req.get_file_value(name.c_str()).content;
  if (text.empty())
    return Json::object();
  Json parsed = Json::parse(text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object())
    throw HttpError(422, "form field '" + name + "' is not a JSON object");
  return parsed;
}

// The client sends its full local path as the file name; only the basename counts (MONAILABEL.md
// rule 5), whichever separator the client's system uses.
std::string uploadBaseName(const std::string& fileName) {
  const auto cut = fileName.find_last_of("/\\");
  return cut == std::string::npos ? fileName : fileName.substr(cut + 1);
}

bool isMaskExtension(const std::string& ext) {
  return ext == ".nrrd" || ext == ".nii.gz" || ext == ".nii" || ext == ".mha";
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw IoError("cannot read a file the service wrote");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A quoted filename MONAILabelUtils.get_filename can split (rule 4); quotes and backslashes,
// which would end the quoted string early, become '_'.
std::string attachment(std::string name) {
  for (char& c : name)
    if (c == '"' || c == '\\')
      c = '_';
  return "attachment; filename=\"" + name + "\"";
}

// Streams `path` with a Content-Length (no chunking) so large images never sit in memory twice.
void replyFile(httplib::Response& res, const std::string& path, const std::string& name) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec)
    throw HttpError(404, "File NOT Found or is a directory");
  res.set_header("Content-Disposition", attachment(name));
  auto stream = std::make_shared<std::ifstream>(path, std::ios::binary);
  res.set_content_provider(size, "application/octet-stream",
                           [stream](size_t offset, size_t length, httplib::DataSink& sink) {
                             std::string buffer(std::min<uint64_t>(length, kDownloadChunk), '\0');
                             stream->seekg(std::streamoff(offset));
                             stream->read(buffer.data(), std::streamsize(buffer.size()));
                             if (stream->gcount() <= 0)
                               return false;
                             return sink.write(buffer.data(), size_t(stream->gcount()));
                           });
}

// Points as [[i, j, k], ...] voxel indices (rule 6); anything else is refused, never guessed.
void appendPoints(const Json& params, const std::string& key, bool positive,
                  std::vector<PromptPoint>& out) {
  if (!params.contains(key) || params[key].is_null())
    return;
  const Json& list = params[key];
  if (!list.is_array() || list.size() > kMaxPoints)
    throw HttpError(422, "'" + key + "' must be a list of at most " + std::to_string(kMaxPoints) +
                             " [i, j, k] voxel indices");
  for (const auto& p : list) {
    if (!p.is_array() || p.size() != 3)
      throw HttpError(422, "each '" + key + "' point must be [i, j, k]");
    PromptPoint point;
    point.positive = positive;
    for (int a = 0; a < 3; ++a) {
      if (!p[a].is_number() || p[a].get<double>() != double(int64_t(p[a].get<double>())))
        throw HttpError(422, "each '" + key + "' point must be three integer voxel indices");
      point.ijk[a] = int64_t(p[a].get<double>());
    }
    out.push_back(point);
  }
}

// The multipart reply both clients expect from /infer without `output` (rules 2 and 3): `params`
// (JSON, no filename) first, then `image` with a filename that carries the extension.
std::string multipartReply(const std::string& boundary, const std::string& json,
                           const std::string& fileName, const std::string& bytes) {
  std::string body;
  body.reserve(bytes.size() + json.size() + 512);
  body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"params\"\r\n" +
          "Content-Type: application/json\r\n\r\n" + json + "\r\n";
  body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"" +
          fileName + "\"\r\nContent-Type: application/octet-stream\r\n\r\n";
  body += bytes;
  body += "\r\n--" + boundary + "--\r\n";
  return body;
}

// The log names the route only: ids, queries and file names may carry a patient identifier.
std::string routeOf(const std::string& path) {
  const auto second = path.find('/', 1);
  return second == std::string::npos ? path : path.substr(0, second + 1);
}

} // namespace

struct Session {
  std::string id, folder, image, name;
  int64_t createTs = 0, lastAccessTs = 0, expiry = 3600;
  Json toJson() const {
    return {{"name", name},           {"path", folder},        {"image", image},
            {"meta", Json::object()}, {"create_ts", createTs}, {"last_access_ts", lastAccessTs},
            {"expiry", expiry}};
  }
};

struct MonaiLabelService::Impl {
  Datastore& datastore;
  ServiceOptions options;
  SampleSelector selector;
  httplib::Server server;
  std::string scratch; // uploads and masks in flight; removed with the service
  std::atomic<uint64_t> counter{0};
  std::mutex sessionMutex;
  std::map<std::string, Session> sessions;
  std::mt19937_64 idRng{std::random_device{}()};
  std::mutex idMutex;
  ServiceTraining training;

  Impl(Datastore& d, ServiceOptions o)
      : datastore(d), options(std::move(o)), selector(d, options.seed), training(d.folder()) {
    std::mt19937_64 rng{std::random_device{}()};
    scratch = (fs::temp_directory_path() / ("lumen-serve-" + std::to_string(::getpid()) + "-" +
                                            std::to_string(rng() % 1000000)))
                  .string();
    fs::create_directories(scratch);
    fs::permissions(scratch, fs::perms::owner_all, fs::perm_options::replace);
    routes();
  }
  ~Impl() {
    std::error_code ec;
    fs::remove_all(scratch, ec);
  }

  std::string scratchFile(const std::string& ext) {
    return scratch + "/f" + std::to_string(++counter) + ext;
  }

  // Writes an uploaded file part to the scratch folder under a name with its extension.
  std::string saveUpload(const httplib::MultipartFormData& part, std::string& baseName) {
    baseName = uploadBaseName(part.filename);
    const auto path = scratchFile(fileExtension(baseName, defaultImagePatterns()));
    std::ofstream out(path, std::ios::binary);
    out.write(part.content.data(), std::streamsize(part.content.size()));
    if (!out.flush())
      throw IoError("cannot write the upload to the service's scratch folder");
    return path;
  }

  std::string newUuid() {
    std::lock_guard lock(idMutex);
    const uint64_t a = idRng(), b = idRng();
    char text[40];
    std::snprintf(text, sizeof text, "%08x-%04x-%04x-%04x-%012llx", unsigned(a >> 32),
                  unsigned((a >> 16) & 0xffff), unsigned(a & 0xffff), unsigned(b >> 48),
                  static_cast<unsigned long long>(b & 0xffffffffffffULL));
    return text;
  }

  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  // Every handler's failures become {"detail": ...} with the code FastAPI would give: InputError
  // is the request's fault (400), anything else the server's (500).
  Handler guarded(Handler handler) {
    return [handler](const httplib::Request& req, httplib::Response& res) {
      try {
        handler(req, res);
      } catch (const HttpError& e) {
        replyJson(res, {{"detail", e.what()}}, e.status);
      } catch (const InputError& e) {
        replyJson(res, {{"detail", e.what()}}, 400);
      } catch (const std::exception& e) {
        replyJson(res, {{"detail", e.what()}}, 500);
      }
    };
  }

  ImageRecord requireImage(const std::string& id) {
    auto image = datastore.image(safeId(id));
    if (!image)
      throw HttpError(404, "Image NOT Found or is a directory");
    return *image;
  }

  void routes() {
    server.Get("/info/?", guarded([this](const auto&, auto& res) { replyJson(res, info()); }));
    server.Get("/datastore/?",
               guarded([this](const auto& req, auto& res) { getDatastore(req, res); }));
    for (const char* path : {"/datastore/image", "/datastore/?"}) {
      server.Put(path, guarded([this](const auto& req, auto& res) { putImage(req, res); }));
      server.Delete(path, guarded([this](const auto& req, auto& res) {
                      const auto id = safeId(requiredQuery(req, "id"));
                      try {
                        datastore.removeImage(id);
                      } catch (const InputError&) {
                        throw HttpError(404, "Image NOT Found or is a directory");
                      }
                      replyJson(res, Json::object());
                    }));
    }
    // Get handlers answer HEAD too (httplib), which is MONAI Label's existence check.
    server.Get("/datastore/image", guarded([this](const auto& req, auto& res) {
                 const auto image = requireImage(requiredQuery(req, "image"));
                 replyFile(res, image.path, image.id + image.ext);
               }));
    server.Get("/datastore/image/info", guarded([this](const auto& req, auto& res) {
                 const auto image = requireImage(requiredQuery(req, "image"));
                 Json info = image.info;
                 info["path"] = image.path;
                 replyJson(res, info);
               }));
    server.Put("/datastore/image/info", guarded([this](const auto& req, auto& res) {
                 const auto image = requireImage(requiredQuery(req, "image"));
                 datastore.updateImageInfo(image.id, formJson(req, "info"));
                 replyJson(res, requireImage(image.id).info);
               }));
    // PUT /datastore/label/info takes the form field `info`, the deprecated
    // /datastore/updatelabelinfo the same change as `params`.
    for (const auto& [path, field] : {std::pair{"/datastore/label/info", "info"},
                                      std::pair{"/datastore/updatelabelinfo", "params"}})
      server.Put(path, guarded([this, field = std::string(field)](const auto& req, auto& res) {
                   const auto id = safeId(requiredQuery(req, "label"));
                   const auto tag = tagOf(req);
                   if (!datastore.label(id, tag))
                     throw HttpError(404, "Label NOT Found or is a directory");
                   datastore.updateLabelInfo(id, tag, formJson(req, field));
                   replyJson(res, datastore.label(id, tag)->info);
                 }));
    server.Put("/datastore/label",
               guarded([this](const auto& req, auto& res) { putLabel(req, res); }));
    server.Delete("/datastore/label", guarded([this](const auto& req, auto& res) {
                    const auto id = safeId(requiredQuery(req, "id"));
                    datastore.removeLabel(id, tagOf(req));
                    replyJson(res, Json::object());
                  }));
    server.Get("/datastore/label", guarded([this](const auto& req, auto& res) {
                 const auto id = safeId(req.has_param("label") ? req.get_param_value("label")
                                                               : requiredQuery(req, "image"));
                 const auto label = datastore.label(id, tagOf(req));
                 if (!label)
                   throw HttpError(404, "Label NOT Found or is a directory");
                 replyFile(res, label->path, id + label->ext);
               }));
    server.Get("/datastore/label/info", guarded([this](const auto& req, auto& res) {
                 const auto label =
                     datastore.label(safeId(requiredQuery(req, "label")), tagOf(req));
                 if (!label)
                   throw HttpError(404, "Label NOT Found or is a directory");
                 replyJson(res, label->info);
               }));
    server.Post(R"(/activelearning/([^/]+))",
                guarded([this](const auto& req, auto& res) { nextSample(req, res); }));
    server.Post(R"(/infer/([^/]+))",
                guarded([this](const auto& req, auto& res) { infer(req, res); }));
    server.Put("/session/?", guarded([this](const auto& req, auto& res) { putSession(req, res); }));
    server.Get(R"(/session/([^/]+))", guarded([this](const auto& req, auto& res) {
                 std::lock_guard lock(sessionMutex);
                 auto& session = sessionOf(req.matches[1]);
                 session.lastAccessTs = datastore.now();
                 replyJson(res, session.toJson());
               }));
    server.Delete(R"(/session/([^/]+))", guarded([this](const auto& req, auto& res) {
                    std::lock_guard lock(sessionMutex);
                    const Json info = sessionOf(req.matches[1]).toJson();
                    dropSession(req.matches[1]);
                    replyJson(res, info);
                  }));
    // Training (MONAI Label's /train/): the learned propagator on this study. Status is 404 when
    // nothing runs (rule 9: 200 means "running" to Slicer's refresh).
    server.Get("/train/?", guarded([this](const auto& req, auto& res) {
                 const bool onlyRunning = req.has_param("check_if_running");
                 const Json task = training.status(onlyRunning);
                 if (task.is_null())
                   return replyJson(res,
                                    {{"detail", onlyRunning ? "No Train Tasks are currently Running"
                                                            : "No Train Tasks Found"}},
                                    404);
                 replyJson(res, task);
               }));
    server.Post(R"(/train/?([^/]*))", guarded([this](const auto& req, auto& res) {
                  Json params = Json::object();
                  if (!req.body.empty()) {
                    params = Json::parse(req.body, nullptr, false);
                    if (params.is_discarded() || !params.is_object())
                      throw HttpError(422, "the train request's body must be a JSON object");
                  }
                  try {
                    replyJson(res, training.start(req.matches[1], params, newUuid()));
                  } catch (const TrainingBusy& e) {
                    throw HttpError(429, e.what());
                  }
                }));
    server.Delete(
        "/train/?", guarded([this](const auto&, auto& res) {
          const Json task = training.stop();
          if (task.is_null())
            return replyJson(res, {{"detail", "No Train Tasks are currently Running"}}, 404);
          replyJson(res, task);
        }));

    // Unknown routes (/auth/ among them: clients read 404 as "auth off") and httplib's own
    // refusals (413) get a JSON detail when no handler wrote one.
    server.set_error_handler([this](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty())
        return;
      std::string detail = res.status == 404
                               ? "Not Found"
                               : "Request failed (HTTP " + std::to_string(res.status) + ")";
      if (res.status == 413)
        detail = "Request body is larger than the service's limit of " +
                 std::to_string(options.maxUploadBytes >> 20) + " MB";
      res.set_content(Json{{"detail", detail}}.dump(), "application/json");
    });
    server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
      logInfo("serve: ", req.method, " ", routeOf(req.path), " -> ", res.status);
    });
    server.new_task_queue = [n = options.threads] { return new httplib::ThreadPool(size_t(n)); };
    // One request per connection: MONAI Label's clients open a new connection for every call, and
    // an idle keep-alive connection would hold one of the few workers for seconds.
    server.set_keep_alive_max_count(1);
    server.set_payload_max_length(size_t(options.maxUploadBytes));
    server.set_read_timeout(options.readTimeoutSeconds, 0);
    server.set_write_timeout(options.writeTimeoutSeconds, 0);
  }

  static std::string tagOf(const httplib::Request& req) {
    const auto tag = query(req, "tag", kFinalTag);
    const auto chosen = tag.empty() ? kFinalTag : tag;
    try {
      requireSafeTag(chosen);
    } catch (const InputError& e) {
      throw HttpError(400, e.what());
    }
    return chosen;
  }

  // The study's trained propagator and plug-ins (models/), looked up per request: a training run
  // finishing while the service runs makes "learned" appear.
  BackendSources sources() const {
    BackendSources out;
    out.study = datastore.folder();
    return out;
  }

  Json info() {
    Json models = Json::object();
    for (const auto& name : availableSegmentationBackends(sources()))
      models[name] = {
          {"type", "deepgrow"},
          {"labels", Json::array()},
          {"dimension", 3},
          {"description",
           "Lumen's '" + name + "' backend: foreground/background voxel clicks to a 3D mask"},
          {"config", Json::object()}};
    Json strategies = Json::object();
    for (const auto& s : sampleStrategies())
      strategies[s.name] = {{"description", s.description}};
    return {{"name", "Lumen"},
            {"description", "Lumen's MONAI Label-compatible segmentation service"},
            {"version", lumenVersion()},
            {"labels", options.labels},
            {"models", models},
            {"trainers", training.trainers()},
            {"strategies", strategies},
            {"scoring", Json::object()},
            {"train_stats", training.trainStats()},
            {"datastore", datastore.stats().toJson()}};
  }

  void getDatastore(const httplib::Request& req, httplib::Response& res) {
    const auto output = query(req, "output", "stats");
    if (output == "stats")
      return replyJson(res, datastore.stats().toJson());
    if (output == "all")
      return replyJson(res, datastore.document());
    if (output == "train") {
      Json list = Json::array();
      for (const auto& [image, label] : datastore.trainingPairs())
        list.push_back({{"image", image}, {"label", label}});
      return replyJson(res, list);
    }
    throw HttpError(422, "output must be one of stats, all, train");
  }

  void putImage(const httplib::Request& req, httplib::Response& res) {
    if (!req.has_file("file"))
      throw HttpError(422, "multipart field 'file' is required");
    std::string id = query(req, "image");
    if (!id.empty())
      safeId(id);
    std::string baseName;
    const auto path = saveUpload(req.get_file_value("file"), baseName);
    const Json params = formJson(req, "params");
    std::string added;
    try {
      added = datastore.addImage(path, id, params, baseName);
    } catch (...) {
      fs::remove(path);
      throw;
    }
    fs::remove(path);
    replyJson(res, {{"image", added}});
  }

  void putLabel(const httplib::Request& req, httplib::Response& res) {
    const auto image = requireImage(requiredQuery(req, "image"));
    const auto tag = tagOf(req);
    if (!req.has_file("label"))
      throw HttpError(422, "multipart field 'label' is required");
    std::string baseName;
    const auto path = saveUpload(req.get_file_value("label"), baseName);
    const Json params = formJson(req, "params");
    try {
      datastore.saveLabel(image.id, path, tag, params, baseName);
    } catch (...) {
      fs::remove(path);
      throw;
    }
    fs::remove(path);
    replyJson(res, {{"image", image.id}, {"label", image.id}});
  }

  void nextSample(const httplib::Request& req, httplib::Response& res) {
    const std::string strategy = req.matches[1];
    if (!isSampleStrategy(strategy))
      throw HttpError(404, "Strategy '" + strategy + "' not found");
    Json body = Json::object();
    if (!req.body.empty()) {
      body = Json::parse(req.body, nullptr, false);
      if (body.is_discarded() || !body.is_object())
        throw HttpError(422, "the body must be a JSON object");
    }
    SampleRequest request;
    if (body.contains("client_id") && body["client_id"].is_string())
      request.clientId = body["client_id"].get<std::string>();
    if (body.contains("image") && body["image"].is_string())
      request.imageId = safeId(body["image"].get<std::string>());
    replyJson(res, selector.next(strategy, request).toJson());
  }

  // The image an infer reads: a session's upload, an uploaded `file` part, or a datastore id.
  std::string inferInput(const httplib::Request& req, std::optional<ImageRecord>& record,
                         std::string& upload) {
    const auto sessionId = query(req, "session_id");
    if (!sessionId.empty()) {
      std::lock_guard lock(sessionMutex);
      auto& session = sessionOf(sessionId);
      session.lastAccessTs = datastore.now();
      return session.image;
    }
    if (req.has_file("file") && !req.get_file_value("file").filename.empty()) {
      std::string baseName;
      upload = saveUpload(req.get_file_value("file"), baseName);
      return upload;
    }
    const auto id = query(req, "image");
    if (id.empty())
      throw HttpError(422, "Neither Image nor File not Session ID input is provided");
    record = requireImage(id);
    return record->path;
  }

  void infer(const httplib::Request& req, httplib::Response& res) {
    const std::string model = req.matches[1];
    const auto names = availableSegmentationBackends(sources());
    if (std::find(names.begin(), names.end(), model) == names.end())
      throw HttpError(404, "Model '" + model + "' not found");
    const auto output = query(req, "output", "all");
    if (output != "all" && output != "image" && output != "json")
      throw HttpError(422, "output must be one of image, json, all");
    Json params = formJson(req, "params");
    SegmentationRequest request;
    appendPoints(params, "foreground", true, request.points);
    appendPoints(params, "background", false, request.points);

    std::optional<ImageRecord> record;
    std::string upload;
    const auto t0 = Clock::now();
    const std::string input = inferInput(req, record, upload);
    std::string ext = params.value("result_extension", "");
    if (ext.empty())
      ext = fileExtension(uploadBaseName(input), defaultImagePatterns());
    if (!isMaskExtension(ext))
      throw HttpError(422, "result_extension must be one of .nrrd, .nii.gz, .nii, .mha");

    CtVolume volume;
    try {
      volume = readCtVolume(input);
    } catch (...) {
      if (!upload.empty())
        fs::remove(upload);
      throw;
    }
    if (!upload.empty())
      fs::remove(upload);
    const auto t1 = Clock::now();
    const auto backend = makeSegmentationBackend(model, sources());
    SegmentationResult result = segmentWithPrompts(volume, request, *backend);
    const auto t2 = Clock::now();
    // Deepgrow-type clients import value 1 as the current segment (MONAILABEL.md §2), so the
    // uncertain voxels (2) join it unless the client asks for Lumen's three-valued mask.
    if (!params.value("uncertain_label", false))
      for (auto& v : result.mask.values)
        v = v ? 1 : 0;
    const auto maskPath = scratchFile(ext);
    writeLabelMask(maskPath, result.mask);
    std::string bytes = readFile(maskPath);
    const auto t3 = Clock::now();

    auto seconds = [](Clock::time_point a, Clock::time_point b) {
      return std::round(std::chrono::duration<double>(b - a).count() * 1000) / 1000;
    };
    Json json = Json::parse(segmentationResultJson(result));
    json["label_names"] = {{params.value("label", options.labels.front()), 1}};
    json["latencies"] = {{"pre", seconds(t0, t1)},
                         {"infer", seconds(t1, t2)},
                         {"invert", 0},
                         {"post", 0},
                         {"write", seconds(t2, t3)},
                         {"total", seconds(t0, t3)},
                         {"transform", Json::object()}};
    if (record && params.value("save_label", false) && result.error.empty()) {
      const std::string tag = params.value("label_tag", kOriginalTag);
      try {
        requireSafeTag(tag);
        datastore.saveLabel(record->id, maskPath, tag, {{"model", model}, {"params", json}},
                            record->id + ext);
        if (tag == kOriginalTag)
          datastore.recordUncertainFraction(record->id, result.uncertainFraction());
      } catch (...) {
        fs::remove(maskPath);
        throw;
      }
    }
    fs::remove(maskPath);

    const std::string fileName = "lumen_mask" + ext;
    if (output == "json")
      return replyJson(res, json);
    if (output == "image") {
      res.set_header("Content-Disposition", attachment(fileName));
      res.set_content(std::move(bytes), "application/octet-stream");
      return;
    }
    const std::string boundary = "lumen-" + newUuid();
    res.set_content(multipartReply(boundary, json.dump(), fileName, bytes),
                    "multipart/form-data; boundary=" + boundary);
  }

  // Callers hold sessionMutex.
  Session& sessionOf(const std::string& id) {
    purgeExpired();
    const auto found = sessions.find(id);
    if (found == sessions.end())
      throw HttpError(404, "Session (" + id + ") Not Found");
    return found->second;
  }
  void dropSession(const std::string& id) {
    std::error_code ec;
    fs::remove_all(sessions.at(id).folder, ec);
    sessions.erase(id);
  }
  void purgeExpired() {
    const auto now = datastore.now();
    for (auto it = sessions.begin(); it != sessions.end();) {
      const auto next = std::next(it);
      if (now - it->second.lastAccessTs > it->second.expiry)
        dropSession(it->first);
      it = next;
    }
  }

  void putSession(const httplib::Request& req, httplib::Response& res) {
    if (!req.has_file("files") || req.get_file_value("files").filename.empty())
      throw HttpError(404, "no file was uploaded for the session");
    int64_t expiry = 3600;
    if (req.has_param("expiry")) {
      try {
        expiry = std::stoll(req.get_param_value("expiry"));
      } catch (const std::exception&) {
        throw HttpError(422, "expiry must be a number of seconds");
      }
      if (expiry <= 0)
        expiry = 3600;
    }
    std::lock_guard lock(sessionMutex);
    purgeExpired();
    if (int(sessions.size()) >= options.maxSessions)
      throw HttpError(429, "too many live sessions (" + std::to_string(options.maxSessions) + ")");
    Session session;
    session.id = session.name = newUuid();
    session.folder = scratch + "/session-" + session.id;
    fs::create_directories(session.folder);
    std::string baseName;
    const auto path = saveUpload(req.get_file_value("files"), baseName);
    session.image = session.folder + "/image" + fileExtension(baseName, defaultImagePatterns());
    fs::rename(path, session.image);
    session.createTs = session.lastAccessTs = datastore.now();
    session.expiry = expiry;
    sessions[session.id] = session;
    replyJson(res, {{"session_id", session.id}, {"session_info", session.toJson()}});
  }
};

MonaiLabelService::MonaiLabelService(Datastore& datastore, ServiceOptions options) {
  if (options.threads < 1 || options.threads > 64)
    throw InputError("the service needs 1 to 64 worker threads");
  if (options.maxUploadBytes < 1024)
    throw InputError("the upload limit must be at least 1 KiB");
  if (options.labels.empty())
    throw InputError("the service needs at least one label name");
  impl_ = std::make_unique<Impl>(datastore, std::move(options));
}

MonaiLabelService::~MonaiLabelService() {
  stop();
}

int MonaiLabelService::bind() {
  auto& o = impl_->options;
  const int port = o.port == 0 ? impl_->server.bind_to_any_port(o.host)
                               : (impl_->server.bind_to_port(o.host, o.port) ? o.port : -1);
  if (port <= 0)
    throw IoError("cannot listen on " + o.host + ":" + std::to_string(o.port) +
                  " (in use, or not an address of this machine)");
  return port;
}

void MonaiLabelService::run() {
  impl_->server.listen_after_bind();
}

void MonaiLabelService::stop() {
  impl_->server.stop();
}

Json MonaiLabelService::info() {
  return impl_->info();
}

} // namespace lumen::segment
