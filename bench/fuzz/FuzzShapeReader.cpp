#include "FuzzShapeReader.h"

#include "FuzzFile.h"
#include "shapes/PreparedShape.h"

namespace lumen {

int fuzzPreparedShapeReader(const uint8_t* data, size_t size) {
  return fuzzThroughFile("shape.h5", data, size,
                         [](const std::string& path) { (void)readPreparedShape(path); });
}

} // namespace lumen
