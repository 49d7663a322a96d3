// `lumen-cli segment serve --studies DIR`: the MONAI Label-compatible service over a study folder,
// until SIGINT or SIGTERM. 3D Slicer's MONAI Label module connects to the printed URL.
#include "Commands.h"
#include "segment/Datastore.h"
#include "segment/MonaiLabelService.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

namespace lumen::cli {
namespace {

// A service that reads and writes patient images must not be reachable from the network by
// accident: only loopback names pass without --allow-remote.
bool isLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

volatile std::sig_atomic_t g_stopRequested = 0;
extern "C" void onStopSignal(int) {
  g_stopRequested = 1;
}

int serveCommand(const ParsedArgs& args) {
  const auto studies = args.value("--studies");
  if (!studies)
    throw UsageError("segment serve needs --studies DIR");
  segment::ServiceOptions options;
  options.host = args.value("--host", "127.0.0.1");
  if (!isLoopback(options.host) && !args.flag("--allow-remote"))
    throw UsageError("--host " + options.host +
                     " is not a loopback address; add --allow-remote to serve the network "
                     "(the service has no authentication)");
  options.port = int(args.integer("--port", 8000, 0, 65535));
  options.maxUploadBytes = uint64_t(args.integer("--max-upload-mb", 1024, 1, 16384)) << 20;
  options.threads = int(args.integer("--threads", 2, 1, 64));

  // SIGINT/SIGTERM only raise a flag (any thread may receive them: torch and ITK start threads
  // of their own); a watcher thread sees it and stops the server cleanly, never mid-write.
  g_stopRequested = 0;
  auto previousInt = std::signal(SIGINT, onStopSignal);
  auto previousTerm = std::signal(SIGTERM, onStopSignal);

  segment::Datastore datastore(*studies);
  segment::MonaiLabelService service(datastore, options);
  const int port = service.bind();
  const auto stats = datastore.stats();
  std::printf("Lumen MONAI Label service: http://%s:%d/ (%lld images, %lld completed)\n",
              options.host.find(':') != std::string::npos ? ("[" + options.host + "]").c_str()
                                                          : options.host.c_str(),
              port, static_cast<long long>(stats.total), static_cast<long long>(stats.completed));
  std::fflush(stdout);

  std::atomic<bool> done{false};
  std::thread watcher([&] {
    while (!done && !g_stopRequested)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    service.stop();
  });
  service.run();
  done = true;
  watcher.join();
  std::signal(SIGINT, previousInt);
  std::signal(SIGTERM, previousTerm);
  std::printf("Lumen MONAI Label service stopped\n");
  return 0;
}

} // namespace

void addSegmentServeCommand(Command& segment) {
  segment.subcommand("serve", "Serve a study folder to MONAI Label clients (3D Slicer)")
      .description(
          "A MONAI Label-compatible HTTP service over DIR (the `segment datastore` layout):\n"
          "GET /info/, /datastore/ (stats, all, train; image and label download, upload and\n"
          "delete), POST /activelearning/{first,random,uncertainty,chosen}, POST /infer/{model}\n"
          "(foreground/background voxel clicks -> mask, multipart reply), /session/ and the\n"
          "status of /train/ (no training). Binds 127.0.0.1 unless --allow-remote; runs until\n"
          "SIGINT or SIGTERM. In 3D Slicer's MONAI Label module enter the printed URL.")
      .option({"--studies", "DIR", "the study folder (created datastore_v2.json if missing)"})
      .option({"--host", "ADDR", "address to bind (default 127.0.0.1)"})
      .option({"--port", "N", "port, 0 for any free one (default 8000)"})
      .option({"--allow-remote", "", "allow a non-loopback --host (no authentication!)"})
      .option({"--max-upload-mb", "N", "largest request body in MB, 1-16384 (default 1024)"})
      .option({"--threads", "N", "requests served at once, 1-64 (default 2)"})
      .handler(serveCommand);
}

} // namespace lumen::cli
