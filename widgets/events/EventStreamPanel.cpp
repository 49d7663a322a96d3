#include "events/EventStreamPanel.h"

#include "events/EventCloudView.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>

namespace lumen {

QString formatEventStats(const EventStats& stats) {
  // Digit grouping makes millions readable; English keeps it independent of the system locale.
  const QLocale english(QLocale::English);
  const auto count = [&](uint64_t n) { return english.toString(qulonglong(n)); };
  const double rate = stats.eventsPerSecond();
  const QString rateText = rate >= 1e6   ? QStringLiteral("%1 M").arg(rate / 1e6, 0, 'f', 2)
                           : rate >= 1e3 ? QStringLiteral("%1 k").arg(rate / 1e3, 0, 'f', 1)
                                         : QString::number(rate, 'f', 0) + " ";
  return QObject::tr("<b>%1</b> events &nbsp;·&nbsp; %2 × %3 px &nbsp;·&nbsp; %4 ms<br>"
                     "<span style='color:#e0603a'>%5 positive</span> / "
                     "<span style='color:#4a7fe0'>%6 negative</span> &nbsp;·&nbsp; %7ev/s")
      .arg(count(stats.numEvents))
      .arg(stats.sensor.width)
      .arg(stats.sensor.height)
      .arg(stats.durationSeconds() * 1e3, 0, 'f', 1)
      .arg(count(stats.numPositive), count(stats.numNegative), rateText);
}

EventStreamPanel::EventStreamPanel(const QString& role, QWidget* parent)
    : QWidget(parent), role_(role), title_(new QLabel(this)), stats_(new QLabel(this)),
      open_(new QPushButton(tr("Open…"), this)), cloud_(new EventCloudView(this)) {
  title_->setText(QStringLiteral("<b>%1</b>").arg(role.toHtmlEscaped()));
  title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  open_->setToolTip(tr("Open an event recording as the %1 stream").arg(role));
  stats_->setTextFormat(Qt::RichText);
  stats_->setWordWrap(true);
  stats_->setText(tr("<i>No %1 stream</i>").arg(role.toHtmlEscaped()));
  stats_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* header = new QHBoxLayout;
  header->addWidget(title_, 1);
  header->addWidget(open_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addLayout(header);
  layout->addWidget(stats_);
  layout->addWidget(cloud_, 1);

  connect(open_, &QPushButton::clicked, this, &EventStreamPanel::openRequested);
}

EventStreamPanel::~EventStreamPanel() = default;

void EventStreamPanel::showLoading(const QString& path) {
  title_->setText(QStringLiteral("<b>%1</b> &nbsp;%2 <i>(loading…)</i>")
                      .arg(role_.toHtmlEscaped(), QFileInfo(path).fileName().toHtmlEscaped()));
}

void EventStreamPanel::showError(const QString& path, const QString& error) {
  title_->setText(QStringLiteral("<b>%1</b> &nbsp;%2")
                      .arg(role_.toHtmlEscaped(), QFileInfo(path).fileName().toHtmlEscaped()));
  stats_->setText(
      QStringLiteral("<span style='color:#d04040'>%1</span>").arg(error.toHtmlEscaped()));
}

void EventStreamPanel::showStream(const EventStream* stream) {
  stream_ = stream ? *stream : EventStream{};
  if (!stream) {
    title_->setText(QStringLiteral("<b>%1</b>").arg(role_.toHtmlEscaped()));
    stats_->setText(tr("<i>No %1 stream</i>").arg(role_.toHtmlEscaped()));
    return;
  }
  const QString path = QString::fromStdString(stream_.path);
  title_->setText(QStringLiteral("<b>%1</b> &nbsp;%2")
                      .arg(role_.toHtmlEscaped(), QFileInfo(path).fileName().toHtmlEscaped()));
  title_->setToolTip(path);
  stats_->setText(formatEventStats(stream_.stats));
}

} // namespace lumen
