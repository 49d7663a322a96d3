// One random chest: the torso's layers and the solids painted over them (spine, ribs and sternum,
// airways, heart chambers with their fat, aorta, pulmonary arteries and their branches in the
// lungs, coronaries), plus the case's contrast levels. Phantom millimetres, LPS: x towards the
// patient's left, y posterior, z superior; the heart's base near z = 0.
#pragma once
#include "segment/ChestPrimitives.h"
#include "segment/ChestTorso.h"

#include <random>

namespace lumen {

// HU of blood and myocardium in the arterial-phase CTA of one case.
struct ChestContrast {
  double leftHeart = 380, aorta = 400, coronaries = 370, rightHeart = 250, pulmonary = 270,
         myocardium = 120, nativeBlood = 42;
};

struct ChestAnatomy {
  ChestTorso torso;
  std::vector<ChestPrimitive> primitives; // painted in this order
  ChestContrast contrast;
};

// zLow..zHigh: the phantom heights the image covers, so that the spine, aorta, trachea and
// oesophagus run through the whole volume.
ChestAnatomy makeChestAnatomy(std::mt19937_64& rng, double zLow, double zHigh);

} // namespace lumen
