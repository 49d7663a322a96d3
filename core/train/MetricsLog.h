// metrics.jsonl: one JSON object per logged step, {"step", "epoch", "wall_time", <scalars>...}.
// Non-finite values are written as the strings "NaN", "Infinity", "-Infinity" (JSON has no
// literal for them); the reader also accepts the bare NaN/Infinity tokens Python's json emits.
#pragma once
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lumen {

struct MetricsRecord {
  int64_t step = 0;
  int64_t epoch = 0;
  double wallTime = 0.0; // seconds since the Unix epoch
  std::map<std::string, double> scalars;
};

std::string metricsRecordToJson(const MetricsRecord& record);
// Parses one line; empty when the line is not a metrics object (the caller decides what to say).
std::optional<MetricsRecord> parseMetricsLine(const std::string& line,
                                              std::string* error = nullptr);

// Appends records to a metrics.jsonl, flushing each so readers tailing the file see whole lines.
class MetricsWriter {
public:
  explicit MetricsWriter(const std::string& path);
  ~MetricsWriter();
  MetricsWriter(const MetricsWriter&) = delete;
  MetricsWriter& operator=(const MetricsWriter&) = delete;
  void append(const MetricsRecord& record);
  const std::string& path() const { return path_; }

private:
  std::string path_;
  std::FILE* file_;
};

// Reads a growing metrics.jsonl incrementally: each poll() returns the records completed since
// the last call, reading at most kMaxReadPerPoll bytes (hasMore() says when more is waiting). A
// partially written last line is kept until its newline arrives; a file that shrinks or is
// replaced by another (a run restarted in place) is re-read from the start.
class MetricsTail {
public:
  static constexpr uint64_t kMaxReadPerPoll = 4u << 20;
  static constexpr size_t kMaxLine = 1u << 20;

  explicit MetricsTail(std::string path) : path_(std::move(path)) {}
  std::vector<MetricsRecord> poll();
  // Whether the file held more than the last poll read.
  bool hasMore() const;
  const std::string& path() const { return path_; }
  // Lines that could not be parsed so far.
  int malformedLines() const { return malformed_; }
  bool restarted() const { return restarted_; }
  // The text after the last newline: a line still being written, or a file's final line when
  // its writer did not end it with a newline.
  const std::string& pending() const { return pending_; }

private:
  std::string path_;
  uint64_t offset_ = 0;
  std::optional<std::pair<uint64_t, uint64_t>> identity_; // (device, inode) of the file read
  std::string pending_;
  int malformed_ = 0;
  bool restarted_ = false;
};

// Reads a whole metrics.jsonl at once.
std::vector<MetricsRecord> readMetricsFile(const std::string& path);

} // namespace lumen
