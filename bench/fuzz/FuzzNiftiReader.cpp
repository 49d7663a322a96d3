#include "FuzzShapeReader.h"
#include "common/Error.h"
#include "io/NiftiIO.h"

#include <cstdio>
#include <string>
#include <unistd.h>

namespace lumen {

int fuzzNiftiReader(const char* extension, const uint8_t* data, size_t size) {
  const std::string path =
      "/tmp/lumen-fuzz-" + std::to_string(::getpid()) + "." + std::string(extension);
  if (std::FILE* file = std::fopen(path.c_str(), "wb")) {
    std::fwrite(data, 1, size, file);
    std::fclose(file);
  }
  try {
    NiftiReadLimits limits;
    limits.maxVoxels = 1u << 22; // headers may claim anything: stay within fuzzing memory
    (void)readLabelVolume(path, limits);
  } catch (const Error&) {
    // A clear error is the expected outcome for malformed input.
  }
  std::remove(path.c_str());
  return 0;
}

} // namespace lumen
