// Synthetic iniVation AEDAT4 recordings for tests, laid out as the DV software writes them (the
// DVXplorer sample in ../shared/data has this structure): "#!AER-DAT4.0\r\n", an int32 size and
// the IOHeader flatbuffer (compression, the data table's position, the XML stream description),
// then packets of int32 stream id, int32 size and a size-prefixed flatbuffer, compressed as the
// header says, and at the end the data table (an FTAB flatbuffer indexing the packets). Events
// are 16-byte structs {int64 t, int16 x, int16 y, bool on, 3 bytes padding}; frame, IMU and
// trigger packets carry filler the reader must skip. Hostile tests replace the XML or a packet's
// bytes to build files no camera writes.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace lumen::test {

enum class Aedat4Compression : int32_t { None = 0, Lz4 = 1, Lz4High = 2, Zstd = 3, ZstdHigh = 4 };

struct Aedat4Event {
  int64_t t;
  int16_t x, y;
  bool on;
};

// One <node name="ID"> of the stream description.
struct Aedat4Stream {
  int32_t id = 0;
  std::string type;          // typeIdentifier: EVTS, FRME, IMUS, TRIG
  std::string output;        // originalOutputName: events, frames, imu, triggers
  int width = 0, height = 0; // sizeX / sizeY; 0 leaves them out
};

class Aedat4Writer {
public:
  explicit Aedat4Writer(Aedat4Compression compression = Aedat4Compression::Lz4);

  void addStream(const Aedat4Stream& stream);
  // The streams a DVXplorer recording has: events (0, with the sensor size), IMU (2) and
  // triggers (3).
  void addDvxplorerStreams(int width, int height);
  // Replaces the XML the streams give (hostile headers).
  void setXml(std::string xml) { xmlOverride_ = std::move(xml); }
  std::string xml() const;

  void addEvents(int32_t stream, const std::vector<Aedat4Event>& events);
  // A packet of another type: a size-prefixed flatbuffer with this identifier and `bytes` of
  // filler in a vector.
  void addOpaquePacket(int32_t stream, const std::string& identifier, size_t bytes);
  // A packet whose payload goes into the file as given (already compressed, or corrupt).
  void addRawPacket(int32_t stream, std::string payload, int64_t elements = 0);

  // The whole file; without the data table the header says there is none (-1).
  std::string bytes(bool withDataTable = true) const;
  void write(const std::string& path, bool withDataTable = true) const;

  // Where the first packet starts in bytes() (after the magic, the size and the header).
  size_t packetsStart() const;

private:
  struct Packet {
    int32_t stream;
    std::string payload; // as written (compressed)
    int64_t elements, tFirst, tLast;
  };
  std::string header(int64_t dataTable) const;
  std::string dataTable(size_t firstPacket) const;

  Aedat4Compression compression_;
  std::vector<Aedat4Stream> streams_;
  std::string xmlOverride_;
  std::vector<Packet> packets_;
};

// The flatbuffer of an event packet (size-prefixed, identifier EVTS), uncompressed.
std::string aedat4EventPacket(const std::vector<Aedat4Event>& events);
// `data` compressed as a packet of a file with this compression is (LZ4 or ZSTD frames).
std::string aedat4Compress(const std::string& data, Aedat4Compression compression);
// A compressed frame of `size` zero bytes, built in steps so the zeros are never in memory at
// once: a decompression bomb.
std::string aedat4ZeroBomb(uint64_t size, Aedat4Compression compression);

} // namespace lumen::test
