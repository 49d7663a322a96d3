#include "segment/ChestIntensity.h"

#include "common/Parallel.h"
#include "segment/ChestClasses.h"

#include <algorithm>
#include <cmath>

namespace lumen {
namespace {

uint64_t mix(uint64_t x) {
  // splitmix64's finaliser: a counter-based generator, so every voxel's draw depends on its
  // index and the seed only, whatever thread computes it.
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

double unit(uint64_t bits) {
  return double(bits >> 11) * (1.0 / 9007199254740992.0);
}

// Smooth random values in [-1, 1] on a lattice over the image, interpolated trilinearly.
class LatticeNoise {
public:
  LatticeNoise(const ImageGeometry& g, double cellMm, uint64_t seed) : g_(g), cell_(cellMm) {
    for (size_t d = 0; d < 3; ++d)
      n_[d] = int64_t(std::ceil(double(g.size[d] - 1) * g.spacing[d] / cellMm)) + 2;
    values_.resize(size_t(n_[0] * n_[1] * n_[2]));
    for (size_t v = 0; v < values_.size(); ++v)
      values_[v] = float(2 * unit(mix(seed ^ mix(v))) - 1);
  }
  double at(int64_t i, int64_t j, int64_t k) const {
    const int64_t index[3] = {i, j, k};
    int64_t c[3];
    double w[3];
    for (size_t d = 0; d < 3; ++d) {
      const double u = double(index[d]) * g_.spacing[d] / cell_;
      c[d] = std::min<int64_t>(int64_t(u), n_[d] - 2);
      const double f = u - double(c[d]);
      w[d] = f * f * (3 - 2 * f);
    }
    double value = 0;
    for (int corner = 0; corner < 8; ++corner) {
      const int64_t a = c[0] + (corner & 1), b = c[1] + ((corner >> 1) & 1),
                    e = c[2] + ((corner >> 2) & 1);
      const double weight = (corner & 1 ? w[0] : 1 - w[0]) * ((corner >> 1) & 1 ? w[1] : 1 - w[1]) *
                            ((corner >> 2) & 1 ? w[2] : 1 - w[2]);
      value += weight * values_[size_t(a + n_[0] * (b + n_[1] * e))];
    }
    return value;
  }

private:
  const ImageGeometry& g_;
  double cell_;
  int64_t n_[3];
  std::vector<float> values_;
};

double bloodHu(int label, const ChestContrast& c, bool contrast) {
  if (!contrast)
    return c.nativeBlood;
  switch (label) {
  case kChestAorta:
    return c.aorta;
  case kChestCoronaries:
    return c.coronaries;
  case kChestLV:
  case kChestLA:
    return c.leftHeart;
  case kChestRV:
  case kChestRA:
    return c.rightHeart;
  default: // pulmonary trunk, arteries and their branches
    return c.pulmonary;
  }
}

// Separable Gaussian along one axis, in place, one line at a time.
void blurAxis(FloatVolume& image, size_t axis, double sigma, int threads, Job* job) {
  const ImageGeometry& g = image.geometry;
  const int radius = int(std::ceil(2.5 * sigma));
  std::vector<float> kernel(size_t(2 * radius + 1));
  double sum = 0;
  for (int t = -radius; t <= radius; ++t)
    sum += kernel[size_t(t + radius)] = float(std::exp(-0.5 * t * t / (sigma * sigma)));
  for (float& w : kernel)
    w = float(w / sum);
  const int64_t length = g.size[axis];
  const size_t stride = axis == 0   ? 1
                        : axis == 1 ? size_t(g.size[0])
                                    : size_t(g.size[0] * g.size[1]);
  // Lines are grouped by the slowest other axis, so each item touches its own memory.
  const size_t outer = axis == 2 ? size_t(g.size[1]) : size_t(g.size[2]);
  const size_t inner = axis == 0 ? size_t(g.size[1]) : size_t(g.size[0]);
  parallelFor(
      outer, threads,
      [&](size_t o) {
        std::vector<float> line(static_cast<size_t>(length));
        for (size_t n = 0; n < inner; ++n) {
          size_t start = 0;
          if (axis == 0)
            start = g.offset(0, int64_t(n), int64_t(o));
          else if (axis == 1)
            start = g.offset(int64_t(n), 0, int64_t(o));
          else
            start = g.offset(int64_t(n), int64_t(o), 0);
          for (int64_t t = 0; t < length; ++t)
            line[size_t(t)] = image.values[start + size_t(t) * stride];
          for (int64_t t = 0; t < length; ++t) {
            float value = 0;
            for (int s = -radius; s <= radius; ++s) {
              const int64_t u = std::clamp<int64_t>(t + s, 0, length - 1);
              value += kernel[size_t(s + radius)] * line[size_t(u)];
            }
            image.values[start + size_t(t) * stride] = value;
          }
        }
      },
      job);
}

// The image of the patient moved by `motion`: each output voxel samples the input at the inverse
// motion (rotation transposed), trilinearly. Index to source index is one affine map, set up once.
FloatVolume moved(const FloatVolume& image, const RigidMotion& motion, int threads, Job* job) {
  const ImageGeometry& g = image.geometry;
  const Vec3 centre = g.indexToPhysical(
      {0.5 * double(g.size[0] - 1), 0.5 * double(g.size[1] - 1), 0.5 * double(g.size[2] - 1)});
  const auto& r = motion.rotation;
  auto sourceIndex = [&](const Vec3& index) {
    const Vec3 p = g.indexToPhysical(index);
    Vec3 d, source;
    for (size_t a = 0; a < 3; ++a)
      d[a] = p[a] - centre[a] - motion.shiftMm[a];
    for (size_t a = 0; a < 3; ++a)
      source[a] = centre[a] + r[a] * d[0] + r[3 + a] * d[1] + r[6 + a] * d[2];
    return g.physicalToIndex(source);
  };
  const Vec3 origin = sourceIndex({0, 0, 0});
  Vec3 step[3];
  for (size_t axis = 0; axis < 3; ++axis) {
    Vec3 unit{0, 0, 0};
    unit[axis] = 1;
    const Vec3 moved = sourceIndex(unit);
    for (size_t a = 0; a < 3; ++a)
      step[axis][a] = moved[a] - origin[a];
  }
  FloatVolume out;
  out.geometry = g;
  out.values.resize(g.voxels());
  parallelFor(
      size_t(g.size[2]), threads,
      [&](size_t k) {
        for (int64_t j = 0; j < g.size[1]; ++j)
          for (int64_t i = 0; i < g.size[0]; ++i) {
            Vec3 at;
            for (size_t a = 0; a < 3; ++a)
              at[a] = origin[a] + double(i) * step[0][a] + double(j) * step[1][a] +
                      double(k) * step[2][a];
            double value = 0; // the eight weights sum to 1
            const int64_t i0 = int64_t(std::floor(at[0])), j0 = int64_t(std::floor(at[1])),
                          k0 = int64_t(std::floor(at[2]));
            for (int c = 0; c < 8; ++c) {
              const int64_t ii = i0 + (c & 1), jj = j0 + ((c >> 1) & 1), kk = k0 + (c >> 2);
              const double w = (c & 1 ? at[0] - double(i0) : 1 - (at[0] - double(i0))) *
                               ((c >> 1) & 1 ? at[1] - double(j0) : 1 - (at[1] - double(j0))) *
                               (c >> 2 ? at[2] - double(k0) : 1 - (at[2] - double(k0)));
              value += w * (g.contains(ii, jj, kk) ? double(image.at(ii, jj, kk)) : -1000.0);
            }
            out.at(i, j, int64_t(k)) = float(value);
          }
      },
      job);
  return out;
}

} // namespace

bool RigidMotion::isIdentity() const {
  const RigidMotion identity;
  return rotation == identity.rotation && shiftMm == identity.shiftMm;
}

CtVolume renderChestCt(const LabelVolume& labels, const std::vector<ChestMaterial>& materials,
                       const ChestAnatomy& anatomy, const ChestRenderSettings& settings, Job* job) {
  const ImageGeometry& g = labels.geometry;
  // The texture follows the anatomy, not the phase: both scans of a case share it.
  const LatticeNoise coarse(g, 14 * settings.scale, mix(settings.noiseSeed ^ 0xC0A45Eull));
  const LatticeNoise fine(g, 5 * settings.scale, mix(settings.noiseSeed ^ 0xF1E5ull));
  const ChestContrast& c = anatomy.contrast;
  FloatVolume image;
  image.geometry = g;
  image.values.resize(g.voxels());
  parallelFor(
      size_t(g.size[2]), settings.threads,
      [&](size_t kk) {
        const int64_t k = int64_t(kk);
        for (int64_t j = 0; j < g.size[1]; ++j) {
          const double y = (g.origin[1] + double(j) * g.spacing[1]) / settings.scale;
          // Lungs are denser at the back, where gravity pulls blood and fluid in a supine scan.
          const double dependent = std::clamp((y / anatomy.torso.halfDepth + 0.8) / 1.6, 0.0, 1.0);
          for (int64_t i = 0; i < g.size[0]; ++i) {
            const size_t offset = g.offset(i, j, k);
            double hu = -1000;
            switch (materials[offset]) {
            case ChestMaterial::Air:
              break;
            case ChestMaterial::Lung:
              hu = -865 + 50 * dependent + 18 * coarse.at(i, j, k) + 14 * fine.at(i, j, k);
              break;
            case ChestMaterial::Fat:
              hu = -100 + 12 * coarse.at(i, j, k) + 5 * fine.at(i, j, k);
              break;
            case ChestMaterial::Muscle:
              hu = 52 + 6 * coarse.at(i, j, k);
              break;
            case ChestMaterial::Soft:
              hu = 40 + 5 * coarse.at(i, j, k);
              break;
            case ChestMaterial::Abdomen:
              hu = 58 + 6 * coarse.at(i, j, k);
              break;
            case ChestMaterial::Blood:
              hu = bloodHu(labels.values[offset], c, settings.contrast);
              break;
            case ChestMaterial::Myocardium:
              hu = settings.contrast ? c.myocardium : 44.0;
              break;
            case ChestMaterial::Cancellous:
              hu = 240 + 45 * coarse.at(i, j, k) + 30 * fine.at(i, j, k);
              break;
            case ChestMaterial::Cortical:
              hu = 820 + 110 * coarse.at(i, j, k);
              break;
            case ChestMaterial::Disc:
              hu = 85;
              break;
            case ChestMaterial::Csf:
              hu = 15;
              break;
            }
            image.values[offset] = float(hu);
          }
        }
      },
      job);
  for (size_t axis = 0; axis < 3; ++axis)
    blurAxis(image, axis, std::max(0.45, settings.blurMm / g.spacing[axis]), settings.threads, job);
  if (!settings.motion.isIdentity())
    image = moved(image, settings.motion, settings.threads, job);

  CtVolume ct;
  ct.geometry = g;
  ct.values.resize(g.voxels());
  const uint64_t stream = mix(settings.noiseSeed ^ (settings.contrast ? 0xC7Aull : 0x9C7ull));
  parallelFor(
      size_t(g.size[2]), settings.threads,
      [&](size_t k) {
        const size_t slice = size_t(g.size[0] * g.size[1]);
        for (size_t offset = k * slice; offset < (k + 1) * slice; ++offset) {
          const uint64_t bits = mix(stream ^ mix(offset));
          // Box-Muller from the two halves of one draw.
          const double u1 = (double(bits >> 40) + 0.5) / 16777216.0;
          const double u2 = double(bits & 0xFFFFFF) / 16777216.0;
          const double normal = std::sqrt(-2 * std::log(u1)) * std::cos(2 * 3.14159265358979 * u2);
          const double hu = image.values[offset] + settings.noiseHu * normal;
          ct.values[offset] = int16_t(std::lround(std::clamp(hu, -1024.0, 3071.0)));
        }
      },
      job);
  return ct;
}

} // namespace lumen
