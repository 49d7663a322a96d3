// Whether a deflate stream inside a file is complete. ITK's NRRD and MetaImage readers stop
// inflating once they have the voxels' bytes, so a stream cut after its last data block (its
// checksum and length gone) or a MetaImage cut anywhere reads without an error; this inflates the
// stream once into a small scratch buffer, to its end marker and checksum.
#pragma once
#include <cstdint>
#include <string>

namespace lumen {

// Inflates the zlib or gzip stream starting at `offset` in `file` (at most `limit` bytes of it;
// -1 for the rest of the file). IoError "FILE: truncated: ..." unless it reaches its end after
// exactly `neededBytes` (at least that many when `exact` is false); IoError for corrupt data.
void requireCompleteStream(const std::string& file, uint64_t offset, int64_t limit,
                           uint64_t neededBytes, bool exact);

} // namespace lumen
