#include "events/EventFrameView.h"

#include "events/EventFrameImage.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

namespace lumen {
namespace {

// Scales the frame to the label keeping its aspect ratio; sensors are tiny next to a screen.
class FrameLabel : public QLabel {
public:
  using QLabel::QLabel;
  void setFrame(const QImage& image) {
    frame_ = image;
    rescale();
  }

protected:
  void resizeEvent(QResizeEvent* event) override {
    QLabel::resizeEvent(event);
    rescale();
  }

private:
  void rescale() {
    if (frame_.isNull()) {
      clear();
      return;
    }
    // Nearest-neighbour keeps single events as crisp squares.
    setPixmap(
        QPixmap::fromImage(frame_.scaled(size(), Qt::KeepAspectRatio, Qt::FastTransformation)));
  }
  QImage frame_;
};

} // namespace

EventFrameView::EventFrameView(QWidget* parent)
    : QWidget(parent), canvas_(new FrameLabel(this)), timeLabel_(new QLabel(this)),
      play_(new QPushButton(tr("Play"), this)), window_(new QSpinBox(this)),
      timer_(new QTimer(this)) {
  canvas_->setAlignment(Qt::AlignCenter);
  canvas_->setMinimumSize(160, 120);
  canvas_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
  window_->setRange(1, 1000);
  window_->setValue(20);
  window_->setSuffix(tr(" ms"));
  window_->setToolTip(tr("Length of the accumulated window"));
  play_->setCheckable(true);
  timer_->setInterval(80);

  auto* controls = new QHBoxLayout;
  controls->addWidget(play_);
  controls->addWidget(new QLabel(tr("Window"), this));
  controls->addWidget(window_);
  controls->addWidget(timeLabel_, 1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(canvas_, 1);
  layout->addLayout(controls);

  connect(play_, &QPushButton::toggled, this, &EventFrameView::setPlaying);
  connect(timer_, &QTimer::timeout, this, &EventFrameView::step);
  connect(window_, qOverload<int>(&QSpinBox::valueChanged), this, [this] { redraw(); });
}

void EventFrameView::setEvents(std::shared_ptr<const EventArray> events) {
  events_ = std::move(events);
  t_ = events_ && !events_->empty() ? events_->t.front() : 0;
  redraw();
}

void EventFrameView::setTime(int64_t t) {
  t_ = t;
  redraw();
}

int64_t EventFrameView::windowUs() const {
  return int64_t(window_->value()) * 1000;
}

void EventFrameView::setWindowUs(int64_t windowUs) {
  window_->setValue(int(windowUs / 1000));
}

void EventFrameView::setPlaying(bool playing) {
  if (play_->isChecked() != playing)
    play_->setChecked(playing); // re-enters through toggled
  play_->setText(playing ? tr("Pause") : tr("Play"));
  if (playing)
    timer_->start();
  else
    timer_->stop();
}

bool EventFrameView::isPlaying() const {
  return timer_->isActive();
}

void EventFrameView::step() {
  if (!events_ || events_->empty())
    return;
  int64_t next = t_ + windowUs();
  if (next > events_->t.back())
    next = events_->t.front();
  setTime(next);
}

void EventFrameView::redraw() {
  const int64_t t1 = t_ + windowUs();
  image_ = events_ ? accumulateEventFrame(*events_, t_, t1) : QImage();
  static_cast<FrameLabel*>(canvas_)->setFrame(image_);
  if (events_ && !events_->empty())
    timeLabel_->setText(tr("%1 – %2 ms")
                            .arg(double(t_ - events_->t.front()) / 1000.0, 0, 'f', 1)
                            .arg(double(t1 - events_->t.front()) / 1000.0, 0, 'f', 1));
  else
    timeLabel_->clear();
  Q_EMIT windowChanged(t_, t1);
}

} // namespace lumen
