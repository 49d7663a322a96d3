#include "shapes/ClassTable.h"

#include <QHeaderView>
#include <QSignalBlocker>
#include <QSlider>
#include <cmath>

namespace lumen {

ClassTable::ClassTable(QWidget* parent) : QTableWidget(kHeartClasses, ColumnCount, parent) {
  setHorizontalHeaderLabels({QString(), tr("Class"), tr("Input"), tr("Show"), tr("Opacity")});
  horizontalHeaderItem(Input)->setToolTip(
      tr("Given to the model; unchecked classes are hidden from it and must be completed"));
  horizontalHeaderItem(Show)->setToolTip(tr("Drawn in every view"));
  verticalHeader()->hide();
  setSelectionMode(QAbstractItemView::NoSelection);
  setEditTriggers(QAbstractItemView::NoEditTriggers);
  setFocusPolicy(Qt::NoFocus);
  for (int c = 1; c <= kHeartClasses; ++c) {
    const int row = c - 1;
    const auto rgb = heartClassColor(c);
    auto* swatch = new QTableWidgetItem;
    swatch->setBackground(QColor(rgb[0], rgb[1], rgb[2]));
    swatch->setFlags(Qt::ItemIsEnabled);
    setItem(row, Swatch, swatch);
    auto* name = new QTableWidgetItem(QString::fromStdString(heartClassName(c)));
    name->setToolTip(QString::fromStdString(heartClassLongName(c)));
    name->setFlags(Qt::ItemIsEnabled);
    setItem(row, Name, name);
    for (Column column : {Input, Show}) {
      auto* box = new QTableWidgetItem;
      box->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
      box->setCheckState(Qt::Checked);
      setItem(row, column, box);
    }
    auto* slider = new QSlider(Qt::Horizontal, this);
    slider->setRange(0, 100);
    slider->setValue(100);
    slider->setToolTip(
        tr("Opacity of %1 in every view").arg(QString::fromStdString(heartClassLongName(c))));
    connect(slider, &QSlider::valueChanged, this, [this] {
      if (!updating_)
        Q_EMIT appearanceChanged();
    });
    sliders_[size_t(row)] = slider;
    setCellWidget(row, Opacity, slider);
  }
  connect(this, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* changed) {
    if (updating_)
      return;
    if (changed->column() == Input)
      Q_EMIT inputsChanged();
    else if (changed->column() == Show)
      Q_EMIT appearanceChanged();
  });
  auto* header = horizontalHeader();
  header->setSectionResizeMode(QHeaderView::ResizeToContents);
  header->setSectionResizeMode(Opacity, QHeaderView::Stretch);
  header->resizeSection(Swatch, 18);
  header->setSectionResizeMode(Swatch, QHeaderView::Fixed);
  header->setMinimumSectionSize(18);
  verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
  setPresent(ClassSet().set());
  // Tall enough for every class without scrolling: the table is the legend.
  setMinimumHeight(horizontalHeader()->sizeHint().height() +
                   kHeartClasses * verticalHeader()->defaultSectionSize() + 2 * frameWidth());
}

QTableWidgetItem* ClassTable::cell(int label, Column column) const {
  return QTableWidget::item(label - 1, column);
}

void ClassTable::setPresent(ClassSet present) {
  present_ = present;
  const QSignalBlocker block(this);
  for (int c = 1; c <= kHeartClasses; ++c) {
    const bool has = present[size_t(c - 1)];
    const QColor text =
        palette().color(has ? QPalette::Active : QPalette::Disabled, QPalette::Text);
    for (Column column : {Name, Input, Show}) {
      auto* box = cell(c, column);
      box->setFlags(has ? box->flags() | Qt::ItemIsEnabled : box->flags() & ~Qt::ItemIsEnabled);
      box->setForeground(text);
    }
    cell(c, Name)->setToolTip(QString::fromStdString(heartClassLongName(c)) +
                              (has ? QString() : tr(" (not in this case)")));
    // A faded swatch says "absent" without hiding which colour the class would have.
    const auto rgb = heartClassColor(c);
    cell(c, Swatch)->setBackground(QColor(rgb[0], rgb[1], rgb[2], has ? 255 : 60));
    sliders_[size_t(c - 1)]->setEnabled(has);
  }
  viewport()->update();
}

ClassSet ClassTable::inputClasses() const {
  ClassSet classes;
  for (int c = 1; c <= kHeartClasses; ++c)
    classes[size_t(c - 1)] = cell(c, Input)->checkState() == Qt::Checked;
  return classes;
}

void ClassTable::setInputClasses(ClassSet classes) {
  updating_ = true;
  for (int c = 1; c <= kHeartClasses; ++c)
    cell(c, Input)->setCheckState(classes[size_t(c - 1)] ? Qt::Checked : Qt::Unchecked);
  updating_ = false;
  Q_EMIT inputsChanged();
}

bool ClassTable::isShown(int label) const {
  return cell(label, Show)->checkState() == Qt::Checked;
}

void ClassTable::setShown(int label, bool shown) {
  cell(label, Show)->setCheckState(shown ? Qt::Checked : Qt::Unchecked);
}

double ClassTable::opacity(int label) const {
  return sliders_[size_t(label - 1)]->value() / 100.0;
}

void ClassTable::setOpacity(int label, double opacity) {
  sliders_[size_t(label - 1)]->setValue(int(std::lround(opacity * 100.0)));
}

std::array<bool, kHeartClasses> ClassTable::shownFlags() const {
  std::array<bool, kHeartClasses> flags{};
  for (int c = 1; c <= kHeartClasses; ++c)
    flags[size_t(c - 1)] = isShown(c);
  return flags;
}

std::array<double, kHeartClasses> ClassTable::opacities() const {
  std::array<double, kHeartClasses> values{};
  for (int c = 1; c <= kHeartClasses; ++c)
    values[size_t(c - 1)] = opacity(c);
  return values;
}

} // namespace lumen
