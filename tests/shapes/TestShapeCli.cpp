// `lumen-cli shapes` on broken input, as a user meets it: a label map cut short by a failed
// download is refused by name with exit code 1 and no output (prepare and complete), a completion
// whose meshes cannot be written leaves no label map behind, --resolution and --spacing are
// bounded, and a case list that points outside its dataset folder is refused. A tiny model is
// trained once, through the command line itself.
#include "TestSupport.h"

#include <QDir>
#include <QProcess>
#include <QtTest>
#include <filesystem>

namespace fs = std::filesystem;
using namespace lumen;

namespace {

using Result = test::CommandResult;

Result runCli(const QStringList& args, int timeoutMs = 240000) {
  return test::runProgram(QStringLiteral(LUMEN_CLI_PATH), args, timeoutMs);
}

// Every file under `dir`, as names relative to it.
QStringList filesIn(const QString& dir) {
  QStringList names;
  if (!fs::exists(dir.toStdString()))
    return names;
  for (const auto& entry : fs::recursive_directory_iterator(dir.toStdString()))
    if (entry.is_regular_file())
      names << QString::fromStdString(fs::relative(entry.path(), dir.toStdString()).string());
  return names;
}

} // namespace

class TestShapeCli : public QObject {
  Q_OBJECT
  QString dir_, checkpoint_;

  // heart_000..003 with the last one's download cut in half.
  QString truncatedHeart() const { return dir_ + "/broken/heart_003.nii.gz"; }

private Q_SLOTS:
  void initTestCase() {
    dir_ = QString::fromStdString(test::freshDir("shape-cli"));
    const auto synth =
        runCli({"shapes", "synth", dir_ + "/hearts", "--cases", "4", "--spacing", "3.5,3.5,3.5"});
    QVERIFY2(synth.code == 0, qPrintable(synth.err));
    const auto prepare =
        runCli({"shapes", "prepare", "--input", dir_ + "/hearts", "--output", dir_ + "/prepared",
                "--points", "512", "--queries", "2000", "--grid", "32"});
    QVERIFY2(prepare.code == 0, qPrintable(prepare.err));
    const auto train = runCli({"shapes",    "train",
                               "--phase",   "1",
                               "--run-dir", dir_ + "/run",
                               "--set",     "data.dirs=[" + dir_ + "/prepared]",
                               "--set",     "data.input_points=128",
                               "--set",     "data.queries=128",
                               "--set",     "data.cached_queries=1024",
                               "--set",     "data.val_queries=256",
                               "--set",     "model.width=32",
                               "--set",     "model.latents=8",
                               "--set",     "model.depth=1",
                               "--set",     "model.heads=2",
                               "--set",     "trainer.epochs=1"});
    QVERIFY2(train.code == 0, qPrintable(train.err));
    checkpoint_ = dir_ + "/run/checkpoints/best.pt";
    QVERIFY(QFile::exists(checkpoint_));
    QDir().mkpath(dir_ + "/broken");
    const std::string whole = test::readText((dir_ + "/hearts/heart_003.nii.gz").toStdString());
    test::writeText(truncatedHeart().toStdString(), whole.substr(0, whole.size() / 2));
  }

  void prepareRefusesATruncatedLabelMap() {
    const QString out = dir_ + "/prepared-broken";
    const auto alone = runCli({"shapes", "prepare", "--input", dir_ + "/broken", "--output", out,
                               "--grid", "32", "--points", "256", "--queries", "100"});
    QCOMPARE(alone.code, 1);
    QVERIFY2(alone.err.contains(truncatedHeart() + ": truncated: the decompressed data holds"),
             qPrintable(alone.err));
    QCOMPARE(filesIn(out), QStringList());
    // Next to a good file: the good case is prepared and listed, the broken one is neither.
    QFile::copy(dir_ + "/hearts/heart_000.nii.gz", dir_ + "/broken/heart_000.nii.gz");
    const auto mixed = runCli({"shapes", "prepare", "--input", dir_ + "/broken", "--output", out,
                               "--grid", "32", "--points", "256", "--queries", "100"});
    QFile::remove(dir_ + "/broken/heart_000.nii.gz");
    QCOMPARE(mixed.code, 1);
    QVERIFY2(mixed.err.contains("heart_003") && mixed.err.contains("truncated"),
             qPrintable(mixed.err));
    QVERIFY(QFile::exists(out + "/heart_000.h5"));
    QVERIFY(!QFile::exists(out + "/heart_003.h5"));
    const QString lists =
        QString::fromStdString(test::readText((out + "/train.csv").toStdString()) +
                               test::readText((out + "/val.csv").toStdString()));
    QVERIFY(lists.contains("heart_000") && !lists.contains("heart_003"));
  }

  void completeRefusesATruncatedLabelMap() {
    const QString out = dir_ + "/complete-broken";
    const auto result =
        runCli({"shapes", "complete", "--checkpoint", checkpoint_, "--input", truncatedHeart(),
                "--output", out + "/completed.nii.gz", "--meshes", out + "/meshes"});
    QCOMPARE(result.code, 1);
    QVERIFY2(result.err.contains(truncatedHeart() + ": truncated: the decompressed data holds"),
             qPrintable(result.err));
    QCOMPARE(filesIn(out), QStringList());
  }

  void completeLeavesNothingWhenMeshesCannotBeWritten() {
    const QString out = dir_ + "/complete-blocked";
    QDir().mkpath(out);
    test::writeText((out + "/meshes").toStdString(), "a file where the mesh folder should be");
    const auto result = runCli({"shapes", "complete", "--checkpoint", checkpoint_, "--input",
                                dir_ + "/hearts/heart_000.nii.gz", "--output",
                                out + "/completed.nii.gz", "--meshes", out + "/meshes"});
    QVERIFY(result.code != 0);
    QVERIFY2(result.err.contains(out + "/meshes"), qPrintable(result.err));
    QCOMPARE(filesIn(out), QStringList{"meshes"});
    // The same completion with a usable folder writes both.
    const auto good =
        runCli({"shapes", "complete", "--checkpoint", checkpoint_, "--input",
                dir_ + "/hearts/heart_000.nii.gz", "--output", out + "/completed.nii.gz",
                "--meshes", out + "/ok", "--resolution", "32"});
    QVERIFY2(good.code == 0, qPrintable(good.err));
    QVERIFY(QFile::exists(out + "/completed.nii.gz"));
    for (const QString& name : filesIn(out))
      QVERIFY2(!name.contains(".tmp-"), qPrintable(name));
  }

  void completeBoundsTheResolution() {
    for (const QString resolution : {"4", "513"}) {
      const auto result = runCli({"shapes", "complete", "--checkpoint", checkpoint_, "--input",
                                  dir_ + "/hearts/heart_000.nii.gz", "--output",
                                  dir_ + "/res/x.nii.gz", "--resolution", resolution});
      QCOMPARE(result.code, 2);
      QVERIFY2(result.err.contains("--resolution: " + resolution +
                                   " is out of range: expected a whole number in [8, 512]"),
               qPrintable(result.err));
    }
    for (const QString resolution : {"64.5", "1e+12"}) {
      const auto result = runCli({"shapes", "complete", "--checkpoint", checkpoint_, "--input",
                                  dir_ + "/hearts/heart_000.nii.gz", "--output",
                                  dir_ + "/res/x.nii.gz", "--resolution", resolution});
      QCOMPARE(result.code, 2);
      QVERIFY2(
          result.err.contains("--resolution: expected a whole number, got '" + resolution + "'"),
          qPrintable(result.err));
    }
    QVERIFY(!QFile::exists(dir_ + "/res/x.nii.gz"));
  }

  void synthBoundsTheSpacing() {
    for (const QString spacing : {"0,1,1", "1,1,-2", "1,1,nan", "0.01,0.01,0.01"}) {
      const auto result =
          runCli({"shapes", "synth", dir_ + "/tiny-voxels", "--cases", "1", "--spacing", spacing});
      QCOMPARE(result.code, 2);
      QVERIFY2(result.err.contains("--spacing: each voxel side must be 0.25 to 20 mm"),
               qPrintable(result.err));
    }
    QVERIFY(!QFile::exists(dir_ + "/tiny-voxels"));
  }

  void evalRefusesCaseIdsThatLeaveTheDataset() {
    const QString data = dir_ + "/escaping";
    QDir().mkpath(data);
    for (const QString& name : QDir(dir_ + "/prepared").entryList(QDir::Files))
      QFile::copy(dir_ + "/prepared/" + name, data + "/" + name);
    test::writeText((data + "/val.csv").toStdString(), "case,file\n../prepared/heart_000,x.h5\n");
    const auto result =
        runCli({"shapes", "eval", "--checkpoint", checkpoint_, "--data", data, "--drop", "ao"});
    QCOMPARE(result.code, 1);
    QVERIFY2(result.err.contains(data + "/val.csv:2: case id '../prepared/heart_000': a case id "
                                        "must not contain a path separator"),
             qPrintable(result.err));
  }
};

QTEST_GUILESS_MAIN(TestShapeCli)
#include "TestShapeCli.moc"
