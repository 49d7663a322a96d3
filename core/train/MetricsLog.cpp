#include "train/MetricsLog.h"

#include "common/Error.h"
#include "train/RunTap.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

namespace lumen {
namespace {

nlohmann::json scalarToJson(double value) {
  if (std::isnan(value))
    return "NaN";
  if (std::isinf(value))
    return value > 0 ? "Infinity" : "-Infinity";
  return value;
}

std::optional<double> jsonToScalar(const nlohmann::json& value) {
  if (value.is_number())
    return value.get<double>();
  if (value.is_boolean())
    return value.get<bool>() ? 1.0 : 0.0;
  if (value.is_null())
    return std::nan("");
  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    if (s == "NaN" || s == "nan")
      return std::nan("");
    if (s == "Infinity" || s == "inf")
      return INFINITY;
    if (s == "-Infinity" || s == "-inf")
      return -INFINITY;
  }
  return std::nullopt;
}

// Python's json module writes bare NaN / Infinity / -Infinity tokens, which JSON has not: quote
// them where they stand as values (after ':' or ',' or '[', outside strings).
std::string quoteBareNonFinite(const std::string& line) {
  std::string out;
  out.reserve(line.size() + 16);
  bool inString = false;
  char lastSignificant = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (inString) {
      out += c;
      if (c == '\\' && i + 1 < line.size())
        out += line[++i];
      else if (c == '"')
        inString = false;
      continue;
    }
    if (c == '"') {
      inString = true;
      out += c;
      lastSignificant = c;
      continue;
    }
    if (lastSignificant == ':' || lastSignificant == ',' || lastSignificant == '[') {
      bool replaced = false;
      for (const char* token : {"-Infinity", "Infinity", "NaN"}) {
        const size_t n = std::strlen(token);
        if (line.compare(i, n, token) == 0) {
          out += '"';
          out += token;
          out += '"';
          i += n - 1;
          lastSignificant = 'x';
          replaced = true;
          break;
        }
      }
      if (replaced)
        continue;
    }
    out += c;
    if (c != ' ' && c != '\t')
      lastSignificant = c;
  }
  return out;
}

} // namespace

std::string metricsRecordToJson(const MetricsRecord& record) {
  nlohmann::json object = nlohmann::json::object();
  object["step"] = record.step;
  object["epoch"] = record.epoch;
  object["wall_time"] = record.wallTime;
  for (const auto& [name, value] : record.scalars)
    object[name] = scalarToJson(value);
  return object.dump();
}

std::optional<MetricsRecord> parseMetricsLine(const std::string& line, std::string* error) {
  nlohmann::json object = nlohmann::json::parse(line, nullptr, false);
  if (object.is_discarded())
    object = nlohmann::json::parse(quoteBareNonFinite(line), nullptr, false);
  if (object.is_discarded() || !object.is_object()) {
    if (error)
      *error = "not a JSON object";
    return std::nullopt;
  }
  MetricsRecord record;
  for (const auto& [key, value] : object.items()) {
    const auto scalar = jsonToScalar(value);
    if (!scalar)
      continue; // strings and nested objects are metadata, not plottable scalars
    if ((key == "step" || key == "epoch") && !std::isfinite(*scalar)) {
      if (error)
        *error = "\"" + key + "\" is not a finite number";
      return std::nullopt;
    }
    if (key == "step")
      record.step = static_cast<int64_t>(*scalar);
    else if (key == "epoch")
      record.epoch = static_cast<int64_t>(*scalar);
    else if (key == "wall_time" || key == "time")
      record.wallTime = *scalar;
    else
      record.scalars[key] = *scalar;
  }
  if (!object.contains("step")) {
    if (error)
      *error = "missing \"step\"";
    return std::nullopt;
  }
  return record;
}

MetricsWriter::MetricsWriter(const std::string& path)
    : path_(path), file_(std::fopen(path.c_str(), "a")) {
  if (!file_)
    throw IoError("cannot open metrics file " + path + " for writing: " + std::strerror(errno));
}

MetricsWriter::~MetricsWriter() {
  std::fclose(file_);
}

void MetricsWriter::append(const MetricsRecord& record) {
  const std::string json = metricsRecordToJson(record);
  const std::string line = json + "\n";
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0)
    throw IoError("cannot append to metrics file " + path_ + ": " + std::strerror(errno));
  if (runTapSet()) {
    // The run is named by its folder, the way the Training Monitor names runs.
    const auto folder = std::filesystem::path(path_).parent_path();
    tapRun({{"type", "metrics"},
            {"run", folder.filename().string()},
            {"record", nlohmann::json::parse(json, nullptr, false)}});
  }
}

std::vector<MetricsRecord> MetricsTail::poll() {
  std::vector<MetricsRecord> records;
  restarted_ = false;
  struct stat info {};
  if (::stat(path_.c_str(), &info) != 0)
    return records; // not written yet
  const auto size = static_cast<uint64_t>(info.st_size);
  // A file replaced by another (truncateMetricsAfter renames a rewritten one into place) is read
  // again from the start even when it has already grown past the old offset.
  const bool replaced = identity_ && (identity_->first != uint64_t(info.st_dev) ||
                                      identity_->second != uint64_t(info.st_ino));
  identity_ = std::make_pair(uint64_t(info.st_dev), uint64_t(info.st_ino));
  if (size < offset_ || replaced) {
    offset_ = 0;
    pending_.clear();
    restarted_ = true;
  }
  if (size == offset_)
    return records;
  std::FILE* file = std::fopen(path_.c_str(), "rb");
  if (!file)
    return records;
  std::fseek(file, static_cast<long>(offset_), SEEK_SET);
  // At most kMaxReadPerPoll at a time: a huge file is taken in over several polls, and the
  // caller (the GUI's timer) never blocks on one.
  std::string chunk(std::min<uint64_t>(size - offset_, kMaxReadPerPoll), '\0');
  const size_t got = std::fread(chunk.data(), 1, chunk.size(), file);
  std::fclose(file);
  chunk.resize(got);
  offset_ += got;
  pending_ += chunk;
  // A line that never ends is not a metrics record; keep memory bounded all the same.
  if (pending_.size() > kMaxLine && pending_.find('\n') == std::string::npos) {
    pending_.clear();
    ++malformed_;
  }
  size_t start = 0;
  for (size_t nl; (nl = pending_.find('\n', start)) != std::string::npos; start = nl + 1) {
    const std::string line = pending_.substr(start, nl - start);
    if (line.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    if (auto record = parseMetricsLine(line))
      records.push_back(std::move(*record));
    else
      ++malformed_;
  }
  pending_.erase(0, start);
  return records;
}

bool MetricsTail::hasMore() const {
  struct stat info {};
  return ::stat(path_.c_str(), &info) == 0 && uint64_t(info.st_size) > offset_;
}

std::vector<MetricsRecord> readMetricsFile(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0)
    throw IoError("metrics file " + path + " does not exist");
  MetricsTail tail(path);
  std::vector<MetricsRecord> records;
  for (bool more = true; more;) {
    auto chunk = tail.poll();
    more = tail.hasMore();
    records.insert(records.end(), std::make_move_iterator(chunk.begin()),
                   std::make_move_iterator(chunk.end()));
  }
  // A finished file may lack its final newline (json lines written by other tools).
  if (auto last = parseMetricsLine(tail.pending()))
    records.push_back(std::move(*last));
  return records;
}

} // namespace lumen
