// TorchScript plug-ins as segmentation backends: any model saved with torch.jit.save (or
// torch::jit::Module::save) that takes the tensor contract of SliceNetInput.h runs slice by
// slice through the same pipeline as the built-in networks. The README documents the contract
// for model authors; an int attribute `input_size` on the module sets S (64 when absent).
#pragma once
#include "segment/SegmentationBackend.h"

#include <memory>
#include <string>

namespace lumen {

// Throws InputError naming the file when it is missing or not a TorchScript module, or when its
// forward does not answer a probe input with S x S logits.
std::shared_ptr<const SegmentationBackend> loadTorchScriptBackend(const std::string& file,
                                                                  const std::string& name);

} // namespace lumen
