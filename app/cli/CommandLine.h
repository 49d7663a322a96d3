// A small command-line parser for nested subcommands ("lumen-cli runs list DIR"), with --help
// at every level generated from the same declarations that drive parsing.
#pragma once
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
  double number(const std::string& name, double fallback) const;
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

  // Parses and dispatches; returns the process exit code. `path` is the command's full name.
  int run(const std::vector<std::string>& args, const std::string& path) const;
  std::string help(const std::string& path) const;

private:
  std::string name_, summary_, description_;
  std::vector<OptionSpec> options_;
  std::vector<PositionalSpec> positionals_;
  std::vector<std::unique_ptr<Command>> subcommands_;
  Handler handler_;
};

} // namespace lumen::cli
