// The GUI demo (`make demo`):
// - Runs workspace: two real training runs of the built-in regression task, AdamW and SGD with
//   momentum, whose curves grow side by side in the Training Monitor;
// - Events workspace: synthetic noisy/clean event recordings, a short 3D U-Net training watched
//   live, then the held-out noisy recording denoised and shown next to its noisy and clean
//   versions.
#include "MainWindow.h"
#include "common/Log.h"
#include "events/EventsWorkspace.h"
#include "events/SyntheticEvents.h"
#include "runs/RunsWorkspace.h"
#include "workspace/WorkspaceServices.h"

#include <QDateTime>
#include <QDir>

namespace lumen {
namespace {

void startEventsDemo(MainWindow& window, EventsWorkspace& events, const QString& folder) {
  const QString train = QDir(folder).absoluteFilePath(QStringLiteral("events-data"));
  const QString test = QDir(folder).absoluteFilePath(QStringLiteral("events-test"));
  auto synth = window.services().submit(
      makeJob("Synthesise event recordings",
              [train = train.toStdString(), test = test.toStdString()](Job& job) {
                SyntheticEventConfig config;
                writeSyntheticEventDataset(train, 8, 1, config, &job);
                writeSyntheticEventDataset(test, 1, 99, config, &job);
              }));
  events.whenDone(synth, [&window, &events, train, test, folder] {
    window.showWorkspace(QStringLiteral("events"));
    events.openPath(test + "/" + kNoisyFolder + "/scene_0000.h5", nullptr);
    auto training = events.startTraining(train + "/" + kNoisyFolder, train + "/" + kCleanFolder,
                                         {"trainer.epochs=8"}, folder + "/runs");
    const QString runDir = events.lastRunDir();
    events.whenDone(training,
                    [&events, runDir] { events.startInference(runDir + "/checkpoints/best.pt"); });
  });
}

} // namespace

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
  if (auto* events = qobject_cast<EventsWorkspace*>(workspace(QStringLiteral("events"))))
    startEventsDemo(*this, *events, QDir(folder).absolutePath());
}

} // namespace lumen
