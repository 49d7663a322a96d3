#include "shapes/CompletionFiles.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "io/NiftiIO.h"
#include "shapes/ClassMeshes.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace lumen {

std::vector<std::string> writeCompletionFiles(const CompletionResult& result,
                                              const std::string& labelMapPath,
                                              const std::string& meshDir,
                                              const std::vector<std::string>& meshFormats) {
  const bool compressed =
      labelMapPath.size() > 3 && labelMapPath.compare(labelMapPath.size() - 3, 3, ".gz") == 0;
  const std::string labelTemp = uniqueTemporaryPath(labelMapPath, compressed ? ".nii.gz" : ".nii");
  const std::string meshTemp = meshDir.empty() ? std::string() : uniqueTemporaryPath(meshDir);
  std::vector<std::string> moved;
  auto cleanUp = [&] {
    std::error_code ignored;
    fs::remove(labelTemp, ignored);
    if (!meshTemp.empty())
      fs::remove_all(meshTemp, ignored);
    for (const std::string& file : moved)
      fs::remove(file, ignored);
  };
  try {
    if (!meshDir.empty() && fs::exists(meshDir) && !fs::is_directory(meshDir))
      throw InputError("cannot write meshes to " + meshDir + ": it is a file, not a folder");
    if (const fs::path parent = fs::path(labelMapPath).parent_path(); !parent.empty())
      fs::create_directories(parent);
    writeLabelVolume(labelTemp, result.labels);
    if (!meshDir.empty()) {
      // A sibling folder on the same file system, so the files can be renamed into place.
      const std::vector<std::string> files = writeClassMeshes(meshTemp, result.meshes, meshFormats);
      fs::create_directories(meshDir);
      for (const std::string& file : files) {
        const std::string target = (fs::path(meshDir) / fs::path(file).filename()).string();
        fs::rename(file, target);
        moved.push_back(target);
      }
      fs::remove_all(meshTemp);
    }
    commitTemporaryFile(labelTemp, labelMapPath);
  } catch (const fs::filesystem_error& e) {
    cleanUp();
    throw IoError("cannot write the completion (" + labelMapPath +
                  (meshDir.empty() ? "" : ", meshes in " + meshDir) + "): " + e.what());
  } catch (...) {
    cleanUp();
    throw;
  }
  return moved;
}

} // namespace lumen
