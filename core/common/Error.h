// Typed errors shared by every part of the engine. Each says what went wrong in the user's
// terms: the file, the field and what was expected.
#pragma once
#include <stdexcept>
#include <string>

namespace lumen {

enum class ErrorKind { InvalidInput, Io, Config, Cancelled, Runtime };

const char* errorKindName(ErrorKind kind);

class Error : public std::runtime_error {
public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

private:
  ErrorKind kind_;
};

class InputError : public Error {
public:
  explicit InputError(const std::string& message) : Error(ErrorKind::InvalidInput, message) {}
};

class IoError : public Error {
public:
  explicit IoError(const std::string& message) : Error(ErrorKind::Io, message) {}
};

class CancelledError : public Error {
public:
  CancelledError() : Error(ErrorKind::Cancelled, "cancelled by the user") {}
};

} // namespace lumen
