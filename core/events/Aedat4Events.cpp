// iniVation AEDAT4 (DV software) recordings: "#!AER-DAT4.0\r\n", an int32 size and an IOHeader
// flatbuffer (compression, the position of the trailing data table, and an XML description of
// the streams with their type identifier and sensor size), then packets: int32 stream id, int32
// size, and a (LZ4- or ZSTD-compressed) size-prefixed flatbuffer, up to the data table (an
// index of the packets, not needed here). Event packets ("EVTS") hold a vector of 16-byte
// structs {int64 t, int16 x, int16 y, bool on}. Frame, IMU and trigger packets are skipped
// unread and counted by kind (the streams' typeIdentifier), so an import can say what it left.
// Every size the file gives is bounded before it is used and every read is checked, so a
// corrupt or hostile file gives an InputError naming the file, the packet and its byte offset.
#include "events/Aedat4Events.h"

#include "common/Error.h"
#include "common/Job.h"
#include "events/EventImport.h"

#include <fstream>
#include <map>

namespace lumen {
namespace aedat4 {

size_t FlatBuffer::field(size_t table, int index) const {
  const size_t vtable = size_t(int64_t(table) - int64_t(read<int32_t>(table)));
  const uint16_t vtableSize = read<uint16_t>(vtable);
  const size_t slot = 4 + 2 * size_t(index);
  if (slot + 2 > vtableSize)
    return 0;
  const uint16_t offset = read<uint16_t>(vtable + slot);
  return offset ? table + offset : 0;
}

std::pair<size_t, uint32_t> FlatBuffer::vector(size_t fieldPosition, size_t elementSize) const {
  const size_t start = fieldPosition + read<uint32_t>(fieldPosition);
  const uint32_t count = read<uint32_t>(start);
  if (uint64_t(count) * elementSize > data_.size() - std::min(data_.size(), start + 4))
    fail("a vector runs past the end of the data");
  return {start + 4, count};
}

std::string FlatBuffer::string(size_t fieldPosition) const {
  const auto [start, count] = vector(fieldPosition, 1);
  return data_.substr(start, count);
}

void FlatBuffer::fail(const std::string& what) const {
  throw InputError(context_ + ": " + what);
}

size_t flatBufferBase(const std::string& data, const char* identifier) {
  if (data.size() >= 8 && std::memcmp(data.data() + 4, identifier, 4) == 0)
    return 0;
  if (data.size() >= 12 && std::memcmp(data.data() + 8, identifier, 4) == 0)
    return 4;
  return 0;
}

} // namespace aedat4

namespace {

using aedat4::Compression;
using aedat4::FlatBuffer;

struct Aedat4Header {
  Compression compression = Compression::None;
  uint64_t packetsStart = 0, packetsEnd = 0;
  aedat4::EventStream stream;
  std::map<int32_t, std::string> streamTypes; // by stream id, to count the packets skipped
};

Aedat4Header readHeader(std::ifstream& in, const std::string& path, uint64_t fileSize) {
  char magic[14];
  if (!in.read(magic, 14) || std::memcmp(magic, "#!AER-DAT4.0\r\n", 14) != 0)
    throw InputError(path + ": not an AEDAT4 file (missing #!AER-DAT4.0 header)");
  int32_t headerSize = 0;
  if (!in.read(reinterpret_cast<char*>(&headerSize), 4))
    throw InputError(path + ": truncated AEDAT4 header (no header size)");
  if (headerSize <= 0 || uint64_t(headerSize) > fileSize - 18 ||
      uint64_t(headerSize) > aedat4::kMaxHeaderBytes)
    throw InputError(path + ": truncated or corrupt AEDAT4 header: it claims " +
                     std::to_string(headerSize) + " bytes of the " + std::to_string(fileSize) +
                     "-byte file (at most " + std::to_string(aedat4::kMaxHeaderBytes >> 20) +
                     " MiB)");
  std::string bytes(size_t(headerSize), '\0');
  if (!in.read(bytes.data(), headerSize))
    throw InputError(path + ": truncated AEDAT4 header");
  const FlatBuffer io(bytes, path + ": AEDAT4 header");
  const size_t root = io.root(aedat4::flatBufferBase(bytes, "IOHE"));
  Aedat4Header header;
  const size_t compressionField = io.field(root, 0);
  const int32_t compression = compressionField ? io.read<int32_t>(compressionField) : 0;
  if (compression < 0 || compression > int32_t(Compression::ZstdHigh))
    throw InputError(path + ": AEDAT4 header: unknown compression type " +
                     std::to_string(compression));
  header.compression = Compression(compression);
  header.packetsStart = 18 + uint64_t(headerSize);
  // Packets end where the data table begins (or at the end of a file that has none).
  const size_t tableField = io.field(root, 1);
  const int64_t dataTable = tableField ? io.read<int64_t>(tableField) : -1;
  header.packetsEnd = fileSize;
  if (dataTable >= 0) {
    if (uint64_t(dataTable) < header.packetsStart || uint64_t(dataTable) > fileSize)
      throw InputError(path + ": AEDAT4 header places the data table at byte " +
                       std::to_string(dataTable) + ", outside the packets of the " +
                       std::to_string(fileSize) + "-byte file (truncated or corrupt)");
    header.packetsEnd = uint64_t(dataTable);
  }
  const size_t infoField = io.field(root, 2);
  if (!infoField)
    throw InputError(path + ": AEDAT4 header has no stream description");
  const std::string xml = io.string(infoField);
  header.stream = aedat4::findEventStream(xml, path + ": AEDAT4 header");
  header.streamTypes = aedat4::streamTypes(xml);
  return header;
}

EventArray parseEventPacket(const std::string& data, SensorSize sensor,
                            const std::string& context) {
  const FlatBuffer fb(data, context);
  const size_t table = fb.root(aedat4::flatBufferBase(data, "EVTS"));
  EventArray events;
  const size_t elementsField = fb.field(table, 0);
  if (!elementsField)
    return events;
  const auto [first, count] = fb.vector(elementsField, 16);
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
  return events;
}

// Counts a packet of a stream that is not the events by the stream's kind.
void countSkipped(ImportCounts& counts, const Aedat4Header& header, int32_t stream) {
  const auto it = header.streamTypes.find(stream);
  const std::string type = it == header.streamTypes.end() ? "" : it->second;
  if (type == "FRME")
    ++counts.framePackets;
  else if (type == "IMUS")
    ++counts.imuPackets;
  else if (type == "TRIG")
    ++counts.triggerPackets;
  else
    ++counts.otherPackets;
}

} // namespace

RecordingInfo readAedat4Events(const std::string& path, const EventSink& sink, Job* job) {
  uint64_t fileSize = 0;
  std::ifstream in = openRecording(path, fileSize);
  if (fileSize < 18)
    throw InputError(path + ": truncated AEDAT4 header (" + std::to_string(fileSize) + " bytes)");
  const Aedat4Header header = readHeader(in, path, fileSize);
  RecordingInfo info;
  info.format = EventFormat::Aedat4;
  info.sensor = header.stream.sensor;
  info.sensorGiven = header.stream.sensor.valid();
  if (info.sensorGiven)
    info.sensorSource = "the AEDAT4 event stream's sizeX/sizeY";
  uint64_t position = header.packetsStart;
  for (uint64_t packet = 0; position < header.packetsEnd; ++packet) {
    const std::string where =
        path + ": packet " + std::to_string(packet) + " at byte " + std::to_string(position);
    const uint64_t left = header.packetsEnd - position;
    int32_t ids[2];
    if (left < 8 || !in.read(reinterpret_cast<char*>(ids), 8))
      throw InputError(where + " is truncated: " + std::to_string(std::min<uint64_t>(left, 8)) +
                       " of its 8 header bytes are there");
    const int32_t stream = ids[0], size = ids[1];
    if (size < 0 || uint64_t(size) > left - 8 || uint64_t(size) > aedat4::kMaxPacketBytes)
      throw InputError(where + " is truncated or corrupt: it claims " + std::to_string(size) +
                       " bytes, " + std::to_string(left - 8) + " remain" +
                       (header.packetsEnd < fileSize ? " before the data table" : ""));
    position += 8 + uint64_t(size);
    if (stream != header.stream.id) {
      countSkipped(info.counts, header, stream);
      if (!in.seekg(size, std::ios::cur))
        throw IoError(where + ": cannot skip " + std::to_string(size) + " bytes");
      continue;
    }
    std::string payload(size_t(size), '\0');
    if (!in.read(payload.data(), size))
      throw InputError(where + " is truncated: only " + std::to_string(in.gcount()) + " of its " +
                       std::to_string(size) + " bytes could be read");
    const std::string context = path + ": event packet " + std::to_string(packet) + " at byte " +
                                std::to_string(position - 8 - uint64_t(size));
    EventArray events = parseEventPacket(aedat4::decompress(payload, header.compression, context),
                                         header.stream.sensor, context);
    if (job) {
      job->checkCancelled();
      job->setProgress(double(position) / double(fileSize), "reading " + path);
    }
    sink(std::move(events));
  }
  return info;
}

} // namespace lumen
