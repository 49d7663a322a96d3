#include "FuzzEventReader.h"

#include "FuzzFile.h"
#include "events/EventImport.h"

namespace lumen {

int fuzzEventReader(const char* extension, const uint8_t* data, size_t size) {
  return fuzzThroughFile(extension, data, size, [](const std::string& path) {
    ImportOptions options;
    options.sort = true;
    (void)loadRecording(path, options);
  });
}

} // namespace lumen
