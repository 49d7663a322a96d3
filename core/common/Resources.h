// Locates shipped resources (default configs, class tables) whether Lumen runs from its build
// tree or from an installed package. LUMEN_RESOURCES in the environment overrides both.
#pragma once
#include <string>

namespace lumen {

// The absolute path of `relative` (e.g. "configs/train/regression.yaml"); throws IoError
// listing the folders searched when it is in none of them.
std::string findResource(const std::string& relative);

} // namespace lumen
