#include "segment/ChestClasses.h"

#include "common/Error.h"

#include <vector>

namespace lumen {
namespace {

struct ClassInfo {
  std::string name, longName;
  std::array<uint8_t, 3> color;
  bool bloodPool;
};

const std::vector<ClassInfo>& table() {
  // Colours follow the common CT atlas look: tissues muted, lungs pale, bone ivory, cardiac
  // classes as HeartClasses colours them, so a chest and a heart read alike side by side.
  static const std::vector<ClassInfo> classes = {
      {"Body", "Soft tissue and skin", {177, 122, 101}, false},
      {"Fat", "Subcutaneous and mediastinal fat", {230, 220, 70}, false},
      {"Muscle", "Skeletal muscle", {192, 104, 88}, false},
      {"LungR", "Right lung", {172, 206, 230}, false},
      {"LungL", "Left lung", {128, 174, 208}, false},
      {"Spine", "Vertebrae", {241, 214, 145}, false},
      {"Ribs", "Ribs and sternum", {255, 244, 209}, false},
      {"LV", "Left ventricle", {220, 40, 60}, true},
      {"RV", "Right ventricle", {40, 90, 220}, true},
      {"LA", "Left atrium", {255, 190, 80}, true},
      {"RA", "Right atrium", {100, 170, 255}, true},
      {"Myo", "Left ventricular myocardium", {205, 92, 92}, false},
      {"Aorta", "Aorta", {240, 80, 200}, true},
      {"PA", "Pulmonary trunk and arteries", {60, 200, 200}, true},
      {"PulmVessels", "Pulmonary vessels in the lungs", {150, 90, 200}, true},
      {"Coronary", "Coronary arteries", {120, 230, 80}, true},
      {"Airways", "Trachea and main bronchi", {210, 250, 250}, false},
  };
  return classes;
}

const ClassInfo& info(int label) {
  if (label < 1 || label > kChestClasses)
    throw InputError("chest class " + std::to_string(label) + " does not exist (classes are 1-" +
                     std::to_string(kChestClasses) + ")");
  return table()[size_t(label - 1)];
}

} // namespace

const std::string& chestClassName(int label) {
  return info(label).name;
}
const std::string& chestClassLongName(int label) {
  return info(label).longName;
}
std::array<uint8_t, 3> chestClassColor(int label) {
  return info(label).color;
}
bool isChestBloodPool(int label) {
  return label >= 1 && label <= kChestClasses && info(label).bloodPool;
}

} // namespace lumen
