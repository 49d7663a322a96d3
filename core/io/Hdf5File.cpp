#include "io/Hdf5File.h"

#include "common/Checked.h"
#include "common/Error.h"
#include "common/Files.h"
#include "io/Hdf5Checks.h"

#include <algorithm>

namespace lumen {

using hdf5::ThreadErrorScope;

H5Id& H5Id::operator=(H5Id&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = other.id_;
    close_ = other.close_;
    other.id_ = -1;
  }
  return *this;
}

void H5Id::reset() {
  if (id_ >= 0 && close_) {
    // A handle can be closed on a thread that never called HDF5 before (a file opened by one job
    // and dropped by another), and a failed close leaves records on the thread's error stack.
    hdf5::silenceErrorsOnThisThread();
    if (close_(id_) < 0)
      H5Eclear2(H5E_DEFAULT);
  }
  id_ = -1;
}

uint64_t H5DatasetInfo::elements() const {
  return checkedProduct(dims).value_or(UINT64_MAX);
}

Hdf5File Hdf5File::openRead(const std::string& path) {
  // A missing path and a folder get their own messages; libhdf5 would call both "not HDF5".
  requireFile(path, "an HDF5 file");
  const ThreadErrorScope scope;
  if (H5Fis_hdf5(path.c_str()) <= 0)
    throw IoError(path + ": not an HDF5 file (truncated, or another format)");
  H5Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!file.valid())
    throw IoError(path + ": cannot open HDF5 file (corrupt or unreadable)");
  return Hdf5File(path, std::move(file));
}

Hdf5File Hdf5File::create(const std::string& path) {
  const ThreadErrorScope scope;
  H5Id file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
  if (!file.valid())
    throw IoError(path + ": cannot create HDF5 file");
  return Hdf5File(path, std::move(file));
}

void Hdf5File::fail(const std::string& object, const std::string& what) const {
  throw IoError(path_ + (object.empty() ? "" : ": " + object) + ": " + what);
}

bool Hdf5File::exists(const std::string& object) const {
  const ThreadErrorScope scope;
  if (object.empty())
    return false;
  // Each path component must exist before the next can be asked about.
  std::string prefix;
  size_t start = object.front() == '/' ? 1 : 0;
  while (start <= object.size()) {
    const size_t slash = object.find('/', start);
    prefix = object.substr(0, slash);
    if (H5Lexists(file_.get(), prefix.c_str(), H5P_DEFAULT) <= 0)
      return false;
    if (slash == std::string::npos)
      break;
    start = slash + 1;
  }
  return true;
}

H5Id Hdf5File::openObject(const std::string& object) const {
  if (!exists(object))
    fail(object, "not found");
  H5Id id(H5Oopen(file_.get(), object.c_str(), H5P_DEFAULT), H5Oclose);
  if (!id.valid())
    fail(object, "cannot open");
  return id;
}

H5Id Hdf5File::openDataset(const std::string& dataset) const {
  if (!exists(dataset))
    fail(dataset, "dataset not found");
  H5Id id(H5Dopen2(file_.get(), dataset.c_str(), H5P_DEFAULT), H5Dclose);
  if (!id.valid())
    fail(dataset, "is not a readable dataset");
  return id;
}

void Hdf5File::holdOpen(const std::string& dataset, size_t cacheBytes) {
  // Only compressed (filtered) chunks are worth caching: HDF5 reads a slice of an unfiltered
  // chunk straight from the file, while a cache would first copy whole chunks through it (twice
  // as slow on the 8 MiB chunks h5py writes).
  bool filtered = false;
  size_t chunkBytes = 0;
  {
    const H5Id probe = openDataset(dataset);
    H5Id create(H5Dget_create_plist(probe.get()), H5Pclose);
    if (create.valid() && H5Pget_layout(create.get()) == H5D_CHUNKED) {
      filtered = H5Pget_nfilters(create.get()) > 0;
      hsize_t chunk[H5S_MAX_RANK];
      const int rank = H5Pget_chunk(create.get(), H5S_MAX_RANK, chunk);
      H5Id type(H5Dget_type(probe.get()), H5Tclose);
      chunkBytes = type.valid() ? H5Tget_size(type.get()) : 0;
      for (int d = 0; d < rank; ++d)
        chunkBytes *= size_t(chunk[d]);
    }
  }
  H5Id access(H5Pcreate(H5P_DATASET_ACCESS), H5Pclose);
  // 12,421 slots: a prime well above the chunks the cache holds, as HDF5's guide advises. The
  // cache holds at least two chunks, so a read that straddles a chunk boundary inflates neither
  // twice, within the reader's memory guard.
  const size_t bytes = std::min<size_t>(std::max(cacheBytes, 2 * chunkBytes), size_t(256) << 20);
  if (!access.valid() ||
      (filtered && H5Pset_chunk_cache(access.get(), 12421, bytes, H5D_CHUNK_CACHE_W0_DEFAULT) < 0))
    fail(dataset, "cannot set a chunk cache");
  H5Id id(H5Dopen2(file_.get(), dataset.c_str(), access.get()), H5Dclose);
  if (!id.valid())
    fail(dataset, "is not a readable dataset");
  held_.push_back(std::move(id));
}

H5DatasetInfo Hdf5File::info(const std::string& dataset) const {
  const ThreadErrorScope scope;
  H5Id set = openDataset(dataset);
  H5Id space(H5Dget_space(set.get()), H5Sclose);
  H5Id type(H5Dget_type(set.get()), H5Tclose);
  if (!space.valid() || !type.valid())
    fail(dataset, "unreadable header");
  const hdf5::Shape shape = hdf5::readShape(space.get(), context(dataset));
  H5DatasetInfo info;
  info.dims.assign(shape.dims.begin(), shape.dims.end());
  info.typeSize = H5Tget_size(type.get());
  if (!checkedMultiply(shape.elements, info.typeSize))
    throw InputError(context(dataset) + ": is corrupt: its shape " + hdf5::shapeText(shape.dims) +
                     " of " + std::to_string(info.typeSize) +
                     "-byte values holds more than 2^64 bytes");
  switch (H5Tget_class(type.get())) {
  case H5T_INTEGER:
    info.kind = H5Kind::Integer;
    info.isSigned = H5Tget_sign(type.get()) == H5T_SGN_2;
    break;
  case H5T_FLOAT:
    info.kind = H5Kind::Float;
    info.isSigned = true;
    break;
  case H5T_ENUM:
    info.kind = H5Kind::Enum;
    break;
  case H5T_STRING:
    info.kind = H5Kind::String;
    break;
  default:
    info.kind = H5Kind::Other;
  }
  return info;
}

void Hdf5File::readRaw(const std::string& dataset, hid_t memType, uint64_t offset, int64_t count,
                       const std::function<void*(uint64_t)>& allocate) const {
  const ThreadErrorScope scope;
  const std::string where = context(dataset);
  H5Id set = openDataset(dataset);
  H5Id space(H5Dget_space(set.get()), H5Sclose);
  H5Id fileType(H5Dget_type(set.get()), H5Tclose);
  if (!space.valid() || !fileType.valid())
    fail(dataset, "unreadable header");
  // Everything the header claims is checked before the buffer is sized from it.
  const hdf5::Shape shape = hdf5::readShape(space.get(), where);
  hdf5::checkStorage(file_.get(), set.get(), fileType.get(), shape, where);
  // Booleans written by h5py are enums over int8: read them through their own type.
  hid_t readType = memType;
  H5Id enumNative;
  if (H5Tget_class(fileType.get()) == H5T_ENUM) {
    if (H5Tget_size(fileType.get()) != H5Tget_size(memType))
      fail(dataset, "is an enumeration of unexpected size");
    enumNative = H5Id(H5Tget_native_type(fileType.get(), H5T_DIR_ASCEND), H5Tclose);
    readType = enumNative.get();
  }
  const size_t memorySize = H5Tget_size(memType);
  if (shape.dims.empty()) { // a scalar (one value) or a null dataspace (none): all of it
    hdf5::checkReadSize(shape.elements, memorySize, readLimit_, shape, where);
    void* buffer = allocate(shape.elements);
    if (shape.elements > 0 &&
        H5Dread(set.get(), readType, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer) < 0)
      fail(dataset, "cannot be read as the expected type");
    return;
  }
  const std::vector<hsize_t>& dims = shape.dims;
  if (offset > dims[0])
    fail(dataset, "read offset " + std::to_string(offset) + " is past the end (" +
                      std::to_string(dims[0]) + " rows)");
  const hsize_t rows =
      count < 0 ? dims[0] - offset : std::min<hsize_t>(hsize_t(count), dims[0] - offset);
  std::vector<hsize_t> start(dims.size(), 0), extent = dims;
  start[0] = offset;
  extent[0] = rows;
  // At most the whole shape's count, which readShape proved fits.
  const uint64_t elements = checkedProduct(extent).value_or(UINT64_MAX);
  hdf5::checkReadSize(elements, memorySize, readLimit_, shape, where);
  void* buffer = allocate(elements);
  if (elements == 0)
    return;
  if (H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start.data(), nullptr, extent.data(),
                          nullptr) < 0)
    fail(dataset,
         "cannot select rows " + std::to_string(offset) + ".." + std::to_string(offset + rows));
  H5Id memory(H5Screate_simple(int(extent.size()), extent.data(), nullptr), H5Sclose);
  if (!memory.valid())
    fail(dataset, "cannot describe the read buffer");
  if (H5Dread(set.get(), readType, memory.get(), space.get(), H5P_DEFAULT, buffer) < 0)
    fail(dataset, "cannot be read as the expected type (corrupt data or unsupported type)");
}

void Hdf5File::ensureParentGroups(const std::string& object) {
  size_t slash = object.find('/', 1);
  while (slash != std::string::npos) {
    const std::string group = object.substr(0, slash);
    if (H5Lexists(file_.get(), group.c_str(), H5P_DEFAULT) <= 0) {
      H5Id created(H5Gcreate2(file_.get(), group.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                   H5Gclose);
      if (!created.valid())
        fail(group, "cannot create group");
    }
    slash = object.find('/', slash + 1);
  }
}

void Hdf5File::writeRaw(const std::string& dataset, hid_t memType, const void* data,
                        uint64_t elements, const std::vector<uint64_t>& dims, int compression) {
  const ThreadErrorScope scope;
  const auto total = checkedProduct(dims);
  if (!total || *total != elements)
    fail(dataset, "cannot write " + std::to_string(elements) + " values as a shape of " +
                      hdf5::shapeText(std::vector<hsize_t>(dims.begin(), dims.end())));
  ensureParentGroups(dataset);
  std::vector<hsize_t> shape(dims.begin(), dims.end());
  H5Id space(H5Screate_simple(int(shape.size()), shape.data(), nullptr), H5Sclose);
  H5Id plist(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  if (*total > 0 && !shape.empty()) {
    // Chunks of about 1 MiB along the first dimension.
    std::vector<hsize_t> chunk = shape;
    const uint64_t rowBytes = *total / std::max<uint64_t>(1, dims[0]) * H5Tget_size(memType);
    chunk[0] = std::max<hsize_t>(
        1, std::min<hsize_t>(shape[0], (1u << 20) / std::max<uint64_t>(1, rowBytes)));
    H5Pset_chunk(plist.get(), int(chunk.size()), chunk.data());
    if (compression > 0) {
      H5Pset_shuffle(plist.get());
      H5Pset_deflate(plist.get(), unsigned(compression));
    }
  }
  H5Id set(H5Dcreate2(file_.get(), dataset.c_str(), memType, space.get(), H5P_DEFAULT, plist.get(),
                      H5P_DEFAULT),
           H5Dclose);
  if (!set.valid())
    fail(dataset, "cannot create dataset");
  if (*total > 0 && H5Dwrite(set.get(), memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    fail(dataset, "cannot write dataset");
}

void Hdf5File::createExtensibleRaw(const std::string& dataset, hid_t memType,
                                   const std::vector<uint64_t>& rowShape, uint64_t chunkRows,
                                   int compression) {
  const ThreadErrorScope scope;
  ensureParentGroups(dataset);
  std::vector<hsize_t> shape{0}, maxShape{H5S_UNLIMITED}, chunk{std::max<hsize_t>(1, chunkRows)};
  for (auto d : rowShape) {
    shape.push_back(d);
    maxShape.push_back(d);
    chunk.push_back(d);
  }
  H5Id space(H5Screate_simple(int(shape.size()), shape.data(), maxShape.data()), H5Sclose);
  H5Id plist(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  H5Pset_chunk(plist.get(), int(chunk.size()), chunk.data());
  if (compression > 0) {
    H5Pset_shuffle(plist.get());
    H5Pset_deflate(plist.get(), unsigned(compression));
  }
  H5Id set(H5Dcreate2(file_.get(), dataset.c_str(), memType, space.get(), H5P_DEFAULT, plist.get(),
                      H5P_DEFAULT),
           H5Dclose);
  if (!set.valid())
    fail(dataset, "cannot create dataset");
}

void Hdf5File::appendRaw(const std::string& dataset, hid_t memType, const void* data,
                         uint64_t elements) {
  const ThreadErrorScope scope;
  H5Id set = openDataset(dataset);
  H5Id space(H5Dget_space(set.get()), H5Sclose);
  if (!space.valid())
    fail(dataset, "unreadable header");
  const hdf5::Shape shape = hdf5::readShape(space.get(), context(dataset));
  const std::vector<hsize_t>& dims = shape.dims;
  if (dims.empty())
    fail(dataset, "has no rows to append to");
  uint64_t rowElements = 1; // at most the whole shape's count, which readShape proved fits
  for (size_t d = 1; d < dims.size(); ++d)
    rowElements *= dims[d];
  if (rowElements == 0 || elements % rowElements != 0)
    fail(dataset, "appended data is not a whole number of rows");
  const hsize_t rows = elements / rowElements;
  if (rows == 0)
    return;
  std::vector<hsize_t> grown = dims;
  if (rows >= H5S_UNLIMITED - dims[0])
    fail(dataset, "cannot grow past 2^64 rows");
  grown[0] += rows;
  if (H5Dset_extent(set.get(), grown.data()) < 0)
    fail(dataset, "cannot grow dataset");
  H5Id fileSpace(H5Dget_space(set.get()), H5Sclose);
  std::vector<hsize_t> start(dims.size(), 0), extent = grown;
  start[0] = dims[0];
  extent[0] = rows;
  H5Sselect_hyperslab(fileSpace.get(), H5S_SELECT_SET, start.data(), nullptr, extent.data(),
                      nullptr);
  H5Id memory(H5Screate_simple(int(extent.size()), extent.data(), nullptr), H5Sclose);
  if (H5Dwrite(set.get(), memType, memory.get(), fileSpace.get(), H5P_DEFAULT, data) < 0)
    fail(dataset, "cannot append to dataset");
}

void Hdf5File::flush() {
  const ThreadErrorScope scope;
  H5Fflush(file_.get(), H5F_SCOPE_GLOBAL);
}

} // namespace lumen
