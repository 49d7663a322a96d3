// Small helpers shared by the test suites.
#pragma once
#include <QString>
#include <string>

namespace lumen::test {

// A fresh, empty directory for one test, under the build tree (LUMEN_TEST_TMP) or /tmp.
std::string freshDir(const std::string& name);

// Path of a file in ../shared/data, or an empty string when the sample data is absent, so the
// caller can QSKIP cleanly.
std::string sharedDataFile(const std::string& relative);

std::string readText(const std::string& path);
void writeText(const std::string& path, const std::string& text);

} // namespace lumen::test
