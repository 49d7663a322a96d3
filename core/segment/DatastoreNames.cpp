#include "segment/DatastoreNames.h"

#include "common/Error.h"

#include <cstdint>
#include <fnmatch.h>

namespace lumen::segment {
namespace {

// Python's pathlib.PurePath.suffixes: nothing for a name ending in '.', leading dots ignored.
std::vector<std::string> suffixesOf(const std::string& name) {
  std::vector<std::string> suffixes;
  if (name.empty() || name.back() == '.')
    return suffixes;
  const size_t start = name.find_first_not_of('.');
  if (start == std::string::npos)
    return suffixes;
  size_t dot = name.find('.', start);
  while (dot != std::string::npos) {
    const size_t next = name.find('.', dot + 1);
    suffixes.push_back(
        name.substr(dot, next == std::string::npos ? std::string::npos : next - dot));
    dot = next;
  }
  return suffixes;
}

bool endsWith(const std::string& text, const std::string& tail) {
  return text.size() >= tail.size() &&
         text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

std::string removeEvery(std::string text, const std::string& part) {
  if (part.empty())
    return text;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at))
    text.erase(at, part.size());
  return text;
}

void requireSafeName(const std::string& value, const char* what) {
  const std::string quoted = std::string(what) + " '" + value + "'";
  if (value.empty())
    throw InputError(std::string(what) + " is empty");
  if (value.size() > 200)
    throw InputError(std::string(what) + " is " + std::to_string(value.size()) +
                     " bytes long, at most 200 are allowed");
  if (value.find('/') != std::string::npos || value.find('\\') != std::string::npos)
    throw InputError(quoted + " contains a path separator; expected a plain name");
  if (value.find("..") != std::string::npos)
    throw InputError(quoted + " contains '..'; expected a plain name");
  if (value.front() == '.')
    throw InputError(quoted + " starts with '.', which would make a hidden file");
  for (unsigned char c : value)
    if (c < 0x20 || c == 0x7f)
      throw InputError(std::string(what) + " contains a control character");
  if (!isValidUtf8(value))
    throw InputError(std::string(what) + " is not UTF-8 text");
}

} // namespace

bool isValidUtf8(const std::string& text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t length = 0;
    uint32_t code = 0, minimum = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      length = 2, code = c & 0x1f, minimum = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      length = 3, code = c & 0x0f, minimum = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      length = 4, code = c & 0x07, minimum = 0x10000;
    } else {
      return false;
    }
    if (i + length > text.size())
      return false;
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80)
        return false;
      code = (code << 6) | (next & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not UTF-8.
    if (code < minimum || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
      return false;
    i += length;
  }
  return true;
}

std::vector<std::string> defaultImagePatterns() {
  return {"*.nii.gz", "*.nii", "*.nrrd", "*.jpg", "*.png", "*.tif", "*.svs", "*.xml", "*.mha"};
}

bool matchesImagePattern(const std::string& name, const std::vector<std::string>& patterns) {
  for (const auto& pattern : patterns)
    if (::fnmatch(pattern.c_str(), name.c_str(), FNM_PERIOD) == 0)
      return true;
  return false;
}

std::string fileExtension(const std::string& name, const std::vector<std::string>& patterns) {
  const auto suffixes = suffixesOf(name);
  size_t first = suffixes.size();
  while (first > 0 && suffixes[first - 1].size() <= 10)
    --first;
  std::string ext;
  for (size_t i = first; i < suffixes.size(); ++i)
    ext += suffixes[i];
  // MONAILABEL.md does not say which pattern wins when several match; MONAI Label checks them in
  // order without stopping, so the last one does. No two default patterns can both match.
  for (const auto& pattern : patterns) {
    std::string tail = removeEvery(pattern, "*");
    if (!tail.empty() && endsWith(name, tail))
      ext = tail;
  }
  return ext;
}

std::string idOfFileName(const std::string& name, const std::vector<std::string>& patterns) {
  return removeEvery(name, fileExtension(name, patterns));
}

std::string idOfUploadName(const std::string& fileName) {
  // MONAI Label splits only at '/' (it runs on POSIX); a Windows client's path is split at '\\'
  // too, so its folders do not end up in the id (where the id check would refuse them).
  const size_t slash = fileName.find_last_of("/\\");
  const std::string base = slash == std::string::npos ? fileName : fileName.substr(slash + 1);
  std::string ext;
  for (const auto& suffix : suffixesOf(base))
    ext += suffix;
  return removeEvery(base, ext);
}

void requireSafeId(const std::string& id) {
  requireSafeName(id, "image id");
}

void requireSafeTag(const std::string& tag) {
  requireSafeName(tag, "label tag");
}

} // namespace lumen::segment
