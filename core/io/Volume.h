// Plain 3D images in physical space, as ITK and NIfTI describe them: voxel i,j,k sits at
// origin + direction * (spacing ⊙ (i,j,k)) in millimetres (LPS, ITK's convention). The values are
// stored x-fastest. No ITK types here, so every part of the engine and the GUI can use them.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace lumen {

using Vec3 = std::array<double, 3>;

struct ImageGeometry {
  std::array<int64_t, 3> size{0, 0, 0};
  Vec3 spacing{1, 1, 1};
  Vec3 origin{0, 0, 0};
  // Row-major 3x3; column a is the physical direction of index axis a.
  std::array<double, 9> direction{1, 0, 0, 0, 1, 0, 0, 0, 1};

  size_t voxels() const { return size_t(size[0]) * size_t(size[1]) * size_t(size[2]); }
  size_t offset(int64_t i, int64_t j, int64_t k) const {
    return size_t(i) + size_t(size[0]) * (size_t(j) + size_t(size[1]) * size_t(k));
  }
  bool contains(int64_t i, int64_t j, int64_t k) const {
    return i >= 0 && j >= 0 && k >= 0 && i < size[0] && j < size[1] && k < size[2];
  }
  Vec3 indexToPhysical(const Vec3& index) const;
  // The continuous index of a physical point (the inverse of indexToPhysical; any invertible
  // direction matrix, orthogonal or not). Throws InputError when the matrix is singular: its
  // determinant is below 1e-9 of the product of its column lengths, whatever the spacing.
  Vec3 physicalToIndex(const Vec3& point) const;
  // Three-letter orientation code of the axes as radiologists read it (RAS+ letters the axes
  // point towards), e.g. "LAS"; "oblique" axes get their dominant letter.
  std::string orientationCode() const;
};

template <class T> struct Volume {
  ImageGeometry geometry;
  std::vector<T> values;

  T at(int64_t i, int64_t j, int64_t k) const { return values[geometry.offset(i, j, k)]; }
  T& at(int64_t i, int64_t j, int64_t k) { return values[geometry.offset(i, j, k)]; }
};

using LabelVolume = Volume<int32_t>;
using FloatVolume = Volume<float>;
// CT intensities in Hounsfield units as scanners store them (int16), so a 512x512x600 scan costs
// 300 MB, not 600.
using CtVolume = Volume<int16_t>;

} // namespace lumen
