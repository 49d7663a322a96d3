// Where a NRRD file keeps gzip-compressed voxels, so that their stream is checked to its end
// (CompressedData.h): ITK's NRRD reader refuses raw data cut short and a gzip stream missing
// data, but not one that lost only its trailer.
#pragma once
#include <cstdint>
#include <string>

namespace lumen {

// No-op for raw or other encodings. IoError "FILE: truncated: ..." when the gzip stream of the
// (attached or detached) data holds fewer than `neededBytes` or stops before its end.
void requireCompleteNrrd(const std::string& path, uint64_t neededBytes);

} // namespace lumen
