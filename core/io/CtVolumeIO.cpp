#include "io/CtVolumeIO.h"

#include "common/Checked.h"
#include "common/Error.h"
#include "io/DicomStack.h"
#include "io/ItkBridge.h"
#include "io/MetaImageData.h"
#include "io/NrrdData.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <itkGDCMImageIO.h>
#include <itkMetaImageIO.h>
#include <itkNrrdImageIO.h>
#include <type_traits>

namespace lumen {
namespace {

namespace fs = std::filesystem;

bool endsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string lowerName(const std::string& path) {
  std::string name = fs::path(path).filename().string();
  std::transform(name.begin(), name.end(), name.begin(), ::tolower);
  return name;
}

const char* kReadable = ".nii, .nii.gz, .hdr/.img, .nrrd, .nhdr, .mha, .mhd or a DICOM series "
                        "folder";

itk::ImageIOBase::Pointer headerOf(const std::string& path, VolumeFormat format) {
  itk::ImageIOBase::Pointer io;
  if (format == VolumeFormat::Nrrd)
    io = itk::NrrdImageIO::New().GetPointer();
  else
    io = itk::MetaImageIO::New().GetPointer();
  const std::string name = volumeFormatName(format);
  if (!fs::is_regular_file(path))
    throw IoError(path + " does not exist (expected a " + name + " file)");
  if (!io->CanReadFile(path.c_str()))
    throw InputError(path + ": not a " + name + " file (its header does not start as " + name +
                     " headers do)");
  io->SetFileName(path);
  try {
    io->ReadImageInformation();
  } catch (const itk::ExceptionObject& e) {
    throw IoError(path + ": unreadable " + name + " header: " + itkbridge::describe(e));
  }
  itkbridge::requireScalar3d(*io, path);
  return io;
}

template <class T> constexpr itk::IOComponentEnum componentOf() {
  return std::is_same_v<T, int16_t> ? itk::IOComponentEnum::SHORT : itk::IOComponentEnum::FLOAT;
}

// NRRD and MetaImage through their ImageIO, into the volume's own buffer when the stored type is
// the volume's, else through one converted copy of the stored values.
template <class T>
Volume<T> readItkFile(const std::string& path, VolumeFormat format, const NiftiReadLimits& limits) {
  auto io = headerOf(path, format);
  Volume<T> volume;
  volume.geometry = itkbridge::geometryOf(*io);
  const ImageGeometry& g = volume.geometry;
  itkbridge::checkGeometry(g, path, limits.maxVoxels);
  const auto bytes = checkedMultiply(g.voxels(), io->GetComponentSize());
  if (!bytes)
    throw InputError(path + ": the header's size overflows");
  // ITK's readers let some files cut short through (see MetaImageData.h, NrrdData.h).
  if (format == VolumeFormat::MetaImage)
    requireCompleteMetaImage(path, metaImageLayout(path), *bytes);
  else
    requireCompleteNrrd(path, *bytes);
  itk::ImageIORegion region(io->GetNumberOfDimensions());
  for (unsigned a = 0; a < io->GetNumberOfDimensions(); ++a) {
    region.SetIndex(a, 0);
    region.SetSize(a, io->GetDimensions(a));
  }
  io->SetIORegion(region);
  std::vector<uint8_t> stored;
  const bool direct = io->GetComponentType() == componentOf<T>();
  try {
    volume.values.resize(g.voxels());
    if (!direct)
      stored.resize(size_t(*bytes));
  } catch (const std::bad_alloc&) {
    throw InputError(path + ": not enough memory for " + itkbridge::sizeText(g) + " voxels");
  }
  try {
    io->Read(direct ? static_cast<void*>(volume.values.data()) : stored.data());
  } catch (const itk::ExceptionObject& e) {
    throw IoError(path + ": unreadable voxels: " + itkbridge::describe(e));
  }
  if (!direct)
    itkbridge::convertValues<T>(
        io->GetComponentType(), stored.data(), g.voxels(), volume.values.data(), [&](size_t i) {
          const size_t nx = size_t(g.size[0]), ny = size_t(g.size[1]);
          return path + ": voxel (" + std::to_string(i % nx) + ", " + std::to_string(i / nx % ny) +
                 ", " + std::to_string(i / nx / ny) + ")";
        });
  return volume;
}

template <class T>
Volume<T> readAny(const std::string& path, const NiftiReadLimits& limits,
                  const std::string& seriesUid) {
  const VolumeFormat format = volumeFormatOf(path);
  if (format != VolumeFormat::DicomSeries && !seriesUid.empty())
    throw InputError(path + ": a series was chosen (" + seriesUid +
                     "), but only a DICOM folder holds series");
  switch (format) {
  case VolumeFormat::Nifti:
    if constexpr (std::is_same_v<T, int16_t>)
      return readNiftiCtVolume(path, limits);
    else
      return readFloatVolume(path, limits);
  case VolumeFormat::DicomSeries:
    if constexpr (std::is_same_v<T, int16_t>)
      return readDicomSeries(path, seriesUid, limits);
    else
      return readDicomSeriesFloat(path, seriesUid, limits);
  default:
    return readItkFile<T>(path, format, limits);
  }
}

enum class OutputFormat { Nifti, Nrrd, MetaImage };

OutputFormat outputFormatOf(const std::string& path) {
  const std::string name = lowerName(path);
  if (endsWith(name, ".nii") || endsWith(name, ".nii.gz"))
    return OutputFormat::Nifti;
  if (endsWith(name, ".nrrd"))
    return OutputFormat::Nrrd;
  if (endsWith(name, ".mha"))
    return OutputFormat::MetaImage;
  if (endsWith(name, ".nhdr") || endsWith(name, ".mhd") || endsWith(name, ".hdr"))
    throw InputError("cannot write " + path +
                     ": a detached header and its data file cannot be replaced atomically "
                     "together; write .nii.gz, .nrrd or .mha (one file)");
  throw InputError("cannot write " + path +
                   ": unknown extension; expected .nii, .nii.gz, .nrrd or .mha");
}

template <class T> void writeAny(const std::string& path, const Volume<T>& volume) {
  switch (outputFormatOf(path)) {
  case OutputFormat::Nifti:
    return writeNiftiVolume(path, volume);
  case OutputFormat::Nrrd:
    return itkbridge::writeAtomically(path, volume.geometry, volume.values,
                                      itk::NrrdImageIO::New().GetPointer(), ".nrrd", true);
  case OutputFormat::MetaImage:
    return itkbridge::writeAtomically(path, volume.geometry, volume.values,
                                      itk::MetaImageIO::New().GetPointer(), ".mha", true);
  }
}

} // namespace

const char* volumeFormatName(VolumeFormat format) {
  switch (format) {
  case VolumeFormat::Nifti:
    return "NIfTI";
  case VolumeFormat::Nrrd:
    return "NRRD";
  case VolumeFormat::MetaImage:
    return "MetaImage";
  case VolumeFormat::DicomSeries:
    return "DICOM series";
  }
  return "unknown";
}

VolumeFormat volumeFormatOf(const std::string& path) {
  std::error_code error;
  const auto status = fs::status(path, error);
  if (!fs::exists(status))
    throw IoError(path + " does not exist (expected a CT volume: " + kReadable + ")");
  if (fs::is_directory(status))
    return VolumeFormat::DicomSeries;
  const std::string name = lowerName(path);
  for (const char* extension : {".nii", ".nii.gz", ".hdr", ".hdr.gz", ".img", ".img.gz"})
    if (endsWith(name, extension))
      return VolumeFormat::Nifti;
  if (endsWith(name, ".nrrd") || endsWith(name, ".nhdr"))
    return VolumeFormat::Nrrd;
  if (endsWith(name, ".mha") || endsWith(name, ".mhd"))
    return VolumeFormat::MetaImage;
  throw InputError(path + ": unknown volume format; expected " + kReadable);
}

VolumeHeader readVolumeHeader(const std::string& path, const std::string& seriesUid) {
  VolumeHeader header;
  header.format = volumeFormatOf(path);
  switch (header.format) {
  case VolumeFormat::Nifti:
    header.geometry = readNiftiGeometry(path, &header.pixelType);
    break;
  case VolumeFormat::Nrrd:
  case VolumeFormat::MetaImage: {
    auto io = headerOf(path, header.format);
    header.geometry = itkbridge::geometryOf(*io);
    header.pixelType = itkbridge::componentName(io->GetComponentType());
    break;
  }
  case VolumeFormat::DicomSeries: {
    header.series = listDicomSeries(path);
    const dicom::FolderScan scan = dicom::scanFolder(path);
    auto chosen = scan.series.find(seriesUid);
    if (seriesUid.empty() && scan.series.size() == 1)
      chosen = scan.series.begin();
    if (chosen == scan.series.end() && !seriesUid.empty())
      throw InputError(path + ": no DICOM series with SeriesInstanceUID " + seriesUid);
    if (chosen == scan.series.end())
      break; // several series and none chosen: the list is the answer
    const dicom::Stack stack = dicom::stackSlices(path, chosen->second);
    header.geometry = stack.geometry;
    auto io = itk::GDCMImageIO::New();
    io->SetFileName(stack.slices.front().file);
    try {
      io->ReadImageInformation();
    } catch (const itk::ExceptionObject& e) {
      throw IoError(stack.slices.front().file +
                    ": unreadable DICOM image: " + itkbridge::describe(e));
    }
    header.pixelType = itkbridge::componentName(io->GetInternalComponentType());
    if (io->GetInternalComponentType() != io->GetComponentType())
      header.pixelType += " (rescaled to " + itkbridge::componentName(io->GetComponentType()) + ")";
    break;
  }
  }
  return header;
}

CtVolume readCtVolume(const std::string& path, const NiftiReadLimits& limits,
                      const std::string& seriesUid) {
  return readAny<int16_t>(path, limits, seriesUid);
}

FloatVolume readIntensityVolume(const std::string& path, const NiftiReadLimits& limits,
                                const std::string& seriesUid) {
  return readAny<float>(path, limits, seriesUid);
}

void writeCtVolume(const std::string& path, const CtVolume& volume) {
  writeAny(path, volume);
}

void writeLabelMask(const std::string& path, const Volume<uint8_t>& mask) {
  writeAny(path, mask);
}

void writeLabelMask(const std::string& path, const Volume<int16_t>& mask) {
  writeAny(path, mask);
}

} // namespace lumen
