// The chest's layered outline, evaluated per voxel: skin, subcutaneous fat and muscle as layers
// below a superelliptic body outline; inside the rib cage the two lungs above the diaphragm domes
// and below the apices, separated by the mediastinum; soft tissue below the diaphragm and above
// the lung apices. Solids (bones, heart, vessels) are painted over it afterwards.
#pragma once
#include "segment/ChestPrimitives.h"

#include <vector>

namespace lumen {

struct ChestTorso {
  double halfWidth = 165, halfDepth = 115; // body outline (mm)
  double exponent = 2.4;                   // superellipse: 2 an ellipse, larger squarer
  double skinMm = 2.5, fatMm = 14, muscleMm = 10, backMuscleMm = 32, pectoralMm = 14;
  double mediastinumX = 8;                            // midline of the mediastinum
  double mediastinumFront = 10, mediastinumBack = 34; // its half widths in front and behind
  double domeRightZ = -40, domeLeftZ = -55, domeCurvature = 1.0 / 110;
  double taperZ = 60, apexZ = 150; // the lungs narrow from taperZ to their apices

  // Radius of the outline along the in-plane angle (radians from +x towards +y).
  double outlineRadius(double angle) const;
  // Skin, fat and muscle together: how deep below the skin the rib cage begins.
  double wallDepth(double angle) const;
  // The point `depth` mm below the skin along `angle` at height z.
  Vec3 pointBelowSkin(double angle, double z, double depth) const;
  double diaphragmZ(double x, double y) const;
  // Tabulates the outline and layers by angle for classify(); call after setting the fields.
  void prepare();
  // The class and tissue of a phantom point before any solid is painted.
  std::pair<int, ChestMaterial> classify(const Vec3& p) const;

private:
  struct Layers {
    float outline, fat, wall; // depth below the skin where the muscle and the cavity begin
  };
  std::vector<Layers> byAngle_;
  Layers layersAt(double angle) const;
};

} // namespace lumen
