// The parts of the AEDAT4 reader (readAedat4Events in EventImport.h) that face the file's bytes:
// bounds-checked flatbuffer access, the XML stream description scanned by hand (std::regex
// recurses once per character and overflows the stack on a long attribute; std::stoi throws
// std::out_of_range), and LZ4/ZSTD decompression that stops at a cap instead of following a
// decompression bomb. Every failure is an InputError that starts with the caller's context
// ("FILE: event packet 7 at byte 1234").
#pragma once
#include "events/EventArray.h"

#include <cstdint>
#include <cstring>
#include <map>
#include <string>

namespace lumen::aedat4 {

// The IOHeader holds a few kB of XML; anything near this is not one.
constexpr uint64_t kMaxHeaderBytes = uint64_t(16) << 20;
// A packet holds at most this many bytes, compressed or not (DV writes packets of kilobytes).
constexpr uint64_t kMaxPacketBytes = uint64_t(256) << 20;
// Past 1 MiB of output, data that expands more than this many times is refused as a bomb.
// LZ4 cannot exceed about 255; event packets compress about 2:1.
constexpr uint64_t kMaxExpansion = 1024;
constexpr uint64_t kExpansionFloor = uint64_t(1) << 20;

enum class Compression { None = 0, Lz4 = 1, Lz4High = 2, Zstd = 3, ZstdHigh = 4 };

// Reads little-endian values from a flatbuffer held in `data`, refusing any read past its end.
class FlatBuffer {
public:
  FlatBuffer(const std::string& data, std::string context)
      : data_(data), context_(std::move(context)) {}

  template <class T> T read(size_t offset) const {
    if (offset > data_.size() || data_.size() - offset < sizeof(T))
      fail("reads past the end of the data");
    T value;
    std::memcpy(&value, data_.data() + offset, sizeof(T));
    return value;
  }
  // Absolute position of the root table.
  size_t root(size_t base = 0) const { return base + read<uint32_t>(base); }
  // Absolute position of field `index` of the table at `table`, or 0 when absent.
  size_t field(size_t table, int index) const;
  // A vector field: (position of the first element, element count).
  std::pair<size_t, uint32_t> vector(size_t fieldPosition, size_t elementSize) const;
  std::string string(size_t fieldPosition) const;
  [[noreturn]] void fail(const std::string& what) const;

private:
  const std::string& data_;
  std::string context_;
};

// Where a flatbuffer's root offset sits: 0, or 4 when a uint32 size prefix comes first (DV's
// packets). Either way the 4-byte identifier follows the root offset.
size_t flatBufferBase(const std::string& data, const char* identifier);

// The event stream the XML describes: <node name="ID" path=".../outInfo/ID/"> holding
// typeIdentifier EVTS, with sizeX/sizeY in its info node (absent: an invalid sensor).
struct EventStream {
  int32_t id = -1;
  SensorSize sensor;
};
EventStream findEventStream(const std::string& xml, const std::string& context);

// The typeIdentifier of every stream the XML describes (FRME, IMUS, TRIG, EVTS, ...), by id, so
// the packets an import skips can be counted by kind. Streams whose id is no number are left out.
std::map<int32_t, std::string> streamTypes(const std::string& xml);

// The packet's flatbuffer, decompressed. InputError for corrupt or truncated data, and when the
// output would pass kMaxPacketBytes or expand more than kMaxExpansion times.
std::string decompress(const std::string& packet, Compression compression,
                       const std::string& context);

} // namespace lumen::aedat4
