#include "common/Error.h"

namespace lumen {

const char* errorKindName(ErrorKind kind) {
  switch (kind) {
  case ErrorKind::InvalidInput:
    return "invalid input";
  case ErrorKind::Io:
    return "I/O error";
  case ErrorKind::Config:
    return "configuration error";
  case ErrorKind::Cancelled:
    return "cancelled";
  case ErrorKind::Runtime:
    return "runtime error";
  }
  return "error";
}

} // namespace lumen
