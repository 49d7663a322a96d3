// Window/level presets for CT in Hounsfield units, as radiology workstations name them.
#pragma once
#include <QString>
#include <vector>

namespace lumen {

struct WindowPreset {
  QString name;
  double window = 400, level = 40;
};

// Soft tissue (W400/L40), lung (W1500/L-600), bone (W1800/L400), CTA (W600/L170); the first
// is the default.
const std::vector<WindowPreset>& ctWindowPresets();

} // namespace lumen
