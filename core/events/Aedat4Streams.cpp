// The AEDAT4 stream description, scanned by hand: DV writes
//   <node name="0" path="/mainloop/Recorder/outInfo/0/">
//     <attr key="typeIdentifier" type="string">EVTS</attr> ...
//     <node name="info" ...><attr key="sizeX" type="int">320</attr> ...
// Every scan is a forward search (linear in the text, whatever its content), and every number is
// parsed with std::from_chars and bounded, so a hostile header gets an InputError.
#include "common/Error.h"
#include "common/Text.h"
#include "events/Aedat4Events.h"

#include <charconv>
#include <optional>
#include <vector>

namespace lumen::aedat4 {
namespace {

bool allDigits(std::string_view text) {
  if (text.empty())
    return false;
  for (char c : text)
    if (c < '0' || c > '9')
      return false;
  return true;
}

bool endsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// An output node: its start in the XML and its name (the stream id, digits).
struct StreamNode {
  size_t start;
  std::string_view name;
};

// <node name="DIGITS" path="...../outInfo/DIGITS/">, in document order.
std::vector<StreamNode> streamNodes(std::string_view xml) {
  static constexpr std::string_view open = "<node name=\"", pathKey = "\" path=\"";
  std::vector<StreamNode> nodes;
  for (size_t at = xml.find(open); at != std::string_view::npos; at = xml.find(open, at + 1)) {
    const size_t nameStart = at + open.size();
    const size_t nameEnd = xml.find('"', nameStart);
    if (nameEnd == std::string_view::npos)
      break;
    if (xml.compare(nameEnd, pathKey.size(), pathKey) != 0)
      continue;
    const size_t pathStart = nameEnd + pathKey.size();
    const size_t pathEnd = xml.find('"', pathStart);
    if (pathEnd == std::string_view::npos)
      break;
    if (pathEnd + 1 >= xml.size() || xml[pathEnd + 1] != '>')
      continue;
    const std::string_view name = xml.substr(nameStart, nameEnd - nameStart);
    std::string_view path = xml.substr(pathStart, pathEnd - pathStart);
    // The path ends with /outInfo/DIGITS/.
    if (!allDigits(name) || !endsWith(path, "/"))
      continue;
    path.remove_suffix(1);
    const size_t lastSlash = path.rfind('/');
    if (lastSlash == std::string_view::npos || !allDigits(path.substr(lastSlash + 1)) ||
        !endsWith(path.substr(0, lastSlash + 1), "/outInfo/"))
      continue;
    nodes.push_back({at, name});
  }
  return nodes;
}

template <class T>
T boundedNumber(std::string_view text, T low, T high, const std::string& what,
                const std::string& context) {
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < low || value > high)
    throw InputError(context + ": " + what + " '" + truncateText(std::string(text), 40) +
                     "' is not a number in " + std::to_string(low) + ".." + std::to_string(high));
  return value;
}

// The text of <attr key="KEY" type="int">TEXT<, or nothing when the body has no such attribute.
std::optional<std::string_view> intAttribute(std::string_view body, std::string_view key) {
  const std::string marker = "key=\"" + std::string(key) + "\" type=\"int\">";
  const size_t at = body.find(marker);
  if (at == std::string_view::npos)
    return std::nullopt;
  const size_t start = at + marker.size();
  const size_t end = body.find('<', start);
  return body.substr(start, (end == std::string_view::npos ? body.size() : end) - start);
}

// The text of <attr key="typeIdentifier" type="string">TEXT<, or nothing.
std::optional<std::string_view> typeIdentifier(std::string_view body) {
  static constexpr std::string_view marker = "key=\"typeIdentifier\" type=\"string\">";
  const size_t at = body.find(marker);
  if (at == std::string_view::npos)
    return std::nullopt;
  const size_t start = at + marker.size();
  const size_t end = body.find('<', start);
  return body.substr(start, (end == std::string_view::npos ? body.size() : end) - start);
}

} // namespace

std::map<int32_t, std::string> streamTypes(const std::string& xmlText) {
  const std::string_view xml = xmlText;
  const std::vector<StreamNode> nodes = streamNodes(xml);
  std::map<int32_t, std::string> types;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const size_t end = i + 1 < nodes.size() ? nodes[i + 1].start : xml.size();
    int32_t id = 0;
    const std::string_view name = nodes[i].name;
    const auto [stop, error] = std::from_chars(name.data(), name.data() + name.size(), id);
    if (error != std::errc() || stop != name.data() + name.size())
      continue;
    if (const auto type = typeIdentifier(xml.substr(nodes[i].start, end - nodes[i].start)))
      types.emplace(id, std::string(type->substr(0, 16)));
  }
  return types;
}

EventStream findEventStream(const std::string& xmlText, const std::string& context) {
  const std::string_view xml = xmlText;
  const std::vector<StreamNode> nodes = streamNodes(xml);
  for (size_t i = 0; i < nodes.size(); ++i) {
    const size_t end = i + 1 < nodes.size() ? nodes[i + 1].start : xml.size();
    const std::string_view body = xml.substr(nodes[i].start, end - nodes[i].start);
    if (body.find(">EVTS<") == std::string_view::npos)
      continue;
    EventStream stream;
    stream.id =
        boundedNumber<int32_t>(nodes[i].name, 0, INT32_MAX, "the event stream's id", context);
    if (const auto width = intAttribute(body, "sizeX"))
      stream.sensor.width = boundedNumber<int>(*width, 1, kMaxSensorSide, "sizeX", context);
    if (const auto height = intAttribute(body, "sizeY"))
      stream.sensor.height = boundedNumber<int>(*height, 1, kMaxSensorSide, "sizeY", context);
    return stream;
  }
  throw InputError(context + ": the recording has no event stream (typeIdentifier EVTS)");
}

} // namespace lumen::aedat4
