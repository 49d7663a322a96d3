#include "shapes/CaseTable.h"

#include <QFileInfo>
#include <QHeaderView>
#include <QPainter>
#include <QRegularExpression>
#include <QScrollBar>
#include <QStyledItemDelegate>

namespace lumen {
namespace {

constexpr int kChipGap = 2;

QFont chipFont(QFont font) {
  font.setPointSizeF(font.pointSizeF() * 0.85);
  return font;
}

// Chips are labelled with at most three letters of the class name ("Cor", "Aor").
int chipWidth(const QFontMetrics& metrics) {
  int widest = 0;
  for (int c = 1; c <= kHeartClasses; ++c)
    widest = std::max(widest,
                      metrics.horizontalAdvance(QString::fromStdString(heartClassName(c)).left(3)));
  return widest + 6;
}

int chipsWidth(const QFont& font) {
  return 8 + kHeartClasses * (chipWidth(QFontMetrics(chipFont(font))) + kChipGap);
}

// Draws the presence bits as ten chips in class order: filled with the class colour and labelled
// when present, an empty outline when absent; plain text (errors, "reading…") otherwise.
class ClassChipsDelegate : public QStyledItemDelegate {
public:
  using QStyledItemDelegate::QStyledItemDelegate;

  void paint(QPainter* painter, const QStyleOptionViewItem& option,
             const QModelIndex& index) const override {
    const QVariant bits = index.data(CaseTable::kClassBitsRole);
    if (!bits.isValid()) {
      QStyledItemDelegate::paint(painter, option, index);
      return;
    }
    QStyleOptionViewItem background = option;
    initStyleOption(&background, index);
    background.text.clear();
    option.widget->style()->drawControl(QStyle::CE_ItemViewItem, &background, painter,
                                        option.widget);
    const ClassSet present(bits.toULongLong());
    const QFont font = chipFont(option.font);
    painter->save();
    painter->setFont(font);
    painter->setRenderHint(QPainter::Antialiasing);
    // Labelled chips when the column is wide enough, plain colour chips (the legend below names
    // the colours) when it is not.
    const int room = (option.rect.width() - 8) / kHeartClasses - kChipGap;
    const int width = std::max(6, std::min(chipWidth(QFontMetrics(font)), room));
    const bool labelled = width >= chipWidth(QFontMetrics(font));
    QRect chip(option.rect.left() + 4, option.rect.top() + 3, width, option.rect.height() - 6);
    for (int c = 1; c <= kHeartClasses; ++c) {
      const auto rgb = heartClassColor(c);
      const QColor colour(rgb[0], rgb[1], rgb[2]);
      if (present[size_t(c - 1)]) {
        painter->setPen(Qt::NoPen);
        painter->setBrush(colour);
        painter->drawRoundedRect(chip, 3, 3);
        if (labelled) {
          painter->setPen(colour.lightness() > 140 ? Qt::black : Qt::white);
          painter->drawText(chip, Qt::AlignCenter,
                            QString::fromStdString(heartClassName(c)).left(3));
        }
      } else {
        painter->setPen(QPen(option.palette.color(QPalette::Mid), 1, Qt::DashLine));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(chip.adjusted(1, 1, -1, -1), 3, 3);
      }
      chip.translate(width + kChipGap, 0);
    }
    painter->restore();
  }

  QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override {
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    if (index.data(CaseTable::kClassBitsRole).isValid())
      size.setWidth(chipsWidth(option.font));
    return size;
  }
};

QString presenceText(ClassSet classes) {
  QStringList parts;
  for (int c = 1; c <= kHeartClasses; ++c)
    parts << (classes[size_t(c - 1)] ? QString::fromStdString(heartClassName(c)) : "·");
  return parts.join(' ');
}

QString presenceTooltip(ClassSet classes) {
  QStringList present, absent;
  for (int c = 1; c <= kHeartClasses; ++c)
    (classes[size_t(c - 1)] ? present : absent) << QString::fromStdString(heartClassLongName(c));
  QString text = QObject::tr("Classes: %1").arg(present.isEmpty() ? "none" : present.join(", "));
  if (!absent.isEmpty())
    text += QObject::tr("\nMissing: %1").arg(absent.join(", "));
  return text;
}

} // namespace

CaseTable::CaseTable(QWidget* parent) : QTableWidget(0, ColumnCount, parent) {
  setHorizontalHeaderLabels({tr("Case"), tr("Classes")});
  verticalHeader()->hide();
  setSelectionBehavior(QAbstractItemView::SelectRows);
  setSelectionMode(QAbstractItemView::SingleSelection);
  setEditTriggers(QAbstractItemView::NoEditTriggers);
  setItemDelegateForColumn(Classes, new ClassChipsDelegate(this));
  horizontalHeader()->setSectionResizeMode(Case, QHeaderView::ResizeToContents);
  horizontalHeader()->setSectionResizeMode(Classes, QHeaderView::Stretch);
  verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 10);
  connect(this, &QTableWidget::currentCellChanged, this, [this](int row, int, int previous, int) {
    if (row >= 0 && row != previous)
      Q_EMIT caseActivated(row);
  });
}

void CaseTable::setCases(const QStringList& paths) {
  const QSignalBlocker block(this);
  clearContents();
  setRowCount(int(paths.size()));
  for (int row = 0; row < paths.size(); ++row) {
    const QFileInfo file(paths[row]);
    QString name = file.fileName();
    name.remove(QRegularExpression("\\.nii(\\.gz)?$", QRegularExpression::CaseInsensitiveOption));
    auto* caseItem = new QTableWidgetItem(name);
    caseItem->setData(Qt::UserRole, file.absoluteFilePath());
    caseItem->setToolTip(file.absoluteFilePath());
    setItem(row, Case, caseItem);
    auto* classes = new QTableWidgetItem(tr("reading…"));
    classes->setForeground(palette().color(QPalette::Disabled, QPalette::Text));
    setItem(row, Classes, classes);
  }
  setCurrentCell(-1, -1);
}

QSize CaseTable::sizeHint() const {
  // Wide enough for the names and all ten chips, so no class is cut off.
  int names = fontMetrics().horizontalAdvance(QStringLiteral("heart_000")) + 16;
  for (int row = 0; row < rowCount(); ++row)
    names = std::max(names, fontMetrics().horizontalAdvance(item(row, Case)->text()) + 16);
  return {std::min(names, 200) + chipsWidth(font()) + 2 * frameWidth() +
              verticalScrollBar()->sizeHint().width(),
          QTableWidget::sizeHint().height()};
}

QString CaseTable::path(int row) const {
  const auto* cell = item(row, Case);
  return cell ? cell->data(Qt::UserRole).toString() : QString();
}

int CaseTable::rowOf(const QString& path) const {
  const QString wanted = QFileInfo(path).absoluteFilePath();
  for (int row = 0; row < rowCount(); ++row)
    if (this->path(row) == wanted)
      return row;
  return -1;
}

void CaseTable::setClasses(int row, ClassSet classes) {
  auto* cell = item(row, Classes);
  if (!cell)
    return;
  cell->setText(presenceText(classes));
  cell->setToolTip(presenceTooltip(classes));
  cell->setData(kClassBitsRole, QVariant::fromValue(qulonglong(classes.to_ulong())));
}

void CaseTable::setError(int row, const QString& error) {
  auto* cell = item(row, Classes);
  if (!cell)
    return;
  cell->setData(kClassBitsRole, QVariant());
  cell->setText(tr("cannot read: %1").arg(error));
  cell->setToolTip(error);
  cell->setForeground(QColor(200, 60, 60));
}

QString CaseTable::classesText(int row) const {
  const auto* cell = item(row, Classes);
  return cell && cell->data(kClassBitsRole).isValid() ? cell->text() : QString();
}

} // namespace lumen
