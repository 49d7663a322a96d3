// What every `lumen-cli <pipeline> train` does the same way: the run folder (new, or an existing
// run to resume), the configuration (a resumed run keeps its own config.yaml unless --config or
// --set are given; a changed one is refused before anything runs unless --accept-config-change),
// the progress bar, and the closing lines.
#pragma once
#include "CommandLine.h"

#include <functional>
#include <string>
#include <vector>

namespace lumen::cli {

// --config, --set, --run-dir and --accept-config-change, with the task's shipped config named
// and its keys listed in --help (`task` as trainingTask() knows it).
void addTrainingOptions(Command& command, const std::string& task, const std::string& runPrefix);

// `extraOverrides` come after --set (shorthands such as shapes' --phase); `runPrefix` names a new
// run folder (runs/<prefix>-<time>) from the resolved configuration, unless `defaultRunDir` names
// the run folder to use without --run-dir (segment's study-folder run).
int runTrainingCommand(const std::string& task, const ParsedArgs& args,
                       const std::vector<std::string>& extraOverrides,
                       const std::function<std::string(const std::string& configYaml)>& runPrefix,
                       const std::string& defaultRunDir = {});

} // namespace lumen::cli
