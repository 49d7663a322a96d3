// A small command-line parser for nested subcommands ("lumen-cli runs list DIR"), with --help
// at every level generated from the same declarations that drive parsing.
#pragma once
#include "common/Error.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace lumen::cli {

class UsageError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// Runs `parse` on an option's value: an error it throws (an unknown class name, a bad choice) is a
// usage error naming the option, so it exits with status 2 before any work starts.
template <class F> auto parseOption(const std::string& option, F&& parse) -> decltype(parse()) {
  try {
    return parse();
  } catch (const Error& e) {
    throw UsageError(option + ": " + e.what());
  }
}

struct OptionSpec {
  std::string name;      // "--config"
  std::string valueName; // "FILE"; empty for a flag
  std::string help;
  bool repeatable = false;
};

struct PositionalSpec {
  std::string name; // "RUN_DIR"
  std::string help;
  bool optional = false;
};

class ParsedArgs {
public:
  bool flag(const std::string& name) const { return flags_.count(name) > 0; }
  std::optional<std::string> value(const std::string& name) const;
  std::string value(const std::string& name, const std::string& fallback) const;
  // A finite number in [min, max]; a UsageError naming the option otherwise.
  double number(const std::string& name, double fallback, double min = -1e300,
                double max = 1e300) const;
  // A whole number in [min, max]; a UsageError naming the option otherwise (never a cast of a
  // double, so 1e30 or 2.5 are refused, not wrapped or truncated).
  int64_t integer(const std::string& name, int64_t fallback, int64_t min, int64_t max) const;
  const std::vector<std::string>& values(const std::string& name) const;
  const std::string& positional(size_t index) const { return positionals_.at(index); }
  size_t positionalCount() const { return positionals_.size(); }

private:
  friend class Command;
  std::map<std::string, std::vector<std::string>> values_;
  std::map<std::string, bool> flags_;
  std::vector<std::string> positionals_;
};

class Command {
public:
  using Handler = std::function<int(const ParsedArgs&)>;

  Command(std::string name, std::string summary)
      : name_(std::move(name)), summary_(std::move(summary)) {}

  Command& option(OptionSpec spec);
  Command& positional(PositionalSpec spec);
  Command& handler(Handler h);
  Command& description(std::string text);
  Command& subcommand(std::string name, std::string summary);
  // Text listing the config keys --set accepts, appended to --help. Called only when the help is
  // printed: it reads the shipped config, which commands that are merely run need not do.
  Command& keys(std::function<std::string()> describe);
  // Hands the command and everything after it, --help included, to `forward` unparsed: a command
  // the running binary lists but another one carries out (lumen-cli's LibTorch commands).
  Command& forwardTo(std::function<int()> forward);

  // Parses and dispatches; returns the process exit code. `path` is the command's full name.
  int run(const std::vector<std::string>& args, const std::string& path) const;
  std::string help(const std::string& path) const;

private:
  std::string name_, summary_, description_;
  std::vector<OptionSpec> options_;
  std::vector<PositionalSpec> positionals_;
  std::vector<std::unique_ptr<Command>> subcommands_;
  Handler handler_;
  std::function<std::string()> keys_;
  std::function<int()> forward_;
};

} // namespace lumen::cli
