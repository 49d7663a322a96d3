// One fuzzing entry point shared by the libFuzzer targets (bench/fuzz, built with clang) and the
// deterministic replay test (tests/fuzz, built with the main compiler): the bytes are written to
// a file of the given format and read with the importer. Errors are expected; crashes are bugs.
#pragma once
#include <cstddef>
#include <cstdint>

namespace lumen {
// extension: "aedat4", "raw" (EVT 2.0/3.0), "txt" or "h5".
int fuzzEventReader(const char* extension, const uint8_t* data, size_t size);
} // namespace lumen
