// One stream slot of the Events workspace ("noisy", "denoised" or "clean"): an Open button, the
// stream's statistics and its 3D cloud. A view of one slot of the EventsSession: the workspace
// tells it what the slot holds (or is loading, or why it failed); loading is the session's job.
#pragma once
#include "events/EventsSession.h"

#include <QWidget>

class QLabel;
class QPushButton;

namespace lumen {

class EventCloudView;

class EventStreamPanel : public QWidget {
  Q_OBJECT
public:
  EventStreamPanel(const QString& role, QWidget* parent = nullptr);
  ~EventStreamPanel() override;

  const QString& role() const { return role_; }
  // What the slot shows: a stream (null: none), a file being loaded, or a failed load.
  void showStream(const EventStream* stream);
  void showLoading(const QString& path);
  void showError(const QString& path, const QString& error);
  // The stream shown (empty path and null events when none).
  const EventStream& stream() const { return stream_; }
  bool hasStream() const { return stream_.events != nullptr; }

  EventCloudView* cloud() const { return cloud_; }
  QLabel* statsLabel() const { return stats_; }
  QPushButton* openButton() const { return open_; }

Q_SIGNALS:
  // The user asked to open a file into this slot.
  void openRequested();

private:
  QString role_;
  EventStream stream_;
  QLabel* title_;
  QLabel* stats_;
  QPushButton* open_;
  EventCloudView* cloud_;
};

// "12,345 events · 96 × 64 · 100.0 ms · 6,000 + / 6,345 − · 123.4 k ev/s" as rich text.
QString formatEventStats(const EventStats& stats);

} // namespace lumen
