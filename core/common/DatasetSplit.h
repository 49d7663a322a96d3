// Train/validation split by name: an item (an event file, a shape case) goes to validation when
// a seeded hash of its name falls below the validation fraction. Its side depends on its own name
// alone, so adding, losing or failing other items never moves it: a validation case of one
// dataset version never turns up in training of the next. (With very few items, no name may fall
// below the fraction: validation is then empty, never filled by moving another item.)
#pragma once
#include <cstdint>
#include <string>

namespace lumen {

// A seeded 64-bit FNV-1a hash of the name, also a seed that belongs to one item alone.
uint64_t nameHash(const std::string& name, uint64_t seed);

// A position in [0, 1) fixed by the name and the seed (the hash in 10^6 steps).
double splitPosition(const std::string& name, uint64_t seed);

// splitPosition(name, seed) < fraction.
bool isValidationName(const std::string& name, uint64_t seed, double fraction);

} // namespace lumen
