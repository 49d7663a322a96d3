// libFuzzer target: the aedat4 event reader.
#include "FuzzEventReader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return lumen::fuzzEventReader("aedat4", data, size);
}
