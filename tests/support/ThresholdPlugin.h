// A TorchScript segmentation plug-in the tests write themselves (torch::jit::Module::define), so
// the plug-in path runs on a real TorchScript file with no weights to ship: inside where the
// relative-HU channel says "as bright as the clicks" and the previous mask or a click is near.
// Kept out of the test files' headers so a widget test need not compile LibTorch's.
#pragma once
#include <string>

namespace lumen::test {

// Saves the module to `path`, with `input_size` = `size` (SliceNetInput.h's S).
void writeThresholdPlugin(const std::string& path, int size);

} // namespace lumen::test
