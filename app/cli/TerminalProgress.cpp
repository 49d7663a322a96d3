#include "TerminalProgress.h"

#include "common/JobPool.h"
#include "common/Log.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <thread>
#include <unistd.h>

namespace lumen::cli {
namespace {

std::atomic<int> interrupts{0};
bool quietProgress = false;

void onInterrupt(int) {
  if (interrupts.fetch_add(1) >= 1)
    std::_Exit(130);
}

std::string bar(double fraction, int width) {
  const int filled = static_cast<int>(fraction * width + 0.5);
  std::string out;
  for (int i = 0; i < width; ++i)
    out += i < filled ? "\u2588" : "\u2591";
  return out;
}

// The command line's job pool: the same mechanism as the GUI's, so a job's parallel parts
// (parallelFor) find workers here too.
JobPool& commandPool() {
  static JobPool pool(int(std::max(1u, std::thread::hardware_concurrency())));
  return pool;
}

} // namespace

void setQuietProgress(bool quiet) {
  quietProgress = quiet;
}

int runWithProgress(const JobPtr& job) {
  interrupts = 0;
  auto previous = std::signal(SIGINT, onInterrupt);
  commandPool().submit(job);
  const bool tty = !quietProgress && isatty(STDERR_FILENO) != 0;
  int lastDecile = -1;
  auto lastLine = std::chrono::steady_clock::now();
  bool cancelAnnounced = false;
  while (!job->wait(std::chrono::milliseconds(tty ? 100 : 250))) {
    if (interrupts.load() > 0 && !cancelAnnounced) {
      job->requestCancel();
      cancelAnnounced = true;
      std::fprintf(stderr, "%s\ncancelling %s (Ctrl+C again to quit at once)...\n",
                   tty ? "\r\033[K" : "", job->title().c_str());
    }
    if (quietProgress)
      continue;
    const double fraction = job->progress();
    const auto eta = job->etaSeconds();
    const std::string etaText = eta ? "ETA " + formatDuration(*eta) : "";
    if (tty) {
      std::fprintf(stderr, "\r\033[K%s %3.0f%% %s  %s  %s", bar(fraction, 30).c_str(),
                   fraction * 100, formatDuration(job->elapsedSeconds()).c_str(), etaText.c_str(),
                   job->stage().c_str());
      std::fflush(stderr);
    } else {
      const int decile = static_cast<int>(fraction * 10);
      const auto now = std::chrono::steady_clock::now();
      if (decile != lastDecile || now - lastLine > std::chrono::minutes(1)) {
        std::fprintf(stderr, "[%3.0f%%] %s %s\n", fraction * 100, job->stage().c_str(),
                     etaText.c_str());
        lastDecile = decile;
        lastLine = now;
      }
    }
  }
  std::signal(SIGINT, previous);
  if (tty)
    std::fprintf(stderr, "\r\033[K");
  switch (job->state()) {
  case JobState::Succeeded:
    if (!quietProgress)
      std::fprintf(stderr, "%s: done in %s\n", job->title().c_str(),
                   formatDuration(job->elapsedSeconds()).c_str());
    return 0;
  case JobState::Cancelled:
    std::fprintf(stderr, "%s: cancelled\n", job->title().c_str());
    return 130;
  default: // the job already logged its error
    return 1;
  }
}

} // namespace lumen::cli
