#include "common/Files.h"

#include "common/Error.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <unistd.h>

namespace fs = std::filesystem;

namespace lumen {

void requireFile(const std::string& path, const std::string& what) {
  std::error_code error;
  const auto status = fs::status(path, error);
  if (!fs::exists(status))
    throw IoError(path + " does not exist (expected " + what + ")");
  if (fs::is_directory(status))
    throw IoError(path + " is a folder, expected " + what);
  if (!fs::is_regular_file(status))
    throw IoError(path + " is not a regular file, expected " + what);
  if (::access(path.c_str(), R_OK) != 0)
    throw IoError(path + " cannot be read: " + std::strerror(errno));
}

void requireFolder(const std::string& path, const std::string& what) {
  std::error_code error;
  const auto status = fs::status(path, error);
  if (!fs::exists(status))
    throw IoError(path + " does not exist (expected " + what + ")");
  if (!fs::is_directory(status))
    throw IoError(path + " is a file, expected " + what);
}

void requireWritableParent(const std::string& path, const std::string& option) {
  if (path.empty())
    throw InputError(option + ": the output path is empty");
  const fs::path parent = fs::absolute(path).parent_path();
  std::error_code error;
  if (fs::exists(path, error) && fs::is_directory(path, error))
    throw InputError(option + ": " + path + " is a folder, expected a file name");
  if (fs::exists(parent, error)) {
    if (!fs::is_directory(parent, error))
      throw InputError(option + ": " + parent.string() + " is a file, not a folder");
    if (::access(parent.c_str(), W_OK) != 0)
      throw InputError(option + ": cannot write into " + parent.string() + ": " +
                       std::strerror(errno));
    return;
  }
  fs::create_directories(parent, error);
  if (error)
    throw InputError(option + ": cannot create the folder " + parent.string() + ": " +
                     error.message());
}

} // namespace lumen
