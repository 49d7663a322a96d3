// Versions of Lumen and its libraries, for --version and the About box.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace lumen {

std::string lumenVersion();
// (component, version) pairs: Lumen, Qt, VTK, ITK, HDF5, yaml-cpp, LibTorch (+ CUDA when built
// with it), nlohmann_json, GDCM, LZ4 and ZSTD, as the build was configured against them (Qt's is
// "(not built)" in a build without the GUI). Compile-time strings only: nothing here loads or
// calls a library, so a front end can print them before (or without) loading LibTorch.
std::vector<std::pair<std::string, std::string>> engineVersions();

} // namespace lumen
