// lumen-cli on broken HDF5 files, as a user (or a service) runs it: every `events` command that
// reads them exits with code 1 and one line on stderr naming the file and the problem. Before,
// a failure on a job's worker thread left libhdf5's error records behind, and at exit libhdf5
// printed "HDF5: infinite loop closing library" and a line of interface codes; `events eval` on
// a string attribute of many elements overflowed a buffer.
#include "HostileHdf5.h"
#include "TestSupport.h"
#include "io/Hdf5File.h"

#include <QProcess>
#include <QtTest>
#include <filesystem>

using namespace lumen;
using namespace lumen::test::hostile;

namespace {

struct Run {
  int code = -1;
  bool crashed = false;
  QString out, err;
};

Run runCli(const QStringList& args) {
  QProcess process;
  process.start(QStringLiteral(LUMEN_CLI_PATH), args);
  process.waitForFinished(120000);
  return {process.exitCode(), process.exitStatus() == QProcess::CrashExit,
          QString::fromUtf8(process.readAllStandardOutput()),
          QString::fromUtf8(process.readAllStandardError())};
}

// Exit code 1, one line on stderr that contains `expected`, and nothing from libhdf5 itself.
void expectCleanFailure(const QStringList& args, const QString& expected) {
  const Run run = runCli(args);
  const QString what = args.join(' ') + ": " + run.err;
  QVERIFY2(!run.crashed, qPrintable(what));
  QVERIFY2(run.code == 1, qPrintable(QString("exit code %1; ").arg(run.code) + what));
  QVERIFY2(run.err.count('\n') == 1 && run.err.endsWith('\n'), qPrintable(what));
  QVERIFY2(run.err.contains(expected), qPrintable(what));
  for (const char* noise : {"HDF5-DIAG", "HDF5:", "infinite loop", "#000"})
    QVERIFY2(!run.err.contains(QLatin1String(noise)), qPrintable(what));
}

} // namespace

class TestHostileCli : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void eventCommandsFailCleanlyOnBrokenHdf5() {
    const auto dir = QString::fromStdString(test::freshDir("hostile-cli"));
    const auto out = dir + "/out.h5";
    // A good file cut in half.
    const auto good = (dir + "/good.h5").toStdString();
    {
      H5Id file(H5Fcreate(good.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
      addFourEvents(file.get());
      addInt8Dataset(file.get(), "/padding", {64, 1024});
    }
    const auto truncated = dir + "/truncated.h5";
    std::filesystem::copy_file(good, truncated.toStdString());
    std::filesystem::resize_file(truncated.toStdString(), std::filesystem::file_size(good) / 2);
    for (const QStringList& command :
         {QStringList{"events", "import", truncated, out},
          QStringList{"events", "encode", truncated, out},
          QStringList{"events", "filter", truncated, out},
          QStringList{"events", "stats", truncated},
          QStringList{"events", "eval", "--input", truncated, "--reference", truncated}})
      expectCleanFailure(command, truncated + ": cannot open HDF5 file (corrupt or unreadable)");

    // /events/t of the wrong rank and of the wrong type.
    const auto rank = (dir + "/rank.h5").toStdString();
    {
      H5Id file(H5Fcreate(rank.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
      addFourEvents(file.get());
      H5Ldelete(file.get(), "/events/t", H5P_DEFAULT);
      addChunkedDataset(file.get(), "/events/t", H5T_NATIVE_INT64, {2, 2}, {1, 1});
    }
    const auto text = (dir + "/text.h5").toStdString();
    {
      H5Id file(H5Fcreate(text.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
      addFourEvents(file.get());
      H5Ldelete(file.get(), "/events/t", H5P_DEFAULT);
      H5Id type(H5Tcopy(H5T_C_S1), H5Tclose);
      H5Tset_size(type.get(), 8);
      addChunkedDataset(file.get(), "/events/t", type.get(), {4}, {4});
    }
    for (const auto& command : {"import", "encode", "filter"}) {
      expectCleanFailure({"events", command, QString::fromStdString(rank), out},
                         QString::fromStdString(rank) +
                             ": /events/t must be one-dimensional, has 2 dimensions");
      expectCleanFailure({"events", command, QString::fromStdString(text), out},
                         QString::fromStdString(text) +
                             ": /events/t must hold integers or float64 microseconds");
    }
    QVERIFY(!std::filesystem::exists(out.toStdString()));
  }

  void evalRefusesMultiElementAttributes() {
    const auto dir = test::freshDir("hostile-cli-attributes");
    for (const auto& [name, size] :
         {std::pair{"variable", size_t(H5T_VARIABLE)}, std::pair{"fixed", size_t(16)}}) {
      const auto path = dir + "/" + name + ".h5";
      {
        H5Id file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
        addFourEvents(file.get());
        addStringAttribute(file.get(), "/events", "match_tolerance_us", size, 64);
      }
      const auto file = QString::fromStdString(path);
      expectCleanFailure({"events", "eval", "--input", file, "--reference", file},
                         file + ": /events: attribute 'match_tolerance_us' holds 64 strings "
                                "(shape 64); expected one string");
    }
    const auto bogus = dir + "/bogus.h5";
    {
      H5Id file(H5Fcreate(bogus.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
      addFourEvents(file.get());
      addStringAttribute(file.get(), "/events", "match_tolerance_us", 30, 1, '9');
    }
    const auto file = QString::fromStdString(bogus);
    expectCleanFailure({"events", "eval", "--input", file, "--reference", file},
                       file + ": /events: attribute 'match_tolerance_us' is "
                              "'999999999999999999999999999999'; expected whole microseconds");
  }
};

QTEST_GUILESS_MAIN(TestHostileCli)
#include "TestHostileCli.moc"
