// Help ▸ About: what Lumen is, and the versions of Qt, VTK, ITK and LibTorch it runs on (the
// first thing asked for in a bug report).
#pragma once
#include <QDialog>

namespace lumen {

class AboutDialog : public QDialog {
  Q_OBJECT
public:
  explicit AboutDialog(QWidget* parent = nullptr);
  // "Qt 6.4.2", "VTK 9.1.0", ...: one entry per component.
  static QStringList componentVersions();
};

} // namespace lumen
