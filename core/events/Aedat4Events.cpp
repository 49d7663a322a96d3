// iniVation AEDAT4 (DV software) recordings: "#!AER-DAT4.0\r\n", an int32 size and an IOHeader
// flatbuffer (compression, and an XML description of the streams with their type identifier and
// sensor size), then packets: int32 stream id, int32 size, and a (LZ4- or ZSTD-compressed)
// flatbuffer. Event packets ("EVTS") hold a vector of 16-byte structs {int64 t, int16 x,
// int16 y, bool on}. Frame, IMU and trigger streams are skipped. Parsed with bounds checks on
// every read, so a corrupt file gives an error, never a crash.
#include "common/Error.h"
#include "common/Job.h"
#include "events/EventImport.h"

#include <cstring>
#include <fstream>
#include <lz4frame.h>
#include <memory>
#include <regex>
#include <zstd.h>

namespace lumen {
namespace {

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
  size_t field(size_t table, int index) const {
    const size_t vtable = size_t(int64_t(table) - int64_t(read<int32_t>(table)));
    const uint16_t vtableSize = read<uint16_t>(vtable);
    const size_t slot = 4 + 2 * size_t(index);
    if (slot + 2 > vtableSize)
      return 0;
    const uint16_t offset = read<uint16_t>(vtable + slot);
    return offset ? table + offset : 0;
  }
  // A vector field: (position of the first element, element count).
  std::pair<size_t, uint32_t> vector(size_t fieldPosition, size_t elementSize) const {
    const size_t start = fieldPosition + read<uint32_t>(fieldPosition);
    const uint32_t count = read<uint32_t>(start);
    if (uint64_t(count) * elementSize > data_.size() - std::min(data_.size(), start + 4))
      fail("a vector runs past the end of the data");
    return {start + 4, count};
  }
  std::string string(size_t fieldPosition) const {
    const auto [start, count] = vector(fieldPosition, 1);
    return data_.substr(start, count);
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(context_ + ": " + what);
  }

private:
  const std::string& data_;
  std::string context_;
};

enum class Compression { None = 0, Lz4 = 1, Lz4High = 2, Zstd = 3, ZstdHigh = 4 };

std::string decompress(const std::string& packet, Compression compression,
                       const std::string& context) {
  if (compression == Compression::None)
    return packet;
  std::string out;
  if (compression == Compression::Lz4 || compression == Compression::Lz4High) {
    LZ4F_dctx* raw = nullptr;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&raw, LZ4F_VERSION)))
      throw IoError(context + ": cannot create an LZ4 decoder");
    std::unique_ptr<LZ4F_dctx, decltype(&LZ4F_freeDecompressionContext)> ctx(
        raw, LZ4F_freeDecompressionContext);
    size_t consumed = 0;
    char buffer[1 << 16];
    while (consumed < packet.size()) {
      size_t outSize = sizeof buffer, inSize = packet.size() - consumed;
      const size_t hint =
          LZ4F_decompress(ctx.get(), buffer, &outSize, packet.data() + consumed, &inSize, nullptr);
      if (LZ4F_isError(hint))
        throw InputError(context + ": corrupt LZ4 data (" + LZ4F_getErrorName(hint) + ")");
      out.append(buffer, outSize);
      consumed += inSize;
      if (hint == 0)
        break;
      if (inSize == 0 && outSize == 0)
        throw InputError(context + ": truncated LZ4 data");
    }
    return out;
  }
  if (compression == Compression::Zstd || compression == Compression::ZstdHigh) {
    std::unique_ptr<ZSTD_DStream, decltype(&ZSTD_freeDStream)> stream(ZSTD_createDStream(),
                                                                      ZSTD_freeDStream);
    ZSTD_initDStream(stream.get());
    ZSTD_inBuffer in{packet.data(), packet.size(), 0};
    char buffer[1 << 16];
    while (in.pos < in.size) {
      ZSTD_outBuffer outBuffer{buffer, sizeof buffer, 0};
      const size_t rc = ZSTD_decompressStream(stream.get(), &outBuffer, &in);
      if (ZSTD_isError(rc))
        throw InputError(context + ": corrupt ZSTD data (" + ZSTD_getErrorName(rc) + ")");
      out.append(buffer, outBuffer.pos);
      if (rc == 0 && in.pos == in.size)
        break;
      if (outBuffer.pos == 0 && rc != 0 && in.pos == in.size)
        throw InputError(context + ": truncated ZSTD data");
    }
    return out;
  }
  throw InputError(context + ": unknown compression type " + std::to_string(int(compression)));
}

// The flatbuffer of a packet: data without a size prefix starts with its root offset; with
// one, the first uint32 is the size of the rest. Either way the identifier follows the root
// offset.
size_t packetBase(const std::string& data, const char* identifier) {
  if (data.size() >= 8 && std::memcmp(data.data() + 4, identifier, 4) == 0)
    return 0;
  if (data.size() >= 12 && std::memcmp(data.data() + 8, identifier, 4) == 0)
    return 4;
  return 0;
}

} // namespace

SensorSize readAedat4Events(const std::string& path, const EventSink& sink, Job* job) {
  uint64_t fileSize = 0;
  std::ifstream in = openRecording(path, fileSize);
  char magic[14];
  if (!in.read(magic, 14) || std::memcmp(magic, "#!AER-DAT4.0\r\n", 14) != 0)
    throw InputError(path + ": not an AEDAT4 file (missing #!AER-DAT4.0 header)");
  int32_t headerSize = 0;
  if (!in.read(reinterpret_cast<char*>(&headerSize), 4) || headerSize <= 0 ||
      uint64_t(headerSize) > fileSize)
    throw InputError(path + ": truncated or corrupt AEDAT4 header");
  std::string header(size_t(headerSize), '\0');
  if (!in.read(header.data(), headerSize))
    throw InputError(path + ": truncated AEDAT4 header");
  const FlatBuffer io(header, path + ": AEDAT4 header");
  const size_t base = packetBase(header, "IOHE");
  const size_t root = io.root(base);
  const size_t compressionField = io.field(root, 0);
  const auto compression = Compression(compressionField ? io.read<int32_t>(compressionField) : 0);
  // Packets end where the file's data table (an index of the packets) begins.
  const size_t tableField = io.field(root, 1);
  const int64_t dataTable = tableField ? io.read<int64_t>(tableField) : -1;
  const uint64_t packetsEnd =
      dataTable > 0 && uint64_t(dataTable) <= fileSize ? uint64_t(dataTable) : fileSize;
  const size_t infoField = io.field(root, 2);
  if (!infoField)
    throw InputError(path + ": AEDAT4 header has no stream description");
  const std::string xml = io.string(infoField);

  // Find the event stream: <node name="ID" ...> ... typeIdentifier EVTS ... sizeX/sizeY.
  int eventStream = -1;
  SensorSize sensor;
  static const std::regex nodeStart(R"re(<node name="(\d+)" path="[^"]*/outInfo/\d+/">)re");
  for (auto it = std::sregex_iterator(xml.begin(), xml.end(), nodeStart);
       it != std::sregex_iterator(); ++it) {
    const size_t from = size_t(it->position(0));
    auto next = std::next(it);
    const size_t to = next == std::sregex_iterator() ? xml.size() : size_t(next->position(0));
    const std::string body = xml.substr(from, to - from);
    if (body.find(">EVTS<") == std::string::npos)
      continue;
    eventStream = std::stoi((*it)[1].str());
    std::smatch m;
    static const std::regex sizeX(R"re(key="sizeX" type="int">(\d+)<)re");
    static const std::regex sizeY(R"re(key="sizeY" type="int">(\d+)<)re");
    if (std::regex_search(body, m, sizeX))
      sensor.width = std::stoi(m[1].str());
    if (std::regex_search(body, m, sizeY))
      sensor.height = std::stoi(m[1].str());
    break;
  }
  if (eventStream < 0)
    throw InputError(path + ": the recording has no event stream (typeIdentifier EVTS)");

  uint64_t packets = 0;
  for (;;) {
    int32_t header2[2];
    if (uint64_t(in.tellg()) + 8 > packetsEnd || !in.read(reinterpret_cast<char*>(header2), 8))
      break; // end of packets (or a trailing data table)
    const int32_t stream = header2[0], size = header2[1];
    const uint64_t position = uint64_t(in.tellg());
    if (size < 0 || uint64_t(size) > packetsEnd - std::min(packetsEnd, position))
      throw InputError(path + ": packet " + std::to_string(packets) + " at byte " +
                       std::to_string(position - 8) + " is truncated or corrupt");
    std::string payload(size_t(size), '\0');
    in.read(payload.data(), size);
    ++packets;
    if (stream != eventStream)
      continue;
    const std::string context = path + ": event packet " + std::to_string(packets);
    const std::string data = decompress(payload, compression, context);
    const FlatBuffer fb(data, context);
    const size_t table = fb.root(packetBase(data, "EVTS"));
    const size_t elementsField = fb.field(table, 0);
    if (!elementsField)
      continue;
    const auto [first, count] = fb.vector(elementsField, 16);
    EventArray events;
    events.reserve(count);
    for (uint32_t i = 0; i < count; ++i) {
      const size_t at = first + 16 * size_t(i);
      const int64_t t = fb.read<int64_t>(at);
      const int16_t x = fb.read<int16_t>(at + 8);
      const int16_t y = fb.read<int16_t>(at + 10);
      const uint8_t on = fb.read<uint8_t>(at + 12);
      if (x < 0 || y < 0 || (sensor.valid() && (x >= sensor.width || y >= sensor.height)))
        throw InputError(context + ": event " + std::to_string(i) + " at (" + std::to_string(x) +
                         ", " + std::to_string(y) + ") lies outside the " +
                         std::to_string(sensor.width) + "x" + std::to_string(sensor.height) +
                         " sensor");
      events.push(t, x, y, on ? 1 : -1);
    }
    if (job) {
      job->checkCancelled();
      job->setProgress(double(position) / double(fileSize), "reading " + path);
    }
    sink(std::move(events));
  }
  return sensor;
}

} // namespace lumen
