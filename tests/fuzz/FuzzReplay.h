// The byte mutations of the deterministic fuzz replays: a valid seed file of a format is mutated
// (bytes flipped, runs zeroed, truncated, a slice duplicated) `rounds` times and each result fed
// to that format's reader through the fuzzing entry points of bench/fuzz, which must answer it
// with data or a lumen::Error, never a crash.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace lumen::test {

std::vector<uint8_t> bytesOf(const std::string& text);

// `extension` picks the reader: "aedat4", "raw", "txt", "h5" (events), "shape.h5", "nii",
// "nii.gz".
void replayMutations(const char* extension, const std::vector<uint8_t>& seed, int rounds,
                     uint64_t rngSeed);

} // namespace lumen::test
