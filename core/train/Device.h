// Run-time compute device choice and CPU threading, so the same binary trains on a laptop CPU
// and on CUDA GPUs.
#pragma once
#include <string>
#include <torch/torch.h>

namespace lumen {

// "auto" (CUDA when present, else CPU), "cpu", "cuda" or "cuda:N". Throws InputError when CUDA
// is asked for and not available.
torch::Device resolveDevice(const std::string& choice);

// Sets LibTorch's intra-op threads (0: one per core) for the calling thread. LibTorch starts
// with one thread on some Debian builds. Its OpenMP backend keeps the count per thread, so each
// training job sets its own budget on its worker thread without changing another run's.
void configureTorchThreads(int threads = 0);

std::string describeDevice(const torch::Device& device);

} // namespace lumen
