// Data-parallel training across processes (SPEC C10), the way PyTorch's DistributedDataParallel
// does it, written against LibTorch's c10d (whose C++ frontend has no DDP module):
//  * rendezvous from the variables torchrun, Slurm and Kubernetes launchers set (RANK,
//    WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT; Slurm's SLURM_PROCID, SLURM_NTASKS and
//    SLURM_LOCALID when RANK is absent), through a TCPStore served by rank 0;
//  * Gloo on CPU, NCCL when LibTorch was built with it and the run is on CUDA;
//  * gradients averaged in buckets after backward, parameters broadcast from rank 0 at the start;
//  * every collective bounded by a timeout, and a peer that died or stopped answering ends the
//    run with an Error naming the rank, never a hang.
#pragma once
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <torch/torch.h>
#include <vector>

namespace lumen {

struct DataParallelSettings {
  int rank = 0;
  int world = 1;
  int localRank = 0;
  std::string masterAddr;
  int masterPort = 0;
};

// The launcher's settings, or nothing when the process is not one of several (no WORLD_SIZE, or
// WORLD_SIZE=1). Throws InputError naming the variable when one is set but malformed or missing.
std::optional<DataParallelSettings> dataParallelSettingsFromEnvironment();

class DataParallelGroup {
public:
  virtual ~DataParallelGroup() = default;
  // Connects to the other ranks; throws Error when they do not all arrive within `timeout`.
  static std::shared_ptr<DataParallelGroup> connect(const DataParallelSettings& settings,
                                                    const torch::Device& device,
                                                    std::chrono::milliseconds timeout);

  int rank() const { return settings_.rank; }
  int world() const { return settings_.world; }
  const DataParallelSettings& settings() const { return settings_; }

  // Replaces each tensor (all on one device) by its mean over the ranks, in buckets of at most
  // `bucketBytes`.
  void averageInPlace(const std::vector<torch::Tensor>& tensors, size_t bucketBytes);
  // Replaces each tensor by rank 0's.
  void broadcastFromRankZero(const std::vector<torch::Tensor>& tensors);
  void barrier();

protected:
  explicit DataParallelGroup(DataParallelSettings settings) : settings_(std::move(settings)) {}
  virtual void allreduceSum(torch::Tensor& flat) = 0;
  virtual void broadcast(torch::Tensor& flat) = 0;
  virtual void waitForAll() = 0;
  // Runs a collective, turning c10d's failures into an Error that names the rank.
  template <class Body> void guarded(const char* what, Body body);

private:
  DataParallelSettings settings_;
};

// The group this process trains in: connected on first use from the environment (the same group
// for every later run of the process), or null when it is not one of several processes. The
// rendezvous and every collective wait at most LUMEN_DIST_TIMEOUT_S seconds (default 300).
std::shared_ptr<DataParallelGroup> processDataParallelGroup(const torch::Device& device);

// PyTorch DDP's default bucket size.
constexpr size_t kGradientBucketBytes = size_t(25) << 20;

// The gradients of `parameters` averaged over the group (those without a gradient are skipped
// consistently on every rank, since all ranks run the same model).
void averageGradients(DataParallelGroup& group, const std::vector<torch::Tensor>& parameters,
                      size_t bucketBytes);

} // namespace lumen
