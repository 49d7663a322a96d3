#include "io/Hdf5Checks.h"

#include "common/Checked.h"
#include "common/Error.h"
#include "common/Text.h"

#include <cmath>

namespace lumen::hdf5 {
namespace {

std::string bytesText(double bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 6) {
    bytes /= 1024;
    ++unit;
  }
  return formatNumber(std::round(bytes * 10) / 10) + " " + units[unit];
}

} // namespace

void silenceErrorsOnThisThread() {
  thread_local bool silenced = false;
  if (!silenced) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    silenced = true;
  }
}

ThreadErrorScope::ThreadErrorScope() {
  silenceErrorsOnThisThread();
}

ThreadErrorScope::~ThreadErrorScope() {
  H5Eclear2(H5E_DEFAULT);
}

std::string shapeText(const std::vector<hsize_t>& dims) {
  if (dims.empty())
    return "a scalar";
  std::vector<std::string> items;
  for (hsize_t d : dims)
    items.push_back(std::to_string(d));
  return joinLimited(items, 8, " x ");
}

Shape readShape(hid_t space, const std::string& context) {
  const H5S_class_t kind = H5Sget_simple_extent_type(space);
  if (kind == H5S_NO_CLASS)
    throw IoError(context + ": unreadable shape (corrupt dataspace)");
  Shape shape;
  if (kind == H5S_NULL)
    return shape;
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank < 0)
    throw IoError(context + ": unreadable shape (corrupt dataspace)");
  if (rank > kMaxRank)
    throw InputError(context + ": is corrupt: its shape claims " + std::to_string(rank) +
                     " dimensions (HDF5 allows " + std::to_string(kMaxRank) + ")");
  shape.dims.resize(size_t(rank));
  if (rank > 0 && H5Sget_simple_extent_dims(space, shape.dims.data(), nullptr) < 0)
    throw IoError(context + ": unreadable shape (corrupt dataspace)");
  const auto elements = checkedProduct(shape.dims);
  if (!elements)
    throw InputError(context + ": is corrupt: its shape " + shapeText(shape.dims) +
                     " holds more than 2^64 values");
  shape.elements = *elements;
  return shape;
}

void checkNumberType(hid_t type, const std::string& context) {
  const H5T_class_t typeClass = H5Tget_class(type);
  if (typeClass != H5T_INTEGER && typeClass != H5T_FLOAT && typeClass != H5T_ENUM)
    return;
  const size_t size = H5Tget_size(type);
  if (size == 0 || size > 8 || (size & (size - 1)) != 0)
    throw InputError(context + ": is corrupt: its numbers claim " + std::to_string(size) +
                     " bytes each");
}

void checkStorage(hid_t file, hid_t set, hid_t fileType, const Shape& shape,
                  const std::string& context) {
  checkNumberType(fileType, context);
  const size_t typeSize = H5Tget_size(fileType);
  if (typeSize == 0)
    throw IoError(context + ": unreadable element type");
  const auto bytes = checkedMultiply(shape.elements, typeSize);
  if (!bytes)
    throw InputError(context + ": is corrupt: its shape " + shapeText(shape.dims) + " of " +
                     std::to_string(typeSize) + "-byte values holds more than 2^64 bytes");
  const hid_t plist = H5Dget_create_plist(set);
  if (plist < 0)
    throw IoError(context + ": unreadable storage layout");
  const H5D_layout_t layout = H5Pget_layout(plist);
  hsize_t chunk[kMaxRank] = {};
  const int chunkRank = layout == H5D_CHUNKED ? H5Pget_chunk(plist, kMaxRank, chunk) : 0;
  const int externalFiles = H5Pget_external_count(plist);
  H5Pclose(plist);
  if (layout < 0)
    throw IoError(context + ": unreadable storage layout");
  // Data kept in other files would let a file read whatever the process can: refused outright.
  if (layout == H5D_VIRTUAL || externalFiles != 0)
    throw InputError(context + ": keeps its data in other files (a virtual or external " +
                     "dataset), which Lumen does not read");
  if (layout == H5D_CHUNKED) {
    if (chunkRank != int(shape.dims.size()))
      throw InputError(context + ": is corrupt: its chunks have " + std::to_string(chunkRank) +
                       " dimensions for a shape of " + std::to_string(shape.dims.size()));
    const std::vector<hsize_t> chunkDims(chunk, chunk + chunkRank);
    const auto chunkBytes =
        checkedMultiply(checkedProduct(chunkDims).value_or(UINT64_MAX), typeSize);
    for (hsize_t d : chunkDims)
      if (d == 0)
        throw InputError(context + ": is corrupt: a chunk dimension is 0");
    if (!chunkBytes || *chunkBytes > kMaxChunkBytes)
      throw InputError(context + ": its chunks (" + shapeText(chunkDims) + " values of " +
                       std::to_string(typeSize) + " bytes) claim more than the " +
                       bytesText(double(kMaxChunkBytes)) + " Lumen reads at once");
    return;
  }
  if (layout != H5D_COMPACT && layout != H5D_CONTIGUOUS)
    return;
  const hsize_t stored = H5Dget_storage_size(set);
  if (stored < *bytes)
    throw InputError(context + ": is corrupt: " + std::to_string(stored) +
                     " bytes stored for a shape of " + std::to_string(*bytes) + " bytes");
  if (layout == H5D_CONTIGUOUS && *bytes > 0) {
    const haddr_t at = H5Dget_offset(set);
    hsize_t fileSize = 0;
    H5Fget_filesize(file, &fileSize);
    if (at == HADDR_UNDEF || at > fileSize || *bytes > fileSize - at)
      throw InputError(context + ": is corrupt: its data lies beyond the end of the file");
  }
}

void checkReadSize(uint64_t elements, size_t memoryTypeSize, uint64_t limitBytes,
                   const Shape& shape, const std::string& context) {
  const auto bytes = checkedMultiply(elements, memoryTypeSize);
  if (bytes && *bytes <= limitBytes)
    return;
  throw InputError(context + ": reading " + std::to_string(elements) + " values of its " +
                   shapeText(shape.dims) + " shape needs " +
                   (bytes ? bytesText(double(*bytes)) : std::string("more than 2^64 bytes")) +
                   ", more than the " + bytesText(double(limitBytes)) +
                   " memory guard; read fewer rows at a time, or check that the file is not "
                   "corrupt");
}

} // namespace lumen::hdf5
