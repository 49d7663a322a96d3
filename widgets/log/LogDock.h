// The Log dock: the records of core's logger as they happen, coloured by level and filtered by
// a minimum level. Records may be logged from any thread; they are queued and shown on the UI
// thread in batches, so a chatty worker cannot flood the event loop.
#pragma once
#include "common/Log.h"

#include <QDockWidget>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

class QComboBox;
class QPlainTextEdit;

namespace lumen {

class LogDock : public QDockWidget {
  Q_OBJECT
public:
  static constexpr int kMaxLines = 10000;

  // Registers a sink with lumen::logger() for the dock's lifetime.
  explicit LogDock(QWidget* parent = nullptr);
  ~LogDock() override;

  // Records below this level are kept but hidden; changing it re-shows what is kept.
  void setLevel(LogLevel level);
  LogLevel level() const { return level_; }
  void clear();

  QPlainTextEdit* textEdit() const { return text_; }
  // The text shown, one line per record.
  QString plainText() const;

private:
  void receive(const LogRecord& record); // any thread
  void drainPending();                   // UI thread
  void display(const LogRecord& record);
  void reshow();

  std::shared_ptr<CallbackLogSink> sink_;
  std::mutex pendingMutex_;
  std::vector<LogRecord> pending_;
  std::deque<LogRecord> kept_; // the last kMaxLines records of any level
  LogLevel level_ = LogLevel::Info;
  QComboBox* levelBox_;
  QPlainTextEdit* text_;
};

} // namespace lumen
