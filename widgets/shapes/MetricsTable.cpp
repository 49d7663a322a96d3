#include "shapes/MetricsTable.h"

#include <QHeaderView>
#include <algorithm>
#include <cmath>
#include <limits>

namespace lumen {
namespace {

constexpr int kValueRole = Qt::UserRole;

// A distance is shown as measured, or marked as the penalty a missed (or spurious) class gets.
QTableWidgetItem* numberItem(double value, int decimals, bool penalty = false) {
  QString text = std::isfinite(value) ? QString::number(value, 'f', decimals) : "–";
  if (penalty)
    text += QObject::tr(" (missed)");
  auto* item = new QTableWidgetItem(text);
  item->setData(kValueRole, value);
  item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  if (penalty)
    item->setToolTip(QObject::tr("The class is on one side only: the distance is the penalty, "
                                 "the grid's diagonal, as in the evaluation's means"));
  else if (!std::isfinite(value))
    item->setToolTip(QObject::tr("No surface in the prediction or the ground truth"));
  return item;
}

// Means over every class, a missed one with its penalty distances (as `shapes eval` reports
// them), and how many were missed: a model that drops a class never looks better for it.
QString meanText(const std::vector<const ClassScore*>& scores) {
  double sums[4] = {0, 0, 0, 0};
  int counts[4] = {0, 0, 0, 0};
  int missed = 0;
  for (const ClassScore* s : scores) {
    missed += s->penalised() ? 1 : 0;
    const double values[4] = {s->dice, s->hd95, s->assd, s->chamfer};
    for (int i = 0; i < 4; ++i)
      if (std::isfinite(values[i])) {
        sums[i] += values[i];
        ++counts[i];
      }
  }
  const auto mean = [&](int i, int decimals) {
    return counts[i] ? QString::number(sums[i] / counts[i], 'f', decimals) : QStringLiteral("–");
  };
  QString text = QObject::tr("Dice %1, HD95 %2 mm, ASSD %3 mm, Chamfer %4 mm")
                     .arg(mean(0, 3), mean(1, 2), mean(2, 2), mean(3, 2));
  if (missed > 0)
    text += QObject::tr(" · %n missed", nullptr, missed);
  return text;
}

} // namespace

MetricsTable::MetricsTable(QWidget* parent) : QTableWidget(0, ColumnCount, parent) {
  setHorizontalHeaderLabels(
      {tr("Class"), tr("Role"), tr("Dice"), tr("HD95 mm"), tr("ASSD mm"), tr("Chamfer mm")});
  horizontalHeaderItem(Role)->setToolTip(
      tr("visible: given to the model; completed: hidden from it and predicted"));
  horizontalHeaderItem(Hd95)->setToolTip(tr("95th percentile Hausdorff distance"));
  horizontalHeaderItem(Assd)->setToolTip(tr("Average symmetric surface distance"));
  horizontalHeaderItem(Chamfer)->setToolTip(
      tr("Mean distance prediction to truth plus mean distance truth to prediction"));
  verticalHeader()->hide();
  setEditTriggers(QAbstractItemView::NoEditTriggers);
  setSelectionBehavior(QAbstractItemView::SelectRows);
  // Columns share the width evenly but never get narrower than the widest header, so a narrow
  // panel scrolls rather than cutting headers.
  int widest = 0;
  for (int column = 0; column < ColumnCount; ++column)
    widest =
        std::max(widest, fontMetrics().horizontalAdvance(horizontalHeaderItem(column)->text()));
  horizontalHeader()->setMinimumSectionSize(widest + 16);
  horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 4);
}

QSize MetricsTable::sizeHint() const {
  // Every class without scrolling, when there is room.
  return {QTableWidget::sizeHint().width(),
          horizontalHeader()->sizeHint().height() +
              kHeartClasses * verticalHeader()->defaultSectionSize() + 2 * frameWidth()};
}

void MetricsTable::setScores(const std::vector<ClassScore>& scores, ClassSet visible) {
  clearScores();
  setRowCount(int(scores.size()));
  std::vector<const ClassScore*> seen, completed;
  for (size_t i = 0; i < scores.size(); ++i) {
    const ClassScore& s = scores[i];
    const int row = int(i);
    const bool wasVisible = visible[size_t(s.label - 1)];
    (wasVisible ? seen : completed).push_back(&s);
    const auto rgb = heartClassColor(s.label);
    auto* name = new QTableWidgetItem(QString::fromStdString(heartClassName(s.label)));
    name->setData(Qt::DecorationRole, QColor(rgb[0], rgb[1], rgb[2]));
    name->setToolTip(tr("%1: %2 voxels in the ground truth, %3 predicted")
                         .arg(QString::fromStdString(heartClassLongName(s.label)))
                         .arg(s.truthVoxels)
                         .arg(s.predictedVoxels));
    setItem(row, Class, name);
    auto* role = new QTableWidgetItem(wasVisible ? tr("visible") : tr("completed"));
    if (!wasVisible)
      role->setFont([&] {
        QFont bold = font();
        bold.setBold(true);
        return bold;
      }());
    setItem(row, Role, role);
    setItem(row, Dice, numberItem(s.dice, 3));
    setItem(row, Hd95, numberItem(s.hd95, 2, s.penalised()));
    setItem(row, Assd, numberItem(s.assd, 2, s.penalised()));
    setItem(row, Chamfer, numberItem(s.chamfer, 2, s.penalised()));
  }
  QStringList parts;
  if (!seen.empty())
    parts << tr("<b>Visible</b> (%1): %2").arg(seen.size()).arg(meanText(seen));
  if (!completed.empty())
    parts << tr("<b>Completed</b> (%1): %2").arg(completed.size()).arg(meanText(completed));
  summary_ = parts.join("<br>");
}

void MetricsTable::clearScores() {
  clearContents();
  setRowCount(0);
  summary_.clear();
}

double MetricsTable::value(int row, Column column) const {
  const auto* cell = item(row, column);
  return cell ? cell->data(kValueRole).toDouble() : std::numeric_limits<double>::quiet_NaN();
}

} // namespace lumen
