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

// A name for a temporary file beside `path` that no other writer uses, in this process or any
// other: "<path>.tmp-<pid>-<counter>-<random><suffix>". Two jobs writing the same destination at
// once each get their own, so neither renames the other's half-written file.
std::string uniqueTemporaryPath(const std::string& path, const std::string& suffix = "");

// Renames a finished temporary file over `path` and flushes the folder entry, so the new file
// survives a crash right after; the temporary file is removed when the rename fails.
void commitTemporaryFile(const std::string& tempPath, const std::string& path);

} // namespace lumen
