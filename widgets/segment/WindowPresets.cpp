#include "segment/WindowPresets.h"

#include <QObject>

namespace lumen {

const std::vector<WindowPreset>& ctWindowPresets() {
  static const std::vector<WindowPreset> presets = {
      {QObject::tr("Soft tissue"), 400, 40},
      {QObject::tr("Lung"), 1500, -600},
      {QObject::tr("Bone"), 1800, 400},
      // Contrast-filled vessels and chambers (300-500 HU) bright against the myocardium.
      {QObject::tr("CTA"), 600, 170},
  };
  return presets;
}

} // namespace lumen
