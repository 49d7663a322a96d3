#include "io/ItkBridge.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "common/Text.h"

#include <algorithm>
#include <cmath>
#include <itkImageFileWriter.h>
#include <type_traits>

namespace lumen::itkbridge {

std::string describe(const itk::ExceptionObject& e) {
  std::string text = e.GetDescription();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  return text;
}

ImageGeometry geometryOf(const itk::ImageIOBase& io) {
  ImageGeometry g;
  const unsigned dims = io.GetNumberOfDimensions();
  for (unsigned a = 0; a < 3; ++a) {
    if (a >= dims)
      continue; // a 2D file: one slice, unit spacing, identity beyond its axes
    g.size[a] = int64_t(io.GetDimensions(a));
    g.spacing[a] = io.GetSpacing(a);
    g.origin[a] = io.GetOrigin(a);
    const auto column = io.GetDirection(a);
    for (unsigned r = 0; r < 3 && r < column.size(); ++r)
      g.direction[3 * r + a] = column[r];
  }
  if (dims < 3)
    g.size[2] = 1;
  return g;
}

void requireScalar3d(const itk::ImageIOBase& io, const std::string& path) {
  if (io.GetNumberOfDimensions() < 3)
    throw InputError(path + ": expected a 3D image, the file has " +
                     std::to_string(io.GetNumberOfDimensions()) + " dimension(s)");
  for (unsigned d = 3; d < io.GetNumberOfDimensions(); ++d)
    if (io.GetDimensions(d) > 1)
      throw InputError(path + ": expected a 3D image, dimension " + std::to_string(d + 1) +
                       " has " + std::to_string(io.GetDimensions(d)) + " entries");
  if (io.GetNumberOfComponents() != 1)
    throw InputError(path + ": expected one value per voxel, the file has " +
                     std::to_string(io.GetNumberOfComponents()));
}

std::string sizeText(const ImageGeometry& g) {
  return std::to_string(g.size[0]) + "x" + std::to_string(g.size[1]) + "x" +
         std::to_string(g.size[2]);
}

void checkGeometry(const ImageGeometry& g, const std::string& path, uint64_t maxVoxels) {
  for (unsigned a = 0; a < 3; ++a) {
    if (g.size[a] < 1)
      throw InputError(path + ": dimension " + std::to_string(a + 1) + " is empty");
    if (!(g.spacing[a] > 0) || !std::isfinite(g.spacing[a]))
      throw InputError(path + ": voxel spacing along axis " + std::to_string(a + 1) +
                       " must be a positive number, got " + formatNumber(g.spacing[a]));
  }
  // Each axis is below 2^31 in every format ITK reads, so the product fits in 64 bits.
  if (g.voxels() > maxVoxels)
    throw InputError(path + ": " + sizeText(g) + " voxels exceed the limit of " +
                     std::to_string(maxVoxels) +
                     " (the memory guard); crop or resample the image first");
  g.physicalToIndex(g.origin); // a singular direction throws InputError here
}

std::string componentName(itk::IOComponentEnum type) {
  return itk::ImageIOBase::GetComponentTypeAsString(type);
}

namespace {

template <class T, class S>
void convertFrom(const S* in, size_t n, T* out, const std::function<std::string(size_t)>& where) {
  for (size_t i = 0; i < n; ++i) {
    if constexpr (std::is_same_v<T, float>) {
      out[i] = float(in[i]);
    } else if constexpr (std::is_integral_v<S> && sizeof(S) == 1) {
      out[i] = T(in[i]);
    } else if constexpr (std::is_same_v<S, int16_t>) {
      out[i] = in[i];
    } else {
      const double v = double(in[i]);
      const bool whole = std::isfinite(v) && v == std::round(v);
      if (!whole || v < -32768.0 || v > 32767.0)
        throw InputError(where(i) + " holds " + formatNumber(v) +
                         (whole ? ", beyond the int16 range of CT values (-32768 to 32767)"
                                : ", expected whole numbers (CT values in HU stored as integers)"));
      out[i] = T(v);
    }
  }
}

} // namespace

template <class T>
void convertValues(itk::IOComponentEnum type, const void* in, size_t n, T* out,
                   const std::function<std::string(size_t)>& where) {
  using C = itk::IOComponentEnum;
  switch (type) {
  case C::UCHAR:
    return convertFrom(static_cast<const uint8_t*>(in), n, out, where);
  case C::CHAR:
    return convertFrom(static_cast<const int8_t*>(in), n, out, where);
  case C::USHORT:
    return convertFrom(static_cast<const uint16_t*>(in), n, out, where);
  case C::SHORT:
    return convertFrom(static_cast<const int16_t*>(in), n, out, where);
  case C::UINT:
    return convertFrom(static_cast<const uint32_t*>(in), n, out, where);
  case C::INT:
    return convertFrom(static_cast<const int32_t*>(in), n, out, where);
  case C::ULONG:
  case C::ULONGLONG:
    return convertFrom(static_cast<const uint64_t*>(in), n, out, where);
  case C::LONG:
  case C::LONGLONG:
    return convertFrom(static_cast<const int64_t*>(in), n, out, where);
  case C::FLOAT:
    return convertFrom(static_cast<const float*>(in), n, out, where);
  case C::DOUBLE:
    return convertFrom(static_cast<const double*>(in), n, out, where);
  default:
    throw InputError(where(0) + ": values of type " + componentName(type) +
                     ", expected integers or floats");
  }
}

template void convertValues(itk::IOComponentEnum, const void*, size_t, int16_t*,
                            const std::function<std::string(size_t)>&);
template void convertValues(itk::IOComponentEnum, const void*, size_t, float*,
                            const std::function<std::string(size_t)>&);

template <class T>
void writeAtomically(const std::string& path, const ImageGeometry& g, const std::vector<T>& values,
                     itk::ImageIOBase* io, const std::string& suffix, bool compress) {
  using Image = itk::Image<T, 3>;
  if (values.size() != g.voxels())
    throw InputError("cannot write " + path + ": " + std::to_string(values.size()) +
                     " values for " + std::to_string(g.voxels()) + " voxels");
  const auto image = toItkImage(g, values);
  replaceFileAtomically(
      path,
      [&](const std::string& temp) {
        auto writer = itk::ImageFileWriter<Image>::New();
        writer->SetImageIO(io);
        writer->SetFileName(temp);
        writer->SetInput(image);
        writer->SetUseCompression(compress);
        try {
          writer->Update();
        } catch (const itk::ExceptionObject& e) {
          throw IoError("cannot write " + path + ": " + describe(e));
        }
      },
      suffix);
}

template void writeAtomically(const std::string&, const ImageGeometry&, const std::vector<uint8_t>&,
                              itk::ImageIOBase*, const std::string&, bool);
template void writeAtomically(const std::string&, const ImageGeometry&, const std::vector<int16_t>&,
                              itk::ImageIOBase*, const std::string&, bool);
template void writeAtomically(const std::string&, const ImageGeometry&, const std::vector<int32_t>&,
                              itk::ImageIOBase*, const std::string&, bool);
template void writeAtomically(const std::string&, const ImageGeometry&, const std::vector<float>&,
                              itk::ImageIOBase*, const std::string&, bool);

} // namespace lumen::itkbridge
