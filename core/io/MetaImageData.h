// ITK's MetaImage reader reports a data file cut short only on stderr and leaves the rest of the
// buffer as it was, so a truncated .mha would read as a scan with missing slices. This checks,
// before the voxels are read, that the data is all there: an uncompressed file holds every byte,
// and a compressed one inflates to exactly the bytes the header describes, reaching its end.
#pragma once
#include <cstdint>
#include <string>

namespace lumen {

struct MetaImageLayout {
  std::string dataFile;         // the .mha itself, or the .mhd's ElementDataFile
  uint64_t dataOffset = 0;      // where the voxels (or their compressed stream) begin
  bool dataAtEnd = false;       // HeaderSize = -1: the voxels are the data file's last bytes
  bool compressed = false;      // CompressedData = True
  int64_t compressedBytes = -1; // CompressedDataSize; -1 when the header does not say
};

// Reads the header keys that locate the data (ElementDataFile, HeaderSize, CompressedData,
// CompressedDataSize). InputError for data spread over several files (LIST, patterns).
MetaImageLayout metaImageLayout(const std::string& path);

// IoError "PATH: truncated: ..." unless the data holds `neededBytes` of voxels.
void requireCompleteMetaImage(const std::string& path, const MetaImageLayout& layout,
                              uint64_t neededBytes);

} // namespace lumen
