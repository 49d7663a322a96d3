// The message for label values a class map does not know, in a few lines that name the fix: an
// intensity image given as a label map (thousands of values, negative Hounsfield units), MM-WHS
// values (205..850) read with the 1..10 map, or a few stray values, listed with their counts.
#pragma once
#include "shapes/HeartClasses.h"

#include <cstdint>
#include <map>
#include <string>

namespace lumen {

// `unknown`: each value the map does not know, with its voxel count (never empty).
std::string describeUnknownLabels(const std::map<int32_t, size_t>& unknown, const ClassMap& map);

} // namespace lumen
