// The chest phantom's random draws of its shape parameters: a value within a relative spread,
// or uniformly in a range, from the phantom's own generator.
#pragma once
#include <random>

namespace lumen::chest {

constexpr double kPi = 3.14159265358979323846;

struct Draw {
  std::mt19937_64& rng;
  // value ± relative spread, uniformly
  double operator()(double value, double spread) {
    return value * (1 + spread * std::uniform_real_distribution<double>(-1, 1)(rng));
  }
  double uniform(double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  }
};

} // namespace lumen::chest
