#include "events/PropheseeHeader.h"

#include "common/Error.h"
#include "common/Text.h"
#include "events/EventImport.h"

#include <cctype>
#include <charconv>
#include <map>

namespace lumen::prophesee {
namespace {

// Real headers are a few hundred bytes; the header of a hostile file must still end somewhere.
constexpr uint64_t kMaxHeaderBytes = uint64_t(1) << 20;

constexpr SensorSize kVga{640, 480};
constexpr SensorSize kHd{1280, 720};

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
    text.remove_suffix(1);
  return text;
}

bool sameLetters(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// A sensor side: the whole text is digits, 1..kMaxSensorSide.
int sensorSide(std::string_view digits, const std::string& what, const std::string& path) {
  int value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size() || value < 1 ||
      value > kMaxSensorSide)
    throw InputError(path + ": RAW header: " + what + " " + truncateText(std::string(digits), 40) +
                     " is not a sensor size (sides are at most " + std::to_string(kMaxSensorSide) +
                     ")");
  return value;
}

// "2.0", "3.0" (the evt line) or "EVT2", "EVT3" (the format line's name); 0 for anything else,
// which the caller reports.
int versionOfEvt(std::string_view value) {
  return value == "2.0" ? 2 : value == "3.0" ? 3 : 0;
}
int versionOfFormatName(std::string_view name) {
  return name == "EVT2" ? 2 : name == "EVT3" ? 3 : 0;
}

// The header's fields, the last value of each key (as OpenEB keeps them).
using Fields = std::map<std::string, std::string, std::less<>>;

Fields readFields(std::istream& in, const std::string& path) {
  Fields fields;
  LineReader lines(in, path + ": RAW header");
  uint64_t headerBytes = 0;
  // A header line starts with "% "; the data begins at the first line that does not (the
  // "% end" line is optional), so a binary word that happens to start with '%' stays data.
  while (in.peek() == '%') {
    in.get();
    const bool headerLine = in.peek() == ' ';
    in.unget();
    if (!headerLine)
      break;
    const auto next = lines.next();
    if (!next)
      break;
    headerBytes += next->size() + 1;
    if (headerBytes > kMaxHeaderBytes)
      throw InputError(path + ": the RAW header is longer than " +
                       std::to_string(kMaxHeaderBytes >> 20) + " MiB (no '% end' line?)");
    const std::string_view line = trimmed(next->substr(2));
    const size_t space = line.find(' ');
    const std::string_view key = line.substr(0, space);
    if (key == "end")
      break;
    fields[std::string(key)] =
        std::string(space == std::string_view::npos ? "" : trimmed(line.substr(space + 1)));
  }
  return fields;
}

const std::string* field(const Fields& fields, std::string_view key) {
  const auto it = fields.find(key);
  return it == fields.end() || it->second.empty() ? nullptr : &it->second;
}

// The format line: "EVT3;height=720;width=1280" (the options may be absent or in any order).
struct FormatLine {
  std::string_view name;
  std::string_view width, height;
};
FormatLine parseFormat(std::string_view value) {
  FormatLine format;
  size_t start = 0;
  for (bool first = true; start <= value.size(); first = false) {
    const size_t end = std::min(value.find(';', start), value.size());
    const std::string_view part = trimmed(value.substr(start, end - start));
    if (first) {
      format.name = part;
    } else if (const size_t eq = part.find('='); eq != std::string_view::npos) {
      const std::string_view key = trimmed(part.substr(0, eq));
      const std::string_view number = trimmed(part.substr(eq + 1));
      if (key == "width")
        format.width = number;
      else if (key == "height")
        format.height = number;
    }
    start = end + 1;
  }
  return format;
}

// OpenEB reads system_ID and plugin_name only for Prophesee's own cameras: an integrator's
// camera may reuse the numbers for another sensor.
bool propheseeIntegrator(const Fields& fields) {
  const std::string* camera = field(fields, "camera_integrator_name");
  const std::string* plugin = field(fields, "plugin_integrator_name");
  const std::string* legacy = field(fields, "integrator_name");
  if (!camera && !plugin)
    camera = plugin = legacy; // headers before Metavision 4 had one integrator name
  const auto isProphesee = [](const std::string* name) { return !name || *name == "Prophesee"; };
  return isProphesee(camera) && isProphesee(plugin);
}

struct Size {
  SensorSize sensor;
  std::string source;
};

// The size from the most direct form the header has: the geometry line, the format line's
// width/height, the sensor's name or generation, then the plugin and system the recording was
// made with.
Size sizeOf(const Fields& fields, const std::string& path) {
  Size geometry, format;
  if (const std::string* value = field(fields, "geometry")) {
    const size_t x = value->find('x');
    if (x == std::string::npos)
      throw InputError(path + ": RAW header: geometry '" + truncateText(*value, 40) +
                       "' is not WIDTHxHEIGHT");
    const std::string_view text = *value;
    geometry = {{sensorSide(text.substr(0, x), "geometry width", path),
                 sensorSide(text.substr(x + 1), "geometry height", path)},
                "the RAW header's geometry line"};
  }
  if (const std::string* value = field(fields, "format")) {
    const FormatLine line = parseFormat(*value);
    if (!line.width.empty() && !line.height.empty())
      format = {{sensorSide(line.width, "width", path), sensorSide(line.height, "height", path)},
                "the RAW header's format line"};
  }
  if (geometry.sensor.valid() && format.sensor.valid() &&
      (geometry.sensor.width != format.sensor.width ||
       geometry.sensor.height != format.sensor.height))
    throw InputError(path + ": RAW header: geometry " + *field(fields, "geometry") +
                     " and format " + *field(fields, "format") + " give different sensor sizes");
  if (geometry.sensor.valid())
    return geometry;
  if (format.sensor.valid())
    return format;
  const auto named = [](const KnownSensor& known, const std::string& what) {
    return Size{known.size, "the RAW header's " + what + " (sensor " + known.generation + ")"};
  };
  if (const std::string* name = field(fields, "sensor_name"))
    if (const KnownSensor known = sensorOfName(*name); known.size.valid())
      return named(known, "sensor_name " + *name);
  for (const char* key : {"sensor_generation", "generation"})
    if (const std::string* generation = field(fields, key))
      if (const KnownSensor known = sensorOfGeneration(*generation); known.size.valid())
        return named(known, std::string(key) + " " + *generation);
  if (!propheseeIntegrator(fields))
    return {};
  if (const std::string* plugin = field(fields, "plugin_name"))
    if (const KnownSensor known = sensorOfPlugin(*plugin); known.size.valid())
      return named(known, "plugin_name " + *plugin);
  if (const std::string* id = field(fields, "system_ID")) {
    long value = 0;
    const auto [end, error] = std::from_chars(id->data(), id->data() + id->size(), value);
    if (error == std::errc() && end == id->data() + id->size())
      if (const KnownSensor known = sensorOfSystemId(value); known.size.valid())
        return named(known, "system_ID " + *id);
  }
  return {};
}

int versionOf(const Fields& fields, const std::string& path) {
  const std::string* evt = field(fields, "evt");
  const std::string* format = field(fields, "format");
  const int fromEvt = evt ? versionOfEvt(*evt) : 0;
  const int fromFormat = format ? versionOfFormatName(parseFormat(*format).name) : 0;
  if (fromEvt && fromFormat && fromEvt != fromFormat)
    throw InputError(path + ": RAW header: evt " + *evt + " and format " + *format +
                     " name different encodings");
  if (fromEvt || fromFormat)
    return fromEvt ? fromEvt : fromFormat;
  // Headers older than the evt line: the system's encoding, as OpenEB infers it.
  if (!evt && !format && propheseeIntegrator(fields))
    if (const std::string* id = field(fields, "system_ID")) {
      long value = 0;
      const auto [end, error] = std::from_chars(id->data(), id->data() + id->size(), value);
      if (error == std::errc() && end == id->data() + id->size())
        if (const int version = sensorOfSystemId(value).defaultVersion)
          return version;
    }
  std::string named;
  if (evt)
    named = " (it says evt " + truncateText(*evt, 40) + ")";
  else if (format)
    named = " (it says format " + truncateText(*format, 60) + ")";
  throw InputError(path + ": the RAW header names no EVT 2.0 or EVT 3.0 format" + named +
                   "; only those two encodings are read");
}

} // namespace

RawHeader readRawHeader(std::istream& in, const std::string& path) {
  const Fields fields = readFields(in, path);
  RawHeader header;
  header.version = versionOf(fields, path);
  Size size = sizeOf(fields, path);
  header.sensor = size.sensor;
  header.sensorSource = std::move(size.source);
  return header;
}

KnownSensor sensorOfPlugin(std::string_view pluginName) {
  // OpenEB's plugins are named hal_plugin_<sensor>_<board>; the universal hal_plugin_prophesee
  // names no sensor.
  constexpr std::string_view prefix = "hal_plugin_";
  if (pluginName.substr(0, prefix.size()) != prefix)
    return {};
  const std::string_view rest = pluginName.substr(prefix.size());
  const std::string_view sensor = rest.substr(0, rest.find('_'));
  if (sensor == "gen3")
    return {kVga, "Gen3.0", 0};
  if (sensor == "gen31")
    return {kVga, "Gen3.1", 0};
  if (sensor == "gen4")
    return {kHd, "Gen4.0", 0};
  if (sensor == "gen41")
    return {kHd, "Gen4.1", 0};
  if (sensor == "imx636")
    return {kHd, "IMX636", 0};
  if (sensor == "genx320")
    return {{320, 320}, "GenX320", 0};
  return {};
}

KnownSensor sensorOfSystemId(long systemId) {
  // OpenEB's SystemId values (devices/utils/device_system_id.h) with the sensor each system
  // carries and, for the systems whose old headers named no format, the encoding they wrote.
  // 0x80 marks an EVK proxy of the same system.
  switch (systemId) {
  case 0x15: // CCAM3 Gen3
  case 0x17: // CCAM4 Gen3 rev A
  case 0x97:
  case 0x19: // CCAM4 Gen3 rev B
  case 0x99:
  case 0x1D: // CCAM4 Gen3 rev B EVK bridge
  case 0x21: // VisionCam Gen3
  case 0xA1:
    return {kVga, "Gen3.0", 2};
  case 0x1C: // CCAM3 Gen3.1
  case 0x23: // CCAM5 Gen3.1 (EVK3, EVT 2.0)
  case 0x22: // VisionCam Gen3.1
  case 0xA2:
  case 0x29: // EVK2 Gen3.1
    return {kVga, "Gen3.1", 2};
  case 0x28: // EVK3 Gen3.1, EVT 3.0
    return {kVga, "Gen3.1", 3};
  case 0x1A: // CCAM3 Gen4
  case 0x1F: // EVK2 Gen4
    return {kHd, "Gen4.0", 2};
  case 0x9A: // CCAM4 Gen4 EVK
  case 0x20: // CCAM5 Gen4 EVK bridge
    return {kHd, "Gen4.0", 0};
  case 0x1E: // CCAM5 Gen4
  case 0x2E: // CCAM5 Gen4 fixed frame
    return {kHd, "Gen4.0", 3};
  case 0x27: // EVK2 Gen4.1
    return {kHd, "Gen4.1", 2};
  case 0x30: // EVK3 Gen4.1
    return {kHd, "Gen4.1", 3};
  case 0x31: // EVK3 IMX636 (EVK4)
  case 0x32: // EVK2 IMX636
    return {kHd, "IMX636", 3};
  case 0x3A: // RDK2 IMX636
  case 0x42: // EVK2 IMX636 ESP
    return {kHd, "IMX636", 0};
  case 0x3B: // EVK3 GenX320 MP
  case 0x40: // EVK3 GenX320
    return {{320, 320}, "GenX320", 0};
  default:
    return {};
  }
}

KnownSensor sensorOfGeneration(std::string_view generation) {
  generation = trimmed(generation);
  if (generation == "3.0" || generation == "3")
    return {kVga, "Gen3.0", 0};
  if (generation == "3.1")
    return {kVga, "Gen3.1", 0};
  if (generation == "4.0" || generation == "4")
    return {kHd, "Gen4.0", 0};
  if (generation == "4.1")
    return {kHd, "Gen4.1", 0};
  // OpenEB: "Gen 4.2 was used to describe IMX636" when the header names no sensor.
  if (generation == "4.2")
    return {kHd, "IMX636", 0};
  if (generation == "320.0" || generation == "320.1")
    return {{320, 320}, "GenX320", 0};
  return {};
}

KnownSensor sensorOfName(std::string_view sensorName) {
  sensorName = trimmed(sensorName);
  if (sameLetters(sensorName, "IMX636"))
    return {kHd, "IMX636", 0};
  // Sony's 0.33 Mpixel sibling of the IMX636.
  if (sameLetters(sensorName, "IMX637"))
    return {{640, 512}, "IMX637", 0};
  if (sameLetters(sensorName, "GenX320"))
    return {{320, 320}, "GenX320", 0};
  if (sameLetters(sensorName, "Gen3.0") || sameLetters(sensorName, "Gen3.1"))
    return {kVga, sameLetters(sensorName, "Gen3.0") ? "Gen3.0" : "Gen3.1", 0};
  if (sameLetters(sensorName, "Gen4.0") || sameLetters(sensorName, "Gen4.1"))
    return {kHd, sameLetters(sensorName, "Gen4.0") ? "Gen4.0" : "Gen4.1", 0};
  return {};
}

} // namespace lumen::prophesee
