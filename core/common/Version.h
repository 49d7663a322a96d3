// Versions of Lumen and the engine's libraries, for --version and the About box.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace lumen {

std::string lumenVersion();
// (component, version) pairs: Lumen, LibTorch (+ CUDA when built with it), nlohmann_json.
std::vector<std::pair<std::string, std::string>> engineVersions();

} // namespace lumen
