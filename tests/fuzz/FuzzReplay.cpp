#include "FuzzReplay.h"

#include "FuzzEventReader.h"
#include "FuzzShapeReader.h"

#include <random>
#include <stdexcept>

namespace lumen::test {

std::vector<uint8_t> bytesOf(const std::string& text) {
  return {text.begin(), text.end()};
}

namespace {

int fuzzReader(const char* extension, const uint8_t* data, size_t size) {
  const std::string ext = extension;
  if (ext == "nii" || ext == "nii.gz")
    return fuzzNiftiReader(extension, data, size);
  if (ext == "shape.h5")
    return fuzzPreparedShapeReader(data, size);
  return fuzzEventReader(extension, data, size);
}

} // namespace

void replayMutations(const char* extension, const std::vector<uint8_t>& seed, int rounds,
                     uint64_t rngSeed) {
  std::mt19937_64 rng(rngSeed);
  if (seed.empty())
    throw std::invalid_argument("a fuzz replay needs a non-empty seed");
  fuzzReader(extension, seed.data(), seed.size());
  for (int round = 0; round < rounds; ++round) {
    std::vector<uint8_t> data = seed;
    switch (rng() % 4) {
    case 0: // flip random bytes
      for (int k = 0, n = 1 + int(rng() % 16); k < n; ++k)
        data[rng() % data.size()] ^= uint8_t(1 + rng() % 255);
      break;
    case 1: { // zero a run
      const size_t at = rng() % data.size();
      std::fill(data.begin() + long(at),
                data.begin() + long(std::min(data.size(), at + 1 + rng() % 64)), 0);
      break;
    }
    case 2: // truncate
      data.resize(rng() % data.size());
      break;
    default: { // duplicate a slice somewhere else
      const size_t from = rng() % data.size(), length = 1 + rng() % 256;
      std::vector<uint8_t> slice(data.begin() + long(from),
                                 data.begin() + long(std::min(data.size(), from + length)));
      data.insert(data.begin() + long(rng() % data.size()), slice.begin(), slice.end());
    }
    }
    fuzzReader(extension, data.data(), data.size());
  }
}

} // namespace lumen::test
