// Arithmetic on sizes read from files. A header can claim any dimensions; their product, or a
// sum of offsets, must be checked before anything is allocated or indexed with it, since a
// wrapped product passes every later comparison.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <vector>

namespace lumen {

// a * b, or nothing when it does not fit in 64 bits.
inline std::optional<uint64_t> checkedMultiply(uint64_t a, uint64_t b) {
  uint64_t out = 0;
  if (__builtin_mul_overflow(a, b, &out))
    return std::nullopt;
  return out;
}

// The product of all factors, or nothing when it overflows 64 bits.
template <class Range> std::optional<uint64_t> checkedProduct(const Range& factors) {
  uint64_t out = 1;
  for (auto f : factors) {
    if (f < 0)
      return std::nullopt;
    const auto next = checkedMultiply(out, uint64_t(f));
    if (!next)
      return std::nullopt;
    out = *next;
  }
  return out;
}
inline std::optional<uint64_t> checkedProduct(std::initializer_list<uint64_t> factors) {
  return checkedProduct<std::initializer_list<uint64_t>>(factors);
}

// a - b for signed 64-bit values, or nothing on overflow (extreme but finite timestamps).
inline std::optional<int64_t> checkedSubtract(int64_t a, int64_t b) {
  int64_t out = 0;
  if (__builtin_sub_overflow(a, b, &out))
    return std::nullopt;
  return out;
}

inline std::optional<int64_t> checkedAdd(int64_t a, int64_t b) {
  int64_t out = 0;
  if (__builtin_add_overflow(a, b, &out))
    return std::nullopt;
  return out;
}

} // namespace lumen
