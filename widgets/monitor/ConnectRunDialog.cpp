#include "monitor/ConnectRunDialog.h"

#include "common/Error.h"
#include "common/StreamServer.h"

#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace lumen {

ConnectRunDialog::ConnectRunDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Connect to Run"));
  auto* explanation =
      new QLabel(tr("Follow a training run on another machine or in a terminal, started with\n"
                    "lumen-cli --stream HOST:PORT --stream-token-file FILE …\n"
                    "Its curves appear in the Training Monitor and its log in the Log dock."),
                 this);
  address_ = new QLineEdit(QStringLiteral("127.0.0.1:7070"), this);
  address_->setToolTip(tr("The HOST:PORT given to --stream (an SSH tunnel's local end for a "
                          "remote server)"));
  token_ = new QLineEdit(this);
  token_->setEchoMode(QLineEdit::Password);
  token_->setToolTip(tr("The stream's shared token: the first line of its token file"));
  auto* fromFile = new QPushButton(tr("From File…"), this);
  connect(fromFile, &QPushButton::clicked, this, &ConnectRunDialog::readTokenFile);
  auto* tokenRow = new QHBoxLayout;
  tokenRow->addWidget(token_);
  tokenRow->addWidget(fromFile);
  auto* form = new QFormLayout;
  form->addRow(tr("Address:"), address_);
  form->addRow(tr("Token:"), tokenRow);
  problem_ = new QLabel(this);
  problem_->setStyleSheet(QStringLiteral("color: #b00020"));
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
  connect_ = buttons->addButton(tr("Connect"), QDialogButtonBox::AcceptRole);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(explanation);
  layout->addLayout(form);
  layout->addWidget(problem_);
  layout->addWidget(buttons);
  connect(address_, &QLineEdit::textChanged, this, &ConnectRunDialog::updateState);
  connect(token_, &QLineEdit::textChanged, this, &ConnectRunDialog::updateState);
  updateState();
}

void ConnectRunDialog::setAddress(const QString& address) {
  address_->setText(address);
}
QString ConnectRunDialog::address() const {
  return address_->text().trimmed();
}
void ConnectRunDialog::setToken(const QString& token) {
  token_->setText(token);
}
QString ConnectRunDialog::token() const {
  return token_->text().trimmed();
}

QString ConnectRunDialog::problem() const {
  try {
    parseHostPort(address().toStdString());
  } catch (const Error& e) {
    return QString::fromStdString(e.what());
  }
  if (token().size() < 16)
    return tr("The token has %1 characters; a stream's token has at least 16.").arg(token().size());
  return {};
}

void ConnectRunDialog::readTokenFile() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Stream Token File"));
  if (path.isEmpty())
    return;
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) {
    problem_->setText(tr("%1 cannot be read.").arg(path));
    return;
  }
  token_->setText(QString::fromUtf8(file.readLine(4096)).trimmed());
}

void ConnectRunDialog::updateState() {
  const QString why = problem();
  problem_->setText(why);
  connect_->setEnabled(why.isEmpty());
}

} // namespace lumen
