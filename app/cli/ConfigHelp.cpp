#include "ConfigHelp.h"

#include <algorithm>
#include <sstream>

namespace lumen::cli {

std::string configKeysHelp(const ConfigKeyList& list) {
  std::ostringstream out;
  out << "Config keys (--set KEY=VALUE; defaults from " << list.source << "):\n";
  size_t keyWidth = 0, valueWidth = 0;
  for (const auto& key : list.keys) {
    keyWidth = std::max(keyWidth, key.path.size());
    valueWidth = std::max(valueWidth, key.value.size());
  }
  // Long values (folder paths) would push every description off the screen; they overflow
  // their column instead.
  valueWidth = std::min<size_t>(valueWidth, 20);
  for (const auto& key : list.keys) {
    out << "  " << key.path << std::string(keyWidth - key.path.size(), ' ') << " = " << key.value;
    const size_t pad = key.value.size() < valueWidth ? valueWidth - key.value.size() : 0;
    out << std::string(pad + 2, ' ') << key.allowed << "\n";
  }
  return out.str();
}

} // namespace lumen::cli
