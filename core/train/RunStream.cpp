#include "train/RunStream.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "common/Log.h"
#include "train/MetricsLog.h"
#include "train/RunTap.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <map>
#include <netdb.h>
#include <poll.h>
#include <regex>
#include <sys/socket.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace lumen {
namespace {

constexpr size_t kMaxStreamLine = size_t(1) << 20;

// Set while a follower replays a stream's log line into this process's log: a publisher in the
// same process does not serve it again (which would echo it back to the follower for ever).
thread_local bool replayingStreamLog = false;

double secondsSinceEpoch(std::chrono::system_clock::time_point time) {
  return std::chrono::duration<double>(time.time_since_epoch()).count();
}

// A run name from the stream as a folder name: nothing that leaves the mirror root.
std::string safeRunName(const std::string& name) {
  std::string out;
  for (const char c : name.substr(0, 100))
    out +=
        (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '_';
  if (out.empty() || out == "." || out == "..")
    out = "run";
  return out;
}

constexpr int kConnectTimeoutMs = 5000;

// connect(2) that gives up after `ms` (an unreachable host would otherwise hold the job, and its
// Cancel, for the kernel's two-minute SYN timeout). Leaves the socket blocking again.
bool connectWithin(int fd, const addrinfo* address, int ms) {
  const int flags = ::fcntl(fd, F_GETFL);
  ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  bool connected = ::connect(fd, address->ai_addr, address->ai_addrlen) == 0;
  if (!connected && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int error = 0;
    socklen_t length = sizeof error;
    connected = ::poll(&p, 1, ms) == 1 &&
                ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0;
    if (!connected && error != 0)
      errno = error;
    else if (!connected)
      errno = ETIMEDOUT;
  }
  ::fcntl(fd, F_SETFL, flags);
  return connected;
}

class Connection {
public:
  Connection(const std::string& host, int port) : where_(host + ":" + std::to_string(port)) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int code = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
        code != 0)
      throw IoError("stream " + where_ + ": " + ::gai_strerror(code));
    std::unique_ptr<addrinfo, void (*)(addrinfo*)> list(found, ::freeaddrinfo);
    for (addrinfo* a = found; a && fd_ < 0; a = a->ai_next) {
      const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, 0);
      if (fd >= 0 && connectWithin(fd, a, kConnectTimeoutMs))
        fd_ = fd;
      else if (fd >= 0)
        ::close(fd);
    }
    if (fd_ < 0)
      throw IoError("cannot connect to the stream at " + where_ + ": " + std::strerror(errno) +
                    " (is the command running with --stream " + where_ + "?)");
  }
  ~Connection() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void sendLine(const std::string& line) {
    const std::string data = line + "\n";
    if (::send(fd_, data.data(), data.size(), MSG_NOSIGNAL) != ssize_t(data.size()))
      throw IoError("stream " + where_ + ": cannot send the handshake");
  }
  // The next line, or nothing when the server closed. Calls `idle` about every 200 ms.
  std::optional<std::string> readLine(const std::function<void()>& idle) {
    while (true) {
      const auto newline = buffer_.find('\n');
      if (newline != std::string::npos) {
        std::string line = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        return line;
      }
      if (buffer_.size() > kMaxStreamLine)
        throw InputError("stream " + where_ + " sent a line longer than 1 MiB: not a Lumen stream");
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) {
        idle();
        continue;
      }
      char chunk[65536];
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n == 0)
        return std::nullopt;
      if (n < 0) {
        if (errno == EINTR || errno == EAGAIN)
          continue;
        throw IoError("stream " + where_ + ": " + std::strerror(errno));
      }
      buffer_.append(chunk, size_t(n));
    }
  }
  const std::string& where() const { return where_; }

private:
  std::string where_;
  int fd_ = -1;
  std::string buffer_;
};

LogLevel levelOf(const std::string& name) {
  try {
    return parseLogLevel(name);
  } catch (const Error&) {
    return LogLevel::Info;
  }
}

} // namespace

std::string redactPatientIdentifiers(const std::string& line) {
  static const std::regex personName(R"([A-Za-z][A-Za-z'\-]*\^[A-Za-z'\-\^ ]*[A-Za-z'\-\^])");
  static const std::regex keyed(
      R"(((patient[ _]?(name|id|birth[ _]?date|'s name))|birth[ _]?date|date of birth|\bdob\b)(\s*[:=]\s*|\s+)("[^"]*"|'[^']*'|[^\s,;)]+))",
      std::regex::icase);
  static const std::regex tag(R"((\(0010,[0-9A-Fa-f]{4}\))(\s*[:=]?\s*)("[^"]*"|[^\s,;)]+))");
  std::string out = std::regex_replace(line, keyed, "$1$4[redacted]");
  out = std::regex_replace(out, tag, "$1$2[redacted]");
  return std::regex_replace(out, personName, "[redacted]");
}

RunStreamPublisher::RunStreamPublisher(StreamServerOptions options) : server_(std::move(options)) {
  sink_ = std::make_shared<CallbackLogSink>([this](const LogRecord& record) {
    if (replayingStreamLog)
      return;
    server_.publish({{"type", "log"},
                     {"level", logLevelName(record.level)},
                     {"time", secondsSinceEpoch(record.time)},
                     {"message", redactPatientIdentifiers(record.message)}});
  });
  logger().addSink(sink_);
  setRunTap([this](const nlohmann::json& message) {
    if (message.value("type", "") == "status" && message.contains("status") &&
        message["status"].contains("message") && message["status"]["message"].is_string()) {
      nlohmann::json copy = message;
      copy["status"]["message"] =
          redactPatientIdentifiers(message["status"]["message"].get<std::string>());
      server_.publish(copy);
      return;
    }
    server_.publish(message);
  });
}

RunStreamPublisher::~RunStreamPublisher() {
  setRunTap({});
  logger().removeSink(sink_);
}

JobPtr followRunStreamJob(const StreamFollowOptions& options,
                          std::function<void(const std::string& runDir)> onRun) {
  const std::string where = options.host + ":" + std::to_string(options.port);
  return makeJob("follow the stream at " + where, [=](Job& job) {
    job.setStage("connecting to " + where);
    Connection connection(options.host, options.port);
    connection.sendLine(nlohmann::json{{"token", options.token}}.dump());
    std::map<std::string, std::unique_ptr<MetricsWriter>> writers;
    int64_t records = 0;
    const auto idle = [&] { job.checkCancelled(); };
    bool greeted = false;
    while (auto line = connection.readLine(idle)) {
      job.checkCancelled();
      const auto message = nlohmann::json::parse(*line, nullptr, false);
      if (message.is_discarded() || !message.is_object() || !message.contains("type"))
        throw InputError("stream " + where +
                         " sent a line that is not a JSON message: " + line->substr(0, 80));
      const std::string type = message.value("type", "");
      if (type == "error")
        throw InputError("stream " + where + " refused: " + message.value("message", "?"));
      if (type == "hello") {
        greeted = true;
        logInfo("following ", message.value("command", std::string("a command")), " at ", where);
        job.setStage("following " + where);
        continue;
      }
      if (!greeted)
        throw InputError("stream " + where + " did not greet: not a Lumen stream");
      if (type == "end") {
        logInfo("the stream at ", where, " ended");
        return;
      }
      if (type == "log") {
        replayingStreamLog = true;
        logger().log(levelOf(message.value("level", "info")),
                     "[" + where + "] " + message.value("message", std::string()));
        replayingStreamLog = false;
        continue;
      }
      if (type != "metrics" && type != "status")
        continue; // a newer server's message kinds are skipped
      const std::string run = safeRunName(message.value("run", "run"));
      const fs::path dir = fs::path(options.mirrorRoot) / run;
      if (type == "metrics" && message.contains("record")) {
        auto& writer = writers[run];
        if (!writer) {
          fs::create_directories(dir);
          // The stream replays its backlog to every new follower: start the mirror afresh.
          std::error_code ignored;
          fs::remove(dir / "metrics.jsonl", ignored);
          writer = std::make_unique<MetricsWriter>((dir / "metrics.jsonl").string());
          if (onRun)
            onRun(dir.string());
        }
        if (auto record = parseMetricsLine(message["record"].dump()))
          writer->append(*record);
        if (++records % 50 == 0)
          job.setStage("following " + where + ": " + std::to_string(records) + " records");
      } else if (type == "status" && message.contains("status") && message["status"].is_object()) {
        fs::create_directories(dir);
        writeFileAtomically((dir / "status.json").string(), message["status"].dump(2) + "\n");
      }
    }
    logInfo("the stream at ", where, " closed");
  });
}

} // namespace lumen
