#include "shapes/TrainingPanel.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

namespace lumen {

TrainingPanel::TrainingPanel(QWidget* parent)
    : QWidget(parent), prepared_(new QLineEdit(this)),
      prepare_(new QPushButton(tr("Prepare…"), this)), phase_(new QComboBox(this)),
      epochs_(new QSpinBox(this)), init_(new QLabel(this)), run_(new QLabel(this)),
      train_(new QPushButton(tr("Train"), this)) {
  prepared_->setPlaceholderText(tr("prepared dataset folder (train.csv, val.csv)"));
  prepared_->setToolTip(tr("The prepared dataset training reads"));
  auto* browse = new QPushButton(tr("Browse…"), this);
  browse->setToolTip(tr("Choose an existing prepared dataset"));
  prepare_->setToolTip(tr("Prepare a folder of label maps into a dataset (surface points, "
                          "per-class occupancy and signed distances)"));
  phase_->addItem(tr("1 · reconstruction"), 1);
  phase_->addItem(tr("2 · random drops"), 2);
  phase_->addItem(tr("3 · class subsets"), 3);
  phase_->addItem(tr("4 · partial labels"), 4);
  phase_->setToolTip(tr("1: all present classes in; 2: 2-5 random classes dropped from the "
                        "input; 3: unions of class subsets; 4: partially labelled datasets.\n"
                        "Each phase starts from the previous phase's best checkpoint."));
  epochs_->setRange(1, 10000);
  epochs_->setValue(60);
  epochs_->setToolTip(tr("Passes over the training cases"));
  init_->setWordWrap(true);
  init_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  run_->setWordWrap(true);
  run_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  train_->setToolTip(tr("Train the chosen phase on the prepared dataset; curves appear in the "
                        "Training Monitor"));

  auto* layout = new QGridLayout(this);
  layout->addWidget(new QLabel(tr("Dataset"), this), 0, 0);
  auto* dataset = new QHBoxLayout;
  dataset->addWidget(prepared_, 1);
  dataset->addWidget(browse);
  dataset->addWidget(prepare_);
  layout->addLayout(dataset, 0, 1);
  layout->addWidget(new QLabel(tr("Phase"), this), 1, 0);
  auto* run = new QHBoxLayout;
  run->addWidget(phase_);
  run->addWidget(new QLabel(tr("Epochs"), this));
  run->addWidget(epochs_);
  run->addStretch(1);
  run->addWidget(train_);
  layout->addLayout(run, 1, 1);
  layout->addWidget(init_, 2, 0, 1, 2);
  layout->setColumnStretch(1, 1);
  layout->addWidget(run_, 3, 0, 1, 2);
  layout->setRowStretch(4, 1);

  connect(browse, &QPushButton::clicked, this, &TrainingPanel::browse);
  connect(prepare_, &QPushButton::clicked, this, &TrainingPanel::prepareRequested);
  connect(train_, &QPushButton::clicked, this, &TrainingPanel::trainRequested);
  connect(prepared_, &QLineEdit::textChanged, this, &TrainingPanel::settingsChanged);
  connect(phase_, qOverload<int>(&QComboBox::currentIndexChanged), this,
          &TrainingPanel::settingsChanged);
}

QString TrainingPanel::preparedDir() const {
  return prepared_->text().trimmed();
}

void TrainingPanel::setPreparedDir(const QString& dir) {
  prepared_->setText(dir);
}

int TrainingPanel::phase() const {
  return phase_->currentData().toInt();
}

void TrainingPanel::setPhase(int phase) {
  phase_->setCurrentIndex(phase_->findData(phase));
}

int TrainingPanel::epochs() const {
  return epochs_->value();
}

void TrainingPanel::setEpochs(int epochs) {
  epochs_->setValue(epochs);
}

void TrainingPanel::setInitText(const QString& init) {
  init_->setText(init.isEmpty() ? tr("Starts from random weights.")
                                : tr("Starts from %1").arg(init));
  init_->setToolTip(init);
}

void TrainingPanel::setRunText(const QString& html) {
  run_->setText(html);
}

void TrainingPanel::browse() {
  const QString dir =
      QFileDialog::getExistingDirectory(this, tr("Prepared shape dataset"), preparedDir());
  if (!dir.isEmpty())
    setPreparedDir(dir);
}

} // namespace lumen
