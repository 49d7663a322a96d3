#include "train/MetricsLog.h"

#include "common/Error.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <regex>
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
  if (object.is_discarded()) {
    // Python's json module writes bare NaN / Infinity tokens.
    static const std::regex bare(R"((-?Infinity|NaN)(?=\s*[,}\]]))");
    object = nlohmann::json::parse(std::regex_replace(line, bare, "\"$1\""), nullptr, false);
  }
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
  const std::string line = metricsRecordToJson(record) + "\n";
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0)
    throw IoError("cannot append to metrics file " + path_ + ": " + std::strerror(errno));
}

std::vector<MetricsRecord> MetricsTail::poll() {
  std::vector<MetricsRecord> records;
  restarted_ = false;
  struct stat info {};
  if (::stat(path_.c_str(), &info) != 0)
    return records; // not written yet
  const auto size = static_cast<uint64_t>(info.st_size);
  if (size < offset_) {
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
  std::string chunk(size - offset_, '\0');
  const size_t got = std::fread(chunk.data(), 1, chunk.size(), file);
  std::fclose(file);
  chunk.resize(got);
  offset_ += got;
  pending_ += chunk;
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

std::vector<MetricsRecord> readMetricsFile(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0)
    throw IoError("metrics file " + path + " does not exist");
  MetricsTail tail(path);
  auto records = tail.poll();
  // A finished file may lack its final newline (json lines written by other tools).
  if (auto last = parseMetricsLine(tail.pending()))
    records.push_back(std::move(*last));
  return records;
}

} // namespace lumen
