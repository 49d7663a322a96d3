#include "CommandLine.h"

#include "common/Text.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace lumen::cli {

std::optional<std::string> ParsedArgs::value(const std::string& name) const {
  const auto it = values_.find(name);
  if (it == values_.end() || it->second.empty())
    return std::nullopt;
  return it->second.back();
}

std::string ParsedArgs::value(const std::string& name, const std::string& fallback) const {
  return value(name).value_or(fallback);
}

double ParsedArgs::number(const std::string& name, double fallback, double min, double max) const {
  const auto text = value(name);
  if (!text)
    return fallback;
  double v = 0;
  const char* end = text->data() + text->size();
  const auto [stop, error] = std::from_chars(text->data(), end, v);
  if (error != std::errc() || stop != end || !std::isfinite(v))
    throw UsageError(name + ": expected a number, got '" + truncateText(*text, 40) + "'");
  if (v < min || v > max)
    throw UsageError(name + ": " + formatNumber(v) + " is out of range: expected a value in [" +
                     formatNumber(min) + ", " + formatNumber(max) + "]");
  return v;
}

int64_t ParsedArgs::integer(const std::string& name, int64_t fallback, int64_t min,
                            int64_t max) const {
  const auto text = value(name);
  if (!text)
    return fallback;
  int64_t v = 0;
  const char* end = text->data() + text->size();
  const auto [stop, error] = std::from_chars(text->data(), end, v);
  if (error == std::errc::result_out_of_range ||
      (error == std::errc() && stop == end && (v < min || v > max)))
    throw UsageError(name + ": " + truncateText(*text, 40) +
                     " is out of range: expected a whole number in [" + std::to_string(min) + ", " +
                     std::to_string(max) + "]");
  if (error != std::errc() || stop != end)
    throw UsageError(name + ": expected a whole number, got '" + truncateText(*text, 40) + "'");
  return v;
}

const std::vector<std::string>& ParsedArgs::values(const std::string& name) const {
  static const std::vector<std::string> none;
  const auto it = values_.find(name);
  return it == values_.end() ? none : it->second;
}

Command& Command::option(OptionSpec spec) {
  options_.push_back(std::move(spec));
  return *this;
}

Command& Command::positional(PositionalSpec spec) {
  positionals_.push_back(std::move(spec));
  return *this;
}

Command& Command::handler(Handler h) {
  handler_ = std::move(h);
  return *this;
}

Command& Command::description(std::string text) {
  description_ = std::move(text);
  return *this;
}

Command& Command::keys(std::function<std::string()> describe) {
  keys_ = std::move(describe);
  return *this;
}

Command& Command::subcommand(std::string name, std::string summary) {
  subcommands_.push_back(std::make_unique<Command>(std::move(name), std::move(summary)));
  return *subcommands_.back();
}

std::string Command::help(const std::string& path) const {
  std::ostringstream out;
  out << "Usage: " << path;
  if (!subcommands_.empty())
    out << " <command>";
  if (!options_.empty())
    out << " [options]";
  for (const auto& p : positionals_)
    out << (p.optional ? " [" + p.name + "]" : " " + p.name);
  out << "\n\n" << summary_ << "\n";
  if (!description_.empty())
    out << "\n" << description_ << "\n";
  auto row = [&](const std::string& left, const std::string& right) {
    out << "  " << left;
    for (size_t i = left.size(); i < 28; ++i)
      out << ' ';
    if (left.size() >= 28)
      out << "\n  " << std::string(28, ' ');
    out << right << "\n";
  };
  if (!subcommands_.empty()) {
    out << "\nCommands:\n";
    for (const auto& c : subcommands_)
      row(c->name_, c->summary_);
  }
  if (!positionals_.empty()) {
    out << "\nArguments:\n";
    for (const auto& p : positionals_)
      row(p.name, p.help);
  }
  out << "\nOptions:\n";
  for (const auto& o : options_)
    row(o.name + (o.valueName.empty() ? "" : " " + o.valueName) + (o.repeatable ? " ..." : ""),
        o.help);
  row("-h, --help", "show this help");
  if (keys_)
    out << "\n" << keys_();
  if (!subcommands_.empty())
    out << "\nRun '" << path << " <command> --help' for a command's options.\n";
  return out.str();
}

Command& Command::forwardTo(std::function<int()> forward) {
  forward_ = std::move(forward);
  return *this;
}

int Command::run(const std::vector<std::string>& args, const std::string& path) const {
  if (forward_)
    return forward_();
  if (!subcommands_.empty()) {
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
      std::fputs(help(path).c_str(), stdout);
      return args.empty() ? 2 : 0;
    }
    for (const auto& c : subcommands_)
      if (c->name_ == args[0])
        return c->run({args.begin() + 1, args.end()}, path + " " + c->name_);
    throw UsageError("unknown command '" + args[0] + "' for '" + path + "'; run '" + path +
                     " --help' to see the commands");
  }
  ParsedArgs parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(help(path).c_str(), stdout);
      return 0;
    }
    if (arg.rfind("--", 0) == 0 && arg.size() > 2) {
      std::string name = arg, inlineValue;
      const auto eq = arg.find('=');
      const bool hasInline = eq != std::string::npos;
      if (hasInline) {
        name = arg.substr(0, eq);
        inlineValue = arg.substr(eq + 1);
      }
      const OptionSpec* spec = nullptr;
      for (const auto& o : options_)
        if (o.name == name)
          spec = &o;
      if (!spec)
        throw UsageError("unknown option '" + name + "' for '" + path + "'; run '" + path +
                         " --help'");
      if (spec->valueName.empty()) {
        if (hasInline)
          throw UsageError(name + " takes no value");
        parsed.flags_[name] = true;
        continue;
      }
      std::string value = inlineValue;
      if (!hasInline) {
        if (i + 1 >= args.size())
          throw UsageError(name + " needs a value (" + spec->valueName + ")");
        value = args[++i];
      }
      auto& slot = parsed.values_[name];
      if (!spec->repeatable)
        slot.clear();
      slot.push_back(value);
      continue;
    }
    parsed.positionals_.push_back(arg);
  }
  size_t required = 0;
  for (const auto& p : positionals_)
    required += p.optional ? 0 : 1;
  if (parsed.positionals_.size() < required)
    throw UsageError("'" + path + "' needs " + positionals_[parsed.positionals_.size()].name +
                     "; run '" + path + " --help'");
  if (parsed.positionals_.size() > positionals_.size())
    throw UsageError("unexpected argument '" + parsed.positionals_[positionals_.size()] +
                     "' for '" + path + "'");
  return handler_(parsed);
}

} // namespace lumen::cli
