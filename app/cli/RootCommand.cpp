#include "RootCommand.h"

#include "TerminalProgress.h"
#include "common/Config.h"
#include "common/Error.h"
#include "common/Version.h"
#include "train/RunStream.h"

#include <cstdio>

namespace lumen::cli {

Command makeRootCommand() {
  Command root("lumen-cli", "Lumen's headless engine: prepare data, train, infer and "
                            "inspect runs without a display.");
  root.option({"--version", "", "print the versions of Lumen and its libraries"});
  root.option({"--verbose", "", "log debug messages (before the command)"});
  root.option({"--quiet", "", "no progress, only warnings and errors (before the command)"});
  root.option({"--stream", "HOST:PORT",
               "serve the command's log and metrics as JSON lines to File > Connect to Run... "
               "(before the command; loopback unless --stream-allow-remote)"});
  root.option({"--stream-token-file", "FILE",
               "the stream's shared token (else $LUMEN_STREAM_TOKEN; 16+ characters)"});
  root.option({"--stream-allow-remote", "", "let --stream bind a non-loopback address"});
  return root;
}

std::optional<int> takeGlobalOptions(std::vector<std::string>& args, TerminalLogSink& terminal,
                                     StreamRequest* stream) {
  StreamRequest ignored;
  StreamRequest& out = stream ? *stream : ignored;
  while (!args.empty()) {
    const std::string option = args[0];
    if (option == "--version") {
      for (const auto& [component, version] : engineVersions())
        std::printf("%s %s\n", component.c_str(), version.c_str());
      return 0;
    }
    if (option == "--verbose" || option == "--quiet") {
      terminal.threshold = option == "--verbose" ? LogLevel::Debug : LogLevel::Warning;
      setQuietProgress(option == "--quiet");
      args.erase(args.begin());
    } else if (option == "--stream-allow-remote") {
      out.allowRemote = true;
      args.erase(args.begin());
    } else if (option == "--stream" || option == "--stream-token-file") {
      if (args.size() < 2) {
        std::fprintf(stderr, "lumen-cli: %s needs a value\n", option.c_str());
        return 2;
      }
      (option == "--stream" ? out.address : out.tokenFile) = args[1];
      args.erase(args.begin(), args.begin() + 2);
    } else {
      break;
    }
  }
  return std::nullopt;
}

std::unique_ptr<RunStreamPublisher> startStream(const StreamRequest& request,
                                                const std::vector<std::string>& args) {
  if (request.address.empty()) {
    if (!request.tokenFile.empty() || request.allowRemote)
      throw InputError("--stream-token-file and --stream-allow-remote need --stream HOST:PORT");
    return nullptr;
  }
  StreamServerOptions options;
  std::tie(options.host, options.port) = parseHostPort(request.address);
  options.token = streamToken(request.tokenFile);
  options.allowRemote = request.allowRemote;
  for (const auto& arg : args)
    options.command += (options.command.empty() ? "lumen-cli " : " ") + arg;
  auto publisher = std::make_unique<RunStreamPublisher>(options);
  std::fprintf(stderr, "lumen-cli: streaming on %s:%d\n", options.host.c_str(), publisher->port());
  std::fflush(stderr);
  return publisher;
}

int runRootCommand(const Command& root, const std::vector<std::string>& args) {
  try {
    return root.run(args, "lumen-cli");
  } catch (const UsageError& e) {
    std::fprintf(stderr, "lumen-cli: %s\n", e.what());
    return 2;
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "lumen-cli: %s\n", e.what());
    return 2;
  } catch (const Error& e) {
    std::fprintf(stderr, "lumen-cli: %s: %s\n", errorKindName(e.kind()), e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lumen-cli: error: %s\n", e.what());
    return 1;
  }
}

} // namespace lumen::cli
