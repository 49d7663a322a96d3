// libFuzzer target: the h5 event reader.
#include "FuzzEventReader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return lumen::fuzzEventReader("h5", data, size);
}
