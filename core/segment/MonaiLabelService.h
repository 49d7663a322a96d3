// A MONAI Label-compatible HTTP service over a study-folder Datastore and Lumen's segmentation
// backends, so 3D Slicer's MONAI Label module and MONAILabelClient work against Lumen unchanged
// (the wire facts are in /work/shared/MONAILABEL.md: routes, query names, reply shapes, the
// multipart infer reply). The CLI's `segment serve` runs it; a GUI can embed the same object.
//
// It is Qt-free and keeps cpp-httplib out of this header (only MonaiLabelService.cpp includes
// it), so the engine's other users do not inherit the HTTP library.
//
// Safety: it binds only where told (the CLI refuses non-loopback hosts unless asked), caps
// request bodies (413), uses read/write timeouts and a bounded worker pool, checks every id with
// requireSafeId, and logs method, route and status only (never a query, an id or a file name,
// which may carry a patient identifier).
#pragma once
#include "segment/Datastore.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lumen::segment {

struct ServiceOptions {
  std::string host = "127.0.0.1";
  int port = 8000;                                // 0: any free port (tests)
  uint64_t maxUploadBytes = uint64_t(1024) << 20; // request bodies above this get 413
  int threads = 2;                                // worker pool size (concurrent requests)
  int readTimeoutSeconds = 60;                    // a stalled client is dropped
  int writeTimeoutSeconds = 300;                  // a slow download is dropped
  std::vector<std::string> labels = {"object"};   // /info/'s labels: Slicer's segment names
  int maxSessions = 16;                           // live /session/ uploads at once
  uint64_t seed = 0;                              // the random strategy's generator
};

class MonaiLabelService {
public:
  // `datastore` must outlive the service. Throws InputError for options out of range.
  MonaiLabelService(Datastore& datastore, ServiceOptions options);
  ~MonaiLabelService();
  MonaiLabelService(const MonaiLabelService&) = delete;
  MonaiLabelService& operator=(const MonaiLabelService&) = delete;

  // Binds host:port (port 0 picks a free one) and returns the port. IoError when it cannot.
  int bind();
  // Serves until stop() (from any thread or a signal-watching thread). bind() first.
  void run();
  void stop();

  // The GET /info/ reply (MONAILABEL.md §3).
  Json info();

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace lumen::segment
