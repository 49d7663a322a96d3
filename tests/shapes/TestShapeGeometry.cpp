// The geometry under shape preparation: NIfTI round trips keep physical space; files cut short,
// .hdr/.img pairs, voxel data after header extensions and big-endian files (all written by ITK,
// then cut or rewritten byte by byte) are read exactly or refused by name; micro-CT spacings;
// exact distance transforms against brute force, frames that map back to millimetres, class
// maps, mesh winding on mirrored (LAS) geometry, and the synthetic heart's classes and spacing.
#include "TestSupport.h"
#include "common/Error.h"
#include "io/NiftiIO.h"
#include "io/NiftiStorage.h"
#include "shapes/ClassMeshes.h"
#include "shapes/DistanceTransform.h"
#include "shapes/HeartClasses.h"
#include "shapes/ShapeFrame.h"
#include "shapes/SyntheticHeart.h"

#include <QtTest>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkImageFileWriter.h>
#include <itkNiftiImageIO.h>
#include <random>
#include <zlib.h>

using namespace lumen;
namespace fs = std::filesystem;

namespace {

using ItkLabels = itk::Image<int16_t, 3>;

// Writes `v` as int16 with ITK's own NIfTI writer; the name picks the kind (.hdr writes a pair).
void writeWithItk(const std::string& path, const LabelVolume& v) {
  auto image = ItkLabels::New();
  ItkLabels::RegionType region;
  ItkLabels::DirectionType direction;
  for (unsigned a = 0; a < 3; ++a) {
    region.SetSize(a, itk::SizeValueType(v.geometry.size[a]));
    for (unsigned r = 0; r < 3; ++r)
      direction[r][a] = v.geometry.direction[3 * r + a];
  }
  image->SetRegions(region);
  image->SetSpacing(v.geometry.spacing.data());
  image->SetOrigin(v.geometry.origin.data());
  image->SetDirection(direction);
  image->Allocate();
  std::copy(v.values.begin(), v.values.end(), image->GetBufferPointer());
  auto writer = itk::ImageFileWriter<ItkLabels>::New();
  writer->SetImageIO(itk::NiftiImageIO::New());
  writer->SetFileName(path);
  writer->SetInput(image);
  writer->Update();
}

// ITK's own reading, the reference the reader must match on files ITK reads correctly.
template <class T> std::vector<T> readWithItk(const std::string& path) {
  auto reader = itk::ImageFileReader<itk::Image<T, 3>>::New();
  reader->SetImageIO(itk::NiftiImageIO::New());
  reader->SetFileName(path);
  reader->Update();
  const auto* image = reader->GetOutput();
  const T* data = image->GetBufferPointer();
  return std::vector<T>(data, data + image->GetLargestPossibleRegion().GetNumberOfPixels());
}

std::string gunzip(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  std::string out;
  char buffer[1 << 16];
  int n = 0;
  while ((n = gzread(file, buffer, sizeof buffer)) > 0)
    out.append(buffer, size_t(n));
  gzclose(file);
  return out;
}

void gzipTo(const std::string& path, const std::string& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  gzwrite(file, bytes.data(), unsigned(bytes.size()));
  gzclose(file);
}

// A small heart-shaped label map (int16 on disk), 3 mm voxels.
LabelVolume smallHeart() {
  SyntheticHeartOptions options;
  options.spacing = {3.0, 3.0, 3.0};
  return makeSyntheticHeart(7, options);
}

// The message of the error `read` throws; fails the test when it throws none.
template <class F> std::string errorOf(F&& read) {
  try {
    read();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

// NIfTI-1 header fields (offset, bytes) that hold numbers, for rewriting a file big-endian.
const std::vector<std::pair<size_t, size_t>>& nifti1NumberFields() {
  static const std::vector<std::pair<size_t, size_t>> fields = [] {
    std::vector<std::pair<size_t, size_t>> f{{0, 4}, {32, 4}, {36, 2}};
    for (size_t d = 0; d < 8; ++d)
      f.push_back({40 + 2 * d, 2});
    for (size_t o : {56, 60, 64})
      f.push_back({o, 4});
    for (size_t o : {68, 70, 72, 74})
      f.push_back({o, 2});
    for (size_t d = 0; d < 8; ++d)
      f.push_back({76 + 4 * d, 4});
    for (size_t o : {108, 112, 116})
      f.push_back({o, 4});
    f.push_back({120, 2});
    for (size_t o : {124, 128, 132, 136, 140, 144})
      f.push_back({o, 4});
    f.push_back({252, 2});
    f.push_back({254, 2});
    for (size_t o = 256; o < 328; o += 4)
      f.push_back({o, 4});
    return f;
  }();
  return fields;
}

void setFloatField(std::string& bytes, size_t offset, float value) {
  std::memcpy(bytes.data() + offset, &value, 4);
}

} // namespace

class TestShapeGeometry : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void niftiRoundTripKeepsGeometry() {
    LabelVolume v;
    v.geometry.size = {5, 4, 3};
    v.geometry.spacing = {0.5, 0.75, 2.0};
    v.geometry.origin = {-10, 20, 5};
    const double c = std::cos(0.3), s = std::sin(0.3);
    v.geometry.direction = {c, -s, 0, s, c, 0, 0, 0, 1};
    v.values.resize(v.geometry.voxels());
    for (size_t i = 0; i < v.values.size(); ++i)
      v.values[i] = int32_t(i % 11);
    const std::string path = test::freshDir("nifti") + "/labels.nii.gz";
    writeLabelVolume(path, v);
    std::string type;
    readNiftiGeometry(path, &type);
    QCOMPARE(QString::fromStdString(type), QString("unsigned_char"));
    const LabelVolume back = readLabelVolume(path);
    QCOMPARE(back.values, v.values);
    for (size_t d = 0; d < 3; ++d) {
      QCOMPARE(back.geometry.size[d], v.geometry.size[d]);
      QVERIFY(std::abs(back.geometry.spacing[d] - v.geometry.spacing[d]) < 1e-6);
      QVERIFY(std::abs(back.geometry.origin[d] - v.geometry.origin[d]) < 1e-4);
    }
    for (size_t k = 0; k < 9; ++k)
      QVERIFY(std::abs(back.geometry.direction[k] - v.geometry.direction[k]) < 1e-5);
    // A physical point maps to the same voxel through either geometry.
    const Vec3 p = v.geometry.indexToPhysical({3, 2, 1});
    const Vec3 index = back.geometry.physicalToIndex(p);
    QVERIFY(std::abs(index[0] - 3) < 1e-4 && std::abs(index[1] - 2) < 1e-4 &&
            std::abs(index[2] - 1) < 1e-4);
  }

  void niftiRejectsBadFiles() {
    const std::string dir = test::freshDir("nifti-bad");
    test::writeText(dir + "/text.nii", "this is not a NIfTI header at all");
    QVERIFY_THROWS_EXCEPTION(IoError, readLabelVolume(dir + "/text.nii"));
    QVERIFY_THROWS_EXCEPTION(IoError, readLabelVolume(dir + "/missing.nii.gz"));
    // Truncated: a valid file cut in half.
    LabelVolume v;
    v.geometry.size = {32, 32, 32};
    v.values.assign(v.geometry.voxels(), 3);
    writeLabelVolume(dir + "/whole.nii", v);
    const std::string whole = test::readText(dir + "/whole.nii");
    test::writeText(dir + "/cut.nii", whole.substr(0, whole.size() / 2));
    writeLabelVolume(dir + "/whole.nii.gz", v);
    const std::string packed = test::readText(dir + "/whole.nii.gz");
    test::writeText(dir + "/cut.nii.gz", packed.substr(0, packed.size() / 2));
    for (const std::string name : {"cut.nii", "cut.nii.gz"}) {
      try {
        readLabelVolume(dir + "/" + name);
        QFAIL(qPrintable(QString::fromStdString("truncated " + name + " was read")));
      } catch (const Error& e) {
        QVERIFY2(std::string(e.what()).find(name) != std::string::npos, e.what());
      }
    }
    // The memory guard refuses before reading voxels.
    NiftiReadLimits limits;
    limits.maxVoxels = 1000;
    QVERIFY_THROWS_EXCEPTION(InputError, readLabelVolume(dir + "/whole.nii", limits));
  }

  void truncatedFilesAreRefusedByName() {
    // What a failed download leaves: files ITK wrote, cut short. ITK alone reads the missing
    // slices as background; here each is refused, naming the file and the bytes missing.
    const std::string dir = test::freshDir("nifti-cut");
    const LabelVolume heart = smallHeart();
    writeWithItk(dir + "/heart.nii", heart);
    writeWithItk(dir + "/heart.nii.gz", heart);
    QCOMPARE(readLabelVolume(dir + "/heart.nii").values, heart.values);
    QCOMPARE(readLabelVolume(dir + "/heart.nii.gz").values, heart.values);
    const auto& n = heart.geometry.size;
    const std::string layout = "(vox_offset 352 + " + std::to_string(n[0]) + "x" +
                               std::to_string(n[1]) + "x" + std::to_string(n[2]) +
                               " voxels x 2 bytes)";
    const uint64_t needed = 352 + 2 * heart.values.size();
    const std::string raw = test::readText(dir + "/heart.nii");
    QCOMPARE(uint64_t(raw.size()), needed);
    for (const size_t keep : {size_t(400), raw.size() / 2, raw.size() - 1}) {
      const std::string cut = dir + "/cut_" + std::to_string(keep) + ".nii";
      test::writeText(cut, raw.substr(0, keep));
      const std::string error = errorOf([&] { readLabelVolume(cut); });
      QCOMPARE(error, cut + ": truncated: the file holds " + std::to_string(keep) + " of " +
                          std::to_string(needed) + " bytes " + layout);
    }
    const std::string packed = test::readText(dir + "/heart.nii.gz");
    for (const int percent : {50, 90, 99}) {
      const std::string cut = dir + "/cut_" + std::to_string(percent) + ".nii.gz";
      test::writeText(cut, packed.substr(0, packed.size() * size_t(percent) / 100));
      const std::string error = errorOf([&] { readLabelVolume(cut); });
      QVERIFY2(error.rfind(cut + ": truncated: the decompressed data holds ", 0) == 0 &&
                   error.find(" of " + std::to_string(needed) + " bytes " + layout) !=
                       std::string::npos,
               error.c_str());
    }
    // Every voxel is there but the gzip trailer (CRC-32 and length) is not.
    const std::string noTrailer = dir + "/no_trailer.nii.gz";
    test::writeText(noTrailer, packed.substr(0, packed.size() - 4));
    QCOMPARE(errorOf([&] { readLabelVolume(noTrailer); }),
             noTrailer + ": truncated: the gzip stream stops before its end marker (after " +
                 std::to_string(needed) + " decompressed bytes)");
    // A flipped bit in the middle fails the stream's check (or its decoding).
    std::string flipped = packed;
    flipped[flipped.size() / 2] = char(flipped[flipped.size() / 2] ^ 0x10);
    test::writeText(dir + "/flipped.nii.gz", flipped);
    const std::string corrupt = errorOf([&] { readLabelVolume(dir + "/flipped.nii.gz"); });
    QVERIFY2(corrupt.rfind(dir + "/flipped.nii.gz: corrupt gzip data (", 0) == 0, corrupt.c_str());
    // Two gzip members (as bgzip writes) are one stream of data.
    test::writeText(dir + "/half1.bin", raw.substr(0, raw.size() / 3));
    gzipTo(dir + "/a.gz", raw.substr(0, raw.size() / 3));
    gzipTo(dir + "/b.gz", raw.substr(raw.size() / 3));
    test::writeText(dir + "/members.nii.gz",
                    test::readText(dir + "/a.gz") + test::readText(dir + "/b.gz"));
    QCOMPARE(readLabelVolume(dir + "/members.nii.gz").values, heart.values);
  }

  void pairsOffsetsAndByteOrdersReadExactly() {
    const std::string dir = test::freshDir("nifti-layouts");
    const LabelVolume heart = smallHeart();
    const std::string voxels = std::to_string(heart.geometry.size[0]) + "x" +
                               std::to_string(heart.geometry.size[1]) + "x" +
                               std::to_string(heart.geometry.size[2]);
    // A .hdr/.img pair as ITK writes it: the voxels are in the .img, from its first byte.
    writeWithItk(dir + "/pair.hdr", heart);
    QVERIFY(fs::exists(dir + "/pair.img"));
    const LabelVolume pair = readLabelVolume(dir + "/pair.hdr");
    QCOMPARE(pair.values, heart.values);
    for (size_t d = 0; d < 3; ++d)
      QVERIFY(std::abs(pair.geometry.spacing[d] - heart.geometry.spacing[d]) < 1e-6);
    QCOMPARE(readLabelVolume(dir + "/pair.img").values, heart.values);
    const NiftiStorage storage = readNiftiStorage(dir + "/pair.hdr");
    QCOMPARE(storage.dataPath, dir + "/pair.img");
    QCOMPARE(storage.dataOffset, uint64_t(0));
    // A short .img is refused by its own name.
    const std::string img = test::readText(dir + "/pair.img");
    test::writeText(dir + "/short.hdr", test::readText(dir + "/pair.hdr"));
    test::writeText(dir + "/short.img", img.substr(0, img.size() - 10));
    QCOMPARE(errorOf([&] { readLabelVolume(dir + "/short.hdr"); }),
             dir + "/short.img: truncated: the file holds " + std::to_string(img.size() - 10) +
                 " of " + std::to_string(img.size()) + " bytes (vox_offset 0 + " + voxels +
                 " voxels x 2 bytes)");
    fs::remove(dir + "/short.img");
    QVERIFY(errorOf([&] { readLabelVolume(dir + "/short.hdr"); }).find("short.img") !=
            std::string::npos);

    // Voxels after 128 bytes of padding (vox_offset 480, as header extensions leave them).
    writeWithItk(dir + "/heart.nii", heart);
    const std::string raw = test::readText(dir + "/heart.nii");
    std::string shifted = raw.substr(0, 352) + std::string(128, '\0') + raw.substr(352);
    setFloatField(shifted, 108, 480.0f);
    test::writeText(dir + "/offset.nii", shifted);
    QCOMPARE(readLabelVolume(dir + "/offset.nii").values, heart.values);
    const auto itk = readWithItk<int16_t>(dir + "/offset.nii"); // ITK agrees on the layout
    QVERIFY(std::equal(itk.begin(), itk.end(), heart.values.begin()));
    gzipTo(dir + "/offset.nii.gz", shifted);
    QCOMPARE(readLabelVolume(dir + "/offset.nii.gz").values, heart.values);
    // Long enough for a 352-byte header and every voxel, yet 128 bytes short of this one's.
    const size_t oldNeed = 352 + 2 * heart.values.size();
    test::writeText(dir + "/offset_cut.nii", shifted.substr(0, oldNeed));
    QCOMPARE(errorOf([&] { readLabelVolume(dir + "/offset_cut.nii"); }),
             dir + "/offset_cut.nii: truncated: the file holds " + std::to_string(oldNeed) +
                 " of " + std::to_string(oldNeed + 128) + " bytes (vox_offset 480 + " + voxels +
                 " voxels x 2 bytes)");
    // vox_offset inside the header is refused.
    std::string inside = raw;
    setFloatField(inside, 108, 100.0f);
    test::writeText(dir + "/inside.nii", inside);
    QVERIFY(errorOf([&] { readNiftiStorage(dir + "/inside.nii"); }).find("points into the 348") !=
            std::string::npos);

    // The same file big-endian: every header number and voxel byte-swapped.
    std::string big = raw;
    for (const auto& [offset, bytes] : nifti1NumberFields())
      std::reverse(big.begin() + long(offset), big.begin() + long(offset + bytes));
    for (size_t v = 352; v + 1 < big.size(); v += 2)
      std::swap(big[v], big[v + 1]);
    test::writeText(dir + "/big.nii", big);
    QVERIFY(readNiftiStorage(dir + "/big.nii").bigEndian);
    QVERIFY(!readNiftiStorage(dir + "/heart.nii").bigEndian);
    const LabelVolume swapped = readLabelVolume(dir + "/big.nii");
    QCOMPARE(swapped.values, heart.values);
    for (size_t d = 0; d < 3; ++d)
      QVERIFY(std::abs(swapped.geometry.origin[d] - heart.geometry.origin[d]) < 1e-4);
  }

  void nifti2HeadersAreParsedInEitherByteOrder() {
    // NIfTI-2 from the NIfTI-1 file ITK wrote: 540-byte header, 64-bit dims and vox_offset.
    const std::string dir = test::freshDir("nifti2");
    const LabelVolume heart = smallHeart();
    writeWithItk(dir + "/heart.nii", heart);
    const std::string raw = test::readText(dir + "/heart.nii");
    for (const bool bigEndian : {false, true}) {
      std::string header(544, '\0');
      auto put = [&](size_t offset, const void* value, size_t bytes) {
        std::memcpy(header.data() + offset, value, bytes);
        if (bigEndian)
          std::reverse(header.begin() + long(offset), header.begin() + long(offset + bytes));
      };
      const int32_t size = 540;
      put(0, &size, 4);
      std::memcpy(header.data() + 4, "n+2\0\r\n\032\n", 8);
      const int16_t datatype = 4, bitpix = 16;
      put(12, &datatype, 2);
      put(14, &bitpix, 2);
      const int64_t dims[8] = {
          3, heart.geometry.size[0], heart.geometry.size[1], heart.geometry.size[2], 1, 1, 1, 1};
      for (size_t d = 0; d < 8; ++d)
        put(16 + 8 * d, &dims[d], 8);
      const int64_t offset = 544;
      put(168, &offset, 8);
      const double slope = 1.0;
      put(176, &slope, 8);
      std::string data = raw.substr(352);
      if (bigEndian)
        for (size_t v = 0; v + 1 < data.size(); v += 2)
          std::swap(data[v], data[v + 1]);
      const std::string path = dir + (bigEndian ? "/big.nii" : "/little.nii");
      test::writeText(path, header + data);
      const NiftiStorage s = readNiftiStorage(path);
      QCOMPARE(s.version, 2);
      QCOMPARE(s.bigEndian, bigEndian);
      QCOMPARE(s.datatype, 4);
      QCOMPARE(s.dataOffset, uint64_t(544));
      QCOMPARE(s.dims[0], heart.geometry.size[0]);
      QCOMPARE(s.dims[2], heart.geometry.size[2]);
      QCOMPARE(s.values(), uint64_t(heart.values.size()));
      // Debian's ITK 5.2 reads NIfTI-1 headers only: a clear refusal, not "not a NIfTI file".
      const std::string error = errorOf([&] { readLabelVolume(path); });
      QVERIFY2(error.find("NIfTI-2") != std::string::npos || error == "no error", error.c_str());
      if (error == "no error")
        QCOMPARE(readLabelVolume(path).values, heart.values);
      test::writeText(path, header + data.substr(0, data.size() / 2));
      if (error == "no error")
        QVERIFY(errorOf([&] { readLabelVolume(path); }).find("truncated") != std::string::npos);
    }
  }

  void floatAndIntensityMapsAreJudgedAsTheyStream() {
    const std::string dir = test::freshDir("nifti-float");
    FloatVolume v;
    v.geometry.size = {8, 6, 4};
    v.values.assign(v.geometry.voxels(), 0.0f);
    v.values[10] = 3.0f;
    v.values[20] = 10.0f;
    writeFloatVolume(dir + "/whole.nii.gz", v);
    const LabelVolume labels = readLabelVolume(dir + "/whole.nii.gz");
    QCOMPARE(labels.values[10], 3);
    QCOMPARE(labels.values[20], 10);
    v.values[25] = 0.37f; // voxel (1, 3, 0)
    writeFloatVolume(dir + "/intensity.nii.gz", v);
    const std::string error = errorOf([&] { readLabelVolume(dir + "/intensity.nii.gz"); });
    QVERIFY2(error.rfind(dir + "/intensity.nii.gz: voxel (1, 3, 0) holds 0.37", 0) == 0 &&
                 error.find("looks like an intensity image, not a label map") != std::string::npos,
             error.c_str());
    QCOMPARE(readFloatVolume(dir + "/intensity.nii.gz").values, v.values);
  }

  void realFilesReadAsItkReadsThem() {
    const std::string heart = test::sharedDataFile("heart/wh_7class.nii.gz");
    const std::string seg = test::sharedDataFile("ct/abdomen_seg.nii.gz");
    const std::string ct = test::sharedDataFile("ct/abdomen_ct.nii.gz");
    if (heart.empty() || seg.empty() || ct.empty())
      QSKIP("../shared/data is absent");
    for (const std::string& path : {heart, seg}) {
      const LabelVolume labels = readLabelVolume(path);
      QVERIFY(labels.values == readWithItk<int32_t>(path));
      const ImageGeometry g = readNiftiGeometry(path);
      QCOMPARE(labels.geometry.size, g.size);
      QCOMPARE(labels.geometry.direction, g.direction);
    }
    QCOMPARE(readNiftiStorage(seg).dataOffset, uint64_t(13168)); // after header extensions
    QVERIFY(readFloatVolume(ct).values == readWithItk<float>(ct));
    // The segmentation uncompressed, then cut where a 352-byte header would end its voxels.
    const std::string dir = test::freshDir("nifti-real");
    const std::string raw = gunzip(seg);
    test::writeText(dir + "/seg.nii", raw);
    QVERIFY(readLabelVolume(dir + "/seg.nii").values == readWithItk<int32_t>(seg));
    const size_t voxels = 122 * 101 * 30;
    test::writeText(dir + "/seg_cut.nii", raw.substr(0, 352 + voxels));
    QVERIFY(errorOf([&] { readLabelVolume(dir + "/seg_cut.nii"); })
                .find("holds " + std::to_string(352 + voxels) + " of " +
                      std::to_string(13168 + voxels) + " bytes") != std::string::npos);
  }

  void microCtSpacingsAreRegular() {
    // 10 nm to 10 um voxels: the singularity test is relative to the spacings.
    for (const double h : {1e-5, 1e-3, 0.01}) {
      ImageGeometry g;
      g.size = {10, 10, 10};
      g.spacing = {h, h, 2 * h};
      g.origin = {1, 2, 3};
      const Vec3 index = g.physicalToIndex(g.indexToPhysical({3, 4, 5}));
      QVERIFY(std::abs(index[0] - 3) < 1e-6 && std::abs(index[2] - 5) < 1e-6);
    }
    LabelVolume micro;
    micro.geometry.size = {6, 5, 4};
    micro.geometry.spacing = {0.005, 0.005, 0.005};
    micro.values.assign(micro.geometry.voxels(), 1);
    const std::string path = test::freshDir("nifti-micro") + "/micro.nii.gz";
    writeLabelVolume(path, micro);
    const LabelVolume back = readLabelVolume(path);
    QVERIFY(std::abs(back.geometry.spacing[0] - 0.005) < 1e-9);
    // Directions that coincide stay singular at any spacing.
    ImageGeometry flat;
    flat.direction = {1, 1, 0, 0, 1e-12, 0, 0, 0, 1};
    QVERIFY_THROWS_EXCEPTION(InputError, flat.physicalToIndex({0, 0, 0}));
    flat.direction = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    flat.spacing = {1, 0, 1};
    QVERIFY_THROWS_EXCEPTION(InputError, flat.physicalToIndex({0, 0, 0}));
  }

  void meshWindingStaysOutwardOnMirroredGeometry() {
    // A 6-voxel cube of 2 mm: the mesh's signed volume (positive when triangles wind
    // counter-clockwise seen from outside) is the cube's, in RAS-like and mirrored (LAS) frames.
    Volume<uint8_t> classes;
    classes.geometry.size = {12, 12, 12};
    classes.geometry.spacing = {2, 2, 2};
    classes.values.assign(12 * 12 * 12, 0);
    for (int k = 3; k < 9; ++k)
      for (int j = 3; j < 9; ++j)
        for (int i = 3; i < 9; ++i)
          classes.values[classes.geometry.offset(i, j, k)] = 4;
    const double cube = 12.0 * 12 * 12;
    for (const auto& [direction, code] :
         {std::pair<std::array<double, 9>, std::string>{{1, 0, 0, 0, 1, 0, 0, 0, 1}, "LPS"},
          {{1, 0, 0, 0, -1, 0, 0, 0, 1}, "LAS"},
          {{-1, 0, 0, 0, 1, 0, 0, 0, 1}, "RPS"},
          {{0, 1, 0, 1, 0, 0, 0, 0, 1}, "PLS"}}) {
      classes.geometry.direction = direction;
      QCOMPARE(classes.geometry.orientationCode(), code);
      const TriangleMesh mesh = labelMapMeshes(classes)[3];
      double volume = 0;
      for (size_t t = 0; t < mesh.triangles.size(); t += 3) {
        const float* a = &mesh.points[3 * size_t(mesh.triangles[t])];
        const float* b = &mesh.points[3 * size_t(mesh.triangles[t + 1])];
        const float* c = &mesh.points[3 * size_t(mesh.triangles[t + 2])];
        volume += (double(a[0]) * (double(b[1]) * c[2] - double(b[2]) * c[1]) -
                   double(a[1]) * (double(b[0]) * c[2] - double(b[2]) * c[0]) +
                   double(a[2]) * (double(b[0]) * c[1] - double(b[1]) * c[0])) /
                  6;
      }
      QVERIFY2(volume > 0.7 * cube && volume < 1.1 * cube,
               qPrintable(QString::fromStdString(code) + ": " + QString::number(volume)));
    }
  }

  void distanceTransformMatchesBruteForce() {
    const std::array<int64_t, 3> size{9, 7, 6};
    const std::array<double, 3> spacing{1.0, 1.5, 0.7};
    std::mt19937 rng(3);
    std::vector<uint8_t> feature(size_t(9 * 7 * 6));
    for (auto& f : feature)
      f = rng() % 17 == 0;
    const auto d2 = squaredDistanceTransform(feature, size, spacing);
    for (int64_t k = 0; k < 6; ++k)
      for (int64_t j = 0; j < 7; ++j)
        for (int64_t i = 0; i < 9; ++i) {
          double best = INFINITY;
          for (int64_t c = 0; c < 6; ++c)
            for (int64_t b = 0; b < 7; ++b)
              for (int64_t a = 0; a < 9; ++a)
                if (feature[size_t((c * 7 + b) * 9 + a)])
                  best = std::min(best, std::pow((a - i) * 1.0, 2) + std::pow((b - j) * 1.5, 2) +
                                            std::pow((c - k) * 0.7, 2));
          QVERIFY(std::abs(d2[size_t((k * 7 + j) * 9 + i)] - best) < 1e-4);
        }
  }

  void signedDistanceOfABall() {
    const int n = 41;
    std::vector<uint8_t> mask(size_t(n * n * n));
    const double r = 12.0;
    for (int k = 0; k < n; ++k)
      for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i)
          mask[size_t((k * n + j) * n + i)] = std::hypot(i - 20.0, j - 20.0, k - 20.0) <= r ? 1 : 0;
    const auto sdf = signedDistance(mask, {n, n, n}, {1, 1, 1});
    for (int k = 0; k < n; k += 3)
      for (int j = 0; j < n; j += 3)
        for (int i = 0; i < n; i += 3) {
          const double exact = std::hypot(i - 20.0, j - 20.0, k - 20.0) - r;
          const float value = sdf[size_t((k * n + j) * n + i)];
          QVERIFY2(std::abs(value - exact) < 1.0, qPrintable(QString::number(value)));
          QCOMPARE(value < 0, mask[size_t((k * n + j) * n + i)] == 1);
        }
    QVERIFY(std::isinf(signedDistance(std::vector<uint8_t>(8, 0), {2, 2, 2}, {1, 1, 1})[0]));
  }

  void frameMapsBackToMillimetres() {
    LabelVolume v;
    v.geometry.size = {20, 10, 8};
    v.geometry.spacing = {0.5, 1.0, 2.0};
    v.geometry.origin = {100, -50, 30};
    v.values.assign(v.geometry.voxels(), 0);
    for (int64_t i = 4; i <= 15; ++i) // x: voxels 4..15 -> [3.5, 15.5] * 0.5 mm
      v.at(i, 5, 3) = 2;
    const ShapeFrame frame = computeShapeFrame(v, 0.1);
    QVERIFY(std::abs(frame.centerMm[0] - (100 + 0.5 * 9.5)) < 1e-9);
    QVERIFY(std::abs(frame.scaleMm - (0.5 * 12 / 2) / 0.9) < 1e-9); // the longest half-side
    const Vec3 p{101.25, -44.0, 36.0};
    const Vec3 back = frame.toMm(frame.toNormalized(p));
    for (size_t d = 0; d < 3; ++d)
      QCOMPARE(back[d], p[d]);
    // The labelled extent ends at +-0.9 along x.
    const Vec3 end = frame.toNormalized(v.geometry.indexToPhysical({15.5, 5, 3}));
    QVERIFY(std::abs(end[0] - 0.9) < 1e-9);
    v.values.assign(v.geometry.voxels(), 0);
    QVERIFY_THROWS_EXCEPTION(InputError, computeShapeFrame(v));
  }

  void classMapsAndLists() {
    const ClassMap mmwhs = classMapByName("mmwhs7");
    QCOMPARE(mmwhs.classOf(3), int(kLeftVentricle));
    QCOMPARE(mmwhs.classOf(500), int(kLeftVentricle));
    QCOMPARE(mmwhs.classOf(850), int(kPulmonaryArtery));
    QVERIFY(mmwhs.annotated[size_t(kAorta - 1)]);
    QVERIFY(!mmwhs.annotated[size_t(kLeftAtrialAppendage - 1)]);
    QVERIFY(!mmwhs.annotated[size_t(kCoronaryArteries - 1)]);
    QVERIFY_THROWS_EXCEPTION(InputError, mmwhs.classOf(9));
    QVERIFY_THROWS_EXCEPTION(InputError, classMapByName("acdc"));
    QCOMPARE(parseHeartClassList("lv, 5,Aorta"), (std::vector<int>{3, 5, 6}));
    QVERIFY_THROWS_EXCEPTION(InputError, parseHeartClassList("3,heart"));
    QVERIFY_THROWS_EXCEPTION(InputError, parseHeartClassList("99999999999")); // not out_of_range
    QCOMPARE(parseHeartClassList("007,10"), (std::vector<int>{7, 10}));
  }

  void syntheticHeartHasAllClasses() {
    const LabelVolume heart = makeSyntheticHeart(4);
    std::array<size_t, 11> count{};
    for (int32_t v : heart.values) {
      QVERIFY(v >= 0 && v <= 10);
      ++count[size_t(v)];
    }
    const double voxelMl = 1.25 * 1.25 * 1.25 / 1000.0;
    // Blood pools of tens of millilitres, thin coronaries well under 10 ml.
    for (int c : {kLeftVentricle, kRightVentricle, kLeftAtrium, kRightAtrium})
      QVERIFY2(count[size_t(c)] * voxelMl > 20 && count[size_t(c)] * voxelMl < 250,
               qPrintable(QString::fromStdString(heartClassName(c))));
    for (int c = 1; c <= 10; ++c)
      QVERIFY2(count[size_t(c)] > 50, qPrintable(QString::fromStdString(heartClassName(c))));
    QVERIFY(count[kCoronaryArteries] * voxelMl < 10);
    // The myocardium encloses the LV: every LV voxel's 6 neighbours are LV, myocardium or (at
    // the base) atrium, aorta or background above the valve plane — never RV.
    const ImageGeometry& g = heart.geometry;
    for (int64_t k = 1; k + 1 < g.size[2]; ++k)
      for (int64_t j = 1; j + 1 < g.size[1]; ++j)
        for (int64_t i = 1; i + 1 < g.size[0]; ++i)
          if (heart.at(i, j, k) == kLeftVentricle)
            for (const auto& [di, dj, dk] : {std::array<int, 3>{1, 0, 0},
                                             {-1, 0, 0},
                                             {0, 1, 0},
                                             {0, -1, 0},
                                             {0, 0, 1},
                                             {0, 0, -1}})
              QVERIFY(heart.at(i + di, j + dj, k + dk) != kRightVentricle);
    // Same seed, same heart; another seed, another heart.
    QCOMPARE(makeSyntheticHeart(4).values, heart.values);
    QVERIFY(makeSyntheticHeart(5).values != heart.values);
    SyntheticHeartOptions anisotropic;
    anisotropic.spacing = {1.0, 1.0, 2.5};
    const LabelVolume thick = makeSyntheticHeart(4, anisotropic);
    QVERIFY(thick.geometry.size[2] < thick.geometry.size[0] / 2 + 10);
  }
};

QTEST_GUILESS_MAIN(TestShapeGeometry)
#include "TestShapeGeometry.moc"
