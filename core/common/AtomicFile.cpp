#include "common/AtomicFile.h"

#include "common/Error.h"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <random>
#include <unistd.h>

namespace fs = std::filesystem;

namespace lumen {
namespace {

void syncDirectoryOf(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  const int fd = ::open(parent.empty() ? "." : parent.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

} // namespace

std::string uniqueTemporaryPath(const std::string& path, const std::string& suffix) {
  static std::atomic<uint64_t> counter{0};
  static const uint32_t salt = std::random_device{}();
  return path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + "-" +
         std::to_string(salt) + suffix;
}

void commitTemporaryFile(const std::string& temp, const std::string& path) {
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    std::error_code ignored;
    fs::remove(temp, ignored);
    throw IoError("cannot move " + temp + " to " + path + ": " + reason);
  }
  syncDirectoryOf(path);
}

void syncFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0)
    throw IoError("cannot open " + path + " to flush it: " + std::strerror(errno));
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0)
    throw IoError("cannot flush " + path + " to disk: " + std::strerror(errno));
}

void replaceFileAtomically(const std::string& path,
                           const std::function<void(const std::string& tempPath)>& write,
                           const std::string& tempSuffix) {
  const std::string temp = uniqueTemporaryPath(path, tempSuffix);
  try {
    write(temp);
    syncFile(temp);
  } catch (...) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    throw;
  }
  commitTemporaryFile(temp, path);
}

void writeFileAtomically(const std::string& path, const std::string& content) {
  replaceFileAtomically(path, [&](const std::string& temp) {
    std::FILE* file = std::fopen(temp.c_str(), "wb");
    if (!file)
      throw IoError("cannot create " + temp + ": " + std::strerror(errno));
    const size_t written = std::fwrite(content.data(), 1, content.size(), file);
    const bool ok = written == content.size() && std::fflush(file) == 0;
    std::fclose(file);
    if (!ok)
      throw IoError("cannot write " + path + ": " + std::strerror(errno));
  });
}

} // namespace lumen
