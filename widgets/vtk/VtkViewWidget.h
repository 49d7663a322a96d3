// Lumen's own Qt6 <-> VTK bridge. VTK's Qt module on Debian is built against Qt5, so Lumen hosts
// a vtkGenericOpenGLRenderWindow inside a QOpenGLWidget itself: VTK renders into its own
// framebuffers with the widget's context current, and paintGL blits VTK's display framebuffer
// into the widget's framebuffer.
#pragma once

#include <QImage>
#include <QOpenGLWidget>
#include <QPoint>
#include <QPointF>
#include <array>
#include <map>
#include <optional>
#include <vtkNew.h>

class QTimer;
class vtkGenericOpenGLRenderWindow;
class vtkGenericRenderWindowInteractor;
class vtkObject;
class vtkProp;
class vtkRenderer;

namespace lumen {

// What a pick hit: the world position on the prop's surface (or image plane) and the prop.
struct PickResult {
  std::array<double, 3> position{};
  vtkProp* prop = nullptr;
};

class VtkViewWidget : public QOpenGLWidget {
  Q_OBJECT

public:
  explicit VtkViewWidget(QWidget* parent = nullptr);
  ~VtkViewWidget() override;

  // Must run before QApplication exists: QOpenGLWidget contexts take their format from the
  // default, and VTK needs a 3.2 core profile with depth and stencil buffers.
  static void setDefaultSurfaceFormat();

  vtkGenericOpenGLRenderWindow* renderWindow() const;
  vtkRenderer* renderer() const;
  vtkGenericRenderWindowInteractor* interactor() const;

  // Schedules a VTK render at the next paint; cheap to call repeatedly.
  void requestRender();

  // Renders now and returns the widget's pixels (device pixels, devicePixelRatio set).
  QImage grabRendered();

  // Casts a ray through a widget position (logical pixels, top-left origin). Needs one render
  // first so the renderer knows its viewport size.
  std::optional<PickResult> pickAt(QPoint widgetPos);

  // Projects a world point to widget coordinates (logical pixels, top-left origin).
  QPointF worldToWidget(double x, double y, double z) const;

Q_SIGNALS:
  // A plain left click (press and release within a few pixels, any modifiers) that hit a prop,
  // with the modifiers held at the release (Shift+click places a negative prompt, ...). Drags
  // are camera interaction and never pick.
  void picked(double x, double y, double z, Qt::KeyboardModifiers modifiers);

protected:
  void initializeGL() override;
  void resizeGL(int w, int h) override;
  void paintGL() override;

  void mousePressEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  void keyReleaseEvent(QKeyEvent* event) override;
  void enterEvent(QEnterEvent* event) override;
  void leaveEvent(QEvent* event) override;

  // Device pixels: VTK works in framebuffer pixels, Qt events in logical ones.
  QPoint toDevice(QPointF logical) const;

private:
  void onRenderWindowEvent(vtkObject* caller, unsigned long eventId, void* callData);
  void onInteractorEvent(vtkObject* caller, unsigned long eventId, void* callData);
  void onTimerEvent(vtkObject* caller, unsigned long eventId, void* callData);
  void setEventInformation(QPointF pos, Qt::KeyboardModifiers modifiers, char keyCode = 0,
                           const char* keySym = nullptr, int repeat = 0);
  void updateVtkSize();
  void blitToWidget();
  void releaseVtkContext();

  vtkNew<vtkGenericOpenGLRenderWindow> m_renderWindow;
  vtkNew<vtkRenderer> m_renderer;
  vtkNew<vtkGenericRenderWindowInteractor> m_interactor;

  // True when the next paintGL must ask VTK to render (resize, scene change); false when VTK
  // already rendered on its own and paintGL only has to blit.
  bool m_renderPending = true;
  bool m_inPaint = false;
  bool m_contextReady = false;

  // VTK timer platform id -> Qt timer.
  std::map<int, QTimer*> m_timers;
  int m_nextTimerId = 1;

  std::optional<QPoint> m_clickStart;
};

} // namespace lumen
