// The text header of Prophesee RAW recordings: "% key value" lines, ended by "% end" or by the
// first line that is not one. Real files carry their format and sensor size in several forms,
// depending on the firmware and software that wrote them:
//   newer:  % evt 3.0 / % format EVT3;height=720;width=1280 / % geometry 1280x720 /
//           % sensor_generation 4.2 / % plugin_name hal_plugin_imx636_evk4 / % system_ID 49
//   older:  % evt 2.0 / % plugin_name hal_plugin_gen3_fx3 / % serial_number ... / % system_ID 21
// The older form names no size at all: it is the size of the sensor generation that plugin_name
// or system_ID name, as OpenEB's HAL plugins define them (Gen3/Gen3.1 640x480, Gen4/Gen4.1/IMX636
// 1280x720, GenX320 320x320). Every number is parsed with std::from_chars and bounded, and the
// header has a length limit.
#pragma once
#include "events/EventArray.h"

#include <istream>
#include <string>
#include <string_view>

namespace lumen::prophesee {

struct RawHeader {
  int version = 0;          // 2 (EVT 2.0) or 3 (EVT 3.0)
  SensorSize sensor;        // invalid when the header gives no size in any form
  std::string sensorSource; // the form it came from: "the RAW header's geometry line", ...
};

// Reads the header, leaving `in` at the first byte of event data. InputError (naming `path`, the
// field and what was expected) for a header that is too long, names no EVT 2.0/3.0 format, or
// gives a malformed or contradictory size.
RawHeader readRawHeader(std::istream& in, const std::string& path);

// The size of the sensor a header names, by the names OpenEB uses; invalid when unknown.
struct KnownSensor {
  SensorSize size;
  const char* generation = ""; // "Gen3.1", "IMX636"
  int defaultVersion = 0;      // the EVT format such systems wrote before headers named it
};
KnownSensor sensorOfPlugin(std::string_view pluginName);     // hal_plugin_gen41_evk3
KnownSensor sensorOfSystemId(long systemId);                 // 48
KnownSensor sensorOfGeneration(std::string_view generation); // "4.1"
KnownSensor sensorOfName(std::string_view sensorName);       // "IMX636"

} // namespace lumen::prophesee
