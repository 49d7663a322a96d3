#include "train/DataParallel.h"

#include "common/Error.h"
#include "common/Log.h"

#include <cstdlib>
#include <mutex>

#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef LUMEN_WITH_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

namespace lumen {
namespace {

std::optional<std::string> environment(const char* name) {
  const char* value = std::getenv(name);
  if (!value || !*value)
    return std::nullopt;
  return std::string(value);
}

int integerVariable(const char* name, const std::string& text, int low, int high) {
  try {
    size_t used = 0;
    const long value = std::stol(text, &used);
    if (used == text.size() && value >= low && value <= high)
      return int(value);
  } catch (const std::exception&) {
  }
  throw InputError(std::string("environment variable ") + name + "=" + text +
                   ": expected an integer in " + std::to_string(low) + ".." + std::to_string(high));
}

// The first of several variables that is set (torchrun's name first, then Slurm's).
std::optional<std::pair<const char*, std::string>>
firstOf(std::initializer_list<const char*> names) {
  for (const char* name : names)
    if (auto value = environment(name))
      return std::pair{name, *value};
  return std::nullopt;
}

std::string firstLine(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

bool isLoopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

template <class Backend> class BackendGroup final : public DataParallelGroup {
public:
  BackendGroup(DataParallelSettings settings, c10::intrusive_ptr<c10d::Store> store,
               c10::intrusive_ptr<Backend> backend)
      : DataParallelGroup(std::move(settings)), store_(std::move(store)),
        backend_(std::move(backend)) {}

protected:
  void allreduceSum(torch::Tensor& flat) override {
    std::vector<torch::Tensor> tensors{flat};
    backend_->allreduce(tensors)->wait();
  }
  void broadcast(torch::Tensor& flat) override {
    std::vector<torch::Tensor> tensors{flat};
    backend_->broadcast(tensors)->wait();
  }
  void waitForAll() override { backend_->barrier()->wait(); }

private:
  c10::intrusive_ptr<c10d::Store> store_;
  c10::intrusive_ptr<Backend> backend_;
};

std::shared_ptr<::gloo::transport::Device> glooDevice(const DataParallelSettings& settings) {
  if (auto interface = environment("GLOO_SOCKET_IFNAME"))
    return c10d::ProcessGroupGloo::createDeviceForInterface(*interface);
  if (isLoopback(settings.masterAddr))
    return c10d::ProcessGroupGloo::createDeviceForHostname(settings.masterAddr);
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

// Splits `tensors` into runs of at most `bucketBytes` (one tensor larger than that is a bucket
// of its own) and applies `reduce` to each run flattened into one buffer.
template <class Reduce>
void inBuckets(const std::vector<torch::Tensor>& tensors, size_t bucketBytes, Reduce reduce) {
  torch::NoGradGuard noGrad; // parameters are written in place
  size_t begin = 0;
  while (begin < tensors.size()) {
    size_t end = begin, bytes = 0;
    while (end < tensors.size() &&
           (end == begin || bytes + size_t(tensors[end].nbytes()) <= bucketBytes))
      bytes += size_t(tensors[end++].nbytes());
    std::vector<torch::Tensor> run(tensors.begin() + long(begin), tensors.begin() + long(end));
    torch::Tensor flat = torch::cat([&] {
      std::vector<torch::Tensor> views;
      for (const auto& t : run)
        views.push_back(t.reshape({-1}));
      return views;
    }());
    reduce(flat);
    int64_t offset = 0;
    for (auto& t : run) {
      const int64_t n = t.numel();
      t.copy_(flat.slice(0, offset, offset + n).view_as(t));
      offset += n;
    }
    begin = end;
  }
}

} // namespace

std::optional<DataParallelSettings> dataParallelSettingsFromEnvironment() {
  const auto world = firstOf({"WORLD_SIZE", "SLURM_NTASKS"});
  if (!world)
    return std::nullopt;
  DataParallelSettings s;
  s.world = integerVariable(world->first, world->second, 1, 65536);
  if (s.world == 1)
    return std::nullopt;
  const auto rank = firstOf({"RANK", "SLURM_PROCID"});
  if (!rank)
    throw InputError(std::string(world->first) + "=" + world->second +
                     " asks for several processes, but RANK (or SLURM_PROCID) is not set");
  s.rank = integerVariable(rank->first, rank->second, 0, s.world - 1);
  if (const auto local = firstOf({"LOCAL_RANK", "SLURM_LOCALID"}))
    s.localRank = integerVariable(local->first, local->second, 0, 65535);
  const auto addr = environment("MASTER_ADDR");
  const auto port = environment("MASTER_PORT");
  if (!addr || !port)
    throw InputError("data-parallel training needs MASTER_ADDR and MASTER_PORT (rank 0's host "
                     "and a free port) beside WORLD_SIZE and RANK");
  s.masterAddr = *addr;
  s.masterPort = integerVariable("MASTER_PORT", *port, 1, 65535);
  return s;
}

template <class Body> void DataParallelGroup::guarded(const char* what, Body body) {
  auto failure = [&](const std::string& reason) {
    return Error(ErrorKind::Runtime,
                 "data-parallel training, rank " + std::to_string(rank()) + " of " +
                     std::to_string(world()) + ": " + what + " failed (" + firstLine(reason) +
                     "): another process of the run stopped or cannot be reached; the run ends "
                     "here and resumes from its checkpoints/last.pt");
  };
  try {
    body();
  } catch (const c10::Error& e) {
    throw failure(e.what_without_backtrace());
  } catch (const std::exception& e) { // Gloo's own IoException and friends
    throw failure(e.what());
  }
}

std::shared_ptr<DataParallelGroup> DataParallelGroup::connect(const DataParallelSettings& settings,
                                                              const torch::Device& device,
                                                              std::chrono::milliseconds timeout) {
  const std::string where = settings.masterAddr + ":" + std::to_string(settings.masterPort);
  try {
    c10d::TCPStoreOptions options;
    options.port = uint16_t(settings.masterPort);
    options.isServer = settings.rank == 0;
    options.numWorkers = size_t(settings.world);
    options.waitWorkers = true;
    options.timeout = timeout;
    auto store = c10::make_intrusive<c10d::TCPStore>(settings.masterAddr, options);
#ifdef LUMEN_WITH_NCCL
    if (device.is_cuda()) {
      auto ncclOptions = c10d::ProcessGroupNCCL::Options::create();
      ncclOptions->timeout = timeout;
      auto backend = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, settings.rank,
                                                                 settings.world, ncclOptions);
      logInfo("data-parallel training over NCCL: rank ", settings.rank, " of ", settings.world,
              " (rendezvous ", where, ")");
      return std::make_shared<BackendGroup<c10d::ProcessGroupNCCL>>(settings, store, backend);
    }
#else
    if (device.is_cuda())
      throw Error(ErrorKind::Runtime,
                  "data-parallel training on CUDA needs a LibTorch built with NCCL; this one "
                  "is not (train on the CPU, or build Lumen against an official CUDA LibTorch)");
#endif
    auto glooOptions = c10d::ProcessGroupGloo::Options::create(timeout);
    glooOptions->devices.push_back(glooDevice(settings));
    glooOptions->threads = 2;
    auto backend = c10::make_intrusive<c10d::ProcessGroupGloo>(store, settings.rank, settings.world,
                                                               glooOptions);
    logInfo("data-parallel training over Gloo: rank ", settings.rank, " of ", settings.world,
            " (rendezvous ", where, ")");
    return std::make_shared<BackendGroup<c10d::ProcessGroupGloo>>(settings, store, backend);
  } catch (const Error&) {
    throw;
  } catch (const c10::Error& e) {
    throw Error(ErrorKind::Runtime,
                "data-parallel training, rank " + std::to_string(settings.rank) + " of " +
                    std::to_string(settings.world) + ": the rendezvous at " + where + " failed (" +
                    firstLine(e.what_without_backtrace()) +
                    "); are all ranks started with the same MASTER_ADDR, "
                    "MASTER_PORT and WORLD_SIZE?");
  } catch (const std::exception& e) {
    throw Error(ErrorKind::Runtime, "data-parallel training, rank " +
                                        std::to_string(settings.rank) + ": the rendezvous at " +
                                        where + " failed: " + firstLine(e.what()));
  }
}

void DataParallelGroup::averageInPlace(const std::vector<torch::Tensor>& tensors,
                                       size_t bucketBytes) {
  guarded("averaging gradients", [&] {
    inBuckets(tensors, bucketBytes, [&](torch::Tensor& flat) {
      allreduceSum(flat);
      flat.div_(double(world()));
    });
  });
}

void DataParallelGroup::broadcastFromRankZero(const std::vector<torch::Tensor>& tensors) {
  guarded("broadcasting rank 0's weights", [&] {
    inBuckets(tensors, size_t(64) << 20, [&](torch::Tensor& flat) { broadcast(flat); });
  });
}

void DataParallelGroup::barrier() {
  guarded("waiting for every rank", [&] { waitForAll(); });
}

std::shared_ptr<DataParallelGroup> processDataParallelGroup(const torch::Device& device) {
  static std::mutex mutex;
  static std::shared_ptr<DataParallelGroup> group;
  static bool looked = false;
  std::lock_guard lock(mutex);
  if (!looked) {
    if (const auto settings = dataParallelSettingsFromEnvironment()) {
      int seconds = 300;
      if (const auto text = environment("LUMEN_DIST_TIMEOUT_S"))
        seconds = integerVariable("LUMEN_DIST_TIMEOUT_S", *text, 1, 86400);
      group = DataParallelGroup::connect(*settings, device, std::chrono::seconds(seconds));
    }
    looked = true;
  }
  return group;
}

void averageGradients(DataParallelGroup& group, const std::vector<torch::Tensor>& parameters,
                      size_t bucketBytes) {
  std::vector<torch::Tensor> grads;
  for (const auto& p : parameters)
    if (p.grad().defined())
      grads.push_back(p.mutable_grad());
  group.averageInPlace(grads, bucketBytes);
}

} // namespace lumen
