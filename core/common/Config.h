// Typed YAML configuration. A config is a plain struct that lists its fields once, in a
// visit() template; the same list drives loading (with validation), saving and documentation:
//
//   struct OptimizerConfig {
//     std::string name = "adamw";
//     double lr = 1e-3;
//     template <class V> void visit(V& v) {
//       v.field("name", name, oneOf({"adam", "adamw", "sgd"}));
//       v.field("lr", lr, range(0.0, 10.0));
//     }
//   };
//
// Loading reports unknown keys, wrong types and out-of-range values as ConfigError naming the
// file, line and key path ("train.yaml:7:9: optimizer.lr: expected a number, got 'fast'").
// Values given with --set key.path=value are reported as coming from the command line.
#pragma once
#include "common/Error.h"

#include <optional>
#include <set>
#include <string>
#include <vector>
#include <yaml-cpp/yaml.h>

namespace lumen {

class ConfigError : public Error {
public:
  explicit ConfigError(const std::string& message) : Error(ErrorKind::Config, message) {}
};

// ---- constraints a field may carry ----
template <class T> struct Range {
  std::optional<T> min, max;
  bool minExclusive = false;
};
template <class T> Range<T> range(T min, T max) {
  return {min, max, false};
}
template <class T> Range<T> atLeast(T min) {
  return {min, std::nullopt, false};
}
template <class T> Range<T> greaterThan(T min) {
  return {min, std::nullopt, true};
}
struct OneOf {
  std::vector<std::string> choices;
};
inline OneOf oneOf(std::vector<std::string> choices) {
  return {std::move(choices)};
}
struct NoConstraint {};

// Where a YAML tree came from, for messages.
struct ConfigOrigin {
  std::string file;                 // the YAML file, or "<defaults>"
  std::set<std::string> overridden; // key paths replaced by --set
};

class ConfigReader {
public:
  ConfigReader(YAML::Node node, const ConfigOrigin& origin, std::string path = {});

  template <class T, class C = NoConstraint>
  void field(const std::string& key, T& value, const C& constraint = C{}) {
    const YAML::Node child = lookup(key);
    if (!child)
      return; // absent keys keep their defaults
    value = convert<T>(child, key);
    check(value, constraint, child, key);
  }

  template <class S> void section(const std::string& key, S& value) {
    const YAML::Node child = lookup(key);
    if (!child || child.IsNull())
      return;
    if (!child.IsMap())
      fail(child, key, "expected a mapping of keys to values");
    ConfigReader reader(child, origin_, join(key));
    value.visit(reader);
    reader.rejectUnknownKeys();
  }

  void rejectUnknownKeys() const;

  [[noreturn]] void fail(const YAML::Node& node, const std::string& key,
                         const std::string& problem) const;

private:
  YAML::Node lookup(const std::string& key);
  std::string join(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  std::string location(const YAML::Node& node, const std::string& key) const;

  template <class T> T convert(const YAML::Node& node, const std::string& key) const;

  void check(...) const {}
  template <class T>
  void check(const T& value, const Range<T>& r, const YAML::Node& node,
             const std::string& key) const {
    // Written so that a NaN, which compares false with everything, is out of every range.
    const bool low = r.min && (r.minExclusive ? !(value > *r.min) : !(value >= *r.min));
    const bool high = r.max && !(value <= *r.max);
    if (low || high)
      fail(node, key, describeRange(YAML::Dump(node), r));
  }
  void check(const std::string& value, const OneOf& allowed, const YAML::Node& node,
             const std::string& key) const;

  template <class T> static std::string describeRange(const std::string& got, const Range<T>& r);

  YAML::Node node_;
  const ConfigOrigin& origin_;
  std::string path_;
  std::set<std::string> used_;
};

class ConfigWriter {
public:
  explicit ConfigWriter(YAML::Node node) : node_(node) {}
  template <class T, class C = NoConstraint>
  void field(const std::string& key, const T& value, const C& = C{});
  template <class S> void section(const std::string& key, S& value) {
    YAML::Node child(YAML::NodeType::Map);
    ConfigWriter writer(child);
    value.visit(writer);
    node_[key] = child;
  }

private:
  YAML::Node node_;
};

// Reads a YAML file; syntax errors become ConfigError with file and line.
YAML::Node loadYamlFile(const std::string& file);

// Applies "a.b.c=value" (value parsed as YAML: numbers, booleans, [lists]) to a tree.
// Returns the key path so the reader can attribute errors to the command line.
std::string applyOverride(YAML::Node& root, const std::string& assignment);

template <class T> T configFromYaml(const YAML::Node& root, const ConfigOrigin& origin) {
  T config{};
  if (root && !root.IsNull() && !root.IsMap())
    throw ConfigError(origin.file + ": the top level must be a mapping of keys to values");
  ConfigReader reader(root, origin);
  config.visit(reader);
  reader.rejectUnknownKeys();
  return config;
}

// Loads FILE (or only the defaults when FILE is empty) and applies the overrides in order.
template <class T>
T loadConfig(const std::string& file, const std::vector<std::string>& overrides = {}) {
  ConfigOrigin origin{file.empty() ? "<defaults>" : file, {}};
  YAML::Node root = file.empty() ? YAML::Node(YAML::NodeType::Map) : loadYamlFile(file);
  if (!root || root.IsNull())
    root = YAML::Node(YAML::NodeType::Map);
  for (const auto& assignment : overrides)
    origin.overridden.insert(applyOverride(root, assignment));
  return configFromYaml<T>(root, origin);
}

// Parses YAML text (a config.yaml as saved) into a config; `origin` names it in errors.
template <class T> T configFromYamlText(const std::string& text, const std::string& origin) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(origin + ":" + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg);
  }
  if (!root || root.IsNull())
    root = YAML::Node(YAML::NodeType::Map);
  return configFromYaml<T>(root, ConfigOrigin{origin, {}});
}

template <class T> YAML::Node configToYamlNode(T config) {
  YAML::Node root(YAML::NodeType::Map);
  ConfigWriter writer(root);
  config.visit(writer);
  return root;
}

template <class T> std::string configToYaml(const T& config) {
  YAML::Emitter out;
  out << configToYamlNode(config);
  return std::string(out.c_str()) + "\n";
}

// The keys whose values differ between two config trees, as "trainer.epochs: 10 -> 20" (values
// cut short when long), in key order.
std::vector<std::string> describeConfigChanges(const YAML::Node& before, const YAML::Node& after);

// Writes the resolved config (atomically) so a run records exactly what it used.
template <class T> void saveConfig(const T& config, const std::string& path);

} // namespace lumen

#include "common/ConfigImpl.h"
