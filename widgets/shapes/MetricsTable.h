// Per-class agreement of a completion with the case's ground truth: class, whether the
// model saw it ("visible") or had to complete it ("completed"), Dice, HD95, ASSD and Chamfer in
// millimetres; plus the means of the visible and the completed classes, reported separately.
#pragma once
#include "shapes/ShapeMetrics.h"
#include "shapes/ShapeSampling.h"

#include <QTableWidget>
#include <vector>

namespace lumen {

class MetricsTable : public QTableWidget {
  Q_OBJECT
public:
  enum Column { Class, Role, Dice, Hd95, Assd, Chamfer, ColumnCount };

  explicit MetricsTable(QWidget* parent = nullptr);
  QSize sizeHint() const override;

  // One row per score, in the order given; `visible` tells the role of each class.
  void setScores(const std::vector<ClassScore>& scores, ClassSet visible);
  void clearScores();
  // "Visible: Dice 0.91 … · Completed: Dice 0.64 …", empty without scores.
  QString summary() const { return summary_; }
  // The number in a cell (NaN for "–").
  double value(int row, Column column) const;

private:
  QString summary_;
};

} // namespace lumen
