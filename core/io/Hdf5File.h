// A small, safe layer over HDF5's C API: RAII handles, typed reads with conversion from whatever
// integer or float type the file holds, partial (hyperslab) reads for files larger than memory,
// chunked + compressed writes, and attributes. Every failure is a lumen::Error naming the file
// and the dataset: an IoError when libhdf5 cannot do what was asked, an InputError when the file's
// own headers are hostile or corrupt. Every size a header claims (rank, dimensions and their
// product, type and chunk sizes, attribute lengths) is checked before anything is allocated
// (io/Hdf5Checks.h), and reads are capped by a memory guard. HDF5's own error printing is
// silenced on every thread that calls it, and no call leaves records on a thread's error stack.
#pragma once
#include <cstdint>
#include <functional>
#include <hdf5.h>
#include <optional>
#include <string>
#include <vector>

namespace lumen {

class H5Id {
public:
  H5Id() = default;
  H5Id(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~H5Id() { reset(); }
  H5Id(H5Id&& other) noexcept : id_(other.id_), close_(other.close_) { other.id_ = -1; }
  H5Id& operator=(H5Id&& other) noexcept;
  H5Id(const H5Id&) = delete;
  H5Id& operator=(const H5Id&) = delete;
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void reset();

private:
  hid_t id_ = -1;
  herr_t (*close_)(hid_t) = nullptr;
};

enum class H5Kind { Integer, Float, Enum, String, Other };

struct H5DatasetInfo {
  std::vector<uint64_t> dims;
  H5Kind kind = H5Kind::Other;
  size_t typeSize = 0;
  bool isSigned = false;
  // The product of dims; info() refuses shapes whose product (in bytes) does not fit 64 bits.
  uint64_t elements() const;
};

class Hdf5File {
public:
  static Hdf5File openRead(const std::string& path);
  // Creates (truncates) the file. Callers that need atomicity write to a temporary path.
  static Hdf5File create(const std::string& path);

  // The most bytes one read may allocate unless setReadLimit says otherwise.
  static constexpr uint64_t kDefaultReadLimit = uint64_t(4) << 30;

  const std::string& path() const { return path_; }
  bool exists(const std::string& object) const;
  H5DatasetInfo info(const std::string& dataset) const;

  // The memory guard: a read that would allocate more than this is refused with an InputError
  // naming the dataset's shape.
  void setReadLimit(uint64_t bytes) { readLimit_ = bytes; }
  uint64_t readLimit() const { return readLimit_; }

  // Reads `count` elements from `offset` along the first dimension (all of the others), converted
  // to T. count = -1 reads to the end.
  template <class T>
  std::vector<T> read(const std::string& dataset, uint64_t offset = 0, int64_t count = -1) const;

  // Writes a dataset of the given shape (product = data.size()), chunked along the first
  // dimension and deflate-compressed.
  template <class T>
  void write(const std::string& dataset, const std::vector<T>& data,
             const std::vector<uint64_t>& dims, int compression = 4);

  // Creates a dataset that grows along the first dimension, then appends to it.
  template <class T>
  void createExtensible(const std::string& dataset, const std::vector<uint64_t>& rowShape,
                        uint64_t chunkRows, int compression = 4);
  template <class T> void append(const std::string& dataset, const std::vector<T>& rows);

  // A numeric attribute's values (at most hdf5::kMaxAttributeValues), or nothing when absent.
  std::optional<std::vector<int64_t>> intAttribute(const std::string& object,
                                                   const std::string& name) const;
  // A string attribute holding one string (at most 1 MiB), or nothing when absent or not a
  // string. An attribute holding no string or several is an InputError, not its first element.
  std::optional<std::string> stringAttribute(const std::string& object,
                                             const std::string& name) const;
  void setIntAttribute(const std::string& object, const std::string& name,
                       const std::vector<int64_t>& values);
  void setStringAttribute(const std::string& object, const std::string& name,
                          const std::string& value);
  std::vector<std::string> attributeNames(const std::string& object) const;

  void flush();

  // Keeps `dataset` open for the life of this object, with a chunk cache of `cacheBytes` (at
  // least two chunks) when its chunks are compressed. HDF5 shares one open dataset's state,
  // chunk cache included, with every later open of it, so reading a compressed dataset slice by
  // slice then inflates each chunk once rather than once per read.
  void holdOpen(const std::string& dataset, size_t cacheBytes = size_t(16) << 20);

private:
  Hdf5File(std::string path, H5Id file) : path_(std::move(path)), file_(std::move(file)) {}
  [[noreturn]] void fail(const std::string& object, const std::string& what) const;
  std::string context(const std::string& object) const { return path_ + ": " + object; }
  void ensureParentGroups(const std::string& object);
  H5Id openDataset(const std::string& dataset) const;
  H5Id openObject(const std::string& object) const;
  // The attribute, or an invalid handle when the object has none of that name.
  H5Id openAttribute(const H5Id& object, const std::string& objectName,
                     const std::string& name) const;
  // Reads a hyperslab of rows; `allocate` receives the element count and returns the buffer.
  void readRaw(const std::string& dataset, hid_t memType, uint64_t offset, int64_t count,
               const std::function<void*(uint64_t elements)>& allocate) const;
  void writeRaw(const std::string& dataset, hid_t memType, const void* data, uint64_t elements,
                const std::vector<uint64_t>& dims, int compression);
  void createExtensibleRaw(const std::string& dataset, hid_t memType,
                           const std::vector<uint64_t>& rowShape, uint64_t chunkRows,
                           int compression);
  void appendRaw(const std::string& dataset, hid_t memType, const void* data, uint64_t elements);

  std::string path_;
  H5Id file_;
  // Declared after file_ so that they close first.
  std::vector<H5Id> held_;
  uint64_t readLimit_ = kDefaultReadLimit;
};

// The HDF5 memory type for T.
template <class T> hid_t h5NativeType();

} // namespace lumen

#include "io/Hdf5FileImpl.h"
