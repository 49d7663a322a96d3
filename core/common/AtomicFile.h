// Writes that never leave a half-written file behind: the data goes to a temporary file in the
// destination's folder, is flushed to disk, then renamed over the destination (rename is atomic
// on POSIX file systems). A crash at any point leaves either the old file or the new one.
#pragma once
#include <functional>
#include <string>

namespace lumen {

void writeFileAtomically(const std::string& path, const std::string& content);

// For writers that need a path (torch::save, HDF5): `write` fills the given temporary path,
// which is then synced and renamed over `path`. On failure the temporary file is removed and
// the destination is untouched. `tempSuffix` ends the temporary name, for writers that choose a
// format or compression from the extension (".nii.gz").
void replaceFileAtomically(const std::string& path,
                           const std::function<void(const std::string& tempPath)>& write,
                           const std::string& tempSuffix = "");

// Flushes a file's data to the disk (fsync).
void syncFile(const std::string& path);

} // namespace lumen
