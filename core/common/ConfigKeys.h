// Every key of a config as --help lists it: the dotted path, the value it has and what it may
// be, read from the same visit() list that loads and saves the config, so the listing cannot
// drift from what --set accepts.
#pragma once
#include "common/Config.h"
#include "common/Resources.h"

#include <string>
#include <vector>

namespace lumen {

struct ConfigKeyInfo {
  std::string path;    // "trainer.optimizer.lr"
  std::string value;   // as YAML writes it: 0.003, adamw, "", [a, b]
  std::string allowed; // "a number in [0, 10]", "adam | adamw | sgd", "true or false"
};

struct ConfigKeyList {
  std::string source; // where the values come from: the shipped file, or the built-in defaults
  std::vector<ConfigKeyInfo> keys;
};

namespace config_detail {
// A field's value in flow style, on one line.
std::string describeValue(const YAML::Node& node);
std::string describeAllowed(const std::string& type, const OneOf& allowed);
template <class T> std::string describeAllowed(const std::string& type, const Range<T>& r) {
  using Bound = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;
  if (r.min && r.max)
    return type + " in [" + describeBound(Bound(*r.min)) + ", " + describeBound(Bound(*r.max)) +
           "]";
  if (r.min)
    return type + (r.minExclusive ? " > " : " >= ") + describeBound(Bound(*r.min));
  if (r.max)
    return type + " <= " + describeBound(Bound(*r.max));
  return type;
}
inline std::string describeAllowed(const std::string& type, const NoConstraint&) {
  return type;
}

template <class T> std::string typeDescription() {
  if constexpr (std::is_same_v<T, std::vector<int>>)
    return "a list of integers";
  else if constexpr (std::is_same_v<T, std::vector<double>>)
    return "a list of numbers";
  else if constexpr (std::is_same_v<T, std::vector<std::string>>)
    return "a list of strings";
  else
    return TypeName<T>::value;
}
} // namespace config_detail

class ConfigKeyLister {
public:
  ConfigKeyLister(std::vector<ConfigKeyInfo>& keys, std::string path = {})
      : keys_(keys), path_(std::move(path)) {}

  template <class T, class C = NoConstraint>
  void field(const std::string& key, const T& value, const C& constraint = C{}) {
    // The writer formats the value exactly as config.yaml would hold it.
    YAML::Node holder(YAML::NodeType::Map);
    ConfigWriter(holder).field(key, value);
    keys_.push_back(
        {join(key), config_detail::describeValue(holder[key]),
         config_detail::describeAllowed(config_detail::typeDescription<T>(), constraint)});
  }

  template <class S> void section(const std::string& key, S& value) {
    ConfigKeyLister lister(keys_, join(key));
    value.visit(lister);
  }

private:
  std::string join(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

  std::vector<ConfigKeyInfo>& keys_;
  std::string path_;
};

template <class T> std::vector<ConfigKeyInfo> configKeys(T config) {
  std::vector<ConfigKeyInfo> keys;
  ConfigKeyLister lister(keys);
  config.visit(lister);
  return keys;
}

// The keys with the values loadConfig gives the shipped `resource` without overrides: the
// effective defaults. When the file cannot be found or read, the struct's own defaults, with
// the reason as the source (help must still print).
template <class T> ConfigKeyList shippedConfigKeys(const std::string& resource) {
  ConfigKeyList list;
  T config{};
  try {
    const std::string file = findResource(resource);
    config = loadConfig<T>(file);
    list.source = file;
  } catch (const Error& e) {
    list.source = "built-in defaults; " + resource + " could not be read: " + e.what();
  }
  list.keys = configKeys(std::move(config));
  return list;
}

} // namespace lumen
