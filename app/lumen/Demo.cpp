// The GUI demo (`make demo`):
// - Runs workspace: two real training runs of the built-in regression task, AdamW and SGD with
//   momentum, whose curves grow side by side in the Training Monitor;
// - Events workspace: synthetic noisy/clean event recordings, a short denoiser training watched
//   live, then the held-out noisy recording denoised and shown next to its noisy and clean
//   versions, with what it kept beside BAF and STCF.
// - Shapes workspace (after the events part, so the two trainings do not share the cores):
//   synthetic 10-class hearts, a short phase-1 then phase-2 training of the shape autoencoder
//   watched live, and a held-out heart completed from five classes next to its ground truth.
// - Segment workspace (at once: three small chest CTAs take a few seconds): a study folder of
//   synthetic chest CTAs, its first image opened with the aorta clicked where a user would click
//   it (its lowest, middle and highest slices), so the mask is there, Accept and Next Sample
//   ready, whenever the user turns to the tab; the tab is not forced to the front.
#include "MainWindow.h"
#include "WelcomePage.h"
#include "common/Log.h"
#include "events/EventsWorkspace.h"
#include "events/SyntheticEvents.h"
#include "io/CtVolumeIO.h"
#include "runs/RunsWorkspace.h"
#include "segment/ChestClasses.h"
#include "segment/ClickSimulator.h"
#include "segment/SegmentWorkspace.h"
#include "segment/SyntheticChestCt.h"
#include "shapes/ShapeDataset.h"
#include "shapes/ShapesWorkspace.h"
#include "shapes/SyntheticHeart.h"
#include "workspace/WorkspaceServices.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <cstdio>
#include <filesystem>

namespace lumen {
namespace {

void startShapesDemo(MainWindow& window, ShapesWorkspace& shapes, const QString& folder) {
  const QString hearts = QDir(folder).absoluteFilePath(QStringLiteral("hearts"));
  const QString prepared = QDir(folder).absoluteFilePath(QStringLiteral("hearts-prepared"));
  const QString runs = QDir(folder).absoluteFilePath(QStringLiteral("runs"));
  const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-hhmmss"));
  auto synth = window.services().submit(
      makeJob("Synthesise 10-class hearts", [hearts = hearts.toStdString()](Job& job) {
        SyntheticHeartOptions options;
        options.spacing = {1.5, 1.5, 1.5};
        writeSyntheticHearts(hearts, 24, 0, options, &job);
      }));
  shapes.whenDone(synth, [&window, &shapes, hearts, prepared, runs, stamp] {
    window.showWorkspace(QStringLiteral("shapes"));
    shapes.openPath(hearts, nullptr);
    auto prepare = shapes.startPreparation(hearts, prepared);
    shapes.whenDone(prepare, [&shapes, prepared, runs, stamp] {
      const std::vector<std::string> quick{"data.cached_queries=8192", "data.val_queries=4096"};
      auto withEpochs = [quick](int epochs) {
        auto overrides = quick;
        overrides.push_back("trainer.epochs=" + std::to_string(epochs));
        return overrides;
      };
      const QString phase1 = runs + "/shapes-p1-" + stamp, phase2 = runs + "/shapes-p2-" + stamp;
      auto first = shapes.startTraining(1, prepared, {}, withEpochs(20), phase1);
      shapes.whenDone(first, [&shapes, prepared, phase1, phase2, withEpochs] {
        auto second = shapes.startTraining(2, prepared, phase1 + "/checkpoints/best.pt",
                                           withEpochs(10), phase2);
        shapes.whenDone(second, [&shapes, prepared, phase2] {
          // A heart held out of training (the validation split), completed from the chambers
          // and the myocardium. Cases are listed in file-name order, as findLabelMaps sorts them.
          const std::string heldOut = readCaseList(prepared.toStdString(), "val").front();
          const auto maps = findLabelMaps(shapes.folder().toStdString());
          int row = 0;
          for (size_t i = 0; i < maps.size(); ++i)
            if (QFileInfo(QString::fromStdString(maps[i]))
                    .fileName()
                    .startsWith(QString::fromStdString(heldOut + ".")))
              row = int(i);
          shapes.setCheckpoint(phase2 + "/checkpoints/best.pt");
          shapes.selectCase(row);
          shapes.setInputClasses({1, 2, 3, 4, 5});
          shapes.startCompletion();
        });
      });
    });
  });
}

void startSegmentDemo(MainWindow& window, SegmentWorkspace& segment, const QString& folder) {
  const QString study = QDir(folder).absoluteFilePath(QStringLiteral("segment-study"));
  auto prompts = std::make_shared<std::vector<PromptPoint>>();
  auto synth = window.services().submit(
      makeJob("Synthesise chest CTAs", [study = study.toStdString(), prompts](Job& job) {
        // A fresh study each time: a label accepted in an earlier demo would leave case_000
        // labelled, and Next Sample would skip it.
        std::filesystem::remove_all(study);
        std::filesystem::create_directories(study);
        SyntheticChestCtOptions options;
        options.size = {256, 256, 64};
        options.spacing = {1.4, 1.4, 4.5};
        constexpr int kCases = 3;
        for (int c = 0; c < kCases; ++c) {
          char name[32];
          std::snprintf(name, sizeof name, "case_%03d", c);
          job.setProgress(double(c) / kCases, name);
          const auto chest = makeSyntheticChestCt(100 + uint64_t(c), options, &job);
          writeCtVolume(study + "/" + name + ".nii.gz", chest.cta);
          if (c == 0) {
            MaskVolume aorta;
            aorta.geometry = chest.labels.geometry;
            aorta.values.resize(chest.labels.values.size());
            for (size_t v = 0; v < aorta.values.size(); ++v)
              aorta.values[v] = chest.labels.values[v] == kChestAorta ? 1 : 0;
            *prompts = initialClicks(aorta, 3);
          }
        }
      }));
  segment.whenDone(synth, [&segment, study, prompts] {
    segment.setWindowPreset(3); // CTA: the contrast-filled aorta against the mediastinum
    segment.openPath(study, nullptr);
    segment.openStudyImage(QStringLiteral("case_000"), *prompts);
    logInfo("demo: the Segment tab has a study of three chest CTAs in ", study.toStdString(),
            ", the aorta of case_000 clicked: Accept saves its label, Next Sample moves on");
  });
}

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
    events.whenDone(training, [&window, &events, runDir, folder] {
      auto inference = events.startInference(runDir + "/checkpoints/best.pt");
      auto* shapes = qobject_cast<ShapesWorkspace*>(window.workspace(QStringLiteral("shapes")));
      if (shapes)
        events.whenDone(inference,
                        [&window, shapes, folder] { startShapesDemo(window, *shapes, folder); });
    });
  });
}

} // namespace

QString MainWindow::defaultDemoFolder() {
  // The user's application data folder (~/.local/share/Lumen/Lumen on Linux): always writable,
  // and out of the way of the user's own files.
  return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
      .absoluteFilePath(QStringLiteral("demo-workspace"));
}

void MainWindow::startDemo(const QString& folder) {
  welcome_->setDemoStarted(QDir(folder).absolutePath());
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
  if (auto* segment = qobject_cast<SegmentWorkspace*>(workspace(QStringLiteral("segment"))))
    startSegmentDemo(*this, *segment, QDir(folder).absolutePath());
  if (auto* events = qobject_cast<EventsWorkspace*>(workspace(QStringLiteral("events"))))
    startEventsDemo(*this, *events, QDir(folder).absolutePath());
}

} // namespace lumen
