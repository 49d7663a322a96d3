// The GUI's QApplication with a last line of defence: every event handler and slot runs inside
// notify(), so an exception that escaped one (a bug) is caught there, logged and shown in the
// status bar instead of terminating the process and every training running in it. Code that
// can fail reports its own errors; this only keeps a missed one from taking the session down.
#pragma once
#include <QApplication>

namespace lumen {

class LumenApplication : public QApplication {
  Q_OBJECT
public:
  LumenApplication(int& argc, char** argv) : QApplication(argc, argv) {}
  bool notify(QObject* receiver, QEvent* event) override;

Q_SIGNALS:
  void unexpectedError(const QString& message);
};

} // namespace lumen
