#include "io/MetaImageData.h"

#include "common/Error.h"
#include "common/Text.h"
#include "io/CompressedData.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>

namespace lumen {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kMaxHeaderBytes = 1 << 20; // MetaImage headers are a few hundred bytes

bool isTrue(const std::string& v) {
  std::string lower = v;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  return lower == "true" || lower == "1";
}

[[noreturn]] void truncated(const std::string& path, const std::string& what) {
  throw IoError(path + ": truncated: " + what);
}

} // namespace

MetaImageLayout metaImageLayout(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw IoError(path + ": cannot open");
  MetaImageLayout layout;
  int64_t headerSize = 0;
  std::string line, element;
  bool found = false;
  while (std::getline(in, line)) {
    if (uint64_t(in.tellg()) > kMaxHeaderBytes)
      break;
    const size_t eq = line.find('=');
    if (eq == std::string::npos)
      continue;
    const std::string key = trimSpace(line.substr(0, eq)), value = trimSpace(line.substr(eq + 1));
    if (key == "CompressedData")
      layout.compressed = isTrue(value);
    else if (key == "CompressedDataSize")
      layout.compressedBytes = std::stoll(value);
    else if (key == "HeaderSize")
      headerSize = std::stoll(value);
    else if (key == "ElementDataFile") {
      element = value;
      found = true;
      break; // the last key: the data follows this line in a .mha
    }
  }
  if (!found)
    throw InputError(path + ": no ElementDataFile in the MetaImage header");
  if (element == "LOCAL") {
    layout.dataFile = path;
    layout.dataOffset = uint64_t(in.tellg());
    return layout;
  }
  if (element.rfind("LIST", 0) == 0 || element.find('%') != std::string::npos ||
      element.find(' ') != std::string::npos)
    throw InputError(path + ": ElementDataFile '" + element +
                     "' spreads the data over several files; expected one data file");
  layout.dataFile = (fs::path(path).parent_path() / element).string();
  if (!fs::is_regular_file(layout.dataFile))
    throw IoError(path + ": its data file " + layout.dataFile + " does not exist");
  layout.dataOffset = headerSize > 0 ? uint64_t(headerSize) : 0;
  layout.dataAtEnd = headerSize == -1;
  return layout;
}

void requireCompleteMetaImage(const std::string& path, const MetaImageLayout& layout,
                              uint64_t neededBytes) {
  const uint64_t size = fs::file_size(layout.dataFile);
  const std::string& data = layout.dataFile;
  if (!layout.compressed) {
    const uint64_t held = layout.dataAtEnd           ? size
                          : size > layout.dataOffset ? size - layout.dataOffset
                                                     : 0;
    if (held < neededBytes)
      truncated(data, "the file holds " + std::to_string(held) + " of " +
                          std::to_string(neededBytes) + " bytes of voxels" +
                          (data == path ? "" : " (described by " + path + ")"));
    return;
  }
  requireCompleteStream(data, layout.dataOffset, layout.compressedBytes, neededBytes, true);
}

} // namespace lumen
