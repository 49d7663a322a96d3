#include "io/Hdf5File.h"

#include "common/Error.h"

#include <mutex>

namespace lumen {
namespace {

// HDF5 prints its error stack to stderr by default; Lumen reports errors itself.
void silenceHdf5() {
  static std::once_flag once;
  std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

} // namespace

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
  if (id_ >= 0 && close_)
    close_(id_);
  id_ = -1;
}

uint64_t H5DatasetInfo::elements() const {
  uint64_t n = 1;
  for (auto d : dims)
    n *= d;
  return n;
}

Hdf5File Hdf5File::openRead(const std::string& path) {
  silenceHdf5();
  if (H5Fis_hdf5(path.c_str()) <= 0)
    throw IoError(path + ": not an HDF5 file (missing, truncated or another format)");
  H5Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!file.valid())
    throw IoError(path + ": cannot open HDF5 file (corrupt or unreadable)");
  return Hdf5File(path, std::move(file));
}

Hdf5File Hdf5File::create(const std::string& path) {
  silenceHdf5();
  H5Id file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
  if (!file.valid())
    throw IoError(path + ": cannot create HDF5 file");
  return Hdf5File(path, std::move(file));
}

void Hdf5File::fail(const std::string& object, const std::string& what) const {
  throw IoError(path_ + (object.empty() ? "" : ": " + object) + ": " + what);
}

bool Hdf5File::exists(const std::string& object) const {
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

H5DatasetInfo Hdf5File::info(const std::string& dataset) const {
  H5Id set = openDataset(dataset);
  H5Id space(H5Dget_space(set.get()), H5Sclose);
  H5Id type(H5Dget_type(set.get()), H5Tclose);
  if (!space.valid() || !type.valid())
    fail(dataset, "unreadable header");
  H5DatasetInfo info;
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0)
    fail(dataset, "unreadable shape");
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  info.dims.assign(dims.begin(), dims.end());
  info.typeSize = H5Tget_size(type.get());
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

// libhdf5 trusts a dataset's header: a corrupt element type (a 30 kB "float") or a compact or
// contiguous dataset storing fewer bytes than its shape claims makes H5Dread copy past its
// buffers. Check before reading.
void Hdf5File::checkStorage(hid_t set, hid_t fileType, const std::string& dataset,
                            const std::vector<hsize_t>& dims) const {
  const H5T_class_t typeClass = H5Tget_class(fileType);
  const size_t typeSize = H5Tget_size(fileType);
  const bool number = typeClass == H5T_INTEGER || typeClass == H5T_FLOAT || typeClass == H5T_ENUM;
  if (number && (typeSize == 0 || typeSize > 8 || (typeSize & (typeSize - 1)) != 0))
    fail(dataset, "is corrupt: its numbers claim " + std::to_string(typeSize) + " bytes each");
  H5Id plist(H5Dget_create_plist(set), H5Pclose);
  const H5D_layout_t layout = H5Pget_layout(plist.get());
  if (layout != H5D_COMPACT && layout != H5D_CONTIGUOUS)
    return;
  hsize_t bytes = H5Tget_size(fileType);
  for (hsize_t d : dims)
    bytes *= d;
  const hsize_t stored = H5Dget_storage_size(set);
  if (stored < bytes)
    fail(dataset, "is corrupt: " + std::to_string(stored) + " bytes stored for a shape of " +
                      std::to_string(bytes) + " bytes");
  if (layout == H5D_CONTIGUOUS) {
    const haddr_t at = H5Dget_offset(set);
    hsize_t fileSize = 0;
    H5Fget_filesize(file_.get(), &fileSize);
    if (at == HADDR_UNDEF || at + bytes > fileSize)
      fail(dataset, "is corrupt: its data lies beyond the end of the file");
  }
}

void Hdf5File::readRaw(const std::string& dataset, hid_t memType, uint64_t offset, int64_t count,
                       const std::function<void*(uint64_t)>& allocate) const {
  H5Id set = openDataset(dataset);
  H5Id space(H5Dget_space(set.get()), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank <= 0) {
    if (rank == 0) { // a scalar
      void* buffer = allocate(1);
      if (H5Dread(set.get(), memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer) < 0)
        fail(dataset, "cannot be read as the expected type");
      return;
    }
    fail(dataset, "unreadable shape");
  }
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  if (offset > dims[0])
    fail(dataset, "read offset " + std::to_string(offset) + " is past the end (" +
                      std::to_string(dims[0]) + " rows)");
  const hsize_t rows =
      count < 0 ? dims[0] - offset : std::min<hsize_t>(hsize_t(count), dims[0] - offset);
  std::vector<hsize_t> start(size_t(rank), 0), extent = dims;
  start[0] = offset;
  extent[0] = rows;
  uint64_t elements = 1;
  for (auto e : extent)
    elements *= e;
  void* buffer = allocate(elements);
  if (elements == 0)
    return;
  H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start.data(), nullptr, extent.data(), nullptr);
  H5Id memory(H5Screate_simple(rank, extent.data(), nullptr), H5Sclose);
  // Booleans written by h5py are enums over int8: read them through their own type.
  H5Id fileType(H5Dget_type(set.get()), H5Tclose);
  hid_t readType = memType;
  H5Id enumNative;
  if (H5Tget_class(fileType.get()) == H5T_ENUM) {
    if (H5Tget_size(fileType.get()) != H5Tget_size(memType))
      fail(dataset, "is an enumeration of unexpected size");
    enumNative = H5Id(H5Tget_native_type(fileType.get(), H5T_DIR_ASCEND), H5Tclose);
    readType = enumNative.get();
  }
  checkStorage(set.get(), fileType.get(), dataset, dims);
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
                        const std::vector<uint64_t>& dims, int compression) {
  ensureParentGroups(dataset);
  std::vector<hsize_t> shape(dims.begin(), dims.end());
  H5Id space(H5Screate_simple(int(shape.size()), shape.data(), nullptr), H5Sclose);
  H5Id plist(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  uint64_t total = 1;
  for (auto d : dims)
    total *= d;
  if (total > 0 && !shape.empty()) {
    // Chunks of about 1 MiB along the first dimension.
    std::vector<hsize_t> chunk = shape;
    const uint64_t rowBytes = total / std::max<uint64_t>(1, dims[0]) * H5Tget_size(memType);
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
  if (total > 0 && H5Dwrite(set.get(), memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    fail(dataset, "cannot write dataset");
}

void Hdf5File::createExtensibleRaw(const std::string& dataset, hid_t memType,
                                   const std::vector<uint64_t>& rowShape, uint64_t chunkRows,
                                   int compression) {
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
  H5Id set = openDataset(dataset);
  H5Id space(H5Dget_space(set.get()), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  uint64_t rowElements = 1;
  for (int i = 1; i < rank; ++i)
    rowElements *= dims[size_t(i)];
  if (elements % rowElements != 0)
    fail(dataset, "appended data is not a whole number of rows");
  const hsize_t rows = elements / rowElements;
  if (rows == 0)
    return;
  std::vector<hsize_t> grown = dims;
  grown[0] += rows;
  if (H5Dset_extent(set.get(), grown.data()) < 0)
    fail(dataset, "cannot grow dataset");
  H5Id fileSpace(H5Dget_space(set.get()), H5Sclose);
  std::vector<hsize_t> start(size_t(rank), 0), extent = grown;
  start[0] = dims[0];
  extent[0] = rows;
  H5Sselect_hyperslab(fileSpace.get(), H5S_SELECT_SET, start.data(), nullptr, extent.data(),
                      nullptr);
  H5Id memory(H5Screate_simple(rank, extent.data(), nullptr), H5Sclose);
  if (H5Dwrite(set.get(), memType, memory.get(), fileSpace.get(), H5P_DEFAULT, data) < 0)
    fail(dataset, "cannot append to dataset");
}

std::optional<std::vector<int64_t>> Hdf5File::intAttribute(const std::string& object,
                                                           const std::string& name) const {
  H5Id obj = openObject(object);
  if (H5Aexists(obj.get(), name.c_str()) <= 0)
    return std::nullopt;
  H5Id attr(H5Aopen(obj.get(), name.c_str(), H5P_DEFAULT), H5Aclose);
  H5Id space(H5Aget_space(attr.get()), H5Sclose);
  H5Id type(H5Aget_type(attr.get()), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls != H5T_INTEGER && cls != H5T_FLOAT)
    fail(object, "attribute '" + name + "' is not numeric");
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  if (n < 0)
    fail(object, "attribute '" + name + "' is unreadable");
  std::vector<int64_t> values(static_cast<size_t>(n));
  if (n > 0 && H5Aread(attr.get(), H5T_NATIVE_INT64, values.data()) < 0)
    fail(object, "attribute '" + name + "' cannot be read as integers");
  return values;
}

std::optional<std::string> Hdf5File::stringAttribute(const std::string& object,
                                                     const std::string& name) const {
  H5Id obj = openObject(object);
  if (H5Aexists(obj.get(), name.c_str()) <= 0)
    return std::nullopt;
  H5Id attr(H5Aopen(obj.get(), name.c_str(), H5P_DEFAULT), H5Aclose);
  H5Id type(H5Aget_type(attr.get()), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_STRING)
    return std::nullopt;
  if (H5Tis_variable_str(type.get()) > 0) {
    char* text = nullptr;
    H5Id memType(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(memType.get(), H5T_VARIABLE);
    if (H5Aread(attr.get(), memType.get(), &text) < 0 || !text)
      fail(object, "attribute '" + name + "' cannot be read");
    std::string value(text);
    H5free_memory(text);
    return value;
  }
  const size_t size = H5Tget_size(type.get());
  std::string value(size, '\0');
  if (H5Aread(attr.get(), type.get(), value.data()) < 0)
    fail(object, "attribute '" + name + "' cannot be read");
  value.resize(value.find('\0') == std::string::npos ? size : value.find('\0'));
  return value;
}

void Hdf5File::setIntAttribute(const std::string& object, const std::string& name,
                               const std::vector<int64_t>& values) {
  H5Id obj = openObject(object);
  if (H5Aexists(obj.get(), name.c_str()) > 0)
    H5Adelete(obj.get(), name.c_str());
  const hsize_t n = values.size();
  H5Id space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  H5Id attr(
      H5Acreate2(obj.get(), name.c_str(), H5T_STD_I64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
      H5Aclose);
  if (!attr.valid() || H5Awrite(attr.get(), H5T_NATIVE_INT64, values.data()) < 0)
    fail(object, "cannot write attribute '" + name + "'");
}

void Hdf5File::setStringAttribute(const std::string& object, const std::string& name,
                                  const std::string& value) {
  H5Id obj = openObject(object);
  if (H5Aexists(obj.get(), name.c_str()) > 0)
    H5Adelete(obj.get(), name.c_str());
  H5Id type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), std::max<size_t>(1, value.size()));
  H5Id space(H5Screate(H5S_SCALAR), H5Sclose);
  H5Id attr(H5Acreate2(obj.get(), name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
            H5Aclose);
  std::string padded = value.empty() ? std::string(1, '\0') : value;
  if (!attr.valid() || H5Awrite(attr.get(), type.get(), padded.data()) < 0)
    fail(object, "cannot write attribute '" + name + "'");
}

std::vector<std::string> Hdf5File::attributeNames(const std::string& object) const {
  H5Id obj = openObject(object);
  H5O_info_t info;
  std::vector<std::string> names;
  if (H5Oget_info2(obj.get(), &info, H5O_INFO_NUM_ATTRS) < 0)
    return names;
  for (hsize_t i = 0; i < info.num_attrs; ++i) {
    const ssize_t length =
        H5Aget_name_by_idx(obj.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (length <= 0)
      continue;
    std::string name(size_t(length) + 1, '\0');
    H5Aget_name_by_idx(obj.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(),
                       H5P_DEFAULT);
    name.resize(size_t(length));
    names.push_back(name);
  }
  return names;
}

void Hdf5File::flush() {
  H5Fflush(file_.get(), H5F_SCOPE_GLOBAL);
}

} // namespace lumen
