#include "segment/DatastoreLock.h"

#include "common/Error.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace lumen::segment {

DatastoreLock::DatastoreLock(const std::string& path, double timeoutSeconds) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(int64_t(timeoutSeconds * 1000));
  for (;;) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
      throw IoError("cannot open the datastore lock " + path + ": " + std::strerror(errno));
    // Polled rather than blocking, as filelock does, so a stuck holder gives an error, not a hang.
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      // Someone may have deleted the lock file while we waited: a lock on the unlinked file would
      // exclude nobody who opens the path now, so start again on the new file.
      struct stat held {
      }, current{};
      if (::fstat(fd, &held) == 0 && ::stat(path.c_str(), &current) == 0 &&
          held.st_dev == current.st_dev && held.st_ino == current.st_ino) {
        fd_ = fd;
        return;
      }
      ::close(fd);
      continue;
    }
    const int error = errno;
    ::close(fd);
    if (error != EWOULDBLOCK && error != EINTR)
      throw IoError("cannot lock " + path + ": " + std::strerror(error));
    if (std::chrono::steady_clock::now() >= deadline)
      throw IoError("timed out after " + std::to_string(int(timeoutSeconds)) +
                    " s waiting for the datastore lock " + path +
                    " (another Lumen or MONAI Label process holds it)");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

DatastoreLock::~DatastoreLock() {
  // Never deleted: another process may be waiting on this very file.
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
}

} // namespace lumen::segment
