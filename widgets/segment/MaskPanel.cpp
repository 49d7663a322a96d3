#include "segment/MaskPanel.h"

#include "segment/SegmentationBackends.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QToolButton>
#include <QVBoxLayout>
#include <cmath>

namespace lumen {

MaskPanel::MaskPanel(QWidget* parent)
    : QWidget(parent), backend_(new QComboBox(this)), opacity_(new QSlider(Qt::Horizontal, this)),
      busy_(new QProgressBar(this)), status_(new QLabel(this)), label_(new QLineEdit(this)),
      accept_(new QPushButton(tr("Accept"), this)), save_(new QPushButton(tr("Save Mask…"), this)),
      train_(new QPushButton(tr("Train"), this)), model_(new QToolButton(this)) {
  for (const auto& name : availableSegmentationBackends())
    backend_->addItem(QString::fromStdString(name));
  backend_->setToolTip(tr("The model that turns the points into a mask; a change re-runs it"));
  model_->setText(tr("Model…"));
  model_->setToolTip(tr("Segment with a model file: a TorchScript plug-in (.ts, README's tensor "
                        "contract) or a trained propagator's checkpoint (.pt)"));
  opacity_->setRange(0, 100);
  opacity_->setValue(50);
  opacity_->setToolTip(tr("Opacity of the mask over the CT"));

  // A bar that moves without a known end: segmentation reports no fraction worth showing.
  busy_->setRange(0, 0);
  busy_->setTextVisible(false);
  busy_->setMaximumHeight(8);
  busy_->setVisible(false);
  status_->setWordWrap(true);
  status_->setTextFormat(Qt::RichText);
  // Room for the longest report (counts, timings, the click-to-mask time) without moving the
  // buttons below it.
  status_->setMinimumHeight(status_->fontMetrics().height() * 4 + 4);
  status_->setAlignment(Qt::AlignTop | Qt::AlignLeft);

  label_->setText(QStringLiteral("aorta"));
  label_->setToolTip(tr("Name stored with the label (label_info)"));
  accept_->setToolTip(tr("Save the mask as the image's final label (Ctrl+S)"));
  save_->setToolTip(tr("Write the mask (0 background, 1 certain, 2 uncertain) to a file"));

  // Backend and opacity share a row: the side panel is short in a window with its docks.
  auto* settings = new QHBoxLayout;
  settings->addWidget(backend_, 1);
  settings->addWidget(model_);
  settings->addWidget(new QLabel(tr("Opacity"), this));
  settings->addWidget(opacity_, 1);
  auto* form = new QFormLayout;
  form->setContentsMargins(0, 0, 0, 0);
  form->addRow(tr("Backend"), settings);
  form->addRow(tr("Label"), label_);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(accept_, 1);
  buttons->addWidget(save_);
  buttons->addWidget(train_);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(form);
  layout->addWidget(busy_);
  layout->addWidget(status_);
  layout->addLayout(buttons);

  connect(backend_, &QComboBox::currentTextChanged, this, &MaskPanel::backendChanged);
  connect(opacity_, &QSlider::valueChanged, this,
          [this](int value) { Q_EMIT opacityChanged(value / 100.0); });
  connect(accept_, &QPushButton::clicked, this, &MaskPanel::acceptRequested);
  connect(save_, &QPushButton::clicked, this, &MaskPanel::saveRequested);
  connect(train_, &QPushButton::clicked, this, &MaskPanel::trainRequested);
  connect(model_, &QToolButton::clicked, this, &MaskPanel::modelFileRequested);
  setTrainEnabled(false, tr("Open a study folder with accepted labels first"));
  setAcceptEnabled(false, tr("Place points on a structure first"));
  setSaveEnabled(false);
}

QString MaskPanel::backend() const {
  return backend_->currentText();
}

void MaskPanel::setBackend(const QString& name) {
  backend_->setCurrentText(name);
}

void MaskPanel::setBackends(const QStringList& names, const QString& current) {
  QStringList shown;
  for (int i = 0; i < backend_->count(); ++i)
    shown << backend_->itemText(i);
  const QSignalBlocker quiet(backend_);
  if (shown == names) { // the study is re-listed every few seconds: leave an open list alone
    backend_->setCurrentText(current);
    return;
  }
  backend_->clear();
  backend_->addItems(names);
  backend_->setCurrentText(current);
}

void MaskPanel::setTrainEnabled(bool enabled, const QString& why) {
  train_->setEnabled(enabled);
  train_->setToolTip(enabled ? tr("Train the learned backend on this study's final labels, in the "
                                  "background (its run is in STUDY/models/propagator)")
                             : why);
}

double MaskPanel::opacity() const {
  return opacity_->value() / 100.0;
}

void MaskPanel::setOpacity(double opacity) {
  opacity_->setValue(int(std::lround(opacity * 100)));
}

QString MaskPanel::labelName() const {
  return label_->text().trimmed();
}

void MaskPanel::setLabelName(const QString& name) {
  label_->setText(name);
}

void MaskPanel::setStatus(const QString& text, bool busy, const QString& tooltip) {
  status_->setText(text);
  status_->setToolTip(tooltip);
  busy_->setVisible(busy);
  busyNow_ = busy;
}

void MaskPanel::setError(const QString& text) {
  setStatus(QStringLiteral("<span style='color:#d04030'>%1</span>").arg(text.toHtmlEscaped()),
            false, text);
}

QString MaskPanel::statusText() const {
  return status_->text();
}

bool MaskPanel::isBusy() const {
  return busyNow_;
}

void MaskPanel::setAcceptEnabled(bool enabled, const QString& why) {
  accept_->setEnabled(enabled);
  accept_->setToolTip(enabled ? tr("Save the mask as the image's final label (Ctrl+S)") : why);
}

void MaskPanel::setSaveEnabled(bool enabled) {
  save_->setEnabled(enabled);
}

} // namespace lumen
