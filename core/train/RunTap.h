// A process-wide tap on what training runs write: every metrics.jsonl record and every
// status.json, as the JSON messages a live stream serves (train/RunStream.h). MetricsWriter and
// RunDirectory call tapRun; nothing is done when no tap is set.
#pragma once
#include <functional>
#include <nlohmann/json.hpp>

namespace lumen {

using RunTap = std::function<void(const nlohmann::json& message)>;

// Replaces the tap (an empty function removes it). The tap is called on the writer's thread and
// must not block.
void setRunTap(RunTap tap);
void tapRun(const nlohmann::json& message);
bool runTapSet();

} // namespace lumen
