// The "Config keys" section of a command's --help: every key --set accepts, its default and
// what it may be.
#pragma once
#include "common/ConfigKeys.h"

#include <functional>
#include <string>

namespace lumen::cli {

std::string configKeysHelp(const ConfigKeyList& list);

// For Command::keys: the keys of config T with the values of the shipped `resource`, read when
// the help is printed.
template <class T> std::function<std::string()> shippedConfigHelp(std::string resource) {
  return [resource] { return configKeysHelp(shippedConfigKeys<T>(resource)); };
}

} // namespace lumen::cli
