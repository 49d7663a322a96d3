// Fuzzing entry points for the shape pipeline's readers: the bytes become a file read as a
// prepared shape case (libFuzzer target fuzz_shape_h5 and the replay test) or as a NIfTI label
// map (the replay test only: Debian's ITK 5.2 headers accept no compiler but GCC, so the clang
// libFuzzer build cannot include them). Errors are expected; crashes are bugs.
#pragma once
#include <cstddef>
#include <cstdint>

namespace lumen {
int fuzzPreparedShapeReader(const uint8_t* data, size_t size);
// extension: "nii" or "nii.gz".
int fuzzNiftiReader(const char* extension, const uint8_t* data, size_t size);
} // namespace lumen
