// File > Connect to Run...: where a headless command streams (`lumen-cli --stream HOST:PORT ...`)
// and its shared token, typed or read from the token file the command was given.
#pragma once
#include <QDialog>
#include <QString>

class QLineEdit;
class QLabel;
class QPushButton;

namespace lumen {

class ConnectRunDialog : public QDialog {
  Q_OBJECT
public:
  explicit ConnectRunDialog(QWidget* parent = nullptr);

  void setAddress(const QString& address);
  QString address() const;
  void setToken(const QString& token);
  QString token() const;
  // Empty when the address parses and the token is long enough; otherwise what is wrong.
  QString problem() const;
  QPushButton* connectButton() const { return connect_; }

private:
  void readTokenFile();
  void updateState();

  QLineEdit* address_;
  QLineEdit* token_;
  QLabel* problem_;
  QPushButton* connect_;
};

} // namespace lumen
