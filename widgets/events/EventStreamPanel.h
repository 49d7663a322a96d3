// One stream slot of the Events workspace ("noisy", "denoised" or "clean"): an Open button, the
// stream's statistics and its 3D cloud. Files load on a worker thread; the panel emits loaded()
// on the UI thread when the stream is ready.
#pragma once
#include "events/LoadedStream.h"

#include <QFutureWatcher>
#include <QWidget>
#include <memory>

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
  // Starts loading an E1 event file; replaces the current stream when done.
  void load(const QString& path);
  bool isLoading() const;
  const LoadedStream& stream() const { return stream_; }
  bool hasStream() const { return stream_.ok(); }

  EventCloudView* cloud() const { return cloud_; }
  QLabel* statsLabel() const { return stats_; }
  QPushButton* openButton() const { return open_; }

Q_SIGNALS:
  void loaded(const QString& path);
  void loadFailed(const QString& path, const QString& error);
  // The user asked to open a file into this slot.
  void openRequested();

private:
  void finishLoad();

  QString role_;
  LoadedStream stream_;
  QLabel* title_;
  QLabel* stats_;
  QPushButton* open_;
  EventCloudView* cloud_;
  std::unique_ptr<QFutureWatcher<LoadedStream>> watcher_;
};

// "12,345 events · 96 × 64 · 100.0 ms · 6,000 + / 6,345 − · 123.4 k ev/s" as rich text.
QString formatEventStats(const EventStats& stats);

} // namespace lumen
