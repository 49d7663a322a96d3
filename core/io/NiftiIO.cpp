#include "io/NiftiIO.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "common/Text.h"
#include "io/ItkBridge.h"
#include "io/NiftiStorage.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <itkImage.h>
#include <itkNiftiImageIO.h>
#include <type_traits>

namespace lumen {
namespace {

using itkbridge::describe;
using itkbridge::geometryOf;

itk::NiftiImageIO::Pointer headerOf(const std::string& path) {
  if (!std::filesystem::is_regular_file(path))
    throw IoError(path + ": no such file");
  auto io = itk::NiftiImageIO::New();
  if (!io->CanReadFile(path.c_str())) {
    bool nifti2 = false;
    try {
      nifti2 = readNiftiStorage(path).version == 2;
    } catch (const Error&) {
    }
    if (nifti2)
      throw InputError(path + ": a NIfTI-2 header, which this build's ITK (5.2) cannot read; "
                              "save the image as NIfTI-1 (e.g. nibabel's Nifti1Image)");
    throw IoError(path + ": not a NIfTI file (expected a .nii or .nii.gz with a NIfTI-1 header)");
  }
  io->SetFileName(path);
  try {
    io->ReadImageInformation();
  } catch (const itk::ExceptionObject& e) {
    throw IoError(path + ": unreadable NIfTI header: " + describe(e));
  }
  if (io->GetNumberOfDimensions() < 3)
    throw InputError(path + ": expected a 3D image, the file has " +
                     std::to_string(io->GetNumberOfDimensions()) + " dimension(s)");
  if (io->GetNumberOfComponents() != 1)
    throw InputError(path + ": expected one value per voxel, the file has " +
                     std::to_string(io->GetNumberOfComponents()));
  for (unsigned d = 3; d < io->GetNumberOfDimensions(); ++d)
    if (io->GetDimensions(d) > 1)
      throw InputError(path + ": expected a 3D image, dimension " + std::to_string(d + 1) +
                       " has " + std::to_string(io->GetDimensions(d)) + " entries");
  return io;
}

template <class T> Volume<T> readVolume(const std::string& path, const NiftiReadLimits& limits) {
  auto io = headerOf(path);
  Volume<T> volume;
  volume.geometry = geometryOf(*io);
  const ImageGeometry& g = volume.geometry;
  itkbridge::checkGeometry(g, path, limits.maxVoxels);
  const std::string size = itkbridge::sizeText(g);
  const NiftiStorage storage = readNiftiStorage(path);
  if (storage.values() != g.voxels() || storage.dims[0] != g.size[0] ||
      storage.dims[1] != g.size[1] || storage.dims[2] != g.size[2])
    throw InputError(path + ": the header's dimensions (" + std::to_string(storage.values()) +
                     " voxels) disagree with the " + size + " image ITK reads from it");
  try {
    volume.values.resize(g.voxels());
  } catch (const std::bad_alloc&) {
    throw InputError(path + ": not enough memory for " + size + " voxels (" +
                     formatNumber(double(g.voxels() * sizeof(T)) / 1e9) + " GB)");
  }
  // Straight into the volume's own buffer: one copy of the voxels, however they are stored.
  if constexpr (std::is_same_v<T, int32_t>)
    readNiftiLabels(storage, volume.values.data());
  else if constexpr (std::is_same_v<T, int16_t>)
    readNiftiInt16(storage, volume.values.data());
  else
    readNiftiFloats(storage, volume.values.data());
  return volume;
}

template <class T>
void writeVolume(const std::string& path, const ImageGeometry& g, const std::vector<T>& values) {
  // The temporary file keeps the extension: the NIfTI library compresses by file name.
  const bool gz = path.size() > 3 && path.substr(path.size() - 3) == ".gz";
  itkbridge::writeAtomically(path, g, values, itk::NiftiImageIO::New().GetPointer(),
                             gz ? ".nii.gz" : ".nii", gz);
}

} // namespace

ImageGeometry readNiftiGeometry(const std::string& path, std::string* pixelType) {
  auto io = headerOf(path);
  if (pixelType)
    *pixelType = itk::ImageIOBase::GetComponentTypeAsString(io->GetComponentType());
  return geometryOf(*io);
}

LabelVolume readLabelVolume(const std::string& path, const NiftiReadLimits& limits) {
  return readVolume<int32_t>(path, limits);
}

FloatVolume readFloatVolume(const std::string& path, const NiftiReadLimits& limits) {
  return readVolume<float>(path, limits);
}

CtVolume readNiftiCtVolume(const std::string& path, const NiftiReadLimits& limits) {
  return readVolume<int16_t>(path, limits);
}

void writeLabelVolume(const std::string& path, const LabelVolume& volume) {
  const auto [lo, hi] = std::minmax_element(volume.values.begin(), volume.values.end());
  const int32_t minimum = volume.values.empty() ? 0 : *lo,
                maximum = volume.values.empty() ? 0 : *hi;
  if (minimum >= 0 && maximum <= 255) {
    writeVolume(path, volume.geometry,
                std::vector<uint8_t>(volume.values.begin(), volume.values.end()));
  } else if (minimum >= -32768 && maximum <= 32767) {
    writeVolume(path, volume.geometry,
                std::vector<int16_t>(volume.values.begin(), volume.values.end()));
  } else {
    writeVolume(path, volume.geometry, volume.values);
  }
}

void writeFloatVolume(const std::string& path, const FloatVolume& volume) {
  writeVolume(path, volume.geometry, volume.values);
}

void writeNiftiVolume(const std::string& path, const Volume<uint8_t>& volume) {
  writeVolume(path, volume.geometry, volume.values);
}

void writeNiftiVolume(const std::string& path, const Volume<int16_t>& volume) {
  writeVolume(path, volume.geometry, volume.values);
}

} // namespace lumen
