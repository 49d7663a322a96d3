#include "vtk/VtkViewWidget.h"

#include <QCursor>
#include <QEnterEvent>
#include <QGuiApplication>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOpenGLExtraFunctions>
#include <QScreen>
#include <QSurfaceFormat>
#include <QTimer>
#include <QWheelEvent>
#include <cmath>
#include <string>
#include <vtkCellPicker.h>
#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkOpenGLFramebufferObject.h>
#include <vtkOpenGLState.h>
#include <vtkRenderer.h>

namespace lumen {

namespace {

// A press and release closer than this (logical pixels) is a click, not a drag.
constexpr int kClickSlop = 4;

// VTK speaks X11 key symbols; only the keys VTK's interactor styles and widgets look at.
const char* keySymFor(int qtKey) {
  switch (qtKey) {
  case Qt::Key_Left:
    return "Left";
  case Qt::Key_Right:
    return "Right";
  case Qt::Key_Up:
    return "Up";
  case Qt::Key_Down:
    return "Down";
  case Qt::Key_PageUp:
    return "Prior";
  case Qt::Key_PageDown:
    return "Next";
  case Qt::Key_Home:
    return "Home";
  case Qt::Key_End:
    return "End";
  case Qt::Key_Return:
  case Qt::Key_Enter:
    return "Return";
  case Qt::Key_Escape:
    return "Escape";
  case Qt::Key_Tab:
    return "Tab";
  case Qt::Key_Backspace:
    return "BackSpace";
  case Qt::Key_Delete:
    return "Delete";
  case Qt::Key_Space:
    return "space";
  case Qt::Key_Shift:
    return "Shift_L";
  case Qt::Key_Control:
    return "Control_L";
  case Qt::Key_Alt:
    return "Alt_L";
  case Qt::Key_Plus:
    return "plus";
  case Qt::Key_Minus:
    return "minus";
  default:
    return nullptr;
  }
}

// Letters and digits map to themselves ("a", "7"); keySym storage must outlive the call.
std::string keySymOf(const QKeyEvent* event) {
  if (const char* named = keySymFor(event->key()))
    return named;
  const QString text = event->text();
  if (text.size() == 1 && text.at(0).isLetterOrNumber())
    return text.toStdString();
  return "None";
}

} // namespace

VtkViewWidget::VtkViewWidget(QWidget* parent) : QOpenGLWidget(parent) {
  setFocusPolicy(Qt::StrongFocus);
  setMouseTracking(true);
  // VTK repaints the whole frame every time; partial updates would only cost a copy.
  setUpdateBehavior(QOpenGLWidget::NoPartialUpdate);

  // Nothing may render until initializeGL has a context; Qt owns that context and VTK only
  // borrows it, and paintGL (not VTK's Frame) puts the image on screen.
  m_renderWindow->SetReadyForRendering(false);
  m_renderWindow->SetOwnContext(false);
  m_renderWindow->SetFrameBlitModeToNoBlit();
  m_renderWindow->SetMultiSamples(0);
  m_renderWindow->AddRenderer(m_renderer);
  for (unsigned long id : {vtkCommand::WindowMakeCurrentEvent, vtkCommand::WindowIsCurrentEvent,
                           vtkCommand::WindowFrameEvent})
    m_renderWindow->AddObserver(id, this, &VtkViewWidget::onRenderWindowEvent);

  m_interactor->SetRenderWindow(m_renderWindow);
  // Interactor styles call Render() after every step; routing that through Qt's update()
  // coalesces a burst of mouse moves into one frame.
  m_interactor->EnableRenderOff();
  m_interactor->AddObserver(vtkCommand::RenderEvent, this, &VtkViewWidget::onInteractorEvent);
  // Qt timers repeat on their own; VTK re-creating the platform timer on each tick is churn.
  m_interactor->TimerEventResetsTimerOff();
  m_interactor->AddObserver(vtkCommand::CreateTimerEvent, this, &VtkViewWidget::onTimerEvent);
  m_interactor->AddObserver(vtkCommand::DestroyTimerEvent, this, &VtkViewWidget::onTimerEvent);
  m_interactor->Initialize();
}

VtkViewWidget::~VtkViewWidget() {
  // The QOpenGLWidget base destroys the context after this body; the slot must not fire on a
  // half-destroyed object, and VTK objects may outlive us through other references.
  if (context())
    disconnect(context(), nullptr, this, nullptr);
  makeCurrent();
  releaseVtkContext();
  doneCurrent();
  m_renderWindow->RemoveObservers(vtkCommand::WindowMakeCurrentEvent);
  m_renderWindow->RemoveObservers(vtkCommand::WindowIsCurrentEvent);
  m_renderWindow->RemoveObservers(vtkCommand::WindowFrameEvent);
  m_interactor->RemoveAllObservers();
}

void VtkViewWidget::setDefaultSurfaceFormat() {
  QSurfaceFormat format;
  format.setRenderableType(QSurfaceFormat::OpenGL);
  format.setVersion(3, 2);
  format.setProfile(QSurfaceFormat::CoreProfile);
  format.setSwapBehavior(QSurfaceFormat::DoubleBuffer);
  format.setRedBufferSize(8);
  format.setGreenBufferSize(8);
  format.setBlueBufferSize(8);
  format.setDepthBufferSize(24);
  format.setStencilBufferSize(8);
  // VTK renders into its own framebuffers; multisampling Qt's would only waste memory.
  format.setSamples(0);
  QSurfaceFormat::setDefaultFormat(format);
}

vtkGenericOpenGLRenderWindow* VtkViewWidget::renderWindow() const {
  return m_renderWindow;
}

vtkRenderer* VtkViewWidget::renderer() const {
  return m_renderer;
}

vtkGenericRenderWindowInteractor* VtkViewWidget::interactor() const {
  return m_interactor;
}

void VtkViewWidget::requestRender() {
  m_renderPending = true;
  update();
}

QImage VtkViewWidget::grabRendered() {
  m_renderPending = true;
  return grabFramebuffer();
}

std::optional<PickResult> VtkViewWidget::pickAt(QPoint widgetPos) {
  const QPoint device = toDevice(widgetPos);
  const int* size = m_renderWindow->GetSize();
  if (size[0] <= 0 || size[1] <= 0)
    return std::nullopt;
  // The pick ray spans the clipping range, which is stale after programmatic camera moves.
  m_renderer->ResetCameraClippingRange();
  vtkNew<vtkCellPicker> picker;
  picker->SetTolerance(0.0005);
  if (!picker->Pick(device.x(), size[1] - device.y() - 1, 0.0, m_renderer))
    return std::nullopt;
  PickResult result;
  picker->GetPickPosition(result.position.data());
  result.prop = picker->GetViewProp();
  return result;
}

QPointF VtkViewWidget::worldToWidget(double x, double y, double z) const {
  m_renderer->SetWorldPoint(x, y, z, 1.0);
  m_renderer->WorldToDisplay();
  const double* display = m_renderer->GetDisplayPoint();
  const double dpr = devicePixelRatioF();
  return {display[0] / dpr, (m_renderWindow->GetSize()[1] - display[1]) / dpr};
}

void VtkViewWidget::initializeGL() {
  // Called again with a new context when the widget is re-parented to another window.
  m_renderWindow->SetReadyForRendering(true);
  m_renderWindow->SetIsCurrent(true);
  m_renderWindow->SetOwnContext(false);
  m_renderWindow->SetForceMaximumHardwareLineWidth(1);
  m_renderWindow->SetPosition(0, 0);
  updateVtkSize();
  m_renderWindow->OpenGLInitContext();
  m_renderWindow->InitializeFromCurrentContext();
  // Qt's default depth test is GL_LESS; VTK's coincident-topology handling assumes LEQUAL.
  m_renderWindow->GetState()->vtkglDepthFunc(GL_LEQUAL);
  m_contextReady = true;
  m_renderPending = true;
  // Qt replaces the context when the widget moves to another window; the lambda connection
  // is dropped with the old context, so each context gets exactly one.
  connect(context(), &QOpenGLContext::aboutToBeDestroyed, this, [this] {
    makeCurrent();
    releaseVtkContext();
    doneCurrent();
  });
}

void VtkViewWidget::resizeGL(int, int) {
  updateVtkSize();
  m_renderPending = true;
}

void VtkViewWidget::paintGL() {
  if (!m_contextReady)
    return;
  m_inPaint = true;
  // Qt touched GL state behind VTK's cache since the last frame.
  vtkOpenGLState* state = m_renderWindow->GetState();
  state->Reset();
  state->Push();
  state->vtkglDepthFunc(GL_LEQUAL);
  if (m_renderPending) {
    m_renderPending = false;
    m_renderWindow->Render();
  }
  // A render may have triggered other widgets' updates, which switch contexts.
  makeCurrent();
  blitToWidget();
  state->Pop();
  m_inPaint = false;
}

void VtkViewWidget::blitToWidget() {
  QOpenGLExtraFunctions* f = context()->extraFunctions();
  f->glBindFramebuffer(GL_DRAW_FRAMEBUFFER, defaultFramebufferObject());
  const GLenum drawBuffer = GL_COLOR_ATTACHMENT0;
  f->glDrawBuffers(1, &drawBuffer);
  const bool scissor = f->glIsEnabled(GL_SCISSOR_TEST);
  if (scissor) {
    m_renderWindow->GetState()->vtkglDisable(GL_SCISSOR_TEST);
    f->glDisable(GL_SCISSOR_TEST);
  }

  const int* source = m_renderWindow->GetRenderFramebuffer()->GetLastSize();
  const QSize target = size() * devicePixelRatioF();
  m_renderWindow->BlitDisplayFramebuffer(0, 0, 0, source[0], source[1], 0, 0, target.width(),
                                         target.height(), GL_COLOR_BUFFER_BIT, GL_NEAREST);

  // VTK leaves alpha < 1 where the background shows; Mesa/compositors would then blend the
  // widget with what lies behind it, and grabbed images would come out transparent.
  f->glColorMask(GL_FALSE, GL_FALSE, GL_FALSE, GL_TRUE);
  f->glClearColor(0.0f, 0.0f, 0.0f, 1.0f);
  f->glViewport(0, 0, target.width(), target.height());
  f->glClear(GL_COLOR_BUFFER_BIT);
  f->glColorMask(GL_TRUE, GL_TRUE, GL_TRUE, GL_TRUE);
  if (scissor) {
    m_renderWindow->GetState()->vtkglEnable(GL_SCISSOR_TEST);
    f->glEnable(GL_SCISSOR_TEST);
  }
}

void VtkViewWidget::releaseVtkContext() {
  if (!m_contextReady)
    return;
  // GPU resources belong to the dying context: free them while it is still current.
  m_renderWindow->Finalize();
  m_renderWindow->SetReadyForRendering(false);
  m_contextReady = false;
}

void VtkViewWidget::updateVtkSize() {
  const double dpr = devicePixelRatioF();
  const QSize device = size() * dpr;
  // UpdateSize resizes the render window too, and keeps the interactor's y flip in step.
  m_interactor->UpdateSize(device.width(), device.height());
  m_renderWindow->SetSize(device.width(), device.height());
  if (const QScreen* s = screen()) {
    const QSize screenSize = s->size() * dpr;
    m_renderWindow->SetScreenSize(screenSize.width(), screenSize.height());
  }
  // Text actors size their fonts by DPI; 72 is VTK's unscaled default.
  m_renderWindow->SetDPI(static_cast<int>(std::lround(72 * dpr)));
}

void VtkViewWidget::onRenderWindowEvent(vtkObject*, unsigned long eventId, void* callData) {
  switch (eventId) {
  case vtkCommand::WindowMakeCurrentEvent:
    // Not QOpenGLWidget::makeCurrent(): that also binds the widget's framebuffer behind the
    // back of VTK's GL state cache, and VTK then attaches its textures to Qt's framebuffer.
    if (QOpenGLContext::currentContext() != context() && context())
      context()->makeCurrent(context()->surface());
    break;
  case vtkCommand::WindowIsCurrentEvent: {
    const QOpenGLContext* current = QOpenGLContext::currentContext();
    *static_cast<bool*>(callData) = current && current == context();
    break;
  }
  case vtkCommand::WindowFrameEvent:
    // VTK rendered outside paintGL (someone called Render() directly): only blit.
    if (!m_inPaint) {
      m_renderPending = false;
      update();
    }
    break;
  default:
    break;
  }
}

void VtkViewWidget::onInteractorEvent(vtkObject*, unsigned long, void*) {
  requestRender();
}

void VtkViewWidget::onTimerEvent(vtkObject*, unsigned long eventId, void* callData) {
  if (eventId == vtkCommand::CreateTimerEvent) {
    const int platformId = m_nextTimerId++;
    auto* timer = new QTimer(this);
    timer->setSingleShot(m_interactor->GetTimerEventType() ==
                         vtkRenderWindowInteractor::OneShotTimer);
    timer->setInterval(m_interactor->GetTimerEventDuration());
    connect(timer, &QTimer::timeout, this, [this, platformId] {
      // The generic interactor finds the VTK timer id through the platform id.
      m_interactor->SetTimerEventPlatformId(platformId);
      m_interactor->TimerEvent();
    });
    m_timers[platformId] = timer;
    m_interactor->SetTimerEventPlatformId(platformId);
    timer->start();
  } else if (eventId == vtkCommand::DestroyTimerEvent) {
    const int platformId = *static_cast<int*>(callData);
    auto it = m_timers.find(platformId);
    if (it != m_timers.end()) {
      it->second->stop();
      it->second->deleteLater();
      m_timers.erase(it);
    }
  }
}

QPoint VtkViewWidget::toDevice(QPointF logical) const {
  const double dpr = devicePixelRatioF();
  return {static_cast<int>(std::lround(logical.x() * dpr)),
          static_cast<int>(std::lround(logical.y() * dpr))};
}

void VtkViewWidget::setEventInformation(QPointF pos, Qt::KeyboardModifiers modifiers, char keyCode,
                                        const char* keySym, int repeat) {
  const QPoint device = toDevice(pos);
  m_interactor->SetAltKey(modifiers.testFlag(Qt::AltModifier) ? 1 : 0);
  m_interactor->SetEventInformationFlipY(
      device.x(), device.y(), modifiers.testFlag(Qt::ControlModifier) ? 1 : 0,
      modifiers.testFlag(Qt::ShiftModifier) ? 1 : 0, keyCode, repeat, keySym);
}

namespace {
// The VTK event for a Qt mouse button going down or up; NoEvent for buttons VTK does not know.
unsigned long vtkButtonEvent(Qt::MouseButton button, bool press) {
  switch (button) {
  case Qt::LeftButton:
    return press ? vtkCommand::LeftButtonPressEvent : vtkCommand::LeftButtonReleaseEvent;
  case Qt::MiddleButton:
    return press ? vtkCommand::MiddleButtonPressEvent : vtkCommand::MiddleButtonReleaseEvent;
  case Qt::RightButton:
    return press ? vtkCommand::RightButtonPressEvent : vtkCommand::RightButtonReleaseEvent;
  default:
    return vtkCommand::NoEvent;
  }
}
} // namespace

void VtkViewWidget::mousePressEvent(QMouseEvent* event) {
  setEventInformation(event->position(), event->modifiers());
  if (event->button() == Qt::LeftButton)
    m_clickStart = event->position().toPoint();
  if (const auto id = vtkButtonEvent(event->button(), true); id != vtkCommand::NoEvent)
    m_interactor->InvokeEvent(id);
  event->accept();
}

void VtkViewWidget::mouseReleaseEvent(QMouseEvent* event) {
  setEventInformation(event->position(), event->modifiers());
  if (const auto id = vtkButtonEvent(event->button(), false); id != vtkCommand::NoEvent)
    m_interactor->InvokeEvent(id);
  event->accept();

  if (event->button() == Qt::LeftButton && m_clickStart) {
    const QPoint travel = event->position().toPoint() - *m_clickStart;
    m_clickStart.reset();
    if (travel.manhattanLength() <= kClickSlop) {
      if (const auto hit = pickAt(event->position().toPoint()))
        Q_EMIT picked(hit->position[0], hit->position[1], hit->position[2], event->modifiers());
    }
  }
}

void VtkViewWidget::mouseMoveEvent(QMouseEvent* event) {
  setEventInformation(event->position(), event->modifiers());
  m_interactor->InvokeEvent(vtkCommand::MouseMoveEvent);
  event->accept();
}

void VtkViewWidget::mouseDoubleClickEvent(QMouseEvent* event) {
  // The second press of a double click is a click of its own (two prompts placed quickly must
  // both count); VTK's convention for it is a press with a repeat count of one.
  if (event->button() == Qt::LeftButton)
    m_clickStart = event->position().toPoint();
  setEventInformation(event->position(), event->modifiers(), 0, nullptr, 1);
  if (const auto id = vtkButtonEvent(event->button(), true); id != vtkCommand::NoEvent)
    m_interactor->InvokeEvent(id);
  event->accept();
}

void VtkViewWidget::wheelEvent(QWheelEvent* event) {
  setEventInformation(event->position(), event->modifiers());
  const QPoint delta = event->angleDelta();
  if (delta.y() > 0)
    m_interactor->InvokeEvent(vtkCommand::MouseWheelForwardEvent);
  else if (delta.y() < 0)
    m_interactor->InvokeEvent(vtkCommand::MouseWheelBackwardEvent);
  if (delta.x() > 0)
    m_interactor->InvokeEvent(vtkCommand::MouseWheelLeftEvent);
  else if (delta.x() < 0)
    m_interactor->InvokeEvent(vtkCommand::MouseWheelRightEvent);
  event->accept();
}

void VtkViewWidget::keyPressEvent(QKeyEvent* event) {
  const std::string keySym = keySymOf(event);
  const QString text = event->text();
  const char keyCode = text.size() == 1 ? text.at(0).toLatin1() : 0;
  setEventInformation(mapFromGlobal(QCursor::pos()), event->modifiers(), keyCode, keySym.c_str(),
                      event->isAutoRepeat() ? 1 : 0);
  m_interactor->InvokeEvent(vtkCommand::KeyPressEvent);
  if (keyCode != 0)
    m_interactor->InvokeEvent(vtkCommand::CharEvent);
  event->accept();
}

void VtkViewWidget::keyReleaseEvent(QKeyEvent* event) {
  const std::string keySym = keySymOf(event);
  const QString text = event->text();
  const char keyCode = text.size() == 1 ? text.at(0).toLatin1() : 0;
  setEventInformation(mapFromGlobal(QCursor::pos()), event->modifiers(), keyCode, keySym.c_str());
  m_interactor->InvokeEvent(vtkCommand::KeyReleaseEvent);
  event->accept();
}

void VtkViewWidget::enterEvent(QEnterEvent* event) {
  setEventInformation(event->position(), QGuiApplication::keyboardModifiers());
  m_interactor->InvokeEvent(vtkCommand::EnterEvent);
  QOpenGLWidget::enterEvent(event);
}

void VtkViewWidget::leaveEvent(QEvent* event) {
  m_interactor->InvokeEvent(vtkCommand::LeaveEvent);
  QOpenGLWidget::leaveEvent(event);
}

} // namespace lumen
