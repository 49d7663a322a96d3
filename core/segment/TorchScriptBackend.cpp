#include "segment/TorchScriptBackend.h"

#include "common/Error.h"
#include "segment/NetworkSliceBackend.h"
#include "segment/SliceNetInput.h"

#include <filesystem>
#include <torch/script.h>

namespace lumen {

namespace {

class ScriptNetwork : public SliceNetwork {
public:
  ScriptNetwork(torch::jit::Module module, int size) : module_(std::move(module)), size_(size) {}
  int inputSize() const override { return size_; }
  at::Tensor forward(const at::Tensor& input) const override {
    // forward() is not const on a jit::Module, though running it changes nothing of ours.
    auto& module = const_cast<torch::jit::Module&>(module_);
    const auto out = module.forward({input});
    if (!out.isTensor())
      throw InputError("the TorchScript backend's forward returned a " + out.tagKind() +
                       ", not a tensor of logits");
    return out.toTensor();
  }

private:
  torch::jit::Module module_;
  int size_;
};

} // namespace

std::shared_ptr<const SegmentationBackend> loadTorchScriptBackend(const std::string& file,
                                                                  const std::string& name) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    throw InputError(file + ": no such TorchScript model file");
  torch::jit::Module module;
  try {
    module = torch::jit::load(file, torch::kCPU);
  } catch (const std::exception& e) {
    std::string what = e.what();
    throw InputError(
        file + " is not a TorchScript model (torch.jit.save): " + what.substr(0, what.find('\n')));
  }
  module.eval();
  int size = 64;
  if (module.hasattr("input_size")) {
    const auto attr = module.attr("input_size");
    if (!attr.isInt() || attr.toInt() < 8 || attr.toInt() > 1024)
      throw InputError(file + ": attribute input_size must be an int between 8 and 1024");
    size = int(attr.toInt());
  }
  auto network = std::make_shared<ScriptNetwork>(std::move(module), size);
  // Refuse a model that breaks the contract now, with its own message, not on the first click.
  try {
    torch::NoGradGuard noGrad;
    const auto probe = network->forward(torch::zeros({1, kSliceNetChannels, size, size}));
    if (probe.numel() != int64_t(size) * size)
      throw InputError("returned " + std::to_string(probe.numel()) + " values, expected " +
                       std::to_string(size) + "x" + std::to_string(size) + " logits");
  } catch (const InputError& e) {
    throw InputError(file + ": " + e.what());
  } catch (const std::exception& e) {
    std::string what = e.what();
    throw InputError(file + ": forward fails on a (1, " + std::to_string(kSliceNetChannels) + ", " +
                     std::to_string(size) + ", " + std::to_string(size) +
                     ") float32 input: " + what.substr(0, what.find('\n')));
  }
  return std::make_shared<NetworkSliceBackend>(
      name, "TorchScript plug-in " + std::filesystem::path(file).filename().string(),
      std::move(network));
}

} // namespace lumen
