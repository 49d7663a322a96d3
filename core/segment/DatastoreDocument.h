// datastore_v2.json as MONAI Label's LocalDatastore writes it (MONAILABEL.md §4): read with a size
// bound and checked field by field, written with the same layout and key order (json.dumps with
// indent 2, non-ASCII escaped), and a corrupt file moved aside instead of overwritten.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace lumen::segment {

// Insertion-ordered, so a file written by MONAI Label keeps its key order when Lumen rewrites it.
using Json = nlohmann::ordered_json;

struct DocumentRead {
  bool exists = false;
  Json document; // checked, with MONAI Label's defaults filled in; valid when problem is empty
  std::string problem; // why the file is corrupt: the parse position or the field and expectation
};

// Reads `path`. A missing file gives exists=false; a file that is not a datastore gives `problem`.
// Throws IoError when it cannot be read and InputError when it is larger than `maxBytes` (checked
// before reading).
DocumentRead readDatastoreDocument(const std::string& path, uint64_t maxBytes);

// Checks a parsed document and fills in the defaults (ext "", info {}, labels {}); returns the
// problem, or an empty string when the document is usable.
std::string checkDatastoreDocument(Json& document);

// A new document: name "new-dataset", description "New Dataset", the folders and no objects.
Json newDatastoreDocument(const std::string& imagesDir, const std::string& labelsDir);

// The file's bytes as MONAI Label writes them (no trailing newline).
std::string serializeDatastoreDocument(const Json& document);

// Renames a corrupt `path` to "<path>.corrupt-YYYYmmdd-HHMMSS" (with "-N" added while that name is
// taken) and returns the new name.
std::string keepCorruptDocument(const std::string& path);

} // namespace lumen::segment
