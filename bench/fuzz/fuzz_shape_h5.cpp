// libFuzzer target: the prepared shape case reader (HDF5).
#include "FuzzShapeReader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return lumen::fuzzPreparedShapeReader(data, size);
}
