// `lumen-cli runs list DIR` and `lumen-cli monitor RUN_DIR`.
#include "Commands.h"
#include "TerminalProgress.h"
#include "common/Error.h"
#include "common/Log.h"
#include "common/StreamServer.h"
#include "common/Text.h"
#include "train/MetricAlerts.h"
#include "train/MetricsLog.h"
#include "train/RunDirectory.h"
#include "train/RunStream.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <tuple>
#include <unistd.h>

namespace lumen::cli {
namespace {

std::string number(double v) {
  if (std::isnan(v))
    return "NaN";
  if (std::isinf(v))
    return v > 0 ? "+Inf" : "-Inf";
  char text[32];
  std::snprintf(text, sizeof text, "%.5g", v);
  return text;
}

std::string stateOf(const RunSummary& run) {
  return run.status ? run.status->state : (run.records ? "unknown" : "empty");
}

int listRunsCommand(const ParsedArgs& args) {
  const auto runs = listRuns(args.positional(0));
  if (args.flag("--json")) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& run : runs) {
      nlohmann::json j{{"name", run.name},
                       {"path", run.path},
                       {"state", stateOf(run)},
                       {"records", run.records}};
      if (run.status) {
        j["step"] = run.status->step;
        j["total_steps"] = run.status->totalSteps;
        j["task"] = run.status->task;
        if (run.status->best)
          j["best"] = {{"metric", run.status->bestMetric}, {"value", *run.status->best}};
      }
      if (run.lastRecord)
        j["last_step"] = run.lastRecord->step;
      out.push_back(j);
    }
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  if (runs.empty()) {
    std::printf("no runs in %s\n", args.positional(0).c_str());
    return 0;
  }
  std::printf("%-34s %-12s %-14s %-12s %-22s %s\n", "RUN", "STATE", "STEP", "TASK", "BEST", "PATH");
  for (const auto& run : runs) {
    std::string step = "-", best = "-", task = "-";
    if (run.status) {
      step = std::to_string(run.status->step) + "/" + std::to_string(run.status->totalSteps);
      if (run.status->best)
        best = run.status->bestMetric + "=" + number(*run.status->best);
      if (!run.status->task.empty())
        task = run.status->task;
    } else if (run.lastRecord) {
      step = std::to_string(run.lastRecord->step);
    }
    std::printf("%-34s %-12s %-14s %-12s %-22s %s\n", run.name.c_str(), stateOf(run).c_str(),
                step.c_str(), task.c_str(), best.c_str(), run.path.c_str());
  }
  return 0;
}

// The last values of each scalar, for the live table.
struct MetricHistory {
  std::deque<double> recent;
  double last = 0, min = INFINITY, max = -INFINITY;
  int64_t lastStep = 0;
};

std::string sparkline(const std::deque<double>& values) {
  static const char* blocks[] = {"\u2581", "\u2582", "\u2583", "\u2584",
                                 "\u2585", "\u2586", "\u2587", "\u2588"};
  double lo = INFINITY, hi = -INFINITY;
  for (double v : values)
    if (std::isfinite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  std::string out;
  for (double v : values) {
    if (!std::isfinite(v)) {
      out += "!";
      continue;
    }
    const int level = hi > lo ? static_cast<int>((v - lo) / (hi - lo) * 7.0 + 0.5) : 3;
    out += blocks[std::clamp(level, 0, 7)];
  }
  return out;
}

std::atomic<bool> stopMonitor{false};
void onMonitorInterrupt(int) {
  stopMonitor = true;
}

int monitorCommand(const ParsedArgs& args) {
  const std::string dir = args.positional(0);
  const bool once = args.flag("--once");
  const double interval = args.number("--interval", 1.0, 0.1, 3600.0);
  if (!isRunDirectory(dir))
    throw InputError(dir + " is not a run directory (no metrics.jsonl or status.json)");
  const auto only = args.value("--metric");
  const bool tty = isatty(STDOUT_FILENO) != 0 && !once;
  const int width = 40;

  MetricsTail tail(dir + "/metrics.jsonl");
  std::map<std::string, MetricHistory> metrics;
  std::vector<std::string> seen; // every scalar the run logged, for an unknown --metric
  std::vector<std::string> alerts;
  std::optional<MetricAlerts> detector; // scaled by the run's GAN loss once it has records
  int64_t lastStep = 0, lastEpoch = 0;
  stopMonitor = false;
  auto previous = std::signal(SIGINT, onMonitorInterrupt);
  for (;;) {
    const auto records = tail.poll();
    if (!detector && !records.empty())
      detector.emplace(ganLossOfRun(dir));
    if (detector)
      for (auto& message : detector->check(std::filesystem::path(dir).filename().string(), records))
        alerts.push_back(std::move(message));
    for (const auto& record : records) {
      lastStep = record.step;
      lastEpoch = record.epoch;
      std::string line =
          "step " + std::to_string(record.step) + " epoch " + std::to_string(record.epoch);
      for (const auto& [name, value] : record.scalars) {
        if (std::find(seen.begin(), seen.end(), name) == seen.end())
          seen.push_back(name);
        if (only && name != *only)
          continue;
        auto& h = metrics[name];
        h.last = value;
        h.lastStep = record.step;
        if (std::isfinite(value)) {
          h.min = std::min(h.min, value);
          h.max = std::max(h.max, value);
        }
        h.recent.push_back(value);
        if (int(h.recent.size()) > width)
          h.recent.pop_front();
        line += " " + name + "=" + number(value);
      }
      if (!tty && !once)
        std::printf("%s\n", line.c_str());
    }
    const auto status = readRunStatus(dir);
    const bool ended = !status || status->state != "running";
    if (tty || once || ended) {
      std::string out;
      if (tty)
        out += "\033[H\033[J";
      out += "Run " + dir + "\n";
      if (status) {
        out += "state " + status->state + "   step " + std::to_string(status->step);
        if (status->totalSteps > 0) {
          char pct[16];
          std::snprintf(pct, sizeof pct, " (%.0f%%)",
                        100.0 * double(status->step) / double(status->totalSteps));
          out += "/" + std::to_string(status->totalSteps) + pct;
        }
        out += "   epoch " + std::to_string(status->epoch + (status->state == "running"));
        if (status->best)
          out += "   best " + status->bestMetric + " " + number(*status->best);
        out += "\n";
        if (!status->message.empty())
          out += status->message + "\n";
      } else {
        out += "step " + std::to_string(lastStep) + "   epoch " + std::to_string(lastEpoch) + "\n";
      }
      char header[128];
      std::snprintf(header, sizeof header, "\n%-24s %12s %12s %12s  %s\n", "METRIC", "LAST", "MIN",
                    "MAX", "TREND");
      out += header;
      for (const auto& [name, h] : metrics) {
        // Min and max are of the finite values; a scalar that never was finite has none.
        const bool anyFinite = h.min <= h.max;
        char row[256];
        std::snprintf(row, sizeof row, "%-24s %12s %12s %12s  ", name.c_str(),
                      number(h.last).c_str(), anyFinite ? number(h.min).c_str() : "-",
                      anyFinite ? number(h.max).c_str() : "-");
        out += row + sparkline(h.recent) + "\n";
      }
      if (only && !metrics.count(*only))
        out += "(no '" + *only + "' logged yet" +
               (seen.empty() ? std::string() : "; this run logs " + joinLimited(seen, 12)) + ")\n";
      for (const auto& alert : alerts)
        out += (tty ? "\033[1;31mALERT\033[0m " : "ALERT ") + alert + "\n";
      if (tty && !ended)
        out += "\n(Ctrl+C to stop watching; the run continues)\n";
      std::fputs(out.c_str(), stdout);
      std::fflush(stdout);
    }
    if (once || ended || stopMonitor) {
      // A metric the finished run never logged is a typo: say which ones it has.
      if (only && !metrics.count(*only) && (ended || once) && !seen.empty()) {
        std::signal(SIGINT, previous);
        throw UsageError("--metric " + *only + ": the run logs no such scalar; it has " +
                         joinLimited(seen, 12));
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int>(interval * 1000)));
  }
  std::signal(SIGINT, previous);
  return alerts.empty() ? 0 : 3;
}

int followCommand(const ParsedArgs& args) {
  StreamFollowOptions options;
  std::tie(options.host, options.port) = parseHostPort(args.positional(0));
  options.mirrorRoot = args.positional(1);
  options.token = streamToken(args.value("--token-file", std::string()));
  std::filesystem::create_directories(options.mirrorRoot);
  const int code = runWithProgress(followRunStreamJob(options, [](const std::string& runDir) {
    logInfo("mirroring run ", runDir, " (watch it with: lumen-cli monitor ", runDir, ")");
  }));
  return code;
}

} // namespace

void addRunsCommands(Command& root) {
  auto& runs = root.subcommand("runs", "Inspect run directories");
  runs.subcommand("list", "List the runs in a folder with their state, progress and best metric")
      .positional({"DIR", "a folder of runs (searched two levels deep) or one run"})
      .option({"--json", "", "print JSON instead of a table"})
      .handler(listRunsCommand);
  runs.subcommand("follow", "Mirror a --stream'ed command's runs into a local folder")
      .description("Connects to a command started with lumen-cli --stream HOST:PORT, copies each "
                   "of its runs'\nmetrics.jsonl and status.json into MIRROR_DIR/<run> as they "
                   "arrive and prints its log,\nuntil the command ends or Ctrl+C. Watch a mirrored "
                   "run with lumen-cli monitor MIRROR_DIR/<run>.")
      .positional({"HOST:PORT", "where the command streams"})
      .positional({"MIRROR_DIR", "the folder that receives the runs"})
      .option({"--token-file", "FILE", "the stream's token (else $LUMEN_STREAM_TOKEN)"})
      .handler(followCommand);
  root.subcommand("monitor", "Watch a run's metrics live in the terminal")
      .description("Follows RUN_DIR/metrics.jsonl as the run writes it and shows each scalar's "
                   "last, min, max and a trend line,\nuntil the run ends or Ctrl+C. Exits with "
                   "status 3 when an alert was raised: a loss became NaN or infinite, or a GAN\n"
                   "discriminator collapsed or overpowers its generator.")
      .positional({"RUN_DIR", "the run directory (holds metrics.jsonl)"})
      .option({"--once", "", "print one snapshot and exit"})
      .option({"--interval", "SECONDS", "refresh period (default 1)"})
      .option({"--metric", "NAME", "show only this scalar"})
      .handler(monitorCommand);
}

} // namespace lumen::cli
