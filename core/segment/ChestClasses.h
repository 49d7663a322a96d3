// The classes of Lumen's synthetic chest CT phantoms (ct synth): the tissues a chest CT shows and
// the cardiac blood pools and vessels the segmentation and NCCT → CTA pipelines care about. Label
// 0 is air outside the body.
#pragma once
#include <array>
#include <cstdint>
#include <string>

namespace lumen {

enum ChestClass : int {
  kChestBody = 1,        // skin, mediastinal and abdominal soft tissue, discs, spinal canal
  kChestFat = 2,         // subcutaneous, mediastinal and epicardial fat
  kChestMuscle = 3,      // chest-wall and back muscles
  kChestLungRight = 4,   // parenchyma of the right lung
  kChestLungLeft = 5,    // parenchyma of the left lung
  kChestSpine = 6,       // vertebral bodies and arches
  kChestRibs = 7,        // ribs and sternum
  kChestLV = 8,          // left ventricular blood pool
  kChestRV = 9,          // right ventricular blood pool
  kChestLA = 10,         // left atrial blood pool
  kChestRA = 11,         // right atrial blood pool
  kChestMyocardium = 12, // LV myocardium
  kChestAorta = 13,      // root, ascending aorta, arch, descending and abdominal aorta
  kChestPulmonaryArtery = 14,
  kChestPulmonaryVessels = 15, // branches inside the lungs
  kChestCoronaries = 16,
  kChestAirways = 17, // trachea and main bronchi (air)
};

constexpr int kChestClasses = 17;

// Short name ("LV"), long name and display colour (0..255 RGB) by label 1..17; InputError for
// any other label.
const std::string& chestClassName(int label);
const std::string& chestClassLongName(int label);
std::array<uint8_t, 3> chestClassColor(int label);

// Blood pools and vessels: the classes whose HU contrast raises in the CTA.
bool isChestBloodPool(int label);

} // namespace lumen
