// A long command's live feed (SPEC C9): its log records and metrics as JSON lines over TCP, for a
// monitor on another machine (lumen's File > Connect to Run..., or `nc` and `jq`).
//
// Protocol: the client sends one line {"token": "..."} within 5 s; a wrong or missing token is
// answered {"type": "error", ...} and the connection closed. Accepted clients get
// {"type": "hello", "version": 1, "command": ...}, the messages published so far (the last
// kBacklogMessages) and then every new one, each a JSON object on its own line with a "type"
// ("log", "metrics", "status", "end").
//
// Bounded everywhere: loopback only unless allowRemote; at most maxClients connections; the
// handshake line at most 4 KiB; each message at most maxMessageBytes (longer ones are cut to a
// "truncated" record); each client's queue at most maxQueuedBytes, beyond which the client is
// dropped, so a slow reader never stalls or grows the command it watches. publish() never blocks
// on the network: one thread of the server's own does all socket work.
#pragma once
#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace lumen {

struct StreamServerOptions {
  std::string host = "127.0.0.1";
  int port = 0; // 0: any free port (see StreamServer::port)
  std::string token;
  bool allowRemote = false; // bind to a non-loopback address
  size_t maxClients = 8;
  size_t maxMessageBytes = size_t(64) << 10;
  size_t maxQueuedBytes = size_t(4) << 20;
  std::string command; // what the hello names
};

// "HOST:PORT" or "[IPV6]:PORT"; throws InputError naming the text.
std::pair<std::string, int> parseHostPort(const std::string& text);

// The stream token: the file's first line when a file is given, else $LUMEN_STREAM_TOKEN.
// Throws InputError when neither holds one, or when it is shorter than 16 characters.
std::string streamToken(const std::string& tokenFile);

class StreamServer {
public:
  static constexpr size_t kBacklogMessages = 20000;

  // Binds and listens, then serves on a thread of its own. Throws InputError for a remote
  // address without allowRemote or an empty token, IoError when the address cannot be bound.
  explicit StreamServer(StreamServerOptions options);
  ~StreamServer(); // sends {"type": "end"} to whoever still listens, then closes
  StreamServer(const StreamServer&) = delete;
  StreamServer& operator=(const StreamServer&) = delete;

  int port() const;
  // Queues `message` (an object with a "type") for every client and the backlog.
  void publish(const nlohmann::json& message);
  // Connected clients that passed the handshake.
  size_t clients() const;
  // Clients dropped for reading too slowly, so far.
  size_t droppedClients() const;

private:
  struct State;
  std::unique_ptr<State> state_;
};

} // namespace lumen
