// The study folder's write lock: an exclusive flock(2) on `<studies>/.lock`, the file MONAI Label's
// LocalDatastore locks with the Python filelock package (which calls flock on POSIX). Holding the
// same kind of lock on the same file lets a Lumen process and a MONAI Label server share a folder.
// flock locks belong to the open file, so two Datastore objects in one process exclude each other
// as two processes do.
#pragma once
#include <string>

namespace lumen::segment {

class DatastoreLock {
public:
  // Waits up to `timeoutSeconds` for the lock, then throws IoError naming the lock file.
  DatastoreLock(const std::string& path, double timeoutSeconds);
  ~DatastoreLock();
  DatastoreLock(const DatastoreLock&) = delete;
  DatastoreLock& operator=(const DatastoreLock&) = delete;

private:
  int fd_ = -1;
};

} // namespace lumen::segment
