#include "train/RunTap.h"

#include <mutex>

namespace lumen {
namespace {

std::mutex& tapMutex() {
  static std::mutex mutex;
  return mutex;
}

RunTap& currentTap() {
  static RunTap tap;
  return tap;
}

} // namespace

void setRunTap(RunTap tap) {
  std::lock_guard lock(tapMutex());
  currentTap() = std::move(tap);
}

bool runTapSet() {
  std::lock_guard lock(tapMutex());
  return bool(currentTap());
}

void tapRun(const nlohmann::json& message) {
  std::lock_guard lock(tapMutex());
  if (currentTap())
    currentTap()(message);
}

} // namespace lumen
