// The legend and class controls of the Shapes workspace, one row per heart class: colour swatch,
// name, "input" (the class is given to the model; unchecked classes are hidden from it and
// left to completion), "show" (drawn in every view) and an opacity slider. Classes the open case
// does not have are greyed out.
#pragma once
#include "shapes/ShapeSampling.h"

#include <QTableWidget>
#include <array>

class QSlider;

namespace lumen {

class ClassTable : public QTableWidget {
  Q_OBJECT
public:
  enum Column { Swatch, Name, Input, Show, Opacity, ColumnCount };

  explicit ClassTable(QWidget* parent = nullptr);

  void setPresent(ClassSet present);
  ClassSet present() const { return present_; }

  // Checked "input" boxes (present or not: the choice carries over to the next case).
  ClassSet inputClasses() const;
  void setInputClasses(ClassSet classes);

  bool isShown(int label) const;
  void setShown(int label, bool shown);
  double opacity(int label) const; // 0..1
  void setOpacity(int label, double opacity);
  QSlider* opacitySlider(int label) const { return sliders_[size_t(label - 1)]; }

  std::array<bool, kHeartClasses> shownFlags() const;
  std::array<double, kHeartClasses> opacities() const;

Q_SIGNALS:
  void inputsChanged();
  // "show" or opacity changed.
  void appearanceChanged();

private:
  QTableWidgetItem* cell(int label, Column column) const;

  ClassSet present_;
  std::array<QSlider*, kHeartClasses> sliders_{};
  bool updating_ = false;
};

} // namespace lumen
