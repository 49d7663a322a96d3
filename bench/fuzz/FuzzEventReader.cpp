#include "FuzzEventReader.h"

#include "common/Error.h"
#include "events/EventImport.h"

#include <cstdio>
#include <string>
#include <unistd.h>

namespace lumen {

int fuzzEventReader(const char* extension, const uint8_t* data, size_t size) {
  const std::string path =
      "/tmp/lumen-fuzz-" + std::to_string(::getpid()) + "." + std::string(extension);
  if (std::FILE* file = std::fopen(path.c_str(), "wb")) {
    std::fwrite(data, 1, size, file);
    std::fclose(file);
  }
  try {
    ImportOptions options;
    options.sort = true;
    (void)loadRecording(path, options);
  } catch (const Error&) {
    // A clear error is the expected outcome for malformed input.
  }
  std::remove(path.c_str());
  return 0;
}

} // namespace lumen
