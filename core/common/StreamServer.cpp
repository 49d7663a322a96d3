#include "common/StreamServer.h"

#include "common/Error.h"

#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <fstream>
#include <mutex>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace lumen {
namespace {

constexpr size_t kHandshakeBytes = 4096;
constexpr auto kHandshakeTimeout = std::chrono::seconds(5);

bool isLoopbackAddress(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
  }
  if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    return IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
  }
  return false;
}

// Compares in time independent of where the strings differ (the length is no secret).
bool sameToken(const std::string& offered, const std::string& token) {
  if (offered.size() != token.size() || token.empty())
    return false;
  unsigned char difference = 0;
  for (size_t i = 0; i < token.size(); ++i)
    difference |= static_cast<unsigned char>(offered[i] ^ token[i]);
  return difference == 0;
}

void setNonBlocking(int fd) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

struct Client {
  int fd = -1;
  bool accepted = false;
  bool closing = false; // send what is queued, then close
  std::string handshake;
  std::chrono::steady_clock::time_point since = std::chrono::steady_clock::now();
  std::deque<std::string> queue;
  size_t queuedBytes = 0;
  size_t sentOfFront = 0;
};

} // namespace

std::pair<std::string, int> parseHostPort(const std::string& text) {
  std::string host;
  std::string port;
  if (!text.empty() && text[0] == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
      throw InputError("'" + text + "': expected HOST:PORT or [IPV6]:PORT");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0)
      throw InputError("'" + text + "': expected HOST:PORT, e.g. 127.0.0.1:7070");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  char* end = nullptr;
  const long value = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || value < 0 || value > 65535)
    throw InputError("'" + text + "': the port must be a number in 0..65535");
  return {host, int(value)};
}

std::string streamToken(const std::string& tokenFile) {
  std::string token;
  std::string origin;
  if (!tokenFile.empty()) {
    std::ifstream in(tokenFile);
    if (!in)
      throw InputError(tokenFile + ": cannot read the stream token file");
    // One line of at most 4 KiB: a token file is no place for more.
    char line[4096] = {};
    in.getline(line, sizeof line);
    if (in.fail() && !in.eof())
      throw InputError(tokenFile + ": the stream token's line is longer than 4 KiB");
    token = line;
    origin = tokenFile;
  } else if (const char* env = std::getenv("LUMEN_STREAM_TOKEN")) {
    token = env;
    origin = "LUMEN_STREAM_TOKEN";
  } else {
    throw InputError("a stream needs a shared token: give --stream-token-file FILE or set "
                     "LUMEN_STREAM_TOKEN (16 characters or more)");
  }
  while (!token.empty() && (token.back() == '\r' || token.back() == ' '))
    token.pop_back();
  if (token.size() < 16)
    throw InputError(origin + ": the stream token must have at least 16 characters, has " +
                     std::to_string(token.size()));
  return token;
}

struct StreamServer::State {
  StreamServerOptions options;
  int listenFd = -1;
  int wake[2] = {-1, -1};
  int port = 0;
  mutable std::mutex mutex;
  std::vector<Client> clients;
  std::deque<std::string> backlog;
  size_t backlogBytes = 0;
  std::atomic<bool> stopping{false};
  std::atomic<size_t> accepted{0};
  std::atomic<size_t> dropped{0};
  std::thread thread;

  void notify() {
    const char byte = 1;
    [[maybe_unused]] const auto ignored = ::write(wake[1], &byte, 1);
  }

  static void enqueue(Client& c, const std::string& line) {
    c.queuedBytes += line.size();
    c.queue.push_back(line);
  }

  void finishHandshake(Client& c) {
    try {
      const auto request = nlohmann::json::parse(c.handshake);
      if (request.is_object() && request.contains("token") && request["token"].is_string() &&
          sameToken(request["token"].get<std::string>(), options.token)) {
        c.accepted = true;
        ++accepted;
        enqueue(
            c, nlohmann::json{{"type", "hello"}, {"version", 1}, {"command", options.command}}.dump(
                   -1, ' ', false, nlohmann::json::error_handler_t::replace) +
                   "\n");
        for (const auto& line : backlog)
          enqueue(c, line);
        return;
      }
    } catch (const nlohmann::json::exception&) {
    }
    enqueue(c, R"({"type":"error","message":"invalid or missing token"})"
               "\n");
    c.closing = true;
  }

  void readFrom(Client& c) {
    char buffer[1024];
    const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
      c.closing = true;
      c.queue.clear();
      return;
    }
    if (n < 0 || c.accepted)
      return; // an accepted client has nothing more to say; its bytes are ignored
    c.handshake.append(buffer, size_t(n));
    const auto newline = c.handshake.find('\n');
    if (newline != std::string::npos) {
      c.handshake.resize(newline);
      finishHandshake(c);
    } else if (c.handshake.size() > kHandshakeBytes) {
      enqueue(c, R"({"type":"error","message":"handshake too long"})"
                 "\n");
      c.closing = true;
    }
  }

  void writeTo(Client& c) {
    while (!c.queue.empty()) {
      const std::string& front = c.queue.front();
      const ssize_t n = ::send(c.fd, front.data() + c.sentOfFront, front.size() - c.sentOfFront,
                               MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0) {
        if (errno != EAGAIN && errno != EINTR) {
          c.queue.clear();
          c.closing = true;
        }
        return;
      }
      c.sentOfFront += size_t(n);
      if (c.sentOfFront == front.size()) {
        c.queuedBytes -= front.size();
        c.queue.pop_front();
        c.sentOfFront = 0;
      }
    }
  }

  void acceptClients() {
    while (true) {
      const int fd = ::accept4(listenFd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0)
        return;
      std::lock_guard lock(mutex);
      if (clients.size() >= options.maxClients) {
        const char* busy = R"({"type":"error","message":"too many clients"})"
                           "\n";
        [[maybe_unused]] const auto ignored =
            ::send(fd, busy, std::strlen(busy), MSG_NOSIGNAL | MSG_DONTWAIT);
        ::close(fd);
        continue;
      }
      Client c;
      c.fd = fd;
      clients.push_back(std::move(c));
    }
  }

  // The server thread's body: nothing may leave it (an exception there would end the process
  // whose run is being watched), so a failure ends the stream, never the command.
  void run() {
    try {
      serve();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "lumen: the live stream stopped: %s\n", e.what());
      std::lock_guard lock(mutex);
      for (auto& c : clients)
        ::close(c.fd);
      clients.clear();
    }
  }

  void serve() {
    auto stopDeadline = std::chrono::steady_clock::time_point::max();
    while (true) {
      std::vector<pollfd> fds{{wake[0], POLLIN, 0}, {listenFd, POLLIN, 0}};
      {
        std::lock_guard lock(mutex);
        const auto now = std::chrono::steady_clock::now();
        for (auto& c : clients) {
          if (!c.accepted && !c.closing && now - c.since > kHandshakeTimeout) {
            c.closing = true;
            c.queue.clear();
          }
          short events = POLLIN;
          if (!c.queue.empty())
            events |= POLLOUT;
          fds.push_back({c.fd, events, 0});
        }
        if (stopping && stopDeadline == std::chrono::steady_clock::time_point::max())
          stopDeadline = now + std::chrono::seconds(1);
        bool pending = false;
        for (const auto& c : clients)
          pending = pending || !c.queue.empty();
        if (stopping && (!pending || now > stopDeadline))
          break;
      }
      ::poll(fds.data(), nfds_t(fds.size()), 200);
      if (fds[0].revents & POLLIN) {
        char drain[256];
        while (::read(wake[0], drain, sizeof drain) > 0) {
        }
      }
      if (fds[1].revents & POLLIN)
        acceptClients();
      std::lock_guard lock(mutex);
      for (size_t i = 2; i < fds.size() && i - 2 < clients.size(); ++i) {
        Client& c = clients[i - 2];
        if (fds[i].revents & (POLLIN | POLLHUP | POLLERR))
          readFrom(c);
        if (!c.queue.empty())
          writeTo(c);
      }
      for (auto it = clients.begin(); it != clients.end();) {
        if (it->closing && it->queue.empty()) {
          ::close(it->fd);
          it = clients.erase(it);
        } else {
          ++it;
        }
      }
    }
    std::lock_guard lock(mutex);
    for (auto& c : clients)
      ::close(c.fd);
    clients.clear();
  }
};

StreamServer::StreamServer(StreamServerOptions options) : state_(std::make_unique<State>()) {
  if (options.token.empty())
    throw InputError("a stream needs a shared token");
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(options.port);
  if (const int code = ::getaddrinfo(options.host.c_str(), port.c_str(), &hints, &found); code != 0)
    throw InputError("stream address " + options.host + ": " + ::gai_strerror(code));
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> list(found, ::freeaddrinfo);
  if (!options.allowRemote && !isLoopbackAddress(found->ai_addr))
    throw InputError("stream address " + options.host +
                     " is not a loopback address: a stream serves only this machine unless "
                     "remote clients are allowed explicitly (--stream-allow-remote)");
  const int fd = ::socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC, 0);
  const int yes = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  if (fd < 0 || ::bind(fd, found->ai_addr, found->ai_addrlen) != 0 || ::listen(fd, 16) != 0) {
    const std::string reason = std::strerror(errno);
    if (fd >= 0)
      ::close(fd);
    throw IoError("cannot serve a stream on " + options.host + ":" + port + ": " + reason);
  }
  setNonBlocking(fd);
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
  state_->port =
      ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                        : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  if (::pipe2(state_->wake, O_NONBLOCK | O_CLOEXEC) != 0) {
    ::close(fd);
    throw IoError(std::string("cannot create the stream's wake-up pipe: ") + std::strerror(errno));
  }
  state_->listenFd = fd;
  state_->options = std::move(options);
  state_->thread = std::thread([state = state_.get()] { state->run(); });
}

StreamServer::~StreamServer() {
  publish({{"type", "end"}});
  state_->stopping = true;
  state_->notify();
  state_->thread.join();
  ::close(state_->listenFd);
  ::close(state_->wake[0]);
  ::close(state_->wake[1]);
}

int StreamServer::port() const {
  return state_->port;
}

void StreamServer::publish(const nlohmann::json& message) {
  std::string line = message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (line.size() > state_->options.maxMessageBytes)
    line = nlohmann::json{{"type", message.value("type", "unknown")},
                          {"truncated", true},
                          {"bytes", line.size()}}
               .dump();
  line += '\n';
  {
    std::lock_guard lock(state_->mutex);
    state_->backlog.push_back(line);
    state_->backlogBytes += line.size();
    while (state_->backlog.size() > kBacklogMessages ||
           state_->backlogBytes > state_->options.maxQueuedBytes / 2) {
      state_->backlogBytes -= state_->backlog.front().size();
      state_->backlog.pop_front();
    }
    for (auto& c : state_->clients) {
      if (!c.accepted || c.closing)
        continue;
      if (c.queuedBytes + line.size() > state_->options.maxQueuedBytes) {
        // Too slow: dropped rather than allowed to hold the command back or grow without end.
        c.queue.clear();
        c.queuedBytes = 0;
        c.sentOfFront = 0;
        State::enqueue(c, R"({"type":"error","message":"dropped: the client reads too slowly"})"
                          "\n");
        c.closing = true;
        ++state_->dropped;
        continue;
      }
      State::enqueue(c, line);
    }
  }
  state_->notify();
}

size_t StreamServer::clients() const {
  std::lock_guard lock(state_->mutex);
  size_t n = 0;
  for (const auto& c : state_->clients)
    n += c.accepted && !c.closing ? 1 : 0;
  return n;
}

size_t StreamServer::droppedClients() const {
  return state_->dropped;
}

} // namespace lumen
