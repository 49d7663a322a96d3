// Saving a completion all or nothing: the label map and the per-class meshes are written under
// temporary names first and renamed into place only once every file is written, the label map
// last, so a failure part-way (a full disk, a folder that cannot be created) leaves no partial
// output and no temporary file behind.
#pragma once
#include "shapes/ShapeCompletion.h"

#include <string>
#include <vector>

namespace lumen {

// Writes result.labels to `labelMapPath` (".gz" compresses) and, unless `meshDir` is empty, each
// class mesh as <meshDir>/<NN>_<name>.<format> for every format. Returns the mesh files.
std::vector<std::string> writeCompletionFiles(const CompletionResult& result,
                                              const std::string& labelMapPath,
                                              const std::string& meshDir,
                                              const std::vector<std::string>& meshFormats);

} // namespace lumen
