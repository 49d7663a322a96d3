#include "io/NrrdData.h"

#include "common/Error.h"
#include "common/Text.h"
#include "io/CompressedData.h"

#include <cctype>
#include <filesystem>
#include <fstream>

namespace lumen {
namespace {

constexpr uint64_t kMaxNrrdHeaderBytes = 1 << 20; // NRRD headers are a few hundred bytes

} // namespace

void requireCompleteNrrd(const std::string& path, uint64_t neededBytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw IoError(path + ": cannot open");
  std::string line, encoding, dataFile;
  bool skips = false, ended = false;
  while (std::getline(in, line) && uint64_t(in.tellg()) <= kMaxNrrdHeaderBytes) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (line.empty()) {
      ended = true; // the blank line: attached data follows
      break;
    }
    if (line[0] == '#')
      continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos)
      continue;
    const std::string key = trimSpace(line.substr(0, colon)),
                      value = trimSpace(line.substr(colon + 1));
    if (key == "encoding")
      encoding = value;
    else if (key == "data file" || key == "datafile")
      dataFile = value;
    else if ((key == "line skip" || key == "lineskip" || key == "byte skip" || key == "byteskip") &&
             value != "0")
      skips = true;
  }
  if (encoding != "gzip" && encoding != "gz")
    return;
  if (dataFile.empty()) {
    if (!ended)
      throw IoError(path + ": truncated: the header ends without the blank line before the data");
    requireCompleteStream(path, uint64_t(in.tellg()), -1, neededBytes, !skips);
    return;
  }
  // One detached file; lists and patterns (several files) are left to ITK's own checks.
  if (dataFile.find(' ') != std::string::npos || dataFile.rfind("LIST", 0) == 0)
    return;
  const std::filesystem::path data = std::filesystem::path(path).parent_path() / dataFile;
  if (!std::filesystem::is_regular_file(data))
    throw IoError(path + ": its data file " + data.string() + " does not exist");
  requireCompleteStream(data.string(), 0, -1, neededBytes, !skips);
}

} // namespace lumen
