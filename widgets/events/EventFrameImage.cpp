#include "events/EventFrameImage.h"

#include <algorithm>
#include <vector>

namespace lumen {

QImage accumulateEventFrame(const EventArray& events, int64_t t0, int64_t t1) {
  const int w = events.sensor.width, h = events.sensor.height;
  if (w <= 0 || h <= 0)
    return {};
  std::vector<int> net(size_t(w) * h, 0);
  const size_t begin = events.lowerBound(t0), end = events.lowerBound(t1);
  for (size_t i = begin; i < end; ++i)
    net[size_t(events.y[i]) * w + events.x[i]] += events.p[i] > 0 ? 1 : -1;

  QImage image(w, h, QImage::Format_RGB32);
  image.fill(QColor(128, 128, 128));
  for (int y = 0; y < h; ++y) {
    auto* row = reinterpret_cast<QRgb*>(image.scanLine(y));
    for (int x = 0; x < w; ++x) {
      const int n = net[size_t(y) * w + x];
      if (n == 0)
        continue;
      // One event is already clearly coloured; more saturate within a few.
      const int strength = 150 + std::min(105, (std::abs(n) - 1) * 35);
      row[x] = n > 0 ? qRgb(strength, 30, 30) : qRgb(30, 60, strength);
    }
  }
  return image;
}

} // namespace lumen
