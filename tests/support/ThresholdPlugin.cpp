#include "support/ThresholdPlugin.h"

#include <torch/script.h>

namespace lumen::test {

void writeThresholdPlugin(const std::string& path, int size) {
  torch::jit::Module module("ThresholdPlugin");
  module.register_attribute("input_size", c10::IntType::get(), size);
  module.define(R"(
    def forward(self, x):
        similar = (x[:, 1:2].abs() < 1.0).float()
        guide = torch.max_pool2d(x[:, 2:4].amax(dim=1, keepdim=True), 9, 1, 4)
        return (similar * (guide > 0.05).float()) * 2.0 - 1.0
  )");
  module.save(path);
}

} // namespace lumen::test
