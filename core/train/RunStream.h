// Live streams of a command's runs (SPEC C9). The serving side publishes this process's log
// records (patient identifiers redacted) and every metrics record and status its runs write; the
// following side mirrors a stream into a local run folder that the Training Monitor and the Runs
// workspace read as they read any run, and replays its log lines into the local log.
#pragma once
#include "common/Job.h"
#include "common/StreamServer.h"

#include <memory>
#include <string>

namespace lumen {

class LogSink;

// Lines of a log with what could identify a patient replaced by "[redacted]": DICOM person
// names (LAST^FIRST), values after PatientName / PatientID / PatientBirthDate / "patient" keys,
// the (0010,xxxx) patient-module tags and dates of birth.
std::string redactPatientIdentifiers(const std::string& line);

// Serves the process's log and runs while alive.
class RunStreamPublisher {
public:
  explicit RunStreamPublisher(StreamServerOptions options);
  ~RunStreamPublisher();
  RunStreamPublisher(const RunStreamPublisher&) = delete;
  RunStreamPublisher& operator=(const RunStreamPublisher&) = delete;
  int port() const { return server_.port(); }
  StreamServer& server() { return server_; }

private:
  StreamServer server_;
  std::shared_ptr<LogSink> sink_;
};

struct StreamFollowOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string token;
  // Where the stream's runs are mirrored: <mirrorRoot>/<run name>/{metrics.jsonl,status.json}.
  std::string mirrorRoot;
};

// Follows a stream until it ends, breaks or the job is cancelled. A refused token, an
// unreachable server or a malformed stream fail the job with a message naming host and port.
// `onRun` (may be empty) is called on the job's thread with each mirrored run folder when its
// first record arrives.
JobPtr followRunStreamJob(const StreamFollowOptions& options,
                          std::function<void(const std::string& runDir)> onRun = {});

} // namespace lumen
