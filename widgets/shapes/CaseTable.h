// The case browser of the Shapes workspace: one row per label map of the open folder, with the
// heart classes it holds drawn as coloured chips (absent classes as empty outlines), so cases
// missing a structure stand out before they are opened.
#pragma once
#include "shapes/ShapeSampling.h"

#include <QStringList>
#include <QTableWidget>

namespace lumen {

class CaseTable : public QTableWidget {
  Q_OBJECT
public:
  enum Column { Case, Classes, ColumnCount };
  // The presence bits of a row's Classes cell (ClassSet::to_ulong()); absent until scanned.
  static constexpr int kClassBitsRole = Qt::UserRole + 1;

  explicit CaseTable(QWidget* parent = nullptr);

  QSize sizeHint() const override;
  void setCases(const QStringList& paths);
  QString path(int row) const;
  int rowOf(const QString& path) const;
  void setClasses(int row, ClassSet classes);
  void setError(int row, const QString& error);
  // "Myo LA LV ..." for present classes, "·" for absent ones; empty until known.
  QString classesText(int row) const;

Q_SIGNALS:
  void caseActivated(int row);
};

} // namespace lumen
