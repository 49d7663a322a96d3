#include "common/Version.h"

#include "LumenVersions.h"

namespace lumen {

std::string lumenVersion() {
  return LUMEN_VERSION;
}

std::vector<std::pair<std::string, std::string>> engineVersions() {
  const std::vector<std::pair<std::string, std::string>> all{
      {"Lumen", LUMEN_VERSION},          {"Qt", LUMEN_QT_VERSION},
      {"VTK", LUMEN_VTK_VERSION},        {"ITK", LUMEN_ITK_VERSION},
      {"HDF5", LUMEN_HDF5_VERSION},      {"yaml-cpp", LUMEN_YAML_CPP_VERSION},
      {"LibTorch", LUMEN_TORCH_VERSION}, {"nlohmann_json", LUMEN_NLOHMANN_JSON_VERSION},
      {"GDCM", LUMEN_GDCM_VERSION},      {"LZ4", LUMEN_LZ4_VERSION},
      {"ZSTD", LUMEN_ZSTD_VERSION},
  };
  // A package whose CMake config sets no version variable leaves an empty string; say so rather
  // than print a bare name.
  std::vector<std::pair<std::string, std::string>> versions;
  for (const auto& [component, version] : all)
    versions.emplace_back(component, version.empty() ? "(version unknown)" : version);
  return versions;
}

} // namespace lumen
