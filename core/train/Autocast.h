// CUDA autocast (mixed precision) switched on or off for a scope, across LibTorch 1.13's and
// 2.4+'s APIs. The trainer turns it on around a training step; StepContext::backward turns it
// off around backward, as PyTorch's AMP recipe does.
#pragma once
#include <ATen/autocast_mode.h>
#include <torch/version.h>

namespace lumen {

class AutocastScope {
public:
  explicit AutocastScope(bool enabled) : previous_(isEnabled()), changed_(enabled != previous_) {
    if (changed_)
      setEnabled(enabled);
  }
  ~AutocastScope() {
    if (!changed_)
      return;
    setEnabled(previous_);
    // Leaving an autocast region frees the float16 copies of weights it cached.
    if (!previous_)
      at::autocast::clear_cache();
  }
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

  static bool isEnabled() {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    return at::autocast::is_autocast_enabled(at::kCUDA);
#else
    return at::autocast::is_enabled();
#endif
  }

private:
  static void setEnabled(bool enabled) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    at::autocast::set_autocast_enabled(at::kCUDA, enabled);
#else
    at::autocast::set_enabled(enabled);
#endif
  }
  bool previous_;
  bool changed_;
};

} // namespace lumen
