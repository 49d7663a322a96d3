#include "LumenApplication.h"

#include "common/Log.h"

namespace lumen {

bool LumenApplication::notify(QObject* receiver, QEvent* event) {
  QString message;
  try {
    return QApplication::notify(receiver, event);
  } catch (const std::exception& e) {
    message = QString::fromUtf8(e.what());
  } catch (...) {
    message = QStringLiteral("unknown error");
  }
  logError("unexpected error in the user interface: ", message.toStdString());
  Q_EMIT unexpectedError(message);
  return false;
}

} // namespace lumen
