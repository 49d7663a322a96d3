// Fuzzing entry point for the shape pipeline's readers (libFuzzer targets in bench/fuzz and the
// replay test in tests/fuzz): the bytes become a file read as a NIfTI label map or a prepared
// shape case. Errors are expected; crashes are bugs.
#pragma once
#include <cstddef>
#include <cstdint>

namespace lumen {
// extension: "nii", "nii.gz" (label maps) or "shape.h5" (prepared cases).
int fuzzShapeReader(const char* extension, const uint8_t* data, size_t size);
} // namespace lumen
