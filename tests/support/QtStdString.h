// Lets QCOMPARE print std::string values when they differ (QtTest only knows its own types).
#pragma once
#include <QtTest>
#include <string>

namespace QTest {
template <> inline char* toString(const std::string& text) {
  return qstrdup(text.c_str());
}
} // namespace QTest
