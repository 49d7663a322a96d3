#include "events/KeptEvents.h"

#include "common/Error.h"
#include "events/EventMetrics.h"
#include "io/Hdf5File.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <tuple>

namespace lumen {

namespace {

using EventKey = std::tuple<int64_t, uint16_t, uint16_t, int8_t>;

std::vector<EventKey> sortedKeys(const EventArray& events) {
  std::vector<EventKey> keys(events.size());
  for (size_t i = 0; i < events.size(); ++i)
    keys[i] = {events.t[i], events.x[i], events.y[i], events.p[i]};
  // Event files are sorted by time already; only ties need ordering.
  std::sort(keys.begin(), keys.end());
  return keys;
}

KeptEventsRow rowOf(const std::string& method, const EventArray& kept, const EventArray& input,
                    const std::vector<EventKey>& inputKeys, const KeptEventsOptions& options) {
  KeptEventsRow row;
  row.method = method;
  row.kept = kept.size();
  row.share = input.empty() ? 0.0 : double(kept.size()) / double(input.size());
  row.esr = eventStructureRatio(kept, options.esrWindowUs);
  const auto keys = sortedKeys(kept);
  row.subset = std::includes(inputKeys.begin(), inputKeys.end(), keys.begin(), keys.end());
  return row;
}

EventArray keptBy(const EventArray& input, const FilterOptions& filter) {
  return input.select(filterEvents(input, filter).keep);
}

} // namespace

bool isEventSubset(const EventArray& part, const EventArray& whole) {
  const auto wholeKeys = sortedKeys(whole), partKeys = sortedKeys(part);
  return std::includes(wholeKeys.begin(), wholeKeys.end(), partKeys.begin(), partKeys.end());
}

KeptEventsTable compareKeptEvents(const std::string& name, const EventArray& input,
                                  const std::vector<std::pair<std::string, EventArray>>& outputs,
                                  const KeptEventsOptions& options) {
  for (const auto& [method, events] : outputs)
    if (events.sensor.width != input.sensor.width || events.sensor.height != input.sensor.height)
      throw InputError(method + " is from a " + std::to_string(events.sensor.width) + "x" +
                       std::to_string(events.sensor.height) + " sensor, " + name + " from a " +
                       std::to_string(input.sensor.width) + "x" +
                       std::to_string(input.sensor.height) + " one: not a denoised version of it");
  KeptEventsTable table;
  table.input = name;
  table.sensor = input.sensor;
  table.inputEvents = input.size();
  table.durationSeconds = input.empty() ? 0.0 : double(input.t.back() - input.t.front()) * 1e-6;
  table.options = options;
  const auto inputKeys = sortedKeys(input);
  table.rows.push_back(rowOf("input", input, input, inputKeys, options));
  FilterOptions baf;
  baf.method = FilterMethod::Baf;
  baf.dtUs = options.bafDtUs;
  table.rows.push_back(rowOf("baf", keptBy(input, baf), input, inputKeys, options));
  FilterOptions stcf;
  stcf.method = FilterMethod::Stcf;
  stcf.dtUs = options.stcfDtUs;
  stcf.k = options.stcfK;
  table.rows.push_back(rowOf("stcf", keptBy(input, stcf), input, inputKeys, options));
  for (const auto& [method, events] : outputs)
    table.rows.push_back(rowOf(method, events, input, inputKeys, options));
  return table;
}

std::string denoisedMethodName(const std::string& path) {
  if (Hdf5File::openRead(path).stringAttribute("/events", "denoised_output"))
    return "network";
  return std::filesystem::path(path).filename().string();
}

std::string formatKeptEventsTable(const KeptEventsTable& table) {
  size_t width = 6;
  for (const auto& row : table.rows)
    width = std::max(width, row.method.size());
  std::string text;
  char line[512];
  std::snprintf(line, sizeof line, "%s: %llu events, %dx%d, %.3f s\n", table.input.c_str(),
                static_cast<unsigned long long>(table.inputEvents), table.sensor.width,
                table.sensor.height, table.durationSeconds);
  text += line;
  std::snprintf(line, sizeof line, "%-*s %12s %8s %8s  %s\n", int(width), "method", "kept",
                "kept %", "ESR", "subset of input");
  text += line;
  for (const auto& row : table.rows) {
    std::snprintf(line, sizeof line, "%-*s %12llu %7.1f%% %8.4f  %s\n", int(width),
                  row.method.c_str(), static_cast<unsigned long long>(row.kept), 100.0 * row.share,
                  row.esr, row.subset ? "yes" : "no");
    text += line;
  }
  std::snprintf(
      line, sizeof line, "BAF dt %lld us; STCF dt %lld us, k %d; ESR over %lld us windows\n",
      static_cast<long long>(table.options.bafDtUs), static_cast<long long>(table.options.stcfDtUs),
      table.options.stcfK, static_cast<long long>(table.options.esrWindowUs));
  text += line;
  return text;
}

std::string keptEventsJson(const KeptEventsTable& table) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : table.rows)
    rows.push_back({{"method", row.method},
                    {"kept", row.kept},
                    {"share", row.share},
                    {"esr", row.esr},
                    {"subset", row.subset}});
  const nlohmann::json json = {{"input", table.input},
                               {"width", table.sensor.width},
                               {"height", table.sensor.height},
                               {"events", table.inputEvents},
                               {"duration_s", table.durationSeconds},
                               {"baf_dt_us", table.options.bafDtUs},
                               {"stcf_dt_us", table.options.stcfDtUs},
                               {"stcf_k", table.options.stcfK},
                               {"esr_window_us", table.options.esrWindowUs},
                               {"methods", rows}};
  return json.dump(2) + "\n";
}

} // namespace lumen
