#include "segment/ObjectIntensity.h"

#include <algorithm>
#include <cmath>

namespace lumen {

ObjectIntensity objectIntensity(const CtVolume& image, const std::vector<PromptPoint>& points,
                                double minimumHalfWidthHu) {
  const ImageGeometry& g = image.geometry;
  double sum = 0, sumSquares = 0;
  size_t n = 0;
  for (const auto& p : points) {
    if (!p.positive)
      continue;
    for (int64_t dy = -2; dy <= 2; ++dy)
      for (int64_t dx = -2; dx <= 2; ++dx) {
        const int64_t x = p.ijk[0] + dx, y = p.ijk[1] + dy;
        if (!g.contains(x, y, p.ijk[2]))
          continue;
        const double v = image.at(x, y, p.ijk[2]);
        sum += v;
        sumSquares += v * v;
        ++n;
      }
  }
  ObjectIntensity out;
  out.mean = sum / double(std::max<size_t>(n, 1));
  const double sd =
      std::sqrt(std::max(0.0, sumSquares / double(std::max<size_t>(n, 1)) - out.mean * out.mean));
  out.halfWidth = std::max(3 * sd, minimumHalfWidthHu);
  return out;
}

} // namespace lumen
