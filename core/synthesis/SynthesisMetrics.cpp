#include "synthesis/SynthesisMetrics.h"

#include "common/Error.h"
#include "common/Job.h"
#include "common/Parallel.h"
#include "io/GridCheck.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>

namespace lumen {

void checkSynthesisMetricOptions(const SynthesisMetricOptions& options) {
  if (!std::isfinite(options.lowHu) || !std::isfinite(options.highHu) ||
      options.lowHu >= options.highHu)
    throw InputError("the metrics' HU range must be two finite numbers, low below high (got " +
                     std::to_string(options.lowHu) + " to " + std::to_string(options.highHu) + ")");
  if (options.ssimWindow < 3 || options.ssimWindow > 31 || options.ssimWindow % 2 == 0)
    throw InputError("the SSIM window must be an odd number of voxels from 3 to 31 (got " +
                     std::to_string(options.ssimWindow) + ")");
  if (options.ssimBorder < 0 || options.ssimBorder > 64)
    throw InputError("the SSIM border crop must be 0-64 voxels (got " +
                     std::to_string(options.ssimBorder) + ")");
}

namespace {

// scipy.ndimage's "reflect" border (d c b a | a b c d | d c b a), for windows narrower than the
// axis.
inline int64_t reflect(int64_t i, int64_t n) {
  return i < 0 ? -i - 1 : (i >= n ? 2 * n - i - 1 : i);
}

// The five local means SSIM needs (x, y, x², y², xy) of one axial slice, averaged over the
// window's rows and columns (not yet over slices).
struct WindowPlane {
  std::vector<double> mean[5];
};

class SsimSlices {
public:
  SsimSlices(const FloatVolume& x, const FloatVolume& y, const Volume<uint8_t>& mask,
             const SynthesisMetricOptions& options)
      : x_(x), y_(y), mask_(mask), low_(options.lowHu), high_(options.highHu),
        radius_(options.ssimWindow / 2), w_(x.geometry.size[0]), h_(x.geometry.size[1]) {}

  // The value SSIM compares at one voxel: clipped, lowHu outside the mask, shifted to start at 0.
  double value(const FloatVolume& v, size_t at) const {
    if (!mask_.values[at])
      return 0;
    return std::clamp(double(v.values[at]), low_, high_) - low_;
  }

  void fill(int64_t z, WindowPlane& plane) const {
    const size_t pixels = size_t(w_ * h_);
    const int64_t window = 2 * radius_ + 1;
    std::vector<double> a(pixels), b(pixels);
    const size_t base = size_t(z) * pixels;
    for (size_t n = 0; n < pixels; ++n) {
      a[n] = value(x_, base + n);
      b[n] = value(y_, base + n);
    }
    std::vector<double> product(pixels), rows(pixels);
    for (int q = 0; q < 5; ++q) {
      for (size_t n = 0; n < pixels; ++n)
        product[n] = q == 0   ? a[n]
                     : q == 1 ? b[n]
                     : q == 2 ? a[n] * a[n]
                     : q == 3 ? b[n] * b[n]
                              : a[n] * b[n];
      for (int64_t j = 0; j < h_; ++j) {
        const double* row = product.data() + j * w_;
        for (int64_t i = 0; i < w_; ++i) {
          double sum = 0;
          for (int64_t d = -radius_; d <= radius_; ++d)
            sum += row[reflect(i + d, w_)];
          rows[size_t(j * w_ + i)] = sum;
        }
      }
      auto& out = plane.mean[q];
      out.assign(pixels, 0.0);
      for (int64_t j = 0; j < h_; ++j)
        for (int64_t d = -radius_; d <= radius_; ++d) {
          const double* src = rows.data() + reflect(j + d, h_) * w_;
          double* dst = out.data() + j * w_;
          for (int64_t i = 0; i < w_; ++i)
            dst[i] += src[i];
        }
      const double scale = 1.0 / double(window * window);
      for (double& v : out)
        v *= scale;
    }
  }

private:
  const FloatVolume& x_;
  const FloatVolume& y_;
  const Volume<uint8_t>& mask_;
  double low_, high_;
  int64_t radius_, w_, h_;
};

} // namespace

double maskedSsim3d(const FloatVolume& prediction, const FloatVolume& reference,
                    const Volume<uint8_t>& mask, const SynthesisMetricOptions& options,
                    int64_t* voxels, Job* job) {
  checkSynthesisMetricOptions(options);
  requireSameGrid(prediction.geometry, reference.geometry,
                  "the prediction is not on the reference's grid");
  requireSameGrid(mask.geometry, reference.geometry, "the mask is not on the reference's grid");
  const auto& size = reference.geometry.size;
  for (size_t d = 0; d < 3; ++d)
    if (size[d] < options.ssimWindow)
      throw InputError("SSIM needs at least " + std::to_string(options.ssimWindow) +
                       " voxels along every axis; axis " + std::string(1, "xyz"[d]) + " has " +
                       std::to_string(size[d]));
  const int64_t radius = options.ssimWindow / 2, border = options.ssimBorder;
  const int64_t w = size[0], h = size[1], depth = size[2];
  const int64_t zBegin = border, zEnd = depth - border;
  if (zBegin >= zEnd || 2 * border >= w || 2 * border >= h)
    throw InputError("the volume is too small for SSIM's " + std::to_string(border) +
                     "-voxel border crop");

  // Chunks of output slices; each keeps the window's planes in a ring and slides it.
  constexpr int64_t kSlicesPerChunk = 24;
  const int64_t chunks = (zEnd - zBegin + kSlicesPerChunk - 1) / kSlicesPerChunk;
  const double window3 = double(options.ssimWindow) * options.ssimWindow * options.ssimWindow;
  const double covarianceNorm = window3 / (window3 - 1); // skimage's use_sample_covariance
  const double range = options.highHu - options.lowHu;
  const double c1 = (0.01 * range) * (0.01 * range), c2 = (0.03 * range) * (0.03 * range);
  const SsimSlices slices(prediction, reference, mask, options);
  std::mutex sumMutex;
  double total = 0;
  int64_t counted = 0;
  parallelFor(
      size_t(chunks), options.threads,
      [&](size_t chunk) {
        const int64_t z0 = zBegin + int64_t(chunk) * kSlicesPerChunk;
        const int64_t z1 = std::min(zEnd, z0 + kSlicesPerChunk);
        const int64_t ringSize = 2 * radius + 1;
        std::vector<WindowPlane> ring(static_cast<size_t>(ringSize));
        std::vector<int64_t> held(static_cast<size_t>(ringSize), -1);
        auto planeOf = [&](int64_t source) -> const WindowPlane& {
          const size_t slot = size_t(source % ringSize);
          if (held[slot] != source) {
            slices.fill(source, ring[slot]);
            held[slot] = source;
          }
          return ring[slot];
        };
        const size_t pixels = size_t(w * h);
        std::vector<double> m[5];
        for (auto& v : m)
          v.resize(pixels);
        double sum = 0;
        int64_t count = 0;
        for (int64_t z = z0; z < z1; ++z) {
          for (auto& v : m)
            std::fill(v.begin(), v.end(), 0.0);
          // The window's real slices form one contiguous range, so a ring of 2r + 1 holds them.
          for (int64_t d = -radius; d <= radius; ++d) {
            const WindowPlane& plane = planeOf(reflect(z + d, depth));
            for (int q = 0; q < 5; ++q)
              for (size_t n = 0; n < pixels; ++n)
                m[q][n] += plane.mean[q][n];
          }
          const double scale = 1.0 / double(2 * radius + 1);
          const uint8_t* inMask = mask.values.data() + size_t(z) * pixels;
          for (int64_t j = border; j < h - border; ++j)
            for (int64_t i = border; i < w - border; ++i) {
              const size_t n = size_t(j * w + i);
              if (!inMask[n])
                continue;
              const double ux = m[0][n] * scale, uy = m[1][n] * scale;
              const double vx = covarianceNorm * (m[2][n] * scale - ux * ux);
              const double vy = covarianceNorm * (m[3][n] * scale - uy * uy);
              const double vxy = covarianceNorm * (m[4][n] * scale - ux * uy);
              sum += ((2 * ux * uy + c1) * (2 * vxy + c2)) /
                     ((ux * ux + uy * uy + c1) * (vx + vy + c2));
              ++count;
            }
        }
        {
          std::lock_guard lock(sumMutex);
          total += sum;
          counted += count;
        }
      },
      job);
  if (counted == 0)
    throw InputError("the mask has no voxel " + std::to_string(border) +
                     " or more voxels from the borders, where SSIM is averaged");
  if (voxels)
    *voxels = counted;
  return total / double(counted);
}

SynthesisScores scoreSynthesis(const FloatVolume& prediction, const FloatVolume& reference,
                               const Volume<uint8_t>& mask, const Volume<uint8_t>* vessels,
                               const SynthesisMetricOptions& options, Job* job) {
  checkSynthesisMetricOptions(options);
  requireSameGrid(prediction.geometry, reference.geometry,
                  "the prediction is not on the reference's grid");
  requireSameGrid(mask.geometry, reference.geometry, "the mask is not on the reference's grid");
  if (vessels)
    requireSameGrid(vessels->geometry, reference.geometry,
                    "the vessel mask is not on the reference's grid");
  SynthesisScores scores;
  double absolute = 0, squared = 0, vesselAbsolute = 0;
  for (size_t n = 0; n < reference.values.size(); ++n) {
    if (!mask.values[n])
      continue;
    const double p = prediction.values[n], r = reference.values[n];
    absolute += std::abs(p - r);
    const double clipped =
        std::clamp(p, options.lowHu, options.highHu) - std::clamp(r, options.lowHu, options.highHu);
    squared += clipped * clipped;
    ++scores.maskVoxels;
    if (vessels && vessels->values[n]) {
      vesselAbsolute += std::abs(p - r);
      ++scores.vesselVoxels;
    }
  }
  if (scores.maskVoxels == 0)
    throw InputError("the body mask is empty: there is no voxel to score");
  const double voxels = double(scores.maskVoxels);
  scores.maeHu = absolute / voxels;
  const double range = options.highHu - options.lowHu;
  scores.psnrDb = squared == 0 ? std::numeric_limits<double>::infinity()
                               : 10.0 * std::log10(range * range / (squared / voxels));
  scores.vesselMaeHu = scores.vesselVoxels ? vesselAbsolute / double(scores.vesselVoxels)
                                           : std::numeric_limits<double>::quiet_NaN();
  scores.ssim = maskedSsim3d(prediction, reference, mask, options, &scores.ssimVoxels, job);
  return scores;
}

} // namespace lumen
