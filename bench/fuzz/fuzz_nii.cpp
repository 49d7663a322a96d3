// libFuzzer target: the nii reader of the shape pipeline.
#include "FuzzShapeReader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return lumen::fuzzShapeReader("nii", data, size);
}
