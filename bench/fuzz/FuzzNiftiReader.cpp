#include "FuzzFile.h"
#include "FuzzShapeReader.h"
#include "io/NiftiIO.h"

namespace lumen {

int fuzzNiftiReader(const char* extension, const uint8_t* data, size_t size) {
  return fuzzThroughFile(extension, data, size, [](const std::string& path) {
    NiftiReadLimits limits;
    limits.maxVoxels = 1u << 22; // headers may claim anything: stay within fuzzing memory
    (void)readLabelVolume(path, limits);
  });
}

} // namespace lumen
