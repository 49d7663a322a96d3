// The heart and its vessels inside a chest phantom: chambers and myocardium with a rim of
// epicardial fat, the aorta from the LV outflow through the arch down beside the spine, the
// pulmonary trunk and arteries with branching trees in the lungs, and the coronary arteries.
#pragma once
#include "segment/ChestAnatomy.h"

namespace lumen {

struct ChestLandmarks {
  double spineY = 60; // centre of the vertebral bodies (y)
  double archZ = 90;  // top of the aortic arch
  double tracheaX = -6, tracheaY = 20;
  double zLow = -150, zHigh = 150;
};

void addChestCardiac(std::mt19937_64& rng, const ChestTorso& torso, const ChestLandmarks& marks,
                     std::vector<ChestPrimitive>& primitives);

} // namespace lumen
