// The GUI demo (`make demo`): two real training runs of the built-in regression task, AdamW and
// SGD with momentum, started in the demo folder so the Training Monitor shows their curves
// growing side by side.
#include "MainWindow.h"
#include "common/Log.h"
#include "runs/RunsWorkspace.h"

#include <QDateTime>
#include <QDir>

namespace lumen {

void MainWindow::startDemo(const QString& folder) {
  const QString runs = QDir(folder).absoluteFilePath(QStringLiteral("runs"));
  QDir().mkpath(runs);
  auto* page = static_cast<RunsWorkspace*>(showWorkspace(QStringLiteral("runs")));
  page->setFolder(runs);
  const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-hhmmss"));
  // One CPU thread each: the two runs train side by side without oversubscribing the cores.
  page->startRegressionRun(runs + "/regression-adamw-" + stamp, {}, {"trainer.threads=1"});
  page->startRegressionRun(runs + "/regression-sgd-" + stamp, {},
                           {"trainer.threads=1", "trainer.optimizer.name=sgd",
                            "trainer.optimizer.lr=0.05", "trainer.optimizer.momentum=0.9"});
  logInfo("demo: training two regression models in ", runs.toStdString());
}

} // namespace lumen
