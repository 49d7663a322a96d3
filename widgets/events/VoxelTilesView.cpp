#include "events/VoxelTilesView.h"

#include "events/VoxelGrid.h"

#include <QPainter>
#include <algorithm>
#include <cmath>

namespace lumen {

VoxelTilesView::VoxelTilesView(QWidget* parent) : QWidget(parent) {
  setMinimumHeight(60);
  setToolTip(tr("Voxel grid of the frame window: one tile per temporal bin "
                "(blue negative, white zero, red positive)"));
}

void VoxelTilesView::setBins(int bins) {
  bins_ = std::max(1, bins);
}

void VoxelTilesView::clear() {
  tiles_.clear();
  update();
}

void VoxelTilesView::setWindow(const EventArray& events, int64_t t0, int64_t t1) {
  tiles_.clear();
  if (!events.sensor.valid() || t1 <= t0) {
    update();
    return;
  }
  VoxelOptions options;
  options.bins = bins_;
  const VoxelGrid grid =
      encodeVoxelGrid(events, events.lowerBound(t0), events.lowerBound(t1), t0, t1, options);
  float scale = 0.f;
  for (float v : grid.values)
    scale = std::max(scale, std::abs(v));
  // Saturating at half the peak keeps single events visible next to hot pixels.
  scale = scale > 0.f ? 0.5f * scale : 1.f;
  for (int b = 0; b < grid.bins; ++b) {
    QImage tile(grid.width, grid.height, QImage::Format_RGB32);
    for (int y = 0; y < grid.height; ++y) {
      auto* row = reinterpret_cast<QRgb*>(tile.scanLine(y));
      for (int x = 0; x < grid.width; ++x) {
        const float v = std::clamp(grid.at(b, y, x) / scale, -1.f, 1.f);
        const int fade = int(255.f * (1.f - std::abs(v)));
        row[x] = v >= 0 ? qRgb(255, fade, fade) : qRgb(fade, fade, 255);
      }
    }
    tiles_.push_back(std::move(tile));
  }
  update();
}

void VoxelTilesView::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  if (tiles_.empty())
    return;
  const int n = int(tiles_.size()), gap = 4;
  const QSize tileSize = tiles_.front().size();
  const double tileW = double(width() - gap * (n - 1)) / n;
  const double s = std::min(tileW / tileSize.width(), double(height()) / tileSize.height());
  const int w = int(tileSize.width() * s), h = int(tileSize.height() * s);
  for (int b = 0; b < n; ++b) {
    const QRect target(b * (w + gap), 0, w, h);
    painter.drawImage(target, tiles_[size_t(b)]);
    painter.setPen(palette().color(QPalette::Mid));
    painter.drawRect(target.adjusted(0, 0, -1, -1));
  }
}

} // namespace lumen
