#include "shapes/HeartClasses.h"

#include "common/Error.h"
#include "common/Text.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace lumen {
namespace {

struct ClassInfo {
  std::string name;
  std::string longName;
  std::array<uint8_t, 3> color;
  std::vector<std::string> aliases; // lower case, accepted by parseHeartClassList
};

const std::array<ClassInfo, kHeartClasses>& classTable() {
  static const std::array<ClassInfo, kHeartClasses> table = {{
      {"Myo", "Myocardium", {205, 92, 92}, {"myocardium", "lvm"}},
      {"LA", "Left atrium", {255, 190, 80}, {}},
      {"LV", "Left ventricle (incl. papillary muscles)", {220, 40, 60}, {}},
      {"RA", "Right atrium", {100, 170, 255}, {}},
      {"RV", "Right ventricle", {40, 90, 220}, {}},
      {"Aorta", "Aorta (incl. aortic cusp)", {240, 80, 200}, {"ao"}},
      {"PA", "Pulmonary artery", {60, 200, 200}, {"pulmonary"}},
      {"LAA", "Left atrial appendage", {250, 240, 90}, {}},
      {"Coronary", "Coronary arteries", {120, 230, 80}, {"cor", "ca", "coronaries"}},
      {"PV", "Pulmonary veins", {170, 120, 255}, {"pvs", "veins"}},
  }};
  return table;
}

const ClassInfo& info(int label) {
  if (label < 1 || label > kHeartClasses)
    throw InputError("heart class " + std::to_string(label) + " does not exist (classes are 1-" +
                     std::to_string(kHeartClasses) + ")");
  return classTable()[size_t(label - 1)];
}

} // namespace

const std::string& heartClassName(int label) {
  return info(label).name;
}
const std::string& heartClassLongName(int label) {
  return info(label).longName;
}
std::array<uint8_t, 3> heartClassColor(int label) {
  return info(label).color;
}

std::vector<int> parseHeartClassList(const std::string& text) {
  std::vector<int> labels;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    item.erase(std::remove_if(item.begin(), item.end(), ::isspace), item.end());
    if (item.empty())
      continue;
    int label = 0;
    if (std::all_of(item.begin(), item.end(), ::isdigit)) {
      // Digit by digit and capped: std::stoi would throw out_of_range past 2^31.
      for (char digit : item)
        label = std::min(label * 10 + (digit - '0'), 1000);
    } else {
      const std::string key = asciiLower(item);
      for (int c = 1; c <= kHeartClasses; ++c) {
        const auto& aliases = classTable()[size_t(c - 1)].aliases;
        if (asciiLower(heartClassName(c)) == key ||
            std::find(aliases.begin(), aliases.end(), key) != aliases.end())
          label = c;
      }
    }
    if (label < 1 || label > kHeartClasses) {
      std::string names;
      for (int c = 1; c <= kHeartClasses; ++c)
        names += (c > 1 ? ", " : "") + std::to_string(c) + " " + heartClassName(c);
      throw InputError("unknown heart class '" + item + "': expected a label 1-10 or a name (" +
                       names + ")");
    }
    if (std::find(labels.begin(), labels.end(), label) == labels.end())
      labels.push_back(label);
  }
  std::sort(labels.begin(), labels.end());
  return labels;
}

int ClassMap::classOf(int32_t value) const {
  if (value == 0)
    return 0;
  const auto it = valueToClass.find(value);
  if (it == valueToClass.end())
    throw InputError("label value " + std::to_string(value) + " is not in class map '" + name +
                     "' (known values: " + knownValues() + ")");
  return it->second;
}

std::string ClassMap::knownValues() const {
  std::string text;
  for (const auto& [value, label] : valueToClass)
    text += (text.empty() ? "" : ", ") + std::to_string(value) + "→" + heartClassName(label);
  return text;
}

ClassMap classMapByName(const std::string& name) {
  ClassMap map;
  map.name = name;
  if (name == "heart10") {
    for (int c = 1; c <= kHeartClasses; ++c)
      map.valueToClass[c] = c;
    map.annotated.fill(true);
    return map;
  }
  if (name == "mmwhs7") {
    const int order[7] = {kMyocardium,     kLeftAtrium, kLeftVentricle,  kRightAtrium,
                          kRightVentricle, kAorta,      kPulmonaryArtery};
    const int challengeValues[7] = {205, 420, 500, 550, 600, 820, 850};
    for (int k = 0; k < 7; ++k) {
      map.valueToClass[k + 1] = order[k];
      map.valueToClass[challengeValues[k]] = order[k];
      map.annotated[size_t(order[k] - 1)] = true;
    }
    return map;
  }
  throw InputError("unknown class map '" + name + "': expected one of heart10, mmwhs7");
}

std::vector<std::string> classMapNames() {
  return {"heart10", "mmwhs7"};
}

} // namespace lumen
