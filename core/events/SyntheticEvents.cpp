#include "events/SyntheticEvents.h"

#include "common/Error.h"
#include "common/Job.h"
#include "events/EventFile.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>

namespace lumen {
namespace {

struct Shape {
  double cx, cy, vx, vy; // pixels, pixels per second
  double rx, ry;         // half sizes
  double contrast;       // multiplies the background inside the shape
  bool bar;              // a rectangle instead of an ellipse
};

// The DVS pixel array: per-pixel reference level, threshold and refractory state.
class PixelArray {
public:
  PixelArray(int width, int height, double threshold, double sigma, int64_t refractory,
             std::mt19937_64& rng)
      : width_(width), reference_(size_t(width) * height), threshold_(reference_.size()),
        lastEvent_(reference_.size(), INT64_MIN / 2), refractory_(refractory) {
    std::normal_distribution<double> jitter(threshold, sigma);
    for (auto& c : threshold_)
      c = std::max(0.05, jitter(rng));
  }
  void reset(const std::vector<double>& logIntensity) { reference_ = logIntensity; }
  // Emits the events of the change from `previous` (at t0) to `current` (at t1).
  void step(const std::vector<double>& previous, const std::vector<double>& current, int64_t t0,
            int64_t t1, EventArray& out, uint8_t label) {
    for (size_t i = 0; i < current.size(); ++i) {
      const double now = current[i];
      if (now == previous[i] && std::abs(now - reference_[i]) < threshold_[i])
        continue;
      double& ref = reference_[i];
      const double c = threshold_[i];
      while (std::abs(now - ref) >= c) {
        const int polarity = now > ref ? 1 : -1;
        const double level = ref + polarity * c;
        // Linear interpolation of the crossing time inside the step.
        const double span = now - previous[i];
        const double fraction =
            span != 0 ? std::clamp((level - previous[i]) / span, 0.0, 1.0) : 1.0;
        const int64_t t = t0 + int64_t(std::llround(fraction * double(t1 - t0)));
        ref = level;
        if (t - lastEvent_[i] < refractory_)
          continue; // the pixel is still recovering: the change is absorbed without an event
        lastEvent_[i] = t;
        out.push(t, int(i % size_t(width_)), int(i / size_t(width_)), polarity, label);
      }
    }
  }

private:
  int width_;
  std::vector<double> reference_, threshold_;
  std::vector<int64_t> lastEvent_;
  int64_t refractory_;
};

} // namespace

SyntheticEventPair makeSyntheticEventPair(const SyntheticEventConfig& config, uint64_t seed) {
  if (config.width < 8 || config.height < 8 || config.width > 4096 || config.height > 4096)
    throw InputError("synthetic sensor size must be between 8x8 and 4096x4096");
  if (config.durationUs <= 0 || config.stepUs <= 0)
    throw InputError("synthetic duration and step must be positive");
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  const int W = config.width, H = config.height;
  const size_t N = size_t(W) * size_t(H);

  // A static textured background (sums of random sinusoids), intensity in [0.2, 0.8].
  std::vector<double> background(N);
  double fx[3], fy[3], phase[3];
  for (int k = 0; k < 3; ++k) {
    fx[k] = (0.5 + 3.0 * uniform(rng)) * 2 * M_PI / W;
    fy[k] = (0.5 + 3.0 * uniform(rng)) * 2 * M_PI / H;
    phase[k] = 2 * M_PI * uniform(rng);
  }
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      double v = 0;
      for (int k = 0; k < 3; ++k)
        v += std::sin(fx[k] * x + fy[k] * y + phase[k]);
      background[size_t(y) * W + x] = 0.5 + 0.1 * v;
    }
  std::vector<Shape> shapes(size_t(std::max(0, config.shapes)));
  for (auto& s : shapes) {
    s.cx = W * uniform(rng);
    s.cy = H * uniform(rng);
    const double speed = (0.5 + 1.5 * uniform(rng)) * W; // crosses the sensor in 0.5-2 s
    const double angle = 2 * M_PI * uniform(rng);
    s.vx = speed * std::cos(angle);
    s.vy = speed * std::sin(angle);
    s.rx = (0.04 + 0.08 * uniform(rng)) * W;
    s.ry = (0.04 + 0.08 * uniform(rng)) * H;
    s.contrast = uniform(rng) < 0.5 ? 0.25 + 0.3 * uniform(rng) : 1.6 + 0.8 * uniform(rng);
    s.bar = uniform(rng) < 0.4;
  }
  // The flare: a disc whose brightness flickers between off and a strong glare.
  const double flareX = W * (0.2 + 0.6 * uniform(rng)), flareY = H * (0.2 + 0.6 * uniform(rng));
  const double flareR = std::min(W, H) * (0.05 + 0.05 * uniform(rng));
  const double flarePhase = 2 * M_PI * uniform(rng);

  auto sceneAt = [&](double seconds, std::vector<double>& logI) {
    std::vector<double> intensity = background;
    for (const auto& s : shapes) {
      const double cx = s.cx + s.vx * seconds, cy = s.cy + s.vy * seconds;
      const int x0 = std::max(0, int(cx - s.rx - 2)), x1 = std::min(W - 1, int(cx + s.rx + 2));
      const int y0 = std::max(0, int(cy - s.ry - 2)), y1 = std::min(H - 1, int(cy + s.ry + 2));
      for (int y = y0; y <= y1; ++y)
        for (int x = x0; x <= x1; ++x) {
          const double dx = (x - cx) / s.rx, dy = (y - cy) / s.ry;
          // A soft edge one pixel wide, so edges sweep through intermediate levels.
          const double d =
              s.bar ? std::max(std::abs(dx), std::abs(dy)) : std::sqrt(dx * dx + dy * dy);
          const double edge = std::clamp((1.0 - d) * std::min(s.rx, s.ry), 0.0, 1.0);
          auto& v = intensity[size_t(y) * W + x];
          v *= 1.0 + (s.contrast - 1.0) * edge;
        }
    }
    for (size_t i = 0; i < N; ++i)
      logI[i] = std::log(std::clamp(intensity[i], 0.01, 4.0));
  };
  auto flareAt = [&](double seconds, std::vector<double>& logI) {
    const double glare = 0.5 + 0.5 * std::sin(2 * M_PI * config.flareHz * seconds + flarePhase);
    const int x0 = std::max(0, int(flareX - flareR)), x1 = std::min(W - 1, int(flareX + flareR));
    const int y0 = std::max(0, int(flareY - flareR)), y1 = std::min(H - 1, int(flareY + flareR));
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) {
        const double r = std::hypot(x - flareX, y - flareY) / flareR;
        if (r <= 1.0)
          logI[size_t(y) * W + x] = std::log(0.3 + 1.2 * glare * (1.0 - r * r));
      }
  };

  SyntheticEventPair pair;
  pair.clean.sensor = pair.noisy.sensor = {W, H};
  PixelArray scenePixels(W, H, config.threshold, config.thresholdSigma, config.refractoryUs, rng);
  PixelArray flarePixels(W, H, config.threshold, config.thresholdSigma, config.refractoryUs, rng);
  std::vector<double> previous(N), current(N), flarePrevious(N, 0.0), flareCurrent(N, 0.0);
  sceneAt(0.0, previous);
  scenePixels.reset(previous);
  if (config.flare) {
    flareAt(0.0, flarePrevious);
    flarePixels.reset(flarePrevious);
  }
  EventArray scene, noise;
  scene.sensor = noise.sensor = {W, H};
  for (int64_t t = config.stepUs; t <= config.durationUs; t += config.stepUs) {
    sceneAt(double(t) * 1e-6, current);
    scenePixels.step(previous, current, t - config.stepUs, t, scene, 1);
    std::swap(previous, current);
    if (config.flare) {
      flareAt(double(t) * 1e-6, flareCurrent);
      flarePixels.step(flarePrevious, flareCurrent, t - config.stepUs, t, noise, 0);
      std::swap(flarePrevious, flareCurrent);
    }
  }
  // Background activity: Poisson events at random pixels and times, random polarity.
  const double seconds = double(config.durationUs) * 1e-6;
  std::poisson_distribution<int64_t> count(config.backgroundHz * double(N) * seconds);
  const int64_t activity = count(rng);
  for (int64_t k = 0; k < activity; ++k)
    noise.push(int64_t(uniform(rng) * double(config.durationUs)), int(uniform(rng) * W) % W,
               int(uniform(rng) * H) % H, uniform(rng) < 0.5 ? 1 : -1, 0);
  // Hot pixels: a few pixels firing far above the rest.
  for (int k = 0; k < config.hotPixels; ++k) {
    const int x = int(uniform(rng) * W) % W, y = int(uniform(rng) * H) % H;
    std::exponential_distribution<double> gap(config.hotPixelHz);
    for (double s = gap(rng); s < seconds; s += gap(rng))
      noise.push(int64_t(s * 1e6), x, y, uniform(rng) < 0.7 ? 1 : -1, 0);
  }
  scene.sortByTime();
  pair.clean = scene;
  pair.clean.label.clear();
  pair.noisy = scene;
  pair.noisy.append(noise);
  pair.noisy.sensor = {W, H};
  pair.noisy.sortByTime();
  return pair;
}

uint64_t writeSyntheticEventDataset(const std::string& outDir, int files, uint64_t seed,
                                    const SyntheticEventConfig& config, Job* job) {
  if (files < 1)
    throw InputError("--files must be at least 1");
  namespace fs = std::filesystem;
  const fs::path noisyDir = fs::path(outDir) / kNoisyFolder;
  const fs::path cleanDir = fs::path(outDir) / kCleanFolder;
  fs::create_directories(noisyDir);
  fs::create_directories(cleanDir);
  uint64_t written = 0;
  for (int k = 0; k < files; ++k) {
    if (job) {
      job->checkCancelled();
      job->setProgress(double(k) / files,
                       "pair " + std::to_string(k + 1) + "/" + std::to_string(files));
    }
    const auto pair = makeSyntheticEventPair(config, seed * 7919 + uint64_t(k));
    char name[32];
    std::snprintf(name, sizeof name, "scene_%04d.h5", k);
    writeEventFile((noisyDir / name).string(), pair.noisy);
    writeEventFile((cleanDir / name).string(), pair.clean);
    written += pair.noisy.size() + pair.clean.size();
  }
  return written;
}

} // namespace lumen
