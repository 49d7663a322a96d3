#include "shapes/UnknownLabels.h"

#include "common/Text.h"

#include <algorithm>
#include <vector>

namespace lumen {
namespace {

// More distinct values than any label set in use (TotalSegmentator has 117 classes): an image.
constexpr size_t kIntensityValues = 255;

bool looksLikeMmwhs(const std::map<int32_t, size_t>& unknown) {
  const ClassMap mmwhs = classMapByName("mmwhs7");
  return std::all_of(unknown.begin(), unknown.end(), [&](const auto& entry) {
    return entry.first > kHeartClasses && mmwhs.valueToClass.count(entry.first) > 0;
  });
}

} // namespace

std::string describeUnknownLabels(const std::map<int32_t, size_t>& unknown, const ClassMap& map) {
  const int32_t lowest = unknown.begin()->first, highest = unknown.rbegin()->first;
  const std::string range = std::to_string(unknown.size()) + " distinct values from " +
                            std::to_string(lowest) + " to " + std::to_string(highest);
  // Air is -1000 HU; a label map has no such values, and -1 is at most an "ignore" label.
  if (lowest <= -2 && unknown.size() > 8)
    return "the label map looks like a CT intensity image, not a label map: it holds " + range +
           " (Hounsfield units?); give the segmentation instead";
  if (unknown.size() > kIntensityValues)
    return "the label map looks like an intensity image, not a label map: it holds " + range +
           "; give the segmentation instead";
  if (map.name != "mmwhs7" && looksLikeMmwhs(unknown))
    return "the label map looks like MM-WHS labels: use --class-map mmwhs7 (values " +
           joinLimited([&] {
             std::vector<std::string> values;
             for (const auto& entry : unknown)
               values.push_back(std::to_string(entry.first));
             return values;
           }()) +
           " are not in class map '" + map.name + "')";
  std::vector<std::string> items;
  for (const auto& [value, count] : unknown)
    items.push_back(std::to_string(value) + " (" + std::to_string(count) +
                    (count == 1 ? " voxel)" : " voxels)"));
  return "label values " + joinLimited(items, 8) + " are not in class map '" + map.name +
         "', which knows " + map.knownValues() +
         "; choose the dataset's class map with --class-map";
}

} // namespace lumen
