// A 2D accumulated event frame for the window [t, t + window), with playback: Play advances t by
// one window per tick and wraps at the end of the recording.
#pragma once
#include "events/EventArray.h"

#include <QImage>
#include <QWidget>
#include <memory>

class QLabel;
class QPushButton;
class QSpinBox;
class QTimer;

namespace lumen {

class EventFrameView : public QWidget {
  Q_OBJECT
public:
  explicit EventFrameView(QWidget* parent = nullptr);

  void setEvents(std::shared_ptr<const EventArray> events);
  void setTime(int64_t t);
  int64_t time() const { return t_; }
  int64_t windowUs() const;
  void setWindowUs(int64_t windowUs);

  void setPlaying(bool playing);
  bool isPlaying() const;
  // One playback step (what the timer does).
  void step();

  const QImage& image() const { return image_; }
  QPushButton* playButton() const { return play_; }

Q_SIGNALS:
  // The shown window changed (time or length).
  void windowChanged(int64_t t0, int64_t t1);

private:
  void redraw();

  std::shared_ptr<const EventArray> events_;
  int64_t t_ = 0;
  QImage image_;
  QLabel* canvas_;
  QLabel* timeLabel_;
  QPushButton* play_;
  QSpinBox* window_;
  QTimer* timer_;
};

} // namespace lumen
