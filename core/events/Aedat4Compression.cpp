// Decompressing AEDAT4 packets with a cap: the output grows in 64 kB steps and the next step is
// refused once it would pass the packet limit or the expansion ratio, so a few kilobytes of
// ZSTD that claim gigabytes of zeros cost at most the cap, never the claim.
#include "common/Checked.h"
#include "common/Error.h"
#include "events/Aedat4Events.h"

#include <lz4frame.h>
#include <memory>
#include <zstd.h>

namespace lumen::aedat4 {
namespace {

// ZSTD frames name the window the decoder must allocate; DV's packets need far less.
constexpr int kMaxZstdWindowLog = 25;

class BoundedOutput {
public:
  BoundedOutput(size_t compressedBytes, const std::string& context)
      : compressed_(compressedBytes), context_(context) {
    const uint64_t byRatio = checkedMultiply(compressedBytes, kMaxExpansion).value_or(UINT64_MAX);
    limit_ = std::min(kMaxPacketBytes, std::max(kExpansionFloor, byRatio));
  }
  void append(const char* data, size_t size) {
    if (out_.size() + size > limit_) {
      if (limit_ == kMaxPacketBytes)
        throw InputError(context_ + ": decompresses to more than the " +
                         std::to_string(kMaxPacketBytes >> 20) +
                         " MiB a packet may hold (a decompression bomb or corrupt data)");
      throw InputError(context_ + ": its " + std::to_string(compressed_) +
                       " compressed bytes expand more than " + std::to_string(kMaxExpansion) +
                       " times (a decompression bomb or corrupt data)");
    }
    out_.append(data, size);
  }
  std::string take() { return std::move(out_); }

private:
  size_t compressed_;
  const std::string& context_;
  uint64_t limit_;
  std::string out_;
};

std::string decompressLz4(const std::string& packet, const std::string& context) {
  LZ4F_dctx* raw = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&raw, LZ4F_VERSION)))
    throw IoError(context + ": cannot create an LZ4 decoder");
  const std::unique_ptr<LZ4F_dctx, decltype(&LZ4F_freeDecompressionContext)> ctx(
      raw, LZ4F_freeDecompressionContext);
  BoundedOutput out(packet.size(), context);
  size_t consumed = 0;
  char buffer[1 << 16];
  for (;;) {
    size_t outSize = sizeof buffer, inSize = packet.size() - consumed;
    const size_t hint =
        LZ4F_decompress(ctx.get(), buffer, &outSize, packet.data() + consumed, &inSize, nullptr);
    if (LZ4F_isError(hint))
      throw InputError(context + ": corrupt LZ4 data (" + LZ4F_getErrorName(hint) + ")");
    out.append(buffer, outSize);
    consumed += inSize;
    if (hint == 0) // the frame is complete
      return out.take();
    if (inSize == 0 && outSize == 0) // no input left and nothing more to flush
      throw InputError(context + ": truncated LZ4 data");
  }
}

std::string decompressZstd(const std::string& packet, const std::string& context) {
  const std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> stream(ZSTD_createDCtx(),
                                                                    ZSTD_freeDCtx);
  if (!stream)
    throw IoError(context + ": cannot create a ZSTD decoder");
  ZSTD_DCtx_setParameter(stream.get(), ZSTD_d_windowLogMax, kMaxZstdWindowLog);
  BoundedOutput out(packet.size(), context);
  ZSTD_inBuffer in{packet.data(), packet.size(), 0};
  char buffer[1 << 16];
  for (;;) {
    ZSTD_outBuffer output{buffer, sizeof buffer, 0};
    const size_t rc = ZSTD_decompressStream(stream.get(), &output, &in);
    if (ZSTD_isError(rc))
      throw InputError(context + ": corrupt ZSTD data (" + ZSTD_getErrorName(rc) + ")");
    out.append(buffer, output.pos);
    if (rc == 0) // the frame is decoded and flushed
      return out.take();
    if (in.pos == in.size && output.pos < output.size) // it needs input there is not
      throw InputError(context + ": truncated ZSTD data");
  }
}

} // namespace

std::string decompress(const std::string& packet, Compression compression,
                       const std::string& context) {
  switch (compression) {
  case Compression::None:
    return packet;
  case Compression::Lz4:
  case Compression::Lz4High:
    return decompressLz4(packet, context);
  case Compression::Zstd:
  case Compression::ZstdHigh:
    return decompressZstd(packet, context);
  }
  throw InputError(context + ": unknown compression type " + std::to_string(int(compression)));
}

} // namespace lumen::aedat4
