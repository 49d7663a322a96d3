#include "common/Version.h"

#include <nlohmann/json.hpp>
#include <torch/version.h>

namespace lumen {

std::string lumenVersion() {
  return LUMEN_VERSION;
}

std::vector<std::pair<std::string, std::string>> engineVersions() {
  std::vector<std::pair<std::string, std::string>> versions{
      {"Lumen", LUMEN_VERSION},
      {"LibTorch", TORCH_VERSION},
      {"nlohmann_json", std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." +
                            std::to_string(NLOHMANN_JSON_VERSION_MINOR) + "." +
                            std::to_string(NLOHMANN_JSON_VERSION_PATCH)},
  };
  return versions;
}

} // namespace lumen
