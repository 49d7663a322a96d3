#include "io/DicomSeries.h"

#include "common/Checked.h"
#include "common/Error.h"
#include "common/Files.h"
#include "common/Text.h"
#include "io/DicomStack.h"
#include "io/ItkBridge.h"

#include <algorithm>
#include <filesystem>
#include <itkGDCMImageIO.h>

namespace lumen {
namespace {

namespace fs = std::filesystem;

dicom::FolderScan scanImages(const std::string& folder) {
  requireFolder(folder, "a folder of DICOM files");
  dicom::FolderScan scan = dicom::scanFolder(folder);
  if (scan.series.empty())
    throw InputError(folder + ": no DICOM image among its " + std::to_string(scan.files) +
                     " file(s) (" + std::to_string(scan.notDicom) + " not DICOM, " +
                     std::to_string(scan.withoutImage) +
                     " DICOM without pixels); expected the slices of a CT series");
  return scan;
}

DicomSeriesInfo infoOf(const std::string& folder, const std::vector<dicom::SliceHeader>& slices) {
  DicomSeriesInfo info;
  const dicom::SliceHeader& first = slices.front();
  info.uid = first.seriesUid;
  info.description = first.description;
  info.modality = first.modality;
  info.slices = int64_t(slices.size());
  info.size = {first.columns, first.rows, info.slices};
  try {
    const dicom::Stack stack = dicom::stackSlices(folder, slices);
    info.spacing = stack.geometry.spacing;
  } catch (const InputError& e) {
    info.problem = e.what();
    if (first.pixelSpacing.size() == 2)
      info.spacing = {first.pixelSpacing[1], first.pixelSpacing[0], 0};
  }
  return info;
}

std::vector<DicomSeriesInfo> listScanned(const std::string& folder, const dicom::FolderScan& scan) {
  std::vector<DicomSeriesInfo> out;
  for (const auto& [uid, slices] : scan.series)
    out.push_back(infoOf(folder, slices));
  std::sort(out.begin(), out.end(), [](const DicomSeriesInfo& a, const DicomSeriesInfo& b) {
    return std::tie(a.description, a.uid) < std::tie(b.description, b.uid);
  });
  return out;
}

std::string seriesList(const std::vector<DicomSeriesInfo>& series) {
  std::string text;
  for (const DicomSeriesInfo& s : series)
    text += "\n  " + describeSeries(s);
  return text;
}

template <class T>
Volume<T> readSeries(const std::string& folder, const std::string& uid,
                     const NiftiReadLimits& limits) {
  const dicom::FolderScan scan = scanImages(folder);
  auto found = scan.series.find(uid);
  if (uid.empty() && scan.series.size() == 1)
    found = scan.series.begin();
  if (found == scan.series.end() || (uid.empty() && scan.series.size() > 1)) {
    const auto series = listScanned(folder, scan);
    if (uid.empty())
      throw InputError(folder + ": holds " + std::to_string(series.size()) +
                       " DICOM series; choose one by its SeriesInstanceUID:" + seriesList(series));
    throw InputError(folder + ": no DICOM series with SeriesInstanceUID " + uid +
                     "; the folder holds:" + seriesList(series));
  }
  const dicom::Stack stack = dicom::stackSlices(folder, found->second);
  Volume<T> volume;
  volume.geometry = stack.geometry;
  const ImageGeometry& g = volume.geometry;
  itkbridge::checkGeometry(g, folder, limits.maxVoxels);
  const size_t plane = size_t(g.size[0]) * size_t(g.size[1]);
  try {
    volume.values.resize(g.voxels());
  } catch (const std::bad_alloc&) {
    throw InputError(folder + ": not enough memory for " + itkbridge::sizeText(g) + " voxels");
  }
  std::vector<uint8_t> buffer;
  for (size_t k = 0; k < stack.slices.size(); ++k) {
    const std::string& file = stack.slices[k].file;
    const std::string name = fs::path(file).filename().string();
    auto io = itk::GDCMImageIO::New();
    io->SetFileName(file);
    try {
      io->ReadImageInformation();
    } catch (const itk::ExceptionObject& e) {
      throw IoError(file + ": unreadable DICOM image: " + itkbridge::describe(e));
    }
    if (io->GetNumberOfComponents() != 1)
      throw InputError(file + ": " + std::to_string(io->GetNumberOfComponents()) +
                       " values per pixel; expected a grey-scale CT slice");
    if (int64_t(io->GetDimensions(0)) != g.size[0] || int64_t(io->GetDimensions(1)) != g.size[1] ||
        (io->GetNumberOfDimensions() > 2 && io->GetDimensions(2) > 1))
      throw InputError(file + ": the pixel data is not the " + std::to_string(g.size[0]) + "x" +
                       std::to_string(g.size[1]) + " slice its header describes");
    // GDCMImageIO reports the type after rescaling: int16 for CT stored as uint16 with
    // intercept -1024, double when the slope is not a whole number.
    const auto bytes = checkedMultiply(plane, io->GetComponentSize());
    if (!bytes)
      throw InputError(file + ": the slice's size overflows");
    buffer.resize(size_t(*bytes));
    itk::ImageIORegion region(io->GetNumberOfDimensions());
    for (unsigned a = 0; a < io->GetNumberOfDimensions(); ++a) {
      region.SetIndex(a, 0);
      region.SetSize(a, io->GetDimensions(a));
    }
    io->SetIORegion(region);
    try {
      io->Read(buffer.data());
    } catch (const itk::ExceptionObject& e) {
      throw IoError(file + ": unreadable DICOM pixel data: " + itkbridge::describe(e));
    }
    itkbridge::convertValues<T>(io->GetComponentType(), buffer.data(), plane,
                                volume.values.data() + k * plane, [&](size_t i) {
                                  return folder + ": " + name + " pixel (" +
                                         std::to_string(i % size_t(g.size[0])) + ", " +
                                         std::to_string(i / size_t(g.size[0])) + ")";
                                });
  }
  return volume;
}

} // namespace

std::string describeSeries(const DicomSeriesInfo& s) {
  std::string text = (s.uid.empty() ? std::string("(no SeriesInstanceUID)") : s.uid) + "  \"" +
                     s.description + "\"  " + s.modality + "  " + std::to_string(s.slices) +
                     " slice" + (s.slices == 1 ? "" : "s");
  if (!s.problem.empty())
    text += "  (unreadable: " + s.problem + ")";
  return text;
}

std::vector<DicomSeriesInfo> listDicomSeries(const std::string& folder) {
  return listScanned(folder, scanImages(folder));
}

CtVolume readDicomSeries(const std::string& folder, const std::string& seriesUid,
                         const NiftiReadLimits& limits) {
  return readSeries<int16_t>(folder, seriesUid, limits);
}

FloatVolume readDicomSeriesFloat(const std::string& folder, const std::string& seriesUid,
                                 const NiftiReadLimits& limits) {
  return readSeries<float>(folder, seriesUid, limits);
}

} // namespace lumen
