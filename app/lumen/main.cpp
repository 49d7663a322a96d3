// lumen: the desktop application.
#include "LumenApplication.h"
#include "MainWindow.h"
#include "RegisterWorkspaces.h"
#include "common/Log.h"
#include "common/Version.h"
#include "vtk/VtkViewWidget.h"
#include "workspace/WorkspaceRegistry.h"

#include <QCommandLineParser>
#include <QDir>
#include <QTimer>

int main(int argc, char** argv) {
  // OpenGL 3.2 core without multisampling must be the default before QApplication exists.
  lumen::VtkViewWidget::setDefaultSurfaceFormat();
  lumen::LumenApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("Lumen"));
  QApplication::setApplicationName(QStringLiteral("Lumen"));
  QApplication::setApplicationVersion(QString::fromStdString(lumen::lumenVersion()));
  lumen::logger().addSink(std::make_shared<lumen::TerminalLogSink>());

  QCommandLineParser parser;
  parser.setApplicationDescription(
      QStringLiteral("Workbench for volumetric deep learning in cardiac imaging and event vision"));
  parser.addHelpOption();
  parser.addVersionOption();
  QCommandLineOption demo(QStringLiteral("demo"),
                          QStringLiteral("Open the demo workspace in FOLDER and start its runs."),
                          QStringLiteral("FOLDER"));
  QCommandLineOption screenshot(
      QStringLiteral("screenshot"),
      QStringLiteral("Save a screenshot of the window to FILE after SECONDS and quit (for docs "
                     "and checks)."),
      QStringLiteral("FILE"));
  QCommandLineOption delay(QStringLiteral("screenshot-delay"),
                           QStringLiteral("Seconds before --screenshot (default 8)."),
                           QStringLiteral("SECONDS"), QStringLiteral("8"));
  parser.addOptions({demo, screenshot, delay});
  parser.addPositionalArgument(QStringLiteral("paths"), QStringLiteral("Files or folders to open."),
                               QStringLiteral("[paths...]"));
  parser.process(app);

  lumen::WorkspaceRegistry registry;
  lumen::registerWorkspaces(registry);
  lumen::MainWindow window(registry);
  QObject::connect(&app, &lumen::LumenApplication::unexpectedError, &window,
                   [&window](const QString& message) {
                     window.showStatus(QObject::tr("Unexpected error: %1").arg(message));
                   });
  window.show();
  if (parser.isSet(demo))
    window.startDemo(parser.value(demo));
  for (const auto& path : parser.positionalArguments())
    window.openPath(QDir::current().absoluteFilePath(path));
  if (parser.isSet(screenshot)) {
    const QString file = parser.value(screenshot);
    QTimer::singleShot(int(parser.value(delay).toDouble() * 1000), &window, [&window, file] {
      window.grab().save(file);
      qputenv("LUMEN_NO_CONFIRM", "1");
      window.close();
    });
  }
  return QApplication::exec();
}
