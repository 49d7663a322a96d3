#include "shapes/PrepareDialog.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace lumen {
namespace {

// A line edit with a Browse… button that picks a folder.
QWidget* folderRow(QLineEdit* edit, const QString& title, QWidget* parent) {
  auto* row = new QWidget(parent);
  auto* layout = new QHBoxLayout(row);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* browse = new QPushButton(QObject::tr("Browse…"), row);
  layout->addWidget(edit, 1);
  layout->addWidget(browse);
  QObject::connect(browse, &QPushButton::clicked, row, [edit, title, parent] {
    const QString dir = QFileDialog::getExistingDirectory(parent, title, edit->text());
    if (!dir.isEmpty())
      edit->setText(dir);
  });
  return row;
}

} // namespace

PrepareDialog::PrepareDialog(const QString& labelDir, const QString& preparedDir, QWidget* parent)
    : QDialog(parent), labels_(new QLineEdit(labelDir, this)),
      prepared_(new QLineEdit(preparedDir, this)) {
  setWindowTitle(tr("Prepare shape dataset"));
  labels_->setMinimumWidth(420);
  auto* form = new QFormLayout;
  form->addRow(tr("Label maps"), folderRow(labels_, tr("Folder of label maps"), this));
  form->addRow(tr("Prepared dataset"),
               folderRow(prepared_, tr("Folder for the prepared dataset"), this));
  auto* note = new QLabel(tr("One HDF5 file per case (surface points, per-class occupancy and "
                             "signed distances) plus train.csv and val.csv; cases run in "
                             "parallel."),
                          this);
  note->setWordWrap(true);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  buttons->button(QDialogButtonBox::Ok)->setText(tr("Prepare"));
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  const auto update = [this, buttons] {
    buttons->button(QDialogButtonBox::Ok)
        ->setEnabled(QFileInfo(this->labelDir()).isDir() && !this->preparedDir().isEmpty());
  };
  connect(labels_, &QLineEdit::textChanged, this, update);
  connect(prepared_, &QLineEdit::textChanged, this, update);
  update();
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(note);
  layout->addWidget(buttons);
}

QString PrepareDialog::labelDir() const {
  return labels_->text().trimmed();
}

QString PrepareDialog::preparedDir() const {
  return prepared_->text().trimmed();
}

QString PrepareDialog::defaultPreparedDir(const QString& labelDir) {
  const QFileInfo folder(QDir::cleanPath(labelDir));
  return folder.absolutePath() + "/" + folder.fileName() + "-prepared";
}

} // namespace lumen
