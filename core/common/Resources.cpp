#include "common/Resources.h"

#include "common/Error.h"

#include <cstdlib>
#include <filesystem>
#include <vector>

namespace fs = std::filesystem;

namespace lumen {

std::string findResource(const std::string& relative) {
  std::vector<std::string> roots;
  if (const char* env = std::getenv("LUMEN_RESOURCES"))
    roots.emplace_back(env);
  roots.emplace_back(LUMEN_RESOURCE_DIR);
  roots.emplace_back(LUMEN_INSTALL_RESOURCE_DIR);
  std::string searched;
  for (const auto& root : roots) {
    const fs::path candidate = fs::path(root) / relative;
    if (fs::exists(candidate))
      return candidate.string();
    searched += "\n  " + candidate.string();
  }
  throw IoError("resource " + relative + " not found; looked in:" + searched);
}

} // namespace lumen
