#include "io/CompressedData.h"

#include "common/Error.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>
#include <zlib.h>

namespace lumen {

void requireCompleteStream(const std::string& file, uint64_t offset, int64_t limit,
                           uint64_t neededBytes, bool exact) {
  const uint64_t size = std::filesystem::file_size(file);
  const uint64_t available = size > offset ? size - offset : 0;
  if (limit >= 0 && available < uint64_t(limit))
    throw IoError(file + ": truncated: the file holds " + std::to_string(available) + " of the " +
                  std::to_string(limit) + " compressed bytes its header declares");
  std::ifstream in(file, std::ios::binary);
  in.seekg(std::streamoff(offset));
  z_stream z{};
  if (inflateInit2(&z, 15 + 32) != Z_OK) // 15 + 32: a zlib or a gzip wrapper, detected
    throw IoError(file + ": cannot start decompression");
  std::vector<unsigned char> input(1 << 16), output(1 << 20);
  uint64_t produced = 0, remaining = limit >= 0 ? uint64_t(limit) : available;
  int status = Z_OK;
  while (status != Z_STREAM_END) {
    if (z.avail_in == 0) {
      const size_t want = size_t(std::min<uint64_t>(input.size(), remaining));
      in.read(reinterpret_cast<char*>(input.data()), std::streamsize(want));
      const size_t got = size_t(in.gcount());
      if (got == 0)
        break;
      remaining -= got;
      z.next_in = input.data();
      z.avail_in = unsigned(got);
    }
    z.next_out = output.data();
    z.avail_out = unsigned(output.size());
    status = inflate(&z, Z_NO_FLUSH);
    produced += output.size() - z.avail_out;
    if (status != Z_OK && status != Z_STREAM_END) {
      const std::string reason = z.msg ? z.msg : "error " + std::to_string(status);
      inflateEnd(&z);
      throw IoError(file + ": corrupt compressed data after " + std::to_string(produced) +
                    " bytes of voxels (zlib: " + reason + ")");
    }
    if (exact && produced > neededBytes)
      break;
  }
  inflateEnd(&z);
  if (exact && produced > neededBytes)
    throw InputError(file + ": the compressed data holds more than the " +
                     std::to_string(neededBytes) + " bytes of voxels its header describes");
  if (status != Z_STREAM_END || produced < neededBytes)
    throw IoError(file + ": truncated: the compressed data " +
                  std::string(status == Z_STREAM_END ? "ends" : "stops before its end marker") +
                  " after " + std::to_string(produced) + " of " + std::to_string(neededBytes) +
                  " bytes of voxels");
}

} // namespace lumen
