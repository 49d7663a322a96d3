#include "io/GridCheck.h"

#include "common/Error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace lumen {

namespace {

std::string triple(const double* v, const char* separator) {
  std::string out;
  for (int d = 0; d < 3; ++d) {
    char text[40];
    std::snprintf(text, sizeof(text), "%s%g", d ? separator : "", v[d]);
    out += text;
  }
  return out;
}

} // namespace

std::string gridDifference(const ImageGeometry& a, const ImageGeometry& b) {
  if (a.size != b.size) {
    const double sa[3] = {double(a.size[0]), double(a.size[1]), double(a.size[2])};
    const double sb[3] = {double(b.size[0]), double(b.size[1]), double(b.size[2])};
    return "sizes " + triple(sa, "x") + " and " + triple(sb, "x");
  }
  for (size_t d = 0; d < 3; ++d)
    if (std::abs(a.spacing[d] - b.spacing[d]) > 1e-3 * std::abs(a.spacing[d]))
      return "spacings " + triple(a.spacing.data(), " x ") + " and " +
             triple(b.spacing.data(), " x ") + " mm";
  const double tolerance = 1e-3 * *std::min_element(a.spacing.begin(), a.spacing.end());
  for (size_t d = 0; d < 3; ++d)
    if (std::abs(a.origin[d] - b.origin[d]) > tolerance)
      return "origins " + triple(a.origin.data(), ", ") + " and " + triple(b.origin.data(), ", ") +
             " mm";
  for (size_t n = 0; n < 9; ++n)
    if (std::abs(a.direction[n] - b.direction[n]) > 1e-4)
      return "directions " + a.orientationCode() + " and " + b.orientationCode() +
             " (the direction cosines differ)";
  return {};
}

void requireSameGrid(const ImageGeometry& a, const ImageGeometry& b, const std::string& what) {
  const std::string difference = gridDifference(a, b);
  if (!difference.empty())
    throw InputError(what + ": " + difference);
}

} // namespace lumen
