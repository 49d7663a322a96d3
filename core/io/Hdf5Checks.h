// What stands between a file's HDF5 headers and the allocations and copies they would drive.
// libhdf5 trusts a header: a dataspace can claim dimensions whose product wraps 64 bits, a
// number type can claim 30 kB per value, a contiguous dataset can store fewer bytes than its
// shape needs, a chunk can claim gigabytes. These checks run before anything is allocated or
// read, so a crafted file gets an error naming the file and the dataset instead of a heap
// overflow or an exhausted machine. Also the per-thread error-stack hygiene every call into
// HDF5 needs. Internal to core/io.
#pragma once
#include <cstdint>
#include <hdf5.h>
#include <string>
#include <vector>

namespace lumen::hdf5 {

constexpr int kMaxRank = 32;                             // H5S_MAX_RANK
constexpr uint64_t kMaxChunkBytes = uint64_t(256) << 20; // libhdf5 allocates one chunk per read
constexpr uint64_t kMaxAttributeValues = uint64_t(1) << 16;
constexpr uint64_t kMaxStringAttributeBytes = uint64_t(1) << 20;

// Entered by every Hdf5File call. In the thread-safe libhdf5 both the automatic error printing
// and the error stack are per thread: the constructor silences printing on the calling thread
// (once per thread), the destructor empties the thread's error stack. Error records left on a
// worker thread's stack keep libhdf5 from shutting down at exit ("HDF5: infinite loop closing
// library" and a line of interface codes on stderr), so none may outlive the call that made it.
class ThreadErrorScope {
public:
  ThreadErrorScope();
  ~ThreadErrorScope();
  ThreadErrorScope(const ThreadErrorScope&) = delete;
  ThreadErrorScope& operator=(const ThreadErrorScope&) = delete;
};

// Silences libhdf5's automatic error printing on the calling thread (cheap after the first call).
void silenceErrorsOnThisThread();

// A dataspace's shape, validated: rank at most kMaxRank and an element count that fits 64 bits.
struct Shape {
  std::vector<hsize_t> dims; // empty for a scalar or a null dataspace
  uint64_t elements = 0;     // 1 for a scalar, 0 for a null dataspace
};

// `context` is "FILE: OBJECT", the start of every message.
Shape readShape(hid_t space, const std::string& context);

// "3 x 4 x 5" (long shapes cut to a few dimensions); "a scalar" for none.
std::string shapeText(const std::vector<hsize_t>& dims);

// A number type claims 1, 2, 4 or 8 bytes per value; anything else is a corrupt header that
// would make libhdf5's conversion copy past its buffers.
void checkNumberType(hid_t type, const std::string& context);

// The dataset's storage can hold its shape: compact and contiguous layouts store at least the
// bytes the shape needs (inside the file), chunked layouts have chunks of the dataset's rank and
// at most kMaxChunkBytes each.
void checkStorage(hid_t file, hid_t set, hid_t fileType, const Shape& shape,
                  const std::string& context);

// Refuses to read `elements` values of `memoryTypeSize` bytes when they exceed `limitBytes` (the
// memory guard), naming the dataset's shape.
void checkReadSize(uint64_t elements, size_t memoryTypeSize, uint64_t limitBytes,
                   const Shape& shape, const std::string& context);

} // namespace lumen::hdf5
