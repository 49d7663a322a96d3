#include "io/ByteStream.h"

#include "common/Error.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace lumen {

ByteStream::ByteStream(const std::string& path) : path_(path), input_(size_t(1) << 18) {
  if (!std::filesystem::is_regular_file(path))
    throw IoError(path + ": no such file");
  file_ = std::fopen(path.c_str(), "rb");
  if (!file_)
    throw IoError(path + ": cannot open: " + std::strerror(errno));
  refill();
  gzip_ = stream_.avail_in >= 2 && input_[0] == 0x1f && input_[1] == 0x8b;
  if (gzip_ && inflateInit2(&stream_, 15 + 16) != Z_OK) {
    std::fclose(file_);
    throw IoError(path + ": cannot start decompressing");
  }
}

ByteStream::~ByteStream() {
  if (gzip_)
    inflateEnd(&stream_);
  std::fclose(file_);
}

size_t ByteStream::read(void* buffer, size_t n) {
  auto* out = static_cast<uint8_t*>(buffer);
  size_t produced = 0;
  if (!gzip_) {
    while (produced < n && !ended_) {
      if (stream_.avail_in == 0 && !refill()) {
        ended_ = true;
        break;
      }
      const size_t take = std::min<size_t>(n - produced, stream_.avail_in);
      std::memcpy(out + produced, stream_.next_in, take);
      stream_.next_in += take;
      stream_.avail_in -= unsigned(take);
      produced += take;
    }
  } else {
    stream_.next_out = out;
    stream_.avail_out = unsigned(n);
    while (stream_.avail_out > 0 && !ended_) {
      if (stream_.avail_in == 0 && !refill()) {
        cutShort_ = memberOpen_; // the input ended inside a member: no end marker, no check
        ended_ = true;
        break;
      }
      if (!memberOpen_) {
        // Another member follows only where the gzip magic does; anything else ends the data.
        if (stream_.next_in[0] != 0x1f) {
          ended_ = true;
          break;
        }
        inflateReset(&stream_);
        memberOpen_ = true;
      }
      const int code = inflate(&stream_, Z_NO_FLUSH);
      if (code == Z_STREAM_END)
        memberOpen_ = false; // the member's length and CRC-32 matched
      else if (code != Z_OK && code != Z_BUF_ERROR)
        throw IoError(path_ + ": corrupt gzip data (" +
                      std::string(stream_.msg ? stream_.msg : "inflate failed") + ")");
    }
    produced = n - stream_.avail_out;
  }
  position_ += produced;
  return produced;
}

void ByteStream::drain() {
  std::vector<uint8_t> scratch(size_t(1) << 16);
  while (!ended_)
    read(scratch.data(), scratch.size());
}

bool ByteStream::refill() {
  const size_t got = std::fread(input_.data(), 1, input_.size(), file_);
  if (std::ferror(file_))
    throw IoError(path_ + ": cannot read: " + std::strerror(errno));
  stream_.next_in = input_.data();
  stream_.avail_in = unsigned(got);
  return got > 0;
}

} // namespace lumen
