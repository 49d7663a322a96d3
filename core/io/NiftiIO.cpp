#include "io/NiftiIO.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "common/Text.h"
#include "io/NiftiStorage.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <itkImage.h>
#include <itkImageFileWriter.h>
#include <itkNiftiImageIO.h>
#include <type_traits>

namespace lumen {
namespace {

template <class T> using Image3 = itk::Image<T, 3>;

std::string describe(const itk::ExceptionObject& e) {
  std::string text = e.GetDescription();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  return text;
}

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

ImageGeometry geometryOf(const itk::ImageIOBase& io) {
  ImageGeometry g;
  for (unsigned a = 0; a < 3; ++a) {
    g.size[a] = int64_t(io.GetDimensions(a));
    g.spacing[a] = io.GetSpacing(a);
    g.origin[a] = io.GetOrigin(a);
    const auto column = io.GetDirection(a);
    for (unsigned r = 0; r < 3; ++r)
      g.direction[3 * r + a] = column[r];
  }
  return g;
}

template <class T> Volume<T> readVolume(const std::string& path, const NiftiReadLimits& limits) {
  auto io = headerOf(path);
  Volume<T> volume;
  volume.geometry = geometryOf(*io);
  const ImageGeometry& g = volume.geometry;
  for (unsigned a = 0; a < 3; ++a) {
    if (g.size[a] < 1)
      throw InputError(path + ": dimension " + std::to_string(a + 1) + " is empty");
    if (!(g.spacing[a] > 0) || !std::isfinite(g.spacing[a]))
      throw InputError(path + ": voxel spacing along axis " + std::to_string(a + 1) +
                       " must be a positive number, got " + formatNumber(g.spacing[a]));
  }
  const std::string size =
      std::to_string(g.size[0]) + "x" + std::to_string(g.size[1]) + "x" + std::to_string(g.size[2]);
  if (g.voxels() > limits.maxVoxels)
    throw InputError(path + ": " + size + " voxels exceed the limit of " +
                     std::to_string(limits.maxVoxels) +
                     " (the memory guard); crop or resample the image first");
  g.physicalToIndex(g.origin); // rejects singular geometry before reading voxels
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
  else
    readNiftiFloats(storage, volume.values.data());
  return volume;
}

template <class T>
void writeVolume(const std::string& path, const ImageGeometry& g, const std::vector<T>& values) {
  if (values.size() != g.voxels())
    throw InputError("cannot write " + path + ": " + std::to_string(values.size()) +
                     " values for " + std::to_string(g.voxels()) + " voxels");
  auto image = Image3<T>::New();
  typename Image3<T>::RegionType region;
  typename Image3<T>::DirectionType direction;
  for (unsigned a = 0; a < 3; ++a) {
    region.SetSize(a, itk::SizeValueType(g.size[a]));
    for (unsigned r = 0; r < 3; ++r)
      direction[r][a] = g.direction[3 * r + a];
  }
  image->SetRegions(region);
  image->SetSpacing(g.spacing.data());
  image->SetOrigin(g.origin.data());
  image->SetDirection(direction);
  image->Allocate();
  std::copy(values.begin(), values.end(), image->GetBufferPointer());
  // The temporary file keeps the extension: the NIfTI library compresses by file name.
  const std::string suffix =
      path.size() > 3 && path.substr(path.size() - 3) == ".gz" ? ".nii.gz" : ".nii";
  replaceFileAtomically(
      path,
      [&](const std::string& temp) {
        auto writer = itk::ImageFileWriter<Image3<T>>::New();
        writer->SetImageIO(itk::NiftiImageIO::New());
        writer->SetFileName(temp);
        writer->SetInput(image);
        try {
          writer->Update();
        } catch (const itk::ExceptionObject& e) {
          throw IoError("cannot write " + path + ": " + describe(e));
        }
      },
      suffix);
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

void writeCtVolume(const std::string& path, const CtVolume& volume) {
  writeVolume(path, volume.geometry, volume.values);
}

} // namespace lumen
