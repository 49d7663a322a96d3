#include "support/Aedat4Writer.h"

#include <cstring>
#include <fstream>
#include <lz4frame.h>
#include <memory>
#include <stdexcept>
#include <zstd.h>

namespace lumen::test {
namespace {

// Little-endian bytes, appended in order; flatbuffers are laid out by hand below.
class Bytes {
public:
  template <class T> void put(T value) {
    char raw[sizeof(T)];
    std::memcpy(raw, &value, sizeof(T));
    text_.append(raw, sizeof(T));
  }
  void put(const std::string& raw) { text_ += raw; }
  void pad(size_t n) { text_.append(n, '\0'); }
  void alignTo(size_t alignment) { pad((alignment - text_.size() % alignment) % alignment); }
  size_t size() const { return text_.size(); }
  template <class T> void patch(size_t at, T value) { std::memcpy(&text_[at], &value, sizeof(T)); }
  std::string take() { return std::move(text_); }

private:
  std::string text_;
};

const char* compressionName(Aedat4Compression compression) {
  switch (compression) {
  case Aedat4Compression::None:
    return "NONE";
  case Aedat4Compression::Lz4:
    return "LZ4";
  case Aedat4Compression::Lz4High:
    return "LZ4_HIGH";
  case Aedat4Compression::Zstd:
    return "ZSTD";
  case Aedat4Compression::ZstdHigh:
    return "ZSTD_HIGH";
  }
  return "NONE";
}

bool isLz4(Aedat4Compression c) {
  return c == Aedat4Compression::Lz4 || c == Aedat4Compression::Lz4High;
}

bool isZstd(Aedat4Compression c) {
  return c == Aedat4Compression::Zstd || c == Aedat4Compression::ZstdHigh;
}

LZ4F_preferences_t lz4Preferences(Aedat4Compression c) {
  LZ4F_preferences_t preferences;
  std::memset(&preferences, 0, sizeof preferences);
  preferences.compressionLevel = c == Aedat4Compression::Lz4High ? 9 : 0;
  return preferences;
}

int zstdLevel(Aedat4Compression c) {
  return c == Aedat4Compression::ZstdHigh ? 9 : 3;
}

// A size-prefixed flatbuffer whose root table has one field, a vector: the shape of DV's event,
// IMU, trigger and data-table packets. [size][root offset][identifier][pad][vtable][table]
// [vector length][elements].
std::string vectorPacket(const std::string& identifier, uint32_t count, const std::string& items) {
  Bytes b;
  b.put<uint32_t>(0);  // the size of the rest, patched below
  b.put<uint32_t>(16); // root table at 4 + 16
  b.put(identifier.substr(0, 4));
  b.pad(2);
  b.put<uint16_t>(6); // vtable: its size, the table's size, field 0 at +4
  b.put<uint16_t>(8);
  b.put<uint16_t>(4);
  b.put<int32_t>(6);  // table at 20, vtable at 14
  b.put<uint32_t>(4); // the vector at 24 + 4
  b.put<uint32_t>(count);
  b.put(items);
  b.alignTo(4);
  b.patch<uint32_t>(0, uint32_t(b.size() - 4));
  return b.take();
}

} // namespace

std::string aedat4EventPacket(const std::vector<Aedat4Event>& events) {
  Bytes items;
  for (const auto& e : events) {
    items.put<int64_t>(e.t);
    items.put<int16_t>(e.x);
    items.put<int16_t>(e.y);
    items.put<uint8_t>(e.on ? 1 : 0);
    items.pad(3);
  }
  return vectorPacket("EVTS", uint32_t(events.size()), items.take());
}

std::string aedat4Compress(const std::string& data, Aedat4Compression compression) {
  if (isLz4(compression)) {
    const LZ4F_preferences_t preferences = lz4Preferences(compression);
    std::string out(LZ4F_compressFrameBound(data.size(), &preferences), '\0');
    const size_t n =
        LZ4F_compressFrame(out.data(), out.size(), data.data(), data.size(), &preferences);
    if (LZ4F_isError(n))
      throw std::runtime_error("LZ4 compression failed");
    out.resize(n);
    return out;
  }
  if (isZstd(compression)) {
    std::string out(ZSTD_compressBound(data.size()), '\0');
    const size_t n =
        ZSTD_compress(out.data(), out.size(), data.data(), data.size(), zstdLevel(compression));
    if (ZSTD_isError(n))
      throw std::runtime_error("ZSTD compression failed");
    out.resize(n);
    return out;
  }
  return data;
}

std::string aedat4ZeroBomb(uint64_t size, Aedat4Compression compression) {
  const std::string zeros(1 << 20, '\0');
  std::string out;
  if (isLz4(compression)) {
    LZ4F_cctx* raw = nullptr;
    LZ4F_createCompressionContext(&raw, LZ4F_VERSION);
    const std::unique_ptr<LZ4F_cctx, decltype(&LZ4F_freeCompressionContext)> ctx(
        raw, LZ4F_freeCompressionContext);
    const LZ4F_preferences_t preferences = lz4Preferences(compression);
    std::string buffer(LZ4F_compressBound(zeros.size(), &preferences) + LZ4F_HEADER_SIZE_MAX, '\0');
    out.append(buffer.data(),
               LZ4F_compressBegin(ctx.get(), buffer.data(), buffer.size(), &preferences));
    for (uint64_t done = 0; done < size; done += zeros.size()) {
      const size_t n = size_t(std::min<uint64_t>(zeros.size(), size - done));
      out.append(buffer.data(), LZ4F_compressUpdate(ctx.get(), buffer.data(), buffer.size(),
                                                    zeros.data(), n, nullptr));
    }
    out.append(buffer.data(), LZ4F_compressEnd(ctx.get(), buffer.data(), buffer.size(), nullptr));
    return out;
  }
  const std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> ctx(ZSTD_createCCtx(), ZSTD_freeCCtx);
  ZSTD_CCtx_setParameter(ctx.get(), ZSTD_c_compressionLevel, zstdLevel(compression));
  std::string buffer(ZSTD_CStreamOutSize(), '\0');
  for (uint64_t done = 0; done <= size; done += zeros.size()) {
    const size_t n = size_t(std::min<uint64_t>(zeros.size(), size - done));
    const bool last = done + n >= size;
    ZSTD_inBuffer in{zeros.data(), n, 0};
    for (bool finished = false; !finished;) {
      ZSTD_outBuffer o{buffer.data(), buffer.size(), 0};
      const size_t left =
          ZSTD_compressStream2(ctx.get(), &o, &in, last ? ZSTD_e_end : ZSTD_e_continue);
      out.append(buffer.data(), o.pos);
      finished = last ? left == 0 : in.pos == in.size;
    }
    if (last)
      break;
  }
  return out;
}

Aedat4Writer::Aedat4Writer(Aedat4Compression compression) : compression_(compression) {}

void Aedat4Writer::addStream(const Aedat4Stream& stream) {
  streams_.push_back(stream);
}

void Aedat4Writer::addDvxplorerStreams(int width, int height) {
  addStream({0, "EVTS", "events", width, height});
  addStream({2, "IMUS", "imu", 0, 0});
  addStream({3, "TRIG", "triggers", 0, 0});
}

std::string Aedat4Writer::xml() const {
  if (!xmlOverride_.empty())
    return xmlOverride_;
  const std::string root = "/mainloop/Recorder/outInfo/";
  std::string x = "<dv version=\"2.0\">\n    <node name=\"outInfo\" path=\"" + root + "\">\n";
  auto attr = [&](const std::string& indent, const std::string& key, const std::string& type,
                  const std::string& value) {
    x += indent + "<attr key=\"" + key + "\" type=\"" + type + "\">" + value + "</attr>\n";
  };
  for (const auto& s : streams_) {
    const std::string id = std::to_string(s.id), path = root + id + "/";
    x += "        <node name=\"" + id + "\" path=\"" + path + "\">\n";
    const std::string in = "            ";
    attr(in, "compression", "string", compressionName(compression_));
    attr(in, "originalModuleName", "string", "capture");
    attr(in, "originalOutputName", "string", s.output);
    attr(in, "typeDescription", "string", "Synthetic " + s.output + " (Lumen tests).");
    attr(in, "typeIdentifier", "string", s.type);
    x += in + "<node name=\"info\" path=\"" + path + "info/\">\n";
    if (s.width > 0)
      attr(in + "    ", "sizeX", "int", std::to_string(s.width));
    if (s.height > 0)
      attr(in + "    ", "sizeY", "int", std::to_string(s.height));
    attr(in + "    ", "source", "string", "Lumen_synthetic");
    attr(in + "    ", "tsOffset", "long", "0");
    x += in + "</node>\n        </node>\n";
  }
  x += "    </node>\n</dv>\n";
  return x;
}

void Aedat4Writer::addEvents(int32_t stream, const std::vector<Aedat4Event>& events) {
  packets_.push_back({stream, aedat4Compress(aedat4EventPacket(events), compression_),
                      int64_t(events.size()), events.empty() ? 0 : events.front().t,
                      events.empty() ? 0 : events.back().t});
}

void Aedat4Writer::addOpaquePacket(int32_t stream, const std::string& identifier, size_t bytes) {
  std::string filler(bytes, '\0');
  for (size_t i = 0; i < bytes; ++i)
    filler[i] = char(i * 37 + 11);
  packets_.push_back(
      {stream, aedat4Compress(vectorPacket(identifier, uint32_t(bytes), filler), compression_), 1,
       0, 0});
}

void Aedat4Writer::addRawPacket(int32_t stream, std::string payload, int64_t elements) {
  packets_.push_back({stream, std::move(payload), elements, 0, 0});
}

// The IOHeader as DV lays it out: [root offset 24][IOHE][6 bytes][vtable at 14: size 10, table
// 20, compression at +4, data table at +12, info at +8][table at 24][string: length, XML, '\0'].
std::string Aedat4Writer::header(int64_t dataTablePosition) const {
  const std::string description = xml();
  Bytes b;
  b.put<uint32_t>(24);
  b.put(std::string("IOHE"));
  b.pad(6);
  for (uint16_t v : {10, 20, 4, 12, 8})
    b.put<uint16_t>(v);
  b.put<int32_t>(10); // table at 24, vtable at 14
  b.put<int32_t>(int32_t(compression_));
  b.put<uint32_t>(12); // the string at 32 + 12
  b.put<int64_t>(dataTablePosition);
  b.put<uint32_t>(uint32_t(description.size()));
  b.put(description);
  b.pad(1);
  b.alignTo(4);
  return b.take();
}

size_t Aedat4Writer::packetsStart() const {
  return 18 + header(0).size();
}

// FTAB: a vector of tables {ByteOffset, PacketInfo {stream id, size}, NumElements,
// TimestampStart, TimestampEnd} sharing one vtable.
std::string Aedat4Writer::dataTable(size_t firstPacket) const {
  const uint32_t count = uint32_t(packets_.size());
  // Vector items: `count` offsets, then the shared vtable, then the tables.
  const size_t offsetsStart = 32, vtableStart = offsetsStart + 4 * size_t(count);
  const size_t tablesStart = vtableStart + 16;
  Bytes items;
  for (uint32_t i = 0; i < count; ++i) {
    const size_t at = offsetsStart + 4 * size_t(i);
    items.put<uint32_t>(uint32_t(tablesStart + 44 * size_t(i) - at));
  }
  for (uint16_t v : {14, 44, 4, 12, 20, 28, 36})
    items.put<uint16_t>(v);
  items.pad(2);
  size_t byteOffset = firstPacket;
  for (uint32_t i = 0; i < count; ++i) {
    const auto& p = packets_[i];
    items.put<int32_t>(int32_t(tablesStart + 44 * size_t(i) - vtableStart));
    items.put<int64_t>(int64_t(byteOffset));
    items.put<int32_t>(p.stream);
    items.put<int32_t>(int32_t(p.payload.size()));
    items.put<int64_t>(p.elements);
    items.put<int64_t>(p.tFirst);
    items.put<int64_t>(p.tLast);
    byteOffset += 8 + p.payload.size();
  }
  return aedat4Compress(vectorPacket("FTAB", count, items.take()), compression_);
}

std::string Aedat4Writer::bytes(bool withDataTable) const {
  const size_t start = packetsStart();
  Bytes packets;
  for (const auto& p : packets_) {
    packets.put<int32_t>(p.stream);
    packets.put<int32_t>(int32_t(p.payload.size()));
    packets.put(p.payload);
  }
  const std::string body = packets.take();
  const std::string head = header(withDataTable ? int64_t(start + body.size()) : -1);
  Bytes file;
  file.put(std::string("#!AER-DAT4.0\r\n"));
  file.put<int32_t>(int32_t(head.size()));
  file.put(head);
  file.put(body);
  if (withDataTable)
    file.put(dataTable(start));
  return file.take();
}

void Aedat4Writer::write(const std::string& path, bool withDataTable) const {
  std::ofstream out(path, std::ios::binary);
  out << bytes(withDataTable);
  if (!out)
    throw std::runtime_error("cannot write " + path);
}

} // namespace lumen::test
