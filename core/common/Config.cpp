#include "common/Config.h"

#include "common/ConfigKeys.h"
#include "common/Text.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

namespace lumen {

namespace config_detail {
std::string describeNode(const YAML::Node& node) {
  switch (node.Type()) {
  case YAML::NodeType::Map:
    return "a mapping";
  case YAML::NodeType::Sequence:
    return "a list";
  case YAML::NodeType::Null:
    return "nothing";
  case YAML::NodeType::Scalar:
    return "'" + truncateText(node.Scalar(), 80) + "'";
  default:
    return "an undefined value";
  }
}

std::string describeBound(double value) {
  return formatNumber(value);
}

std::string describeBound(int64_t value) {
  return std::to_string(value);
}

YAML::Node yamlNumber(double value) {
  if (std::isinf(value))
    return YAML::Node(value > 0 ? ".inf" : "-.inf");
  if (std::isnan(value))
    return YAML::Node(".nan");
  std::string text = formatNumber(value);
  // "3" would read back as an integer where a number is expected: fine for every config field,
  // but a decimal point keeps the type visible to other tools reading config.yaml.
  if (text.find_first_of(".en") == std::string::npos)
    text += ".0";
  return YAML::Node(text);
}
std::string describeValue(const YAML::Node& node) {
  YAML::Emitter emitter;
  emitter << YAML::Flow << node;
  const std::string text = emitter.c_str();
  return text.empty() ? "\"\"" : text;
}

std::string describeAllowed(const std::string& type, const OneOf& allowed) {
  if (allowed.choices.empty())
    return type;
  std::string out;
  for (const auto& choice : allowed.choices)
    out += (out.empty() ? "" : " | ") + choice;
  return out;
}
} // namespace config_detail

namespace {

void collectChanges(const YAML::Node& before, const YAML::Node& after, const std::string& path,
                    std::vector<std::string>& out) {
  const auto text = [](const YAML::Node& node) {
    if (!node || !node.IsDefined())
      return std::string("(absent)");
    YAML::Emitter emitter;
    emitter << YAML::Flow << node;
    return truncateText(emitter.c_str(), 60);
  };
  if (before && after && before.IsMap() && after.IsMap()) {
    std::set<std::string> keys;
    for (const auto& entry : before)
      keys.insert(entry.first.as<std::string>());
    for (const auto& entry : after)
      keys.insert(entry.first.as<std::string>());
    for (const auto& key : keys)
      collectChanges(before[key], after[key], path.empty() ? key : path + "." + key, out);
    return;
  }
  const std::string a = text(before), b = text(after);
  if (a != b)
    out.push_back(path + ": " + a + " -> " + b);
}

} // namespace

std::vector<std::string> describeConfigChanges(const YAML::Node& before, const YAML::Node& after) {
  std::vector<std::string> changes;
  collectChanges(before, after, "", changes);
  return changes;
}

ConfigReader::ConfigReader(YAML::Node node, const ConfigOrigin& origin, std::string path)
    : node_(node), origin_(origin), path_(std::move(path)) {}

YAML::Node ConfigReader::lookup(const std::string& key) {
  used_.insert(key);
  if (!node_ || !node_.IsMap())
    return YAML::Node(YAML::NodeType::Undefined);
  const YAML::Node& constNode = node_;
  return constNode[key];
}

std::string ConfigReader::location(const YAML::Node& node, const std::string& key) const {
  const std::string keyPath = join(key);
  // Strip list indices when matching overrides ("a.b[2]" was set as "a.b").
  const std::string base = keyPath.substr(0, keyPath.find('['));
  if (origin_.overridden.count(base))
    return "--set " + base;
  const YAML::Mark mark = node.Mark();
  if (mark.is_null() || mark.line < 0)
    return origin_.file;
  return origin_.file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

void ConfigReader::fail(const YAML::Node& node, const std::string& key,
                        const std::string& problem) const {
  throw ConfigError(location(node, key) + ": " + join(key) + ": " + problem);
}

void ConfigReader::check(const std::string& value, const OneOf& allowed, const YAML::Node& node,
                         const std::string& key) const {
  if (std::find(allowed.choices.begin(), allowed.choices.end(), value) != allowed.choices.end())
    return;
  std::string list;
  for (const auto& choice : allowed.choices)
    list += (list.empty() ? "" : ", ") + choice;
  fail(node, key, "'" + value + "' is not one of: " + list);
}

void ConfigReader::rejectUnknownKeys() const {
  if (!node_ || !node_.IsMap())
    return;
  for (const auto& entry : node_) {
    const std::string key = entry.first.as<std::string>();
    if (used_.count(key))
      continue;
    std::string known;
    for (const auto& k : used_)
      known += (known.empty() ? "" : ", ") + k;
    fail(entry.first, key, "unknown key (known keys here: " + known + ")");
  }
}

YAML::Node loadYamlFile(const std::string& file) {
  if (!std::filesystem::exists(file))
    throw ConfigError(file + ": config file does not exist");
  try {
    return YAML::LoadFile(file);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(file + ":" + std::to_string(e.mark.line + 1) + ":" +
                      std::to_string(e.mark.column + 1) + ": invalid YAML: " + e.msg);
  } catch (const YAML::BadFile&) {
    throw ConfigError(file + ": cannot read config file");
  }
}

std::string applyOverride(YAML::Node& root, const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError("--set " + assignment + ": expected key.path=value");
  const std::string path = assignment.substr(0, eq);
  const std::string text = assignment.substr(eq + 1);
  std::vector<std::string> keys;
  std::stringstream stream(path);
  for (std::string key; std::getline(stream, key, '.');) {
    if (key.empty())
      throw ConfigError("--set " + assignment + ": empty key in path '" + path + "'");
    keys.push_back(key);
  }
  YAML::Node value;
  try {
    value = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError("--set " + path + ": cannot parse value '" + text + "': " + e.msg);
  }
  if (!value || value.IsNull())
    value = YAML::Node(text); // an empty value is the empty string
  YAML::Node current;
  current.reset(root);
  for (size_t i = 0; i + 1 < keys.size(); ++i) {
    YAML::Node child = current[keys[i]];
    if (!child.IsDefined() || child.IsNull())
      current[keys[i]] = YAML::Node(YAML::NodeType::Map);
    else if (!child.IsMap())
      throw ConfigError("--set " + path + ": '" + keys[i] + "' is a value, not a section");
    YAML::Node next = current[keys[i]];
    current.reset(next);
  }
  current[keys.back()] = value;
  return path;
}

} // namespace lumen
