// A reusable 3D scene view: trackball camera, gradient background, optional orientation axes.
#pragma once

#include "vtk/VtkViewWidget.h"

#include <QColor>

class vtkActor;
class vtkOrientationMarkerWidget;
class vtkPolyData;

namespace lumen {

class View3D : public VtkViewWidget {
  Q_OBJECT

public:
  explicit View3D(QWidget* parent = nullptr);
  ~View3D() override;

  void addProp(vtkProp* prop);
  void removeProp(vtkProp* prop);
  // Removes every prop from the scene; the orientation axes live in their own renderer and stay.
  void clearProps();

  // Shows a surface in one flat colour (point/cell scalars are ignored). The renderer keeps the
  // actor alive while it is in the scene.
  vtkActor* addPolyData(vtkPolyData* data, const QColor& color, double opacity = 1.0);

  // Frames every visible prop.
  void resetCamera();

  void setBackground(const QColor& color);
  void setGradientBackground(const QColor& bottom, const QColor& top);

  void setOrientationAxesVisible(bool visible);
  bool orientationAxesVisible() const;

private:
  vtkNew<vtkOrientationMarkerWidget> m_axes;
};

} // namespace lumen
