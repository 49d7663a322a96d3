// The 10 cardiac classes of Lumen's shape workspace and class maps that bring other
// datasets' label values into them (e.g. 7-class MM-WHS), marking the classes a dataset does not
// annotate.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lumen {

constexpr int kHeartClasses = 10;

enum HeartClass : int {
  kMyocardium = 1,
  kLeftAtrium = 2,
  kLeftVentricle = 3,
  kRightAtrium = 4,
  kRightVentricle = 5,
  kAorta = 6,
  kPulmonaryArtery = 7,
  kLeftAtrialAppendage = 8,
  kCoronaryArteries = 9,
  kPulmonaryVeins = 10,
};

// Short and long names by label value 1..10.
const std::string& heartClassName(int label);
const std::string& heartClassLongName(int label);
// Display colour (0..255 RGB) per label, distinct and close to common whole-heart atlases.
std::array<uint8_t, 3> heartClassColor(int label);

// Parses "1,2,5" or "LV,RV,Aorta" (names as heartClassName, case-insensitive, or the usual
// abbreviations: ao, cor, pvs, myocardium...) into sorted, distinct labels.
std::vector<int> parseHeartClassList(const std::string& text);

// Maps a dataset's raw label values to heart classes (0 = background or ignored) and says which
// classes the dataset annotates at all. An unannotated class is absent by design, not by anatomy:
// it is neither input nor supervised.
struct ClassMap {
  std::string name;
  std::map<int32_t, int> valueToClass;
  std::array<bool, kHeartClasses> annotated{};

  // 0 for background; throws InputError for a value the map does not know.
  int classOf(int32_t value) const;
  std::string knownValues() const;
};

// "heart10" (identity on 1..10) and "mmwhs7" (MM-WHS: Myo, LA, LV, RA, RV, Ao, PA as 1..7 or as
// the challenge's values 205, 420, 500, 550, 600, 820, 850; LAA, coronaries and pulmonary veins
// unannotated). Throws InputError naming the known maps.
ClassMap classMapByName(const std::string& name);
std::vector<std::string> classMapNames();

} // namespace lumen
