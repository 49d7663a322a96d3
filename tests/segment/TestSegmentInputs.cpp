// What the Segment workspace makes of a path (study folder, CT, DICOM folder, or a heart label
// map it leaves to the Shapes workspace), and the 3D surface of a mask in physical space, oblique
// and mirrored grids included.
#include "TestSupport.h"
#include "io/CtVolumeIO.h"
#include "io/NiftiIO.h"
#include "segment/MaskSurface.h"
#include "segment/SegmentInputs.h"

#include <QtTest>
#include <cmath>
#include <filesystem>
#include <fstream>

using namespace lumen;
namespace fs = std::filesystem;

namespace {

ImageGeometry smallGrid() {
  ImageGeometry g;
  g.size = {16, 12, 8};
  g.spacing = {1.5, 1.5, 3};
  return g;
}

CtVolume smallCt() {
  CtVolume ct;
  ct.geometry = smallGrid();
  ct.values.assign(ct.geometry.voxels(), -1000);
  return ct;
}

Volume<uint8_t> smallLabels() {
  Volume<uint8_t> labels;
  labels.geometry = smallGrid();
  labels.values.assign(labels.geometry.voxels(), 0);
  labels.values[5] = 3;
  return labels;
}

// A ball of voxels around `centre` (voxel indices) with the given radius in voxels.
MaskVolume ball(const ImageGeometry& g, const Vec3& centre, double radius) {
  MaskVolume mask;
  mask.geometry = g;
  mask.values.assign(g.voxels(), 0);
  for (int64_t k = 0; k < g.size[2]; ++k)
    for (int64_t j = 0; j < g.size[1]; ++j)
      for (int64_t i = 0; i < g.size[0]; ++i) {
        const double d = std::hypot(i - centre[0], j - centre[1], k - centre[2]);
        if (d <= radius)
          mask.values[g.offset(i, j, k)] = d < radius * 0.6 ? 1 : 2;
      }
  return mask;
}

// Mean of the mesh's vertices and the signed volume its triangles enclose (positive when the
// winding is outward).
std::pair<Vec3, double> centroidAndVolume(const TriangleMesh& mesh) {
  Vec3 mean{0, 0, 0};
  for (size_t p = 0; p < mesh.points.size(); p += 3)
    for (size_t d = 0; d < 3; ++d)
      mean[d] += mesh.points[p + d] / double(mesh.vertexCount());
  double volume = 0;
  for (size_t t = 0; t < mesh.triangles.size(); t += 3) {
    const float* a = &mesh.points[size_t(3 * mesh.triangles[t])];
    const float* b = &mesh.points[size_t(3 * mesh.triangles[t + 1])];
    const float* c = &mesh.points[size_t(3 * mesh.triangles[t + 2])];
    volume += (a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) +
               a[2] * (b[0] * c[1] - b[1] * c[0])) /
              6.0;
  }
  return {mean, volume};
}

} // namespace

class TestSegmentInputs : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void pathsAreClassified() {
    const std::string dir = test::freshDir("segment-inputs");
    const std::string study = dir + "/study", hearts = dir + "/hearts", dicom = dir + "/dicom",
                      empty = dir + "/empty";
    for (const auto& d : {study, hearts, dicom, empty})
      fs::create_directories(d);
    writeCtVolume(study + "/ct 1.nii.gz", smallCt());
    writeCtVolume(dir + "/ct.nrrd", smallCt());
    writeNiftiVolume(hearts + "/heart_000.nii.gz", smallLabels());
    writeCtVolume(dir + "/case_seg.nii.gz", smallCt()); // int16, but named as a segmentation
    LabelVolume mmwhs; // MM-WHS values need int16; no name says what the file is
    mmwhs.geometry = smallGrid();
    mmwhs.values.assign(mmwhs.geometry.voxels(), 0);
    mmwhs.values[40] = 820;
    writeLabelVolume(dir + "/heart_7.nii.gz", mmwhs);
    {
      std::ofstream slice(dicom + "/IM0001", std::ios::binary); // DICM at byte 128
      slice << std::string(128, '\0') << "DICM" << std::string(64, '\0');
    }

    QCOMPARE(classifySegmentInput(study), SegmentInputKind::StudyFolder);
    QCOMPARE(classifySegmentInput(study + "/ct 1.nii.gz"), SegmentInputKind::CtVolume);
    QCOMPARE(classifySegmentInput(dir + "/ct.nrrd"), SegmentInputKind::CtVolume);
    QCOMPARE(classifySegmentInput(hearts), SegmentInputKind::None);
    QCOMPARE(classifySegmentInput(hearts + "/heart_000.nii.gz"), SegmentInputKind::None);
    QVERIFY(looksLikeLabelMap(hearts + "/heart_000.nii.gz"));
    QCOMPARE(classifySegmentInput(dir + "/case_seg.nii.gz"), SegmentInputKind::None);
    QCOMPARE(classifySegmentInput(dir + "/heart_7.nii.gz"), SegmentInputKind::None);
    QCOMPARE(classifySegmentInput(dicom), SegmentInputKind::DicomFolder);
    QVERIFY(holdsDicomFiles(dicom));
    QVERIFY(!holdsDicomFiles(study));
    QCOMPARE(classifySegmentInput(empty), SegmentInputKind::None);
    QCOMPARE(classifySegmentInput(dir + "/missing.nii.gz"), SegmentInputKind::None);

    // A study folder is one once it has its JSON, whatever else it holds.
    QCOMPARE(studyFolderOf(study + "/ct 1.nii.gz"), std::string());
    test::writeText(hearts + "/datastore_v2.json", "{}");
    QCOMPARE(classifySegmentInput(hearts), SegmentInputKind::StudyFolder);
    QCOMPARE(studyFolderOf(hearts + "/heart_000.nii.gz"), fs::absolute(hearts).string());

    // The shared real files: a RAS abdominal CT is a CT, its organ labels are not.
    const std::string ct = test::sharedDataFile("ct/abdomen_ct.nii.gz");
    if (!ct.empty()) {
      QCOMPARE(classifySegmentInput(ct), SegmentInputKind::CtVolume);
      QCOMPARE(classifySegmentInput(test::sharedDataFile("ct/abdomen_seg.nii.gz")),
               SegmentInputKind::None);
      QCOMPARE(classifySegmentInput(test::sharedDataFile("ct/dicom_series")),
               SegmentInputKind::DicomFolder);
      QCOMPARE(classifySegmentInput(test::sharedDataFile("heart/wh_7class.nii.gz")),
               SegmentInputKind::None);
    }
  }

  void maskSurfaceLiesInPhysicalSpace() {
    ImageGeometry g;
    g.size = {40, 36, 20};
    g.spacing = {0.8, 0.9, 2.0};
    g.origin = {-30, 12, 200};
    const Vec3 centre{20, 18, 10};
    const double radius = 6;
    QCOMPARE(maskSurface(ball(g, centre, 0)).triangleCount() > 0, true); // one voxel still closes
    MaskVolume empty;
    empty.geometry = g;
    empty.values.assign(g.voxels(), 0);
    QCOMPARE(maskSurface(empty).triangleCount(), size_t(0));

    // The same ball on an axis-aligned, an oblique and a mirrored (RAS-stored) grid: the surface
    // is centred on the ball's physical centre and encloses about its volume, outward.
    const double a = 0.4;
    std::vector<std::array<double, 9>> directions = {
        {1, 0, 0, 0, 1, 0, 0, 0, 1},
        {std::cos(a), -std::sin(a), 0, std::sin(a), std::cos(a), 0, 0, 0, 1},
        {-1, 0, 0, 0, -1, 0, 0, 0, 1}};
    for (const auto& direction : directions) {
      g.direction = direction;
      const MaskVolume mask = ball(g, centre, radius);
      int64_t voxels = 0;
      for (uint8_t v : mask.values)
        voxels += v != 0;
      const TriangleMesh mesh = maskSurface(mask);
      QVERIFY(mesh.triangleCount() > 100);
      const auto [mean, volume] = centroidAndVolume(mesh);
      const Vec3 expected = g.indexToPhysical(centre);
      for (size_t d = 0; d < 3; ++d)
        QVERIFY2(std::abs(mean[d] - expected[d]) < 1.0,
                 qPrintable(QString("axis %1: %2 vs %3").arg(d).arg(mean[d]).arg(expected[d])));
      const double voxelVolume = g.spacing[0] * g.spacing[1] * g.spacing[2];
      QVERIFY2(volume > 0.8 * voxels * voxelVolume && volume < 1.2 * voxels * voxelVolume,
               qPrintable(QString("%1 mm3 for %2 voxels").arg(volume).arg(voxels)));
    }
  }
};

QTEST_GUILESS_MAIN(TestSegmentInputs)
#include "TestSegmentInputs.moc"
