// Structured hostile files, built the shape real files have and then pushed past every limit a
// header can claim: HDF5 dataspaces whose product wraps 2^64, rank 32, gigabyte chunks, datasets
// of 2^40 values stored in a few kB, 16-byte numbers, external data, string attributes of many
// elements or megabytes, rewritten dimensions; AEDAT4 packets that decompress (LZ4 and ZSTD)
// far beyond their size, XML headers with megabyte strings and numbers past int64, and sizes
// that point past the file. Every one must end in a lumen::Error of the expected kind whose
// message names what is wrong, never a crash, a std:: exception or an allocation of what the
// file claims.
#include "HostileHdf5.h"
#include "TestSupport.h"
#include "common/Error.h"
#include "events/EventFile.h"
#include "events/EventImport.h"
#include "io/Hdf5File.h"
#include "support/Aedat4Writer.h"

#include <QtTest>
#include <cstring>

using namespace lumen;
using namespace lumen::test::hostile;
using test::Aedat4Compression;
using test::Aedat4Writer;

namespace {

// `read` must throw a lumen::Error of `kind` whose message contains `part`.
template <class Read>
void expectError(const char* what, Read read, ErrorKind kind, const std::string& part) {
  try {
    read();
  } catch (const Error& e) {
    const std::string message = e.what();
    QVERIFY2(e.kind() == kind,
             qPrintable(QString("%1: a %2 error: %3")
                            .arg(what, errorKindName(e.kind()), QString::fromStdString(message))));
    QVERIFY2(
        message.find(part) != std::string::npos,
        qPrintable(QString("%1: '%2' lacks '%3'")
                       .arg(what, QString::fromStdString(message), QString::fromStdString(part))));
    return;
  } catch (const std::exception& e) {
    QFAIL(qPrintable(QString("%1: not a lumen::Error: %2").arg(what, e.what())));
  }
  QFAIL(qPrintable(QString("%1: no error").arg(what)));
}

constexpr ErrorKind kInput = ErrorKind::InvalidInput;
constexpr ErrorKind kIo = ErrorKind::Io;

std::vector<test::Aedat4Event> fewEvents() {
  return {{100, 1, 2, true}, {105, 3, 4, false}, {110, 63, 47, true}};
}

EventArray importAedat4(const std::string& path) {
  return loadRecording(path);
}

} // namespace

class TestHostileFiles : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void hdf5ShapesThatWrapOrExplode() {
    const auto path = test::freshDir("hostile-h5-shapes") + "/shapes.h5";
    {
      H5Id file(createLatestFormatFile(path), H5Fclose);
      // 2^32 x 2^32 x 2 values: the product wraps to 0, so the old read returned nothing.
      addChunkedDataset(file.get(), "/wrapped", H5T_NATIVE_INT64,
                        {hsize_t(1) << 32, hsize_t(1) << 32, 2}, {1, 1, 2});
      // 2^61 int64 values: 2^64 bytes.
      addChunkedDataset(file.get(), "/bytes_wrap", H5T_NATIVE_INT64, {hsize_t(1) << 61}, {1 << 16});
      addChunkedDataset(file.get(), "/rank32", H5T_NATIVE_INT8, std::vector<hsize_t>(32, 2),
                        std::vector<hsize_t>(32, 1));
      addChunkedDataset(file.get(), "/big", H5T_NATIVE_INT64, {hsize_t(1) << 40}, {1 << 16});
      // One chunk of 4 GiB - 256 kB, which libhdf5 would allocate to read any part of it.
      addChunkedDataset(file.get(), "/huge_chunk", H5T_NATIVE_INT32, {65535, 16384},
                        {65535, 16384});
    }
    const auto file = Hdf5File::openRead(path);
    expectError(
        "wrapped read", [&] { file.read<int64_t>("/wrapped"); }, kInput,
        path + ": /wrapped: is corrupt: its shape 4294967296 x 4294967296 x 2 holds more than "
               "2^64 values");
    expectError(
        "wrapped info", [&] { file.info("/wrapped"); }, kInput, "holds more than 2^64 values");
    expectError(
        "bytes wrap", [&] { file.info("/bytes_wrap"); }, kInput,
        "its shape 2305843009213693952 of 8-byte values holds more than 2^64 bytes");
    expectError(
        "rank 32", [&] { file.read<int64_t>("/rank32"); }, kInput,
        "/rank32: reading 4294967296 values of its 2 x 2 x 2 x 2 x 2 x 2 x 2 x 2 and 24 more "
        "shape needs 32 GiB, more than the 4 GiB memory guard");
    expectError(
        "2^40 values", [&] { file.read<int64_t>("/big"); }, kInput,
        "/big: reading 1099511627776 values of its 1099511627776 shape needs 8 TiB, more than "
        "the 4 GiB memory guard; read fewer rows at a time");
    const auto part = file.read<int64_t>("/big", uint64_t(1) << 39, 1000); // rows of fill values
    QCOMPARE(part, std::vector<int64_t>(1000, 0));
    expectError(
        "huge chunk", [&] { file.read<int32_t>("/huge_chunk", 0, 1); }, kInput,
        "/huge_chunk: its chunks (65535 x 16384 values of 4 bytes) claim more than the 256 MiB "
        "Lumen reads at once");
    auto limited = Hdf5File::openRead(path);
    limited.setReadLimit(4096);
    expectError(
        "read limit", [&] { limited.read<int64_t>("/big", 0, 1000); }, kInput,
        "reading 1000 values of its 1099511627776 shape needs 7.8 KiB, more than the 4 KiB "
        "memory guard");
  }

  void hdf5EventFilesOfHostileShapes() {
    const auto dir = test::freshDir("hostile-h5-events");
    auto eventFile = [&](const std::string& name, auto&& addTimes) {
      const auto path = dir + "/" + name + ".h5";
      H5Id file(createLatestFormatFile(path), H5Fclose);
      addFourEvents(file.get());
      H5Ldelete(file.get(), "/events/t", H5P_DEFAULT);
      addTimes(file.get());
      return path;
    };
    const auto rank32 = eventFile("rank32", [](hid_t f) {
      addChunkedDataset(f, "/events/t", H5T_NATIVE_INT64, std::vector<hsize_t>(32, 2),
                        std::vector<hsize_t>(32, 1));
    });
    expectError(
        "rank 32 times", [&] { EventFileReader reader(rank32); }, kInput,
        rank32 + ": /events/t must be one-dimensional, has 32 dimensions");
    const auto wrapped = eventFile("wrapped", [](hid_t f) {
      addChunkedDataset(f, "/events/t", H5T_NATIVE_INT64, {hsize_t(1) << 62}, {1 << 16});
    });
    expectError(
        "2^62 times", [&] { EventFileReader reader(wrapped); }, kInput,
        wrapped + ": /events/t: is corrupt: its shape 4611686018427387904 of 8-byte values holds "
                  "more than 2^64 bytes");
    const auto wide = eventFile("wide", [](hid_t f) {
      H5Id type(H5Tcopy(H5T_STD_I64LE), H5Tclose);
      H5Tset_size(type.get(), 16);
      addChunkedDataset(f, "/events/t", type.get(), {4}, {4});
    });
    expectError(
        "16-byte times", [&] { EventFileReader(wide).readAll(); }, kInput,
        wide + ": /events/t: is corrupt: its numbers claim 16 bytes each");
    const auto external = eventFile("external", [&](hid_t f) {
      test::writeText(dir + "/times.bin", std::string(32, '\1'));
      const hsize_t n = 4;
      H5Id space(H5Screate_simple(1, &n, nullptr), H5Sclose);
      H5Id plist(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
      H5Pset_external(plist.get(), (dir + "/times.bin").c_str(), 0, 32);
      H5Id set(H5Dcreate2(f, "/events/t", H5T_NATIVE_INT64, space.get(), H5P_DEFAULT, plist.get(),
                          H5P_DEFAULT),
               H5Dclose);
      QVERIFY(set.valid());
    });
    expectError(
        "external times", [&] { EventFileReader(external).readAll(); }, kInput,
        external + ": /events/t: keeps its data in other files (a virtual or external dataset), "
                   "which Lumen does not read");
  }

  void hdf5HeadersRewrittenAfterTheFact() {
    const auto dir = test::freshDir("hostile-h5-patched");
    // 221 x 173 datasets whose dimensions now say 2^63 + 1 x 2, a product that wraps to 2:
    // libhdf5 checks the storage of both layouts against the shape when it opens them (the
    // wrapping shapes it accepts, chunked and never written, are in hdf5ShapesThatWrapOrExplode).
    const auto patched = dir + "/dims.h5";
    {
      H5Id file(H5Fcreate(patched.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
      addInt8Dataset(file.get(), "/contiguous", {221, 173});
      addInt8Dataset(file.get(), "/chunked", {221, 173}, true);
    }
    QVERIFY(patchBytes(patched, bytesOf<uint64_t>(221) + bytesOf<uint64_t>(173),
                       bytesOf<uint64_t>((uint64_t(1) << 63) + 1) + bytesOf<uint64_t>(2)) >= 2);
    const auto file = Hdf5File::openRead(patched);
    for (const char* name : {"/contiguous", "/chunked"})
      expectError(
          name, [&] { file.read<int8_t>(name); }, kIo,
          patched + ": " + name + ": is not a readable dataset");
    // A fixed string attribute whose type now claims 2 GiB: libhdf5 refuses to decode it.
    const auto attribute = dir + "/attribute.h5";
    {
      H5Id file(H5Fcreate(attribute.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
      addFourEvents(file.get());
      addStringAttribute(file.get(), "/events", "match_tolerance_us", 4099, 1);
    }
    QCOMPARE(patchBytes(attribute, bytesOf<uint32_t>(4099), bytesOf<uint32_t>(0x7ffffff0)), 1);
    expectError(
        "2 GiB string",
        [&] { Hdf5File::openRead(attribute).stringAttribute("/events", "match_tolerance_us"); },
        kIo, "/events: attribute 'match_tolerance_us' is unreadable (a corrupt attribute header)");
  }

  void hdf5StringAttributesOfMegabytes() {
    const auto path = test::freshDir("hostile-h5-strings") + "/strings.h5";
    {
      H5Id file(createLatestFormatFile(path), H5Fclose);
      addFourEvents(file.get());
      addStringAttribute(file.get(), "/events", "fixed", 2 << 20, 1);
      addStringAttribute(file.get(), "/events", "variable", H5T_VARIABLE, 1);
      addStringAttribute(file.get(), "/events", "many", H5T_VARIABLE, 100000);
      addStringAttribute(file.get(), "/events", "one_mib", 1 << 20, 1, 'k');
    }
    const auto file = Hdf5File::openRead(path);
    expectError(
        "2 MiB fixed", [&] { file.stringAttribute("/events", "fixed"); }, kInput,
        path + ": /events: attribute 'fixed' holds a string longer than 1 MiB (its type claims "
               "2097152 bytes)");
    expectError(
        "2 MiB variable", [&] { file.stringAttribute("/events", "variable"); }, kInput,
        path + ": /events: attribute 'variable' holds a string longer than 1 MiB");
    expectError(
        "100000 strings", [&] { file.stringAttribute("/events", "many"); }, kInput,
        "attribute 'many' holds 100000 strings (shape 100000); expected one string");
    QCOMPARE(file.stringAttribute("/events", "one_mib")->size(), size_t(1) << 20);
    // The event reader opens the file as usual: only the attribute asked for is refused.
    QCOMPARE(EventFileReader(path).readAll().size(), size_t(4));
  }

  void aedat4DecompressionBombs() {
    const auto dir = test::freshDir("hostile-aedat4-bombs");
    // LZ4 cannot expand more than about 255 times, so 257 MiB of zeros (1 MiB compressed) stop
    // at the 256 MiB a packet may hold.
    Aedat4Writer lz4(Aedat4Compression::Lz4);
    lz4.addDvxplorerStreams(64, 48);
    lz4.addEvents(0, fewEvents());
    lz4.addRawPacket(0, test::aedat4ZeroBomb(uint64_t(257) << 20, Aedat4Compression::Lz4));
    lz4.write(dir + "/lz4.aedat4");
    expectError(
        "LZ4 bomb", [&] { importAedat4(dir + "/lz4.aedat4"); }, kInput,
        dir + "/lz4.aedat4: event packet 1 at byte ");
    expectError(
        "LZ4 bomb", [&] { importAedat4(dir + "/lz4.aedat4"); }, kInput,
        ": decompresses to more than the 256 MiB a packet may hold (a decompression bomb or "
        "corrupt data)");
    // ZSTD reaches thousands: 64 MiB of zeros in a few kB stop at 1024 times their size.
    for (auto compression : {Aedat4Compression::Zstd, Aedat4Compression::ZstdHigh}) {
      Aedat4Writer zstd(compression);
      zstd.addDvxplorerStreams(64, 48);
      const std::string bomb = test::aedat4ZeroBomb(uint64_t(64) << 20, compression);
      QVERIFY(bomb.size() < 64 * 1024);
      zstd.addRawPacket(0, bomb);
      zstd.write(dir + "/zstd.aedat4");
      expectError(
          "ZSTD bomb", [&] { importAedat4(dir + "/zstd.aedat4"); }, kInput,
          ": its " + std::to_string(bomb.size()) +
              " compressed bytes expand more than 1024 times (a decompression bomb or corrupt "
              "data)");
    }
    // Under a megabyte of output the ratio is not held against a packet.
    Aedat4Writer dense(Aedat4Compression::Zstd);
    dense.addDvxplorerStreams(64, 48);
    std::vector<test::Aedat4Event> same(20000, {7, 5, 5, true});
    dense.addEvents(0, same);
    dense.write(dir + "/dense.aedat4");
    QCOMPARE(importAedat4(dir + "/dense.aedat4").size(), size_t(20000));
  }

  void aedat4HeadersWithHostileXml() {
    const auto dir = test::freshDir("hostile-aedat4-xml");
    auto withXml = [&](const std::string& name, const std::string& xml) {
      Aedat4Writer writer(Aedat4Compression::Lz4);
      writer.setXml(xml);
      writer.addEvents(0, fewEvents());
      writer.write(dir + "/" + name + ".aedat4");
      return dir + "/" + name + ".aedat4";
    };
    const auto stream = [](const std::string& name, const std::string& path,
                           const std::string& sizeX) {
      return "<dv version=\"2.0\"><node name=\"outInfo\" path=\"/x/outInfo/\">"
             "<node name=\"" +
             name + "\" path=\"" + path +
             "\"><attr key=\"typeIdentifier\" type=\"string\">EVTS</attr>"
             "<node name=\"info\" path=\"" +
             path + "info/\"><attr key=\"sizeX\" type=\"int\">" + sizeX +
             "</attr><attr key=\"sizeY\" type=\"int\">48</attr></node></node></node></dv>";
    };
    // A path of 2 MB: std::regex recursed once per character of [^"]* and overflowed the stack.
    const std::string longPath = "/" + std::string(2 << 20, 'a') + "/outInfo/0/";
    const auto e = importAedat4(withXml("long-path", stream("0", longPath, "64")));
    QCOMPARE(e.size(), size_t(3));
    QCOMPARE(e.sensor.width, 64);
    QCOMPARE(e.sensor.height, 48);
    // An attribute of 3 MB without its closing quote.
    expectError(
        "unterminated",
        [&] {
          importAedat4(withXml("unterminated", "<dv><node name=\"0\" path=\"" +
                                                   std::string(3 << 20, 'b') + " EVTS"));
        },
        kInput, "the recording has no event stream (typeIdentifier EVTS)");
    // std::stoi threw std::out_of_range for these.
    expectError(
        "sizeX past int64",
        [&] {
          importAedat4(withXml("size", stream("0", "/m/outInfo/0/", "99999999999999999999")));
        },
        kInput, "AEDAT4 header: sizeX '99999999999999999999' is not a number in 1..65535");
    expectError(
        "sizeX of a megabyte",
        [&] {
          importAedat4(
              withXml("megasize", stream("0", "/m/outInfo/0/", std::string(1 << 20, '9'))));
        },
        kInput, "sizeX '9999999999999999999999999999999999999999…' is not a number in 1..65535");
    expectError(
        "stream id past int32",
        [&] {
          importAedat4(withXml("id", stream("99999999999", "/m/outInfo/99999999999/", "64")));
        },
        kInput, "the event stream's id '99999999999' is not a number in 0..2147483647");
    expectError(
        "negative size",
        [&] { importAedat4(withXml("negative", stream("0", "/m/outInfo/0/", "-64"))); }, kInput,
        "sizeX '-64' is not a number in 1..65535");
  }

  void aedat4SizesThatPointPastTheFile() {
    const auto dir = test::freshDir("hostile-aedat4-sizes");
    Aedat4Writer writer(Aedat4Compression::None);
    writer.addDvxplorerStreams(64, 48);
    writer.addEvents(0, fewEvents());
    const std::string good = writer.bytes();
    const size_t packets = writer.packetsStart();
    auto patched = [&](const std::string& name, size_t at, auto value) {
      std::string bytes = good;
      std::memcpy(&bytes[at], &value, sizeof value);
      test::writeText(dir + "/" + name + ".aedat4", bytes);
      return dir + "/" + name + ".aedat4";
    };
    QCOMPARE(importAedat4(patched("good", 0, '#')).size(), size_t(3));
    expectError(
        "header size", [&] { importAedat4(patched("header", 14, int32_t(INT32_MAX))); }, kInput,
        "truncated or corrupt AEDAT4 header: it claims 2147483647 bytes");
    expectError(
        "compression", [&] { importAedat4(patched("compression", 18 + 28, int32_t(9))); }, kInput,
        "AEDAT4 header: unknown compression type 9");
    expectError(
        "data table", [&] { importAedat4(patched("table", 18 + 36, int64_t(10))); }, kInput,
        "AEDAT4 header places the data table at byte 10, outside the packets");
    expectError(
        "packet size", [&] { importAedat4(patched("packet", packets + 4, int32_t(INT32_MAX))); },
        kInput,
        "packet 0 at byte " + std::to_string(packets) +
            " is truncated or corrupt: it claims 2147483647 bytes");
    expectError(
        "negative packet", [&] { importAedat4(patched("negative", packets + 4, int32_t(-8))); },
        kInput, "it claims -8 bytes");
    // The event vector's length (at 28 of the packet's flatbuffer) claims 2^32 - 1 events.
    expectError(
        "vector length",
        [&] { importAedat4(patched("vector", packets + 8 + 28, uint32_t(0xffffffff))); }, kInput,
        "event packet 0 at byte " + std::to_string(packets) +
            ": a vector runs past the end of the data");
    expectError(
        "root offset",
        [&] { importAedat4(patched("root", packets + 8 + 4, uint32_t(0x7fffffff))); }, kInput,
        ": reads past the end of the data");
    // A header of 17 MiB (a real one is a few kB).
    Aedat4Writer big(Aedat4Compression::None);
    big.setXml(std::string(17 << 20, ' ') + "<node name=\"0\" path=\"/outInfo/0/\">EVTS");
    big.write(dir + "/big-header.aedat4");
    expectError(
        "17 MiB header", [&] { importAedat4(dir + "/big-header.aedat4"); }, kInput,
        "(at most 16 MiB)");
  }
};

QTEST_GUILESS_MAIN(TestHostileFiles)
#include "TestHostileFiles.moc"
