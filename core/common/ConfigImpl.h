// Template parts of Config.h: conversion of YAML values to the field types configs use.
#pragma once
#include "common/AtomicFile.h"

#include <cmath>
#include <cstdint>
#include <type_traits>

namespace lumen {
namespace config_detail {

std::string describeNode(const YAML::Node& node);
// A bound as a message shows it: 0.05, not 0.050000.
std::string describeBound(double value);
std::string describeBound(int64_t value);
// Doubles as YAML scalars that read back exactly and as short as possible (0.05, 1e-08, .inf).
YAML::Node yamlNumber(double value);

template <class T> struct TypeName;
template <> struct TypeName<bool> { static constexpr const char* value = "true or false"; };
template <> struct TypeName<int> { static constexpr const char* value = "an integer"; };
template <> struct TypeName<int64_t> { static constexpr const char* value = "an integer"; };
template <> struct TypeName<double> { static constexpr const char* value = "a number"; };
template <> struct TypeName<std::string> { static constexpr const char* value = "a string"; };

} // namespace config_detail

template <class T> T ConfigReader::convert(const YAML::Node& node, const std::string& key) const {
  if constexpr (std::is_same_v<T, std::vector<int>> || std::is_same_v<T, std::vector<double>> ||
                std::is_same_v<T, std::vector<std::string>>) {
    if (!node.IsSequence())
      fail(node, key, "expected a list, got " + config_detail::describeNode(node));
    T out;
    for (size_t i = 0; i < node.size(); ++i)
      out.push_back(convert<typename T::value_type>(node[i], key + "[" + std::to_string(i) + "]"));
    return out;
  } else {
    const char* expected = config_detail::TypeName<T>::value;
    if (!node.IsScalar())
      fail(node, key,
           std::string("expected ") + expected + ", got " + config_detail::describeNode(node));
    T out{};
    bool ok = YAML::convert<T>::decode(node, out);
    if constexpr (std::is_same_v<T, std::string>) {
      ok = true;
    } else if constexpr (std::is_same_v<T, bool>) {
      ok = ok && node.Tag() != "!"; // a quoted "true" is a string, not a boolean
    } else {
      if (node.Tag() == "!") // quoted scalars are strings even when they look numeric
        ok = false;
    }
    if (!ok)
      fail(node, key,
           std::string("expected ") + expected + ", got " + config_detail::describeNode(node));
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(out)) // .nan passes every comparison a range makes
        fail(node, key, "expected a number, got NaN");
    }
    return out;
  }
}

template <class T>
std::string ConfigReader::describeRange(const std::string& got, const Range<T>& r) {
  using config_detail::describeBound;
  using Bound = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;
  std::string s = "value " + got + " is out of range: expected ";
  if (r.min && r.max)
    return s + "a value in [" + describeBound(Bound(*r.min)) + ", " + describeBound(Bound(*r.max)) +
           "]";
  if (r.min)
    return s + (r.minExclusive ? "> " : ">= ") + describeBound(Bound(*r.min));
  return s + "<= " + describeBound(Bound(*r.max));
}

template <class T, class C>
void ConfigWriter::field(const std::string& key, const T& value, const C&) {
  if constexpr (std::is_floating_point_v<T>) {
    node_[key] = config_detail::yamlNumber(double(value));
  } else if constexpr (std::is_same_v<T, std::vector<double>>) {
    YAML::Node list(YAML::NodeType::Sequence);
    for (double v : value)
      list.push_back(config_detail::yamlNumber(v));
    node_[key] = list;
  } else {
    node_[key] = value;
  }
}

template <class T> void saveConfig(const T& config, const std::string& path) {
  writeFileAtomically(path, configToYaml(config));
}

} // namespace lumen
