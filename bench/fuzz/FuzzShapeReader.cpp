#include "FuzzShapeReader.h"

#include "common/Error.h"
#include "shapes/PreparedShape.h"

#include <cstdio>
#include <string>
#include <unistd.h>

namespace lumen {

int fuzzPreparedShapeReader(const uint8_t* data, size_t size) {
  const std::string path = "/tmp/lumen-fuzz-" + std::to_string(::getpid()) + ".shape.h5";
  if (std::FILE* file = std::fopen(path.c_str(), "wb")) {
    std::fwrite(data, 1, size, file);
    std::fclose(file);
  }
  try {
    (void)readPreparedShape(path);
  } catch (const Error&) {
    // A clear error is the expected outcome for malformed input.
  }
  std::remove(path.c_str());
  return 0;
}

} // namespace lumen
