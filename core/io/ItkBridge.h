// Between ITK's image IO objects and Lumen's plain volumes, for core/io's readers and writers
// only (it includes ITK headers, which the rest of the engine never sees): the geometry an
// ImageIO read, the checks every header passes before voxels are allocated, and atomic writes
// through an explicit ImageIO.
#pragma once
#include "io/Volume.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <itkImage.h>
#include <itkImageIOBase.h>
#include <string>
#include <vector>

namespace lumen::itkbridge {

// ITK's description of an exception without its trailing blank lines.
std::string describe(const itk::ExceptionObject& e);

// Size, spacing, origin and direction as the ImageIO read them (its first three axes).
ImageGeometry geometryOf(const itk::ImageIOBase& io);

// After ReadImageInformation: 3D (extra axes of length 1 allowed), one value per voxel.
void requireScalar3d(const itk::ImageIOBase& io, const std::string& path);

// Every axis non-empty with a positive finite spacing, at most `maxVoxels` voxels, an invertible
// direction: what must hold before any voxel is allocated.
void checkGeometry(const ImageGeometry& g, const std::string& path, uint64_t maxVoxels);

std::string sizeText(const ImageGeometry& g); // "122x101x30"

// Converts `n` values of ITK component type `type` at `in` into `out`. Into int16 every value
// must be a whole number within int16, else an InputError "<where(i)> holds V, expected ..." for
// the first one that is not; into float any value goes.
template <class T>
void convertValues(itk::IOComponentEnum type, const void* in, size_t n, T* out,
                   const std::function<std::string(size_t)>& where);

// "int16", "uint8", "float", ... as ITK names component types.
std::string componentName(itk::IOComponentEnum type);

// An ITK image holding a copy of `values` with the geometry (the writers' and the tests' way
// into ITK's filters and ImageIOs).
template <class T>
typename itk::Image<T, 3>::Pointer toItkImage(const ImageGeometry& g,
                                              const std::vector<T>& values) {
  using Image = itk::Image<T, 3>;
  auto image = Image::New();
  typename Image::RegionType region;
  typename Image::DirectionType direction;
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
  return image;
}

// Writes `values` with the geometry through `io` to a temporary file renamed over `path`; the
// temporary name ends with `suffix`, since writers choose compression from the name.
template <class T>
void writeAtomically(const std::string& path, const ImageGeometry& g, const std::vector<T>& values,
                     itk::ImageIOBase* io, const std::string& suffix, bool compress);

} // namespace lumen::itkbridge
