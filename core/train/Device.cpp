#include "train/Device.h"

#include "common/Error.h"
#include "train/SeededInit.h"

#include <thread>

namespace lumen {

torch::Device resolveDevice(const std::string& choice) {
  if (choice == "auto")
    return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0)
                                       : torch::Device(torch::kCPU);
  if (choice == "cpu")
    return torch::kCPU;
  if (choice.rfind("cuda", 0) == 0) {
    if (!torch::cuda::is_available())
      throw InputError("device '" + choice +
                       "' was requested but this LibTorch build sees no CUDA device; use "
                       "device: cpu or auto");
    torch::Device device(choice);
    if (device.index() >= static_cast<int>(torch::cuda::device_count()))
      throw InputError("device '" + choice + "' does not exist: " +
                       std::to_string(torch::cuda::device_count()) + " CUDA device(s) found");
    return device;
  }
  throw InputError("unknown device '" + choice + "': expected auto, cpu, cuda or cuda:N");
}

void configureTorchThreads(int threads) {
  if (threads <= 0)
    threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(threads);
}

std::mutex& globalGeneratorMutex() {
  static std::mutex mutex;
  return mutex;
}

std::string describeDevice(const torch::Device& device) {
  if (device.is_cuda())
    return "CUDA device " + std::to_string(device.index());
  return "CPU (" + std::to_string(torch::get_num_threads()) + " threads)";
}

} // namespace lumen
