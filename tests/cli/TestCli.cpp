// lumen-cli as a user runs it: help at every level, versions, a real training run with
// overrides that is cancelled with Ctrl+C and resumed, runs list, monitor, config errors that
// name the file, line and key, and the event and shape pipelines end to end.
#include "TestSupport.h"
#include "events/EventFile.h"
#include "io/Hdf5File.h"
#include "io/NiftiIO.h"
#include "train/RunDirectory.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>
#include <csignal>

using namespace lumen;

namespace {
using Result = test::CommandResult;

Result runCli(const QStringList& args, int timeoutMs = 120000) {
  return test::runProgram(QStringLiteral(LUMEN_CLI_PATH), args, timeoutMs);
}

// A short run of the regression task: 2 epochs x 16 steps.
QStringList smallRun(const QString& runDir) {
  return {"regression", "train",
          "--run-dir",  runDir,
          "--set",      "samples=2048",
          "--set",      "hidden=32",
          "--set",      "trainer.epochs=2",
          "--set",      "trainer.threads=1"};
}
} // namespace

class TestCli : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void helpAtEveryLevel() {
    const auto top = runCli({"--help"});
    QCOMPARE(top.code, 0);
    for (const char* command : {"demo", "regression", "runs", "monitor"})
      QVERIFY2(top.out.contains(QLatin1String(command)), qPrintable(top.out));
    const auto train = runCli({"regression", "train", "--help"});
    QCOMPARE(train.code, 0);
    QVERIFY(train.out.contains("--set KEY=VALUE"));
    QVERIFY(train.out.contains("Usage: lumen-cli regression train"));
    QVERIFY(runCli({"runs", "--help"}).out.contains("list"));
    const auto wrong = runCli({"runs", "lst"});
    QCOMPARE(wrong.code, 2);
    QVERIFY(wrong.err.contains("unknown command 'lst'"));
  }

  // The line of every config key with its effective default (the shipped file's, which differs
  // from the struct's for data.noisy_dir) and what it may be.
  void helpListsEveryConfigKey() {
    const auto train = runCli({"events", "train", "--help"});
    QCOMPARE(train.code, 0);
    QVERIFY2(train.out.contains("Config keys (--set KEY=VALUE; defaults from ") &&
                 train.out.contains("configs/events/train.yaml):"),
             qPrintable(train.out));
    const auto line = [&](const QString& text, const QString& key) {
      for (const QString& l : text.split('\n'))
        if (l.trimmed().startsWith(key + " "))
          return l.simplified();
      return QString("<no line for %1>").arg(key);
    };
    QCOMPARE(line(train.out, "data.window_us"), QString("data.window_us = 20000 an integer >= 1"));
    QCOMPARE(line(train.out, "trainer.epochs"), QString("trainer.epochs = 30 an integer >= 1"));
    QCOMPARE(line(train.out, "data.anchor"), QString("data.anchor = window window | events"));
    QCOMPARE(line(train.out, "data.noisy_dir"),
             QString("data.noisy_dir = events-data/background_with_flare_events a string"));
    QCOMPARE(line(train.out, "trainer.optimizer.lr"),
             QString("trainer.optimizer.lr = 0.003 a number > 0"));
    QCOMPARE(line(train.out, "model.residual"), QString("model.residual = true true or false"));
    // Every command taking --set lists its keys.
    const std::vector<std::pair<QStringList, QString>> commands{
        {{"events", "prepare"}, "data.bins"},
        {{"events", "test"}, "stcf_k"},
        {{"events", "infer"}, "checkpoint"},
        {{"regression", "train"}, "trainer.epochs"},
        {{"shapes", "train"}, "model.latents"},
        {{"segment", "train"}, "data.studies"},
        {{"demo"}, "samples"},
    };
    for (const auto& [command, key] : commands) {
      const auto help = runCli(command + QStringList{"--help"});
      QVERIFY2(help.code == 0 && help.out.contains("--set KEY=VALUE") &&
                   help.out.contains("Config keys (--set KEY=VALUE; defaults from ") &&
                   !line(help.out, key).startsWith("<no line"),
               qPrintable(command.join(' ') + ":\n" + help.out));
    }
  }

  // Every library with a version taken at configure time; Qt's is the GUI's, when it is built.
  void versionListsLibraries() {
    const auto version = runCli({"--version"});
    QCOMPARE(version.code, 0);
    QVERIFY(version.out.startsWith("Lumen "));
    QVERIFY(version.out.contains("LibTorch 1.") || version.out.contains("LibTorch 2."));
    const QStringList lines = version.out.trimmed().split('\n');
    QStringList names;
    for (const QString& l : lines) {
      const auto space = l.indexOf(' ');
      QVERIFY2(space > 0 && l.size() > space + 1 && !l.contains("unknown"), qPrintable(l));
      names << l.left(space);
    }
    QCOMPARE(names, (QStringList{"Lumen", "Qt", "VTK", "ITK", "HDF5", "yaml-cpp", "LibTorch",
                                 "nlohmann_json", "GDCM", "LZ4", "ZSTD"}));
    for (const char* prefix : {"VTK 9.", "ITK 5.", "HDF5 1.", "yaml-cpp 0.", "nlohmann_json 3."})
      QVERIFY2(version.out.contains(QLatin1String(prefix)), qPrintable(version.out));
    QVERIFY2(version.out.contains("Qt 6.") || version.out.contains("Qt (not built)"),
             qPrintable(version.out));
    QVERIFY(version.err.isEmpty());
  }

  // --quiet leaves stderr to warnings and errors: no progress, no "done in", no info lines; the
  // command's own output still comes on stdout. Without it the same commands report on stderr.
  void quietIsQuiet() {
    const auto dir = QString::fromStdString(test::freshDir("cli-quiet"));
    const QString text = dir + "/small.txt";
    test::writeText(text.toStdString(), "32 24\n0 1 1 1\n150 2 3 0\n40000 31 23 1\n");
    const auto loud = runCli({"events", "import", text, dir + "/loud.h5"});
    QVERIFY2(loud.code == 0 && loud.err.contains("done in"), qPrintable(loud.err));
    const auto import = runCli({"--quiet", "events", "import", text, dir + "/small.h5"});
    QCOMPARE(import.code, 0);
    QVERIFY2(import.err.isEmpty(), qPrintable(import.err));
    QVERIFY2(import.out.contains("imported 3 events"), qPrintable(import.out));
    const auto encode =
        runCli({"--quiet", "events", "encode", dir + "/small.h5", dir + "/v.h5", "--hard"});
    QCOMPARE(encode.code, 0);
    QVERIFY2(encode.err.isEmpty(), qPrintable(encode.err));
    QVERIFY2(encode.out.contains("wrote 3 voxel grids"), qPrintable(encode.out));
    const auto stats = runCli({"--quiet", "events", "stats", dir + "/small.h5", "--json"});
    QVERIFY(stats.code == 0 && stats.err.isEmpty() && stats.out.contains("\"num_events\": 3"));
    // Errors still reach stderr.
    const auto missing = runCli({"--quiet", "events", "encode", dir + "/none.h5", dir + "/w.h5"});
    QCOMPARE(missing.code, 1);
    QVERIFY2(missing.err.contains("none.h5"), qPrintable(missing.err));
  }

  // events eval scores a denoised file against the recording it came from; another sensor or
  // a disjoint time range is refused, naming both files, instead of scoring zero recall.
  void evalRefusesRecordingsThatDoNotMatch() {
    const auto dir = test::freshDir("cli-eval-mismatch");
    EventArray reference;
    reference.sensor = {96, 64};
    for (int i = 0; i < 50; ++i)
      reference.push(1000 + 100 * i, i % 96, i % 64, i % 2 ? 1 : -1, uint8_t(i % 3 != 0));
    writeEventFile(dir + "/reference.h5", reference);
    EventArray other = reference;
    other.label.clear();
    other.sensor = {128, 64};
    writeEventFile(dir + "/other-sensor.h5", other);
    EventArray later = reference;
    later.label.clear();
    for (auto& t : later.t)
      t += 1'000'000;
    writeEventFile(dir + "/later.h5", later);
    const QString ref = QString::fromStdString(dir + "/reference.h5");
    const auto sensor =
        runCli({"events", "eval", "--input", QString::fromStdString(dir + "/other-sensor.h5"),
                "--reference", ref});
    QCOMPARE(sensor.code, 1);
    QVERIFY2(sensor.err.contains(QString::fromStdString(dir + "/other-sensor.h5 (sensor 128 x 64) "
                                                              "and ") +
                                 ref + " (sensor 96 x 64) come from different sensors"),
             qPrintable(sensor.err));
    const auto time =
        runCli({"events", "eval", "--input", QString::fromStdString(dir + "/later.h5"),
                "--reference", ref, "--tolerance-us", "2500"});
    QCOMPARE(time.code, 1);
    QVERIFY2(time.err.contains(QString::fromStdString(dir + "/later.h5 (events at 1001000 .. "
                                                            "1005900 µs) and ") +
                               ref +
                               " (events at 1000 .. 5900 µs) do not overlap in time "
                               "(tolerance 2500 µs)"),
             qPrintable(time.err));
    QVERIFY(sensor.out.isEmpty() && time.out.isEmpty());
    // Times that overlap within the tolerance are scored.
    EventArray near = reference;
    near.label.clear();
    for (auto& t : near.t)
      t += 6000;
    writeEventFile(dir + "/near.h5", near);
    const auto scored =
        runCli({"events", "eval", "--input", QString::fromStdString(dir + "/near.h5"),
                "--reference", ref, "--tolerance-us", "2000", "--json"});
    QVERIFY2(scored.code == 0 && scored.out.contains("\"f1\""), qPrintable(scored.err));
  }

  void configErrorsNameFileLineAndKey() {
    const auto dir = QString::fromStdString(test::freshDir("cli-config"));
    const QString config = dir + "/bad.yaml";
    test::writeText(config.toStdString(), "samples: 100\ntrainer:\n  optimizer:\n    lr: fast\n");
    const auto bad = runCli({"regression", "train", "--config", config, "--run-dir", dir + "/r"});
    QCOMPARE(bad.code, 2);
    QVERIFY2(bad.err.contains(config + ":4:9: trainer.optimizer.lr: expected a number, got 'fast'"),
             qPrintable(bad.err));
    const auto range = runCli({"regression", "train", "--set", "trainer.epochs=0"});
    QCOMPARE(range.code, 2);
    QVERIFY2(range.err.contains("--set trainer.epochs"), qPrintable(range.err));
  }

  void trainsListsAndMonitors() {
    const auto root = QString::fromStdString(test::freshDir("cli-train"));
    const auto train = runCli(smallRun(root + "/small"));
    QVERIFY2(train.code == 0, qPrintable(train.err));
    QVERIFY(train.out.contains("best model: " + root + "/small/checkpoints/best.pt"));
    const auto config =
        QString::fromStdString(test::readText((root + "/small/config.yaml").toStdString()));
    QVERIFY(config.contains("samples: 2048")); // the overrides are in the saved config

    const auto list = runCli({"runs", "list", root});
    QCOMPARE(list.code, 0);
    QVERIFY2(list.out.contains("small") && list.out.contains("finished") &&
                 list.out.contains("32/32"),
             qPrintable(list.out));
    const auto json = runCli({"runs", "list", root, "--json"});
    QVERIFY(json.out.contains("\"state\": \"finished\""));

    const auto monitor = runCli({"monitor", root + "/small", "--once"});
    QCOMPARE(monitor.code, 0);
    QVERIFY2(monitor.out.contains("train/loss") && monitor.out.contains("val/loss") &&
                 monitor.out.contains("state finished"),
             qPrintable(monitor.out));
    const auto missing = runCli({"monitor", root + "/nothing"});
    QCOMPARE(missing.code, 1);
    QVERIFY(missing.err.contains("is not a run directory"));
    // A metric the run never logged is named, with the ones it has.
    const auto typo = runCli({"monitor", root + "/small", "--once", "--metric", "val/los"});
    QCOMPARE(typo.code, 2);
    QVERIFY2(typo.err.contains("--metric val/los: the run logs no such scalar; it has ") &&
                 typo.err.contains("val/loss"),
             qPrintable(typo.err));
    const auto one = runCli({"monitor", root + "/small", "--once", "--metric", "val/loss"});
    QCOMPARE(one.code, 0);
    QVERIFY(one.out.contains("val/loss") && !one.out.contains("train/loss"));
  }

  void optionsAreCheckedBeforeAnyWork() {
    const auto dir = QString::fromStdString(test::freshDir("cli-options"));
    const QString out = dir + "/out.h5";
    struct Case {
      QStringList args;
      QString message;
    };
    const std::vector<Case> cases{
        {{"events", "encode", "in.h5", out, "--bins", "1e30"},
         "--bins: expected a whole number, got '1e30'"},
        {{"events", "encode", "in.h5", out, "--bins", "5000"},
         "--bins: 5000 is out of range: expected a whole number in [1, 1024]"},
        {{"events", "encode", "in.h5", out, "--window-us", "99999999999999999999"},
         "--window-us: 99999999999999999999 is out of range"},
        {{"events", "encode", "in.h5", out, "--anchor", "middle"},
         "--anchor: unknown voxel anchor 'middle'"},
        {{"events", "import", "in.aedat4", out, "--sensor", "640x-1"},
         "--sensor expects WIDTHxHEIGHT"},
        {{"shapes", "synth", dir + "/h", "--spacing", "1,nan,1"},
         "--spacing: each voxel side must be 0.25 to 20 mm, got nan"},
        {{"shapes", "synth", dir + "/h", "--cases", "-3"}, "--cases: -3 is out of range"},
        {{"shapes", "prepare", "--input", dir, "--output", dir + "/p", "--class-map", "heart11"},
         "--class-map: "},
        {{"monitor", dir, "--interval", "inf"}, "--interval: expected a number, got 'inf'"},
    };
    for (const auto& c : cases) {
      const auto result = runCli(c.args);
      QVERIFY2(
          result.code == 2 && result.err.contains(c.message),
          qPrintable(c.args.join(' ') + " -> " + QString::number(result.code) + ": " + result.err));
      QVERIFY2(result.err.count('\n') <= 2, qPrintable(result.err)); // a message, not a dump
    }
    QVERIFY(!QFileInfo::exists(out));
    QVERIFY(!QFileInfo::exists(dir + "/h"));
    QVERIFY(!QFileInfo::exists(dir + "/p"));
  }

  void eventCommandsEndToEnd() {
    const auto dir = QString::fromStdString(test::freshDir("cli-events"));
    const auto synth = runCli({"events", "synth", dir + "/data", "--files", "2", "--seed", "4",
                               "--width", "96", "--height", "64"});
    QVERIFY2(synth.code == 0, qPrintable(synth.err));
    const QString noisy = dir + "/data/background_with_flare_events/scene_0001.h5";
    const auto stats = runCli({"events", "stats", noisy, "--json"});
    QCOMPARE(stats.code, 0);
    for (const char* key : {"\"num_events\"", "\"width\": 96", "\"height\": 64", "\"t_first_us\"",
                            "\"t_last_us\"", "\"num_pos\"", "\"num_neg\""})
      QVERIFY2(stats.out.contains(QLatin1String(key)), qPrintable(stats.out));
    const auto encode = runCli({"events", "encode", noisy, dir + "/v.h5", "--bins", "8",
                                "--window-us", "20000", "--hard"});
    QVERIFY2(encode.code == 0, qPrintable(encode.err));
    const auto voxels = Hdf5File::openRead((dir + "/v.h5").toStdString()).info("/voxels");
    QCOMPARE(voxels.dims, (std::vector<uint64_t>{5, 8, 64, 96}));
    QCOMPARE(voxels.kind, H5Kind::Float);
    // Compressed voxels hold the same values in a smaller file.
    const auto gzip = runCli({"events", "encode", noisy, dir + "/vz.h5", "--bins", "8",
                              "--window-us", "20000", "--hard", "--compress", "gzip-4"});
    QVERIFY2(gzip.code == 0, qPrintable(gzip.err));
    QVERIFY(Hdf5File::openRead((dir + "/vz.h5").toStdString()).read<float>("/voxels") ==
            Hdf5File::openRead((dir + "/v.h5").toStdString()).read<float>("/voxels"));
    QVERIFY(QFileInfo(dir + "/vz.h5").size() < QFileInfo(dir + "/v.h5").size() / 2);
    const auto badLevel =
        runCli({"events", "encode", noisy, dir + "/bad.h5", "--compress", "gzip-12"});
    QCOMPARE(badLevel.code, 2);
    QVERIFY2(badLevel.err.contains("--compress"), qPrintable(badLevel.err));
    const auto decode = runCli({"events", "decode", dir + "/v.h5", dir + "/d.h5"});
    QVERIFY2(decode.code == 0, qPrintable(decode.err));
    const auto filter = runCli({"events", "filter", noisy, dir + "/f.h5", "--method", "baf"});
    QVERIFY2(filter.code == 0, qPrintable(filter.err));
    const auto eval =
        runCli({"events", "eval", "--input", dir + "/f.h5", "--reference", noisy, "--json"});
    QCOMPARE(eval.code, 0);
    QVERIFY2(eval.out.contains("\"f1\"") && eval.out.contains("\"auc\": 0."), qPrintable(eval.out));
    // Without labels: what BAF, STCF and the filtered file keep, and whether each is a subset.
    const auto compare = runCli({"events", "compare", noisy, dir + "/f.h5", "--json"});
    QVERIFY2(compare.code == 0, qPrintable(compare.err));
    const auto table = QJsonDocument::fromJson(compare.out.toUtf8()).object();
    const auto rows = table["methods"].toArray();
    QCOMPARE(rows.size(), 4);
    QCOMPARE(rows[3].toObject()["method"].toString(), QString("f.h5"));
    for (const auto& row : rows)
      QVERIFY2(row.toObject()["subset"].toBool(), qPrintable(compare.out));
    // The filtered file is what BAF keeps.
    QCOMPARE(rows[3].toObject()["kept"].toInt(), rows[1].toObject()["kept"].toInt());
    const auto text = runCli({"events", "compare", noisy});
    QVERIFY2(text.code == 0 && text.out.contains("subset of input") && text.out.contains("stcf"),
             qPrintable(text.out + text.err));
    const auto missing = runCli({"events", "stats", dir + "/nope.h5"});
    QCOMPARE(missing.code, 1);
    QVERIFY(missing.err.contains("nope.h5"));
  }

  // lumen-cli itself does not load LibTorch (its help and event commands start in tens of
  // milliseconds); the commands that train or run networks pass to lumen-engine unchanged.
  void libTorchCommandsPassToTheEngine() {
    QProcess readelf;
    readelf.start("readelf", {"-d", QStringLiteral(LUMEN_CLI_PATH)});
    if (!readelf.waitForFinished(30000) || readelf.exitCode() != 0)
      QSKIP("readelf (binutils) is not available");
    const QString needed = QString::fromUtf8(readelf.readAllStandardOutput());
    QVERIFY2(needed.contains("libhdf5"), qPrintable(needed));
    for (const char* library : {"libtorch", "libc10", "libQt6Gui"})
      QVERIFY2(!needed.contains(QLatin1String(library)), qPrintable(needed));
    const auto help = runCli({"events", "infer", "--help"});
    QVERIFY2(help.code == 0, qPrintable(help.err));
    QVERIFY2(help.out.contains("Usage: lumen-cli events infer") && help.out.contains("threshold"),
             qPrintable(help.out));
    const auto wrong = runCli({"events", "infer", "--no-such-option"});
    QCOMPARE(wrong.code, 2);
    QVERIFY2(wrong.err.contains("--no-such-option"), qPrintable(wrong.err));
  }

  void rawImportSaysWhatItFoundAndSkipped() {
    // An EVT 3.0 recording of an old Gen4.1 camera: no size line, only plugin_name and
    // system_ID. Words: time high 1, time low 2, row 719, an event at x 1279, a trigger, an
    // OTHERS word with a CONTINUED_12.
    const auto dir = test::freshDir("cli-raw-import");
    std::string raw = "% evt 3.0\n% plugin_name hal_plugin_gen41_evk3\n% serial_number 00ca0009\n"
                      "% system_ID 48\n% end\n";
    for (const uint16_t w :
         {uint16_t(0x8001), uint16_t(0x6002), uint16_t(0x02CF), uint16_t(0x2800 | 1279),
          uint16_t(0xA101), uint16_t(0xE014), uint16_t(0xF123)})
      raw.append(reinterpret_cast<const char*>(&w), 2);
    const auto in = QString::fromStdString(dir + "/gen41.raw");
    test::writeText(in.toStdString(), raw);
    const QString out = QString::fromStdString(dir + "/gen41.h5");
    const auto result = runCli({"events", "import", in, out});
    QVERIFY2(result.code == 0, qPrintable(result.err));
    QVERIFY2(result.out.contains("imported 1 events (EVT3, 1280x720 sensor from the RAW header's "
                                 "plugin_name hal_plugin_gen41_evk3 (sensor Gen4.1))"),
             qPrintable(result.out));
    QVERIFY2(result.out.contains("skipped 2 OTHERS/CONTINUED words; wrote 1 trigger to /triggers"),
             qPrintable(result.out));
    const auto file = Hdf5File::openRead(out.toStdString());
    QCOMPARE(file.read<int64_t>("/triggers/t"), (std::vector<int64_t>{4098}));
    QCOMPARE(file.read<int64_t>("/triggers/id"), (std::vector<int64_t>{1}));
    // --sensor cannot replace the size the header gives.
    const auto conflict = runCli({"events", "import", in, out + "2", "--sensor", "640x480"});
    QCOMPARE(conflict.code, 1);
    QVERIFY2(conflict.err.contains("--sensor 640x480 contradicts the 1280x720 sensor"),
             qPrintable(conflict.err));
    QVERIFY(!QFileInfo::exists(out + "2"));
  }

  void shapeCommandsEndToEnd() {
    const auto dir = QString::fromStdString(test::freshDir("cli-shapes"));
    const auto synth = runCli({"shapes", "synth", dir + "/hearts", "--cases", "6", "--seed", "3",
                               "--spacing", "3,3,3.5"});
    QVERIFY2(synth.code == 0, qPrintable(synth.err));
    const auto prepare =
        runCli({"shapes", "prepare", "--input", dir + "/hearts", "--output", dir + "/prepared",
                "--points", "1024", "--queries", "3000", "--grid", "40", "--val-fraction", "0.34"});
    QVERIFY2(prepare.code == 0, qPrintable(prepare.err));
    QVERIFY(prepare.out.contains("prepared 6 cases"));
    const QStringList tiny{"--set", "data.dirs=[" + dir + "/prepared]",
                           "--set", "data.input_points=256",
                           "--set", "data.queries=256",
                           "--set", "data.cached_queries=2048",
                           "--set", "data.val_queries=512",
                           "--set", "model.width=32",
                           "--set", "model.latents=16",
                           "--set", "model.depth=1",
                           "--set", "trainer.epochs=2"};
    const auto phase1 = runCli(
        QStringList{"shapes", "train", "--phase", "1", "--run-dir", dir + "/runs/p1"} + tiny);
    QVERIFY2(phase1.code == 0, qPrintable(phase1.err));
    const QString best1 = dir + "/runs/p1/checkpoints/best.pt";
    const auto phase2 = runCli(QStringList{"shapes", "train", "--phase", "2", "--init", best1,
                                           "--run-dir", dir + "/runs/p2"} +
                               tiny);
    QVERIFY2(phase2.code == 0, qPrintable(phase2.err));
    QVERIFY(test::readText((dir + "/runs/p2/config.yaml").toStdString()).find("phase: 2") !=
            std::string::npos);
    const QString best2 = dir + "/runs/p2/checkpoints/best.pt";
    const auto complete = runCli({"shapes", "complete", "--checkpoint", best2, "--input",
                                  dir + "/hearts/heart_003.nii.gz", "--keep", "myo,lv,rv",
                                  "--output", dir + "/completed.nii.gz", "--meshes",
                                  dir + "/meshes", "--mesh-format", "ply", "--resolution", "40"});
    QVERIFY2(complete.code == 0, qPrintable(complete.err));
    QVERIFY(complete.out.contains("input classes:     Myo, LV, RV"));
    // The kept classes come back voxel for voxel in the input's geometry.
    const auto input = readLabelVolume((dir + "/hearts/heart_003.nii.gz").toStdString());
    const auto completed = readLabelVolume((dir + "/completed.nii.gz").toStdString());
    QCOMPARE(completed.geometry.size, input.geometry.size);
    QCOMPARE(std::count(completed.values.begin(), completed.values.end(), 3),
             std::count(input.values.begin(), input.values.end(), 3));
    QCOMPARE(QDir(dir + "/meshes").entryList({"*.vtp"}).size(),
             QDir(dir + "/meshes").entryList({"*.ply"}).size());
    const auto eval = runCli({"shapes", "eval", "--checkpoint", best2, "--data", dir + "/prepared",
                              "--drop", "ao,pa", "--json"});
    QVERIFY2(eval.code == 0, qPrintable(eval.err));
    // The numbers themselves: every held-out case scores both hidden classes for each method,
    // distances are real (a missed class at its penalty, never left out), and retrieval, near
    // perfect on these phantoms, beats an untrained guess.
    const QJsonObject results = QJsonDocument::fromJson(eval.out.toUtf8()).object();
    const int cases = results["cases"].toInt();
    QVERIFY(cases >= 1);
    for (const char* method : {"model", "retrieval"}) {
      const QJsonObject completedScores =
          results["summary"][QLatin1String(method)]["completed"].toObject();
      QCOMPARE(completedScores["pairs"].toInt(), 2 * cases);
      const double dice = completedScores["dice"].toDouble(-1);
      QVERIFY2(dice >= 0 && dice <= 1, qPrintable(QString::number(dice)));
      QVERIFY(completedScores["hd95_mm"].toDouble(-1) >= 0);
      QVERIFY(completedScores["missed_pairs"].toInt(-1) >= 0 &&
              completedScores["missed_pairs"].toInt() <= 2 * cases);
    }
    QVERIFY2(results["summary"]["retrieval"]["completed"]["dice"].toDouble() > 0.3,
             qPrintable(eval.out.left(600)));
    const auto table = runCli({"shapes", "eval", "--checkpoint", best2, "--data", dir + "/prepared",
                               "--protocol", "3", "--no-baseline"});
    QVERIFY2(table.code == 0 && table.out.contains("DICE"), qPrintable(table.err));
    QVERIFY(!table.out.contains("retrieval"));
    // Clear errors: an unknown class, and a missing checkpoint.
    const auto badClass = runCli({"shapes", "complete", "--checkpoint", best2, "--input",
                                  dir + "/hearts/heart_003.nii.gz", "--keep", "lv,spleen",
                                  "--output", dir + "/x.nii.gz"});
    QCOMPARE(badClass.code, 2); // a usage error, found before any work starts
    QVERIFY2(badClass.err.contains("--keep: unknown heart class 'spleen'"),
             qPrintable(badClass.err));
    QVERIFY(!QFileInfo::exists(dir + "/x.nii.gz"));
    const auto noCheckpoint =
        runCli({"shapes", "complete", "--checkpoint", dir + "/none.pt", "--input",
                dir + "/hearts/heart_003.nii.gz", "--output", dir + "/x.nii.gz"});
    QCOMPARE(noCheckpoint.code, 1);
    QVERIFY(noCheckpoint.err.contains("none.pt does not exist"));
  }

  void ctrlCCancelsAndTheSameCommandResumes() {
    const auto root = QString::fromStdString(test::freshDir("cli-resume"));
    const QString run = root + "/long";
    QStringList args = smallRun(run);
    args << "--set"
         << "trainer.epochs=400"; // long enough to interrupt
    QProcess process;
    process.start(QStringLiteral(LUMEN_CLI_PATH), args);
    QTRY_VERIFY_WITH_TIMEOUT(
        readRunStatus(run.toStdString()) && readRunStatus(run.toStdString())->step > 40, 60000);
    ::kill(pid_t(process.processId()), SIGINT);
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitCode(), 130);
    const auto stopped = readRunStatus(run.toStdString());
    QCOMPARE(stopped->state, std::string("cancelled"));

    // Other settings than the run's own are refused before anything runs, naming the change.
    QStringList again = smallRun(run);
    again << "--set"
          << "trainer.max_steps=" + QString::number(stopped->step + 20) << "--set"
          << "trainer.epochs=400";
    const auto refused = runCli(again);
    QCOMPARE(refused.code, 2);
    QVERIFY2(refused.err.contains("trainer.max_steps: 0 -> " + QString::number(stopped->step + 20)),
             qPrintable(refused.err));
    QCOMPARE(readRunStatus(run.toStdString())->state, std::string("cancelled"));

    // Accepted explicitly (a shorter budget): it resumes from the checkpoint and finishes.
    again << "--accept-config-change";
    const auto resumed = runCli(again);
    QVERIFY2(resumed.code == 0, qPrintable(resumed.err));
    QVERIFY2(resumed.err.contains("resuming long from step " + QString::number(stopped->step)),
             qPrintable(resumed.err));
    QCOMPARE(readRunStatus(run.toStdString())->state, std::string("finished"));
  }
};

QTEST_GUILESS_MAIN(TestCli)
#include "TestCli.moc"
