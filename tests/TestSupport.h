// Small helpers shared by the test suites.
#pragma once
#include <QString>
#include <QStringList>
#include <functional>
#include <string>

namespace lumen::test {

// A fresh, empty directory for one test, under the build tree (LUMEN_TEST_TMP) or /tmp.
std::string freshDir(const std::string& name);

// Path of a file in ../shared/data, or an empty string when the sample data is absent, so the
// caller can QSKIP cleanly.
std::string sharedDataFile(const std::string& relative);

std::string readText(const std::string& path);

// A command-line program run to its end: exit code and everything it printed.
struct CommandResult {
  int code;
  QString out, err;
};
CommandResult runProgram(const QString& program, const QStringList& args, int timeoutMs);

// Calls `poll` (a session's follow-ups, as the GUI's timer runs them) every 10 ms until `done`
// says so or `seconds` pass; returns whether it did.
bool pollUntil(const std::function<void()>& poll, const std::function<bool()>& done,
               int seconds = 60);
void writeText(const std::string& path, const std::string& text);

// A loopback TCP port no one listens on now (the kernel's pick for port 0).
int freeLoopbackPort();

} // namespace lumen::test
