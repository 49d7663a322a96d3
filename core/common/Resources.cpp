#include "common/Resources.h"

#include "LumenPaths.h"
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
  // Installed layout: <prefix>/bin/lumen-cli next to <prefix>/share/lumen.
  std::error_code error;
  const fs::path exe = fs::read_symlink("/proc/self/exe", error);
  if (!error)
    roots.push_back((exe.parent_path().parent_path() / "share" / "lumen").string());
  // Running from the build tree.
  roots.emplace_back(LUMEN_RESOURCE_DIR);
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
