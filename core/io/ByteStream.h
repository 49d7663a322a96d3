// A file's bytes in order, decompressed when the file is gzip (one member or several, as bgzip
// writes them), in chunks into the caller's buffer. It tells a complete stream from one cut
// short: zlib's inflate is driven directly because gzread does not notice a missing trailer when
// the reader asks for exactly the bytes the data needs, and the trailer's CRC-32 and length are
// what tell a complete stream from one cut after its last data byte.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>
#include <zlib.h>

namespace lumen {

class ByteStream {
public:
  // IoError when the file is missing or cannot be opened.
  explicit ByteStream(const std::string& path);
  ~ByteStream();
  ByteStream(const ByteStream&) = delete;
  ByteStream& operator=(const ByteStream&) = delete;

  // Up to `n` bytes (n < 2^32); fewer only where the data ends. Corrupt gzip data throws IoError.
  size_t read(void* buffer, size_t n);
  // Reads to the end, so a gzip stream is checked up to its end marker and checksum.
  void drain();

  bool compressed() const { return gzip_; }
  bool cutShort() const { return cutShort_; }     // a gzip member without its end marker
  uint64_t position() const { return position_; } // bytes delivered so far

private:
  bool refill();

  std::string path_;
  std::FILE* file_ = nullptr;
  std::vector<uint8_t> input_;
  z_stream stream_{};
  bool gzip_ = false, memberOpen_ = true, ended_ = false, cutShort_ = false;
  uint64_t position_ = 0;
};

} // namespace lumen
