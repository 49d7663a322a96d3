// Template parts of Config.h: conversion of YAML values to the field types configs use.
#pragma once
#include "common/AtomicFile.h"

#include <cstdint>
#include <type_traits>

namespace lumen {
namespace config_detail {

std::string describeNode(const YAML::Node& node);

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
    return out;
  }
}

template <class T> void saveConfig(const T& config, const std::string& path) {
  writeFileAtomically(path, configToYaml(config));
}

} // namespace lumen
