#include "events/EventScoring.h"

#include "common/Error.h"

#include <algorithm>
#include <cmath>

namespace lumen {

std::vector<float> scoreEventsOnGrid(const EventArray& events, size_t begin, size_t end,
                                     const VoxelGrid& noisy, const VoxelGrid& denoised,
                                     const VoxelOptions& options) {
  if (noisy.bins != denoised.bins || noisy.height != denoised.height ||
      noisy.width != denoised.width || noisy.values.size() != denoised.values.size())
    throw InputError("the denoised grid's shape differs from the noisy grid's");
  end = std::min(end, events.size());
  begin = std::min(begin, end);
  std::vector<float> scores(end - begin, 0.0f);
  if (noisy.bins < 1)
    return scores;
  const int64_t span = std::max<int64_t>(1, noisy.tEnd - noisy.tStart);
  const int lastBin = noisy.bins - 1;
  const size_t plane = size_t(noisy.width) * size_t(noisy.height);
  for (size_t i = begin; i < end; ++i) {
    if (events.x[i] >= noisy.width || events.y[i] >= noisy.height)
      throw InputError("event " + std::to_string(i) + " lies outside the " +
                       std::to_string(noisy.width) + "x" + std::to_string(noisy.height) + " grid");
    const size_t pixel = size_t(events.y[i]) * size_t(noisy.width) + events.x[i];
    const double elapsed = double(events.t[i] - noisy.tStart);
    int b0 = 0;
    double w1 = 0; // the weight of bin b0 + 1
    if (options.hard) {
      b0 = int(std::clamp(std::floor(elapsed * noisy.bins / double(span)), 0.0, double(lastBin)));
    } else {
      const double tn = std::clamp(elapsed * lastBin / double(span), 0.0, double(lastBin));
      b0 = int(tn);
      w1 = b0 < lastBin ? tn - b0 : 0.0;
    }
    const double w0 = 1.0 - w1;
    auto read = [&](const VoxelGrid& grid) {
      double value = w0 * grid.values[size_t(b0) * plane + pixel];
      if (w1 > 0)
        value += w1 * grid.values[size_t(b0 + 1) * plane + pixel];
      return value;
    };
    const double p = events.p[i] > 0 ? 1.0 : -1.0;
    const double own = w0 * w0 + w1 * w1;
    const double kept = p * read(denoised), present = std::max(p * read(noisy), own);
    const double score = kept / present;
    scores[i - begin] = std::isfinite(score) ? float(score) : 0.0f;
  }
  return scores;
}

} // namespace lumen
