// The part every fuzzing entry point shares: the bytes become a temporary file with the reader's
// extension, the reader runs on it, a clear lumen::Error is the expected answer to malformed
// input (anything else escapes and is a bug), and the file is removed.
#pragma once
#include "common/Error.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>

namespace lumen {

template <class Read>
int fuzzThroughFile(const std::string& extension, const uint8_t* data, size_t size, Read read) {
  const std::string path = "/tmp/lumen-fuzz-" + std::to_string(::getpid()) + "." + extension;
  if (std::FILE* file = std::fopen(path.c_str(), "wb")) {
    std::fwrite(data, 1, size, file);
    std::fclose(file);
  }
  try {
    read(path);
  } catch (const Error&) {
    // A clear error is the expected outcome for malformed input.
  }
  std::remove(path.c_str());
  return 0;
}

} // namespace lumen
