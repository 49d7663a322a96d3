#include "common/DatasetSplit.h"

namespace lumen {

uint64_t nameHash(const std::string& name, uint64_t seed) {
  constexpr uint64_t kPrime = 1099511628211ULL;
  uint64_t hash = 1469598103934665603ULL ^ seed * kPrime;
  for (unsigned char c : name)
    hash = (hash ^ c) * kPrime;
  return hash;
}

double splitPosition(const std::string& name, uint64_t seed) {
  return double(nameHash(name, seed) % 1000000) / 1e6;
}

bool isValidationName(const std::string& name, uint64_t seed, double fraction) {
  return splitPosition(name, seed) < fraction;
}

} // namespace lumen
