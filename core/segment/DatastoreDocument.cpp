#include "segment/DatastoreDocument.h"

#include "common/Error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace lumen::segment {
namespace {

std::string typeName(const Json& value) {
  return value.type_name();
}

// Where a byte offset falls, as an editor shows it.
std::string positionOf(const std::string& text, size_t byte) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column) + " (byte " +
         std::to_string(byte) + ")";
}

// {ext, info} with MONAI Label's defaults; the problem names the field.
std::string checkDataModel(Json& model, const std::string& where) {
  if (!model.is_object())
    return where + ": expected an object with \"ext\" and \"info\", got " + typeName(model);
  if (!model.contains("ext") || model["ext"].is_null())
    model["ext"] = "";
  if (!model["ext"].is_string())
    return where + ".ext: expected a string, got " + typeName(model["ext"]);
  if (!model.contains("info") || model["info"].is_null())
    model["info"] = Json::object();
  if (!model["info"].is_object())
    return where + ".info: expected an object, got " + typeName(model["info"]);
  return "";
}

} // namespace

std::string checkDatastoreDocument(Json& document) {
  if (!document.is_object())
    return "expected a JSON object at the top level, got " + typeName(document);
  for (const char* key : {"name", "description", "images_dir", "labels_dir"})
    if (document.contains(key) && !document[key].is_string())
      return std::string(key) + ": expected a string, got " + typeName(document[key]);
  if (!document.contains("objects") || document["objects"].is_null())
    document["objects"] = Json::object();
  Json& objects = document["objects"];
  if (!objects.is_object())
    return "objects: expected an object keyed by image id, got " + typeName(objects);
  for (auto& [id, entry] : objects.items()) {
    const std::string where = "objects." + id;
    if (!entry.is_object())
      return where + ": expected an object with \"image\" and \"labels\", got " + typeName(entry);
    if (!entry.contains("image"))
      entry["image"] = Json::object();
    if (auto problem = checkDataModel(entry["image"], where + ".image"); !problem.empty())
      return problem;
    if (!entry.contains("labels") || entry["labels"].is_null())
      entry["labels"] = Json::object();
    if (!entry["labels"].is_object())
      return where + ".labels: expected an object keyed by tag, got " + typeName(entry["labels"]);
    for (auto& [tag, label] : entry["labels"].items())
      if (auto problem = checkDataModel(label, where + ".labels." + tag); !problem.empty())
        return problem;
  }
  return "";
}

DocumentRead readDatastoreDocument(const std::string& path, uint64_t maxBytes) {
  DocumentRead result;
  std::error_code error;
  const auto status = fs::status(path, error);
  if (!fs::exists(status))
    return result;
  result.exists = true;
  if (!fs::is_regular_file(status))
    throw IoError(path + " is not a regular file, expected the datastore JSON");
  const auto bytes = fs::file_size(path, error);
  if (error)
    throw IoError("cannot read the size of " + path + ": " + error.message());
  if (bytes > maxBytes)
    throw InputError(path + " is " + std::to_string(bytes) + " bytes, more than the " +
                     std::to_string(maxBytes) + " bytes a datastore JSON may have");
  std::ifstream file(path, std::ios::binary);
  if (!file)
    throw IoError("cannot open " + path + ": " + std::strerror(errno));
  std::string text(size_t(bytes), '\0');
  file.read(text.data(), std::streamsize(bytes));
  // The file may have changed size since the stat; a short read is caught by the parser.
  text.resize(size_t(file.gcount()));
  try {
    result.document = Json::parse(text);
  } catch (const Json::parse_error& e) {
    std::string reason = e.what();
    if (const size_t colon = reason.find(": "); colon != std::string::npos)
      reason = reason.substr(colon + 2);
    result.problem =
        "not valid JSON at " + positionOf(text, e.byte == 0 ? 0 : e.byte - 1) + ": " + reason;
    return result;
  }
  result.problem = checkDatastoreDocument(result.document);
  return result;
}

Json newDatastoreDocument(const std::string& imagesDir, const std::string& labelsDir) {
  Json document = Json::object();
  document["name"] = "new-dataset";
  document["description"] = "New Dataset";
  document["images_dir"] = imagesDir;
  document["labels_dir"] = labelsDir;
  document["objects"] = Json::object();
  return document;
}

std::string serializeDatastoreDocument(const Json& document) {
  try {
    return document.dump(2, ' ', true);
  } catch (const Json::type_error& e) {
    // Only text that is not UTF-8 (in an info a client sent) makes dump fail.
    throw InputError(std::string("cannot write the datastore JSON: ") + e.what());
  }
}

std::string keepCorruptDocument(const std::string& path) {
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &local);
  std::string backup = path + ".corrupt-" + stamp;
  for (int n = 2; fs::exists(backup); ++n)
    backup = path + ".corrupt-" + stamp + "-" + std::to_string(n);
  if (std::rename(path.c_str(), backup.c_str()) != 0)
    throw IoError("cannot keep the corrupt " + path + " as " + backup + ": " +
                  std::strerror(errno) + "; left it untouched");
  return backup;
}

} // namespace lumen::segment
