#include "shapes/CompletionPanel.h"

#include "shapes/MetricsTable.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace lumen {

CompletionPanel::CompletionPanel(QWidget* parent)
    : QWidget(parent), checkpoint_(new QLineEdit(this)), resolution_(new QSpinBox(this)),
      complete_(new QPushButton(tr("Complete"), this)), save_(new QPushButton(tr("Save…"), this)),
      result_(new QLabel(this)), metrics_(new MetricsTable(this)), summary_(new QLabel(this)) {
  checkpoint_->setPlaceholderText(tr("a shapes run's checkpoints/best.pt"));
  checkpoint_->setToolTip(tr("The trained shape model completion uses"));
  auto* browse = new QPushButton(tr("Browse…"), this);
  browse->setToolTip(tr("Choose a checkpoint (.pt) of a shapes training run"));
  resolution_->setRange(32, 256);
  resolution_->setSingleStep(16);
  resolution_->setValue(128);
  resolution_->setToolTip(tr("Grid samples along the heart's longest side (finer is slower)"));
  complete_->setToolTip(
      tr("Complete the heart from the classes checked as input; hidden classes are predicted"));
  save_->setToolTip(tr("Save the completed label map (NIfTI) and its meshes (VTP, STL)"));
  result_->setWordWrap(true);
  summary_->setWordWrap(true);
  summary_->setTextFormat(Qt::RichText);

  // Controls on the left, the metrics beside them: the panel stays short, so the 3D views keep
  // the height.
  auto* model = new QHBoxLayout;
  model->addWidget(new QLabel(tr("Model"), this));
  model->addWidget(checkpoint_, 1);
  model->addWidget(browse);
  auto* actions = new QHBoxLayout;
  actions->addWidget(new QLabel(tr("Resolution"), this));
  actions->addWidget(resolution_);
  actions->addStretch(1);
  actions->addWidget(complete_);
  actions->addWidget(save_);
  auto* controls = new QVBoxLayout;
  controls->addLayout(model);
  controls->addLayout(actions);
  controls->addWidget(result_);
  controls->addWidget(summary_);
  controls->addStretch(1);
  auto* controlBox = new QWidget(this);
  controlBox->setLayout(controls);
  controlBox->setMaximumWidth(420);
  controls->setContentsMargins(0, 0, 0, 0);
  auto* layout = new QHBoxLayout(this);
  layout->addWidget(controlBox, 0);
  layout->addWidget(metrics_, 1);

  connect(browse, &QPushButton::clicked, this, &CompletionPanel::browse);
  connect(checkpoint_, &QLineEdit::textChanged, this, &CompletionPanel::checkpointChanged);
  connect(complete_, &QPushButton::clicked, this, &CompletionPanel::completeRequested);
  connect(save_, &QPushButton::clicked, this, &CompletionPanel::saveRequested);
}

QString CompletionPanel::checkpoint() const {
  return checkpoint_->text().trimmed();
}

void CompletionPanel::setCheckpoint(const QString& path) {
  checkpoint_->setText(path);
  // The run's name and file are the telling end of a long path.
  checkpoint_->setCursorPosition(int(path.size()));
  checkpoint_->setToolTip(path);
}

int CompletionPanel::resolution() const {
  return resolution_->value();
}

void CompletionPanel::setResolution(int samples) {
  resolution_->setValue(samples);
}

void CompletionPanel::setResultText(const QString& text) {
  result_->setText(text);
}

void CompletionPanel::setSummary(const QString& html) {
  summary_->setText(html);
}

void CompletionPanel::browse() {
  const QString start = checkpoint().isEmpty() ? QString() : QFileInfo(checkpoint()).absolutePath();
  const QString path = QFileDialog::getOpenFileName(this, tr("Shape model checkpoint"), start,
                                                    tr("Checkpoints (*.pt)"));
  if (!path.isEmpty())
    setCheckpoint(path);
}

} // namespace lumen
