// The voxel grid of the current window as a row of B small images, one per temporal
// bin, on a diverging scale: negative blue, zero white, positive red, shared across bins so
// bins can be compared.
#pragma once
#include "events/EventArray.h"

#include <QImage>
#include <QWidget>
#include <vector>

namespace lumen {

class VoxelTilesView : public QWidget {
  Q_OBJECT
public:
  explicit VoxelTilesView(QWidget* parent = nullptr);

  void setBins(int bins);
  int bins() const { return bins_; }
  // Encodes the events with t0 <= t < t1 (window-anchored, bilinear) and shows the bins.
  void setWindow(const EventArray& events, int64_t t0, int64_t t1);
  void clear();

  const std::vector<QImage>& tiles() const { return tiles_; }

protected:
  void paintEvent(QPaintEvent* event) override;

private:
  int bins_ = 8;
  std::vector<QImage> tiles_;
};

} // namespace lumen
