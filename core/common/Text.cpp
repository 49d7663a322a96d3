#include "common/Text.h"

#include <cctype>
#include <charconv>
#include <cmath>

namespace lumen {

std::string formatNumber(double value) {
  if (std::isnan(value))
    return "nan";
  if (std::isinf(value))
    return value > 0 ? "inf" : "-inf";
  char text[32];
  const auto [end, error] = std::to_chars(text, text + sizeof text, value);
  if (error != std::errc())
    return std::to_string(value);
  return std::string(text, end);
}

std::string joinLimited(const std::vector<std::string>& items, size_t shown,
                        const std::string& separator) {
  std::string text;
  const size_t n = std::min(items.size(), shown);
  for (size_t i = 0; i < n; ++i)
    text += (i ? separator : "") + items[i];
  if (items.size() > n)
    text += " and " + std::to_string(items.size() - n) + " more";
  return text;
}

std::string truncateText(const std::string& text, size_t maxChars) {
  if (text.size() <= maxChars)
    return text;
  return text.substr(0, maxChars) + "…";
}

std::string trimSpace(const std::string& text) {
  size_t a = 0, b = text.size();
  while (a < b && std::isspace(static_cast<unsigned char>(text[a])))
    ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(text[b - 1])))
    --b;
  return text.substr(a, b - a);
}

std::string asciiLower(std::string text) {
  for (char& c : text)
    if (c >= 'A' && c <= 'Z')
      c = char(c - 'A' + 'a');
  return text;
}

} // namespace lumen
