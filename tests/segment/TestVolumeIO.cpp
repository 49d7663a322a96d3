// CT volumes in every format Lumen reads: the shared abdominal CT and Siemens DICOM series
// (skipped when ../shared/data is absent), and files and DICOM series the tests write themselves
// (oblique, a missing slice, two series in a folder, uneven spacing, mixed orientation), round
// trips of CT volumes and label masks, files cut short, values outside int16, and `ct info`.
#include "TestSupport.h"
#include "common/Error.h"
#include "io/CtVolumeIO.h"
#include "io/DicomSeries.h"
#include "io/ItkBridge.h"
#include "io/NiftiIO.h"
#include "support/DicomSeriesWriter.h"

#include <QtTest>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <itkGDCMImageIO.h>
#include <itkImage.h>
#include <itkImageFileWriter.h>
#include <itkMetaDataObject.h>
#include <itkMetaImageIO.h>
#include <itkNrrdImageIO.h>
#include <nlohmann/json.hpp>

using namespace lumen;
namespace fs = std::filesystem;

namespace {

// An oblique grid: axes rotated about two axes, anisotropic spacing, an origin off the grid.
ImageGeometry obliqueGeometry(std::array<int64_t, 3> size) {
  ImageGeometry g;
  g.size = size;
  g.spacing = {0.7, 0.85, 2.5};
  g.origin = {-120.25, 33.125, 501.5};
  const double a = 0.3, b = -0.2;
  // Columns of Rz(a) * Rx(b): orthonormal, no zero entries but one.
  const double ca = std::cos(a), sa = std::sin(a), cb = std::cos(b), sb = std::sin(b);
  g.direction = {ca, -sa * cb, sa * sb, sa, ca * cb, -ca * sb, 0, sb, cb};
  return g;
}

CtVolume sampleCt(const ImageGeometry& g) {
  CtVolume v;
  v.geometry = g;
  v.values.resize(g.voxels());
  for (size_t i = 0; i < v.values.size(); ++i)
    v.values[i] = int16_t(int(i * 37 % 4096) - 1024);
  v.values.front() = -32768;
  v.values.back() = 32767;
  return v;
}

void compareGeometry(const ImageGeometry& a, const ImageGeometry& b, double tolerance) {
  for (size_t i = 0; i < 3; ++i) {
    QCOMPARE(a.size[i], b.size[i]);
    QVERIFY2(std::abs(a.spacing[i] - b.spacing[i]) <= tolerance, std::to_string(i).c_str());
    QVERIFY2(std::abs(a.origin[i] - b.origin[i]) <= tolerance, std::to_string(i).c_str());
  }
  for (size_t i = 0; i < 9; ++i)
    QVERIFY2(std::abs(a.direction[i] - b.direction[i]) <= tolerance,
             ("direction " + std::to_string(i) + ": " + std::to_string(a.direction[i]) + " vs " +
              std::to_string(b.direction[i]))
                 .c_str());
}

template <class T>
void writeWithItk(const std::string& path, const ImageGeometry& g, const std::vector<T>& values,
                  itk::ImageIOBase* io, bool compress) {
  using Image = itk::Image<T, 3>;
  const auto image = itkbridge::toItkImage(g, values);
  auto writer = itk::ImageFileWriter<Image>::New();
  writer->SetImageIO(io);
  writer->SetFileName(path);
  writer->SetInput(image);
  writer->SetUseCompression(compress);
  writer->Update();
}

void cutFile(const std::string& path, uint64_t keep) {
  fs::resize_file(path, keep);
}

using test::SeriesSpec;
using test::seriesValue;
using test::writeSeries;

template <class F> QString errorOf(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return QString::fromStdString(e.what());
  }
  return {};
}

test::CommandResult cli(const QStringList& args) {
  return test::runProgram(QStringLiteral(LUMEN_CLI_PATH), args, 120000);
}

} // namespace

class TestVolumeIO : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void sharedNiftiCtKeepsHuAsInt16();
  void sharedDicomSeriesReadsWithPositionSpacing();
  void ctRoundTripsInEveryFormat();
  void labelMasksRoundTripToNiftiAndNrrd();
  void truncatedFilesAreRefusedByName();
  void storedTypesAreCheckedAgainstInt16();
  void memoryGuardRefusesBeforeReading();
  void pathsOfTheWrongKindAreToldApart();
  void obliqueDicomSeriesKeepsItsGeometry();
  void dicomSeriesWithAMissingSliceIsRefused();
  void dicomUnevenSpacingAndMixedOrientationAreRefused();
  void folderWithTwoSeriesAsksForOne();
  void ctInfoCommand();
};

void TestVolumeIO::sharedNiftiCtKeepsHuAsInt16() {
  const std::string path = test::sharedDataFile("ct/abdomen_ct.nii.gz");
  if (path.empty())
    QSKIP("../shared/data is absent");
  const VolumeHeader header = readVolumeHeader(path);
  QCOMPARE(header.format, VolumeFormat::Nifti);
  QCOMPARE(QString::fromStdString(header.pixelType), QStringLiteral("short"));
  const CtVolume ct = readCtVolume(path);
  QCOMPARE(ct.geometry.size, (std::array<int64_t, 3>{122, 101, 30}));
  for (double s : ct.geometry.spacing)
    QCOMPARE(s, 3.0);
  QCOMPARE(QString::fromStdString(ct.geometry.orientationCode()), QStringLiteral("RAS"));
  // Every voxel as the float reader sees it: nothing rescaled, rounded or clipped.
  const FloatVolume reference = readFloatVolume(path);
  QCOMPARE(reference.values.size(), ct.values.size());
  for (size_t i = 0; i < ct.values.size(); ++i)
    QCOMPARE(float(ct.values[i]), reference.values[i]);
  const auto [lo, hi] = std::minmax_element(ct.values.begin(), ct.values.end());
  QCOMPARE(int(*lo), -1100);
  QVERIFY(*hi > 1000);                                          // bone
  QCOMPARE(int(ct.at(0, 0, 0)), -1024);                         // air outside the body
  QVERIFY(ct.at(61, 50, 15) > -200 && ct.at(61, 50, 15) < 300); // soft tissue at the centre
}

void TestVolumeIO::sharedDicomSeriesReadsWithPositionSpacing() {
  const std::string folder = test::sharedDataFile("ct/dicom_series");
  if (folder.empty())
    QSKIP("../shared/data is absent");
  const auto series = listDicomSeries(folder);
  QCOMPARE(series.size(), size_t(1));
  const DicomSeriesInfo& s = series[0];
  QCOMPARE(s.slices, int64_t(20));
  QCOMPARE(QString::fromStdString(s.modality), QStringLiteral("CT"));
  QCOMPARE(QString::fromStdString(s.description), QStringLiteral("CT Body 3.0"));
  QCOMPARE(s.size, (std::array<int64_t, 3>{512, 512, 20}));
  QCOMPARE(s.spacing[0], 0.9765625);
  QCOMPARE(s.spacing[1], 0.9765625);
  QVERIFY2(std::abs(s.spacing[2] - 2.0) < 1e-6, std::to_string(s.spacing[2]).c_str());
  QVERIFY(s.problem.empty());

  const auto start = std::chrono::steady_clock::now();
  const CtVolume ct = readCtVolume(folder);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  qInfo("read the shared 512x512x20 series in %.2f s", seconds);
  QCOMPARE(ct.geometry.size, (std::array<int64_t, 3>{512, 512, 20}));
  QVERIFY(std::abs(ct.geometry.spacing[2] - 2.0) < 1e-6);
  QCOMPARE(ct.geometry.origin[0], -249.51171875);
  QCOMPARE(ct.geometry.origin[1], -437.51171875);
  QCOMPARE(QString::fromStdString(ct.geometry.orientationCode()), QStringLiteral("LPS"));
  // The lowest slice first (z = -804.5), whatever the files' names; the first file is at -786.5.
  QCOMPARE(ct.geometry.origin[2], -804.5);
  // Stored as uint16, rescaled by the intercept -1024 into int16 HU.
  const VolumeHeader header = readVolumeHeader(folder);
  QCOMPARE(QString::fromStdString(header.pixelType),
           QStringLiteral("unsigned_short (rescaled to short)"));
  const auto [lo, hi] = std::minmax_element(ct.values.begin(), ct.values.end());
  QCOMPARE(int(*lo), -1024);
  QCOMPARE(int(*hi), 1839);
  QCOMPARE(int(ct.at(0, 0, 0)), -1024);    // air outside the scanner's field of view
  QCOMPARE(int(ct.at(256, 256, 10)), -47); // inside the abdomen
  QCOMPARE(int(ct.at(100, 300, 0)), 33);
}

void TestVolumeIO::ctRoundTripsInEveryFormat() {
  const std::string dir = test::freshDir("volume_io_roundtrip");
  const CtVolume ct = sampleCt(obliqueGeometry({7, 6, 5}));
  int written = 0;
  for (const std::string name : {"ct.nii", "ct.nii.gz", "ct.nrrd", "ct.mha"}) {
    const std::string path = dir + "/" + name;
    writeCtVolume(path, ct);
    const CtVolume back = readCtVolume(path);
    // NIfTI's header stores the geometry as float32; NRRD and MetaImage as exact decimals.
    const bool nifti = name.find(".nii") != std::string::npos;
    compareGeometry(back.geometry, ct.geometry, nifti ? 1e-6 : 1e-12);
    QVERIFY2(back.values == ct.values, name.c_str());
    QCOMPARE(QString::fromStdString(readVolumeHeader(path).pixelType), QStringLiteral("short"));
    // No temporary file left beside it.
    ++written;
    QCOMPARE(std::distance(fs::directory_iterator(dir), fs::directory_iterator()),
             std::ptrdiff_t(written));
  }
  const QString error = errorOf([&] { writeCtVolume(dir + "/ct.nhdr", ct); });
  QVERIFY2(error.contains("ct.nhdr") && error.contains("detached"), qPrintable(error));
  QVERIFY(errorOf([&] { writeCtVolume(dir + "/ct.png", ct); }).contains("unknown extension"));
}

void TestVolumeIO::labelMasksRoundTripToNiftiAndNrrd() {
  const std::string dir = test::freshDir("volume_io_masks");
  Volume<uint8_t> mask;
  mask.geometry = obliqueGeometry({9, 8, 4});
  mask.values.resize(mask.geometry.voxels());
  for (size_t i = 0; i < mask.values.size(); ++i)
    mask.values[i] = uint8_t(i % 7 == 0 ? 2 : i % 3 == 0 ? 1 : 0);
  for (const std::string name : {"mask.nii.gz", "mask.nrrd"}) {
    writeLabelMask(dir + "/" + name, mask);
    const VolumeHeader header = readVolumeHeader(dir + "/" + name);
    QCOMPARE(QString::fromStdString(header.pixelType), QStringLiteral("unsigned_char"));
    const CtVolume back = readCtVolume(dir + "/" + name);
    compareGeometry(back.geometry, mask.geometry, name == "mask.nrrd" ? 1e-12 : 1e-6);
    QVERIFY(std::equal(back.values.begin(), back.values.end(), mask.values.begin()));
  }
  const LabelVolume labels = readLabelVolume(dir + "/mask.nii.gz");
  QCOMPARE(labels.at(0, 0, 0), 2);
  QCOMPARE(labels.at(3, 0, 0), 1);
  QCOMPARE(labels.at(1, 0, 0), 0);
  Volume<int16_t> wide;
  wide.geometry = mask.geometry;
  wide.values.assign(mask.values.begin(), mask.values.end());
  wide.values[5] = 300;
  writeLabelMask(dir + "/wide.nrrd", wide);
  QCOMPARE(QString::fromStdString(readVolumeHeader(dir + "/wide.nrrd").pixelType),
           QStringLiteral("short"));
  QVERIFY(readCtVolume(dir + "/wide.nrrd").values == wide.values);
}

void TestVolumeIO::truncatedFilesAreRefusedByName() {
  const std::string dir = test::freshDir("volume_io_truncated");
  const CtVolume ct = sampleCt(obliqueGeometry({40, 30, 20}));
  struct Case {
    std::string name;
    bool compress;
    itk::ImageIOBase::Pointer io;
  };
  const std::vector<Case> cases{{"raw.nrrd", false, itk::NrrdImageIO::New().GetPointer()},
                                {"gz.nrrd", true, itk::NrrdImageIO::New().GetPointer()},
                                {"raw.mha", false, itk::MetaImageIO::New().GetPointer()},
                                {"gz.mha", true, itk::MetaImageIO::New().GetPointer()},
                                {"ct.nii.gz", true, nullptr}};
  for (const Case& c : cases) {
    const std::string path = dir + "/" + c.name;
    if (c.io)
      writeWithItk(path, ct.geometry, ct.values, c.io.GetPointer(), c.compress);
    else
      writeCtVolume(path, ct);
    QVERIFY(readCtVolume(path).values == ct.values);
    // Cut short by a third, and by the last byte alone.
    for (const double keep : {2.0 / 3.0, -1.0}) {
      const std::string cut = dir + "/cut_" + c.name;
      fs::copy_file(path, cut, fs::copy_options::overwrite_existing);
      const uint64_t size = fs::file_size(path);
      cutFile(cut, keep > 0 ? uint64_t(double(size) * keep) : size - 1);
      const QString error = errorOf([&] { readCtVolume(cut); });
      QVERIFY2(error.contains(QString::fromStdString(cut)),
               (c.name + ": " + error.toStdString()).c_str());
      QVERIFY2(error.contains("truncated") || error.contains("fread") || error.contains("expected"),
               qPrintable(error));
    }
  }
  // A detached NRRD header with gzip data that lost its last byte (the gzip trailer).
  writeWithItk(dir + "/detached.nhdr", ct.geometry, ct.values, itk::NrrdImageIO::New(), true);
  QVERIFY(readCtVolume(dir + "/detached.nhdr").values == ct.values);
  std::string nrrdData;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename().string().rfind("detached.raw", 0) == 0)
      nrrdData = entry.path().string();
  QVERIFY(!nrrdData.empty());
  cutFile(nrrdData, fs::file_size(nrrdData) - 1);
  QString detached = errorOf([&] { readCtVolume(dir + "/detached.nhdr"); });
  QVERIFY2(detached.contains(QString::fromStdString(nrrdData)) && detached.contains("truncated"),
           qPrintable(detached));
  fs::remove(nrrdData);
  // A detached MetaImage header whose data file is short.
  writeWithItk(dir + "/detached.mhd", ct.geometry, ct.values, itk::MetaImageIO::New(), false);
  const std::string raw = dir + "/detached.raw";
  QVERIFY(fs::exists(raw));
  cutFile(raw, fs::file_size(raw) - 2);
  const QString error = errorOf([&] { readCtVolume(dir + "/detached.mhd"); });
  QVERIFY2(error.contains("detached.raw") && error.contains("truncated"), qPrintable(error));
}

void TestVolumeIO::storedTypesAreCheckedAgainstInt16() {
  const std::string dir = test::freshDir("volume_io_types");
  const ImageGeometry g = obliqueGeometry({4, 3, 2});
  std::vector<float> whole(g.voxels());
  for (size_t i = 0; i < whole.size(); ++i)
    whole[i] = float(int(i) * 100 - 1024);
  writeWithItk(dir + "/whole.nrrd", g, whole, itk::NrrdImageIO::New(), true);
  const CtVolume ct = readCtVolume(dir + "/whole.nrrd");
  QCOMPARE(int(ct.values[3]), 300 - 1024);
  QCOMPARE(readIntensityVolume(dir + "/whole.nrrd").values, whole);

  std::vector<float> fractional = whole;
  fractional[5] = 12.5f;
  writeWithItk(dir + "/fractional.mha", g, fractional, itk::MetaImageIO::New(), false);
  QString error = errorOf([&] { readCtVolume(dir + "/fractional.mha"); });
  QVERIFY2(error.contains("fractional.mha") && error.contains("voxel (1, 1, 0)") &&
               error.contains("12.5") && error.contains("whole numbers"),
           qPrintable(error));
  QCOMPARE(readIntensityVolume(dir + "/fractional.mha").values[5], 12.5f);

  std::vector<uint16_t> wide(g.voxels(), 1000);
  writeWithItk(dir + "/inrange.nrrd", g, wide, itk::NrrdImageIO::New(), true);
  QCOMPARE(int(readCtVolume(dir + "/inrange.nrrd").values[0]), 1000);
  wide[2] = 40000;
  writeWithItk(dir + "/wide.nrrd", g, wide, itk::NrrdImageIO::New(), true);
  error = errorOf([&] { readCtVolume(dir + "/wide.nrrd"); });
  QVERIFY2(error.contains("wide.nrrd") && error.contains("40000") && error.contains("int16"),
           qPrintable(error));

  // NIfTI through NiftiStorage: float whole numbers read, fractions refused by voxel.
  FloatVolume f;
  f.geometry = g;
  f.values = fractional;
  writeFloatVolume(dir + "/fractional.nii.gz", f);
  error = errorOf([&] { readCtVolume(dir + "/fractional.nii.gz"); });
  QVERIFY2(error.contains("fractional.nii.gz") && error.contains("voxel (1, 1, 0)"),
           qPrintable(error));
  f.values = whole;
  writeFloatVolume(dir + "/whole.nii.gz", f);
  QCOMPARE(int(readCtVolume(dir + "/whole.nii.gz").values[3]), 300 - 1024);
}

void TestVolumeIO::memoryGuardRefusesBeforeReading() {
  const std::string dir = test::freshDir("volume_io_guard");
  const CtVolume ct = sampleCt(obliqueGeometry({10, 10, 10}));
  NiftiReadLimits limits;
  limits.maxVoxels = 999;
  for (const std::string name : {"ct.nrrd", "ct.mha", "ct.nii.gz"}) {
    writeCtVolume(dir + "/" + name, ct);
    const QString error = errorOf([&] { readCtVolume(dir + "/" + name, limits); });
    QVERIFY2(error.contains(QString::fromStdString(name)) && error.contains("10x10x10") &&
                 error.contains("memory guard"),
             qPrintable(error));
  }
}

void TestVolumeIO::pathsOfTheWrongKindAreToldApart() {
  const std::string dir = test::freshDir("volume_io_paths");
  QString error = errorOf([&] { readCtVolume(dir + "/missing.nii.gz"); });
  QVERIFY2(error.contains("missing.nii.gz does not exist"), qPrintable(error));
  test::writeText(dir + "/notes.txt", "not a volume");
  error = errorOf([&] { readCtVolume(dir + "/notes.txt"); });
  QVERIFY2(error.contains("notes.txt: unknown volume format"), qPrintable(error));
  test::writeText(dir + "/fake.nrrd", "hello");
  error = errorOf([&] { readCtVolume(dir + "/fake.nrrd"); });
  QVERIFY2(error.contains("fake.nrrd: not a NRRD file"), qPrintable(error));
  // A folder holding no DICOM: only the text file (and the fake NRRD).
  error = errorOf([&] { readCtVolume(dir); });
  QVERIFY2(error.contains("no DICOM image among its 2 file(s) (2 not DICOM"), qPrintable(error));
  error = errorOf([&] { listDicomSeries(dir + "/nowhere"); });
  QVERIFY2(error.contains("nowhere does not exist"), qPrintable(error));
}

void TestVolumeIO::obliqueDicomSeriesKeepsItsGeometry() {
  const std::string dir = test::freshDir("volume_io_dicom_oblique");
  SeriesSpec spec;
  spec.geometry = obliqueGeometry({12, 10, 6});
  writeSeries(dir, spec);
  test::writeText(dir + "/README.txt", "a note beside the slices is not a slice");
  const auto series = listDicomSeries(dir);
  QCOMPARE(series.size(), size_t(1));
  QCOMPARE(QString::fromStdString(series[0].uid), QString::fromStdString(spec.uid));
  QCOMPARE(series[0].slices, int64_t(6));
  QVERIFY2(series[0].problem.empty(), series[0].problem.c_str());
  QVERIFY(std::abs(series[0].spacing[2] - 2.5) < 1e-4);
  const CtVolume ct = readDicomSeries(dir, spec.uid);
  // DICOM stores positions and directions as decimal strings of at most 16 characters.
  compareGeometry(ct.geometry, spec.geometry, 1e-4);
  for (int64_t k = 0; k < 6; ++k)
    for (int64_t j = 0; j < 10; ++j)
      for (int64_t i = 0; i < 12; ++i)
        QCOMPARE(ct.at(i, j, k), seriesValue(i, j, k));
  QVERIFY(readCtVolume(dir).values == ct.values);
}

void TestVolumeIO::dicomSeriesWithAMissingSliceIsRefused() {
  const std::string dir = test::freshDir("volume_io_dicom_gap");
  SeriesSpec spec;
  spec.geometry = obliqueGeometry({8, 8, 6});
  spec.skip = {3};
  writeSeries(dir, spec);
  const QString error = errorOf([&] { readDicomSeries(dir); });
  QVERIFY2(error.contains(QString::fromStdString(dir)) && error.contains("missing slices") &&
               error.contains("5 mm") && error.contains("2.5 mm apart") &&
               error.contains("IM998.dcm and IM996.dcm") && error.contains("1 slice(s) missing"),
           qPrintable(error));
  const auto series = listDicomSeries(dir);
  QVERIFY(series[0].problem.find("missing slices") != std::string::npos);
}

void TestVolumeIO::dicomUnevenSpacingAndMixedOrientationAreRefused() {
  const std::string uneven = test::freshDir("volume_io_dicom_uneven");
  SeriesSpec spec;
  spec.geometry = obliqueGeometry({8, 8, 6});
  spec.shiftedSlice = 4;
  spec.shift = 0.8;
  writeSeries(uneven, spec);
  QString error = errorOf([&] { readDicomSeries(uneven); });
  QVERIFY2(error.contains("uneven slice spacing") && error.contains("3.3 mm"), qPrintable(error));

  const std::string mixed = test::freshDir("volume_io_dicom_mixed");
  spec.shiftedSlice = -1;
  spec.tiltedSlice = 2;
  writeSeries(mixed, spec);
  error = errorOf([&] { readDicomSeries(mixed); });
  QVERIFY2(error.contains("mixed orientation") && error.contains("IM998.dcm"), qPrintable(error));
}

void TestVolumeIO::folderWithTwoSeriesAsksForOne() {
  const std::string dir = test::freshDir("volume_io_dicom_two");
  SeriesSpec a;
  a.geometry = obliqueGeometry({8, 6, 4});
  a.description = "arterial";
  writeSeries(dir, a);
  SeriesSpec b;
  b.uid = "1.2.826.0.1.3680043.2.1125.2";
  b.description = "venous";
  b.geometry = a.geometry;
  b.geometry.size[2] = 3;
  b.geometry.origin[2] += 1000; // other file names: the slices lie elsewhere
  const std::string other = test::freshDir("volume_io_dicom_two_b");
  writeSeries(other, b);
  for (const auto& entry : fs::directory_iterator(other))
    fs::copy_file(entry.path(), dir + "/b_" + entry.path().filename().string());
  const auto series = listDicomSeries(dir);
  QCOMPARE(series.size(), size_t(2));
  QCOMPARE(QString::fromStdString(series[0].description), QStringLiteral("arterial"));
  QCOMPARE(series[0].slices, int64_t(4));
  QCOMPARE(series[1].slices, int64_t(3));
  const QString error = errorOf([&] { readCtVolume(dir); });
  QVERIFY2(error.contains("holds 2 DICOM series") &&
               error.contains(QString::fromStdString(a.uid)) &&
               error.contains(QString::fromStdString(b.uid)) && error.contains("\"venous\"") &&
               error.contains("3 slices"),
           qPrintable(error));
  const CtVolume venous = readCtVolume(dir, {}, b.uid);
  QCOMPARE(venous.geometry.size[2], int64_t(3));
  QCOMPARE(venous.at(2, 1, 2), seriesValue(2, 1, 2));
  QVERIFY(errorOf([&] { readDicomSeries(dir, "9.9.9"); }).contains("no DICOM series with"));
}

void TestVolumeIO::ctInfoCommand() {
  const std::string dir = test::freshDir("volume_io_cli");
  CtVolume ct = sampleCt(obliqueGeometry({5, 4, 3}));
  writeCtVolume(dir + "/ct.nrrd", ct);
  auto r = cli({"ct", "info", QString::fromStdString(dir + "/ct.nrrd"), "--json"});
  QCOMPARE(r.code, 0);
  const auto j = nlohmann::json::parse(r.out.toStdString());
  QCOMPARE(QString::fromStdString(j["format"]), QStringLiteral("NRRD"));
  QCOMPARE(QString::fromStdString(j["pixel_type"]), QStringLiteral("short"));
  QCOMPARE(j["size"][0].get<int>(), 5);
  QCOMPARE(j["hu_min"].get<int>(), -32768);
  QCOMPARE(j["hu_max"].get<int>(), 32767);
  QCOMPARE(j["spacing"][2].get<double>(), 2.5);
  r = cli({"ct", "info", QString::fromStdString(dir + "/ct.nrrd")});
  QCOMPARE(r.code, 0);
  QVERIFY2(r.out.contains("format:      NRRD") && r.out.contains("HU range:    -32768 to 32767"),
           qPrintable(r.out));

  r = cli({"ct", "info", QString::fromStdString(dir + "/none.nii.gz")});
  QCOMPARE(r.code, 1);
  QVERIFY2(r.err.contains("none.nii.gz does not exist"), qPrintable(r.err));
  test::writeText(dir + "/x.txt", "x");
  r = cli({"ct", "info", QString::fromStdString(dir + "/x.txt")});
  QCOMPARE(r.code, 1);
  QVERIFY2(r.err.contains("unknown volume format"), qPrintable(r.err));
  const std::string empty = test::freshDir("volume_io_cli_empty");
  r = cli({"ct", "info", QString::fromStdString(empty)});
  QCOMPARE(r.code, 1);
  QVERIFY2(r.err.contains("no DICOM image"), qPrintable(r.err));
  r = cli({"ct", "info"});
  QCOMPARE(r.code, 2);
  r = cli({"ct", "info", QString::fromStdString(dir + "/ct.nrrd"), "--series", "1.2"});
  QCOMPARE(r.code, 2);

  const std::string two = test::freshDir("volume_io_cli_two");
  SeriesSpec a;
  a.geometry = obliqueGeometry({6, 5, 3});
  writeSeries(two, a);
  r = cli({"ct", "info", QString::fromStdString(two)});
  QCOMPARE(r.code, 0);
  QVERIFY2(r.out.contains("format:      DICOM series") && r.out.contains("series:      1") &&
               r.out.contains(QString::fromStdString(a.uid)) && r.out.contains("HU range:"),
           qPrintable(r.out));
}

QTEST_GUILESS_MAIN(TestVolumeIO)
#include "TestVolumeIO.moc"
