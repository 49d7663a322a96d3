// Asks where preparation reads label maps from and where the prepared dataset goes, with
// defaults next to the open folder.
#pragma once
#include <QDialog>

class QLineEdit;

namespace lumen {

class PrepareDialog : public QDialog {
  Q_OBJECT
public:
  PrepareDialog(const QString& labelDir, const QString& preparedDir, QWidget* parent = nullptr);

  QString labelDir() const;
  QString preparedDir() const;

  // "<folder>-prepared" beside a label-map folder.
  static QString defaultPreparedDir(const QString& labelDir);

private:
  QLineEdit* labels_;
  QLineEdit* prepared_;
};

} // namespace lumen
