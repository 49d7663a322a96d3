// libFuzzer target: the txt event reader.
#include "FuzzEventReader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return lumen::fuzzEventReader("txt", data, size);
}
