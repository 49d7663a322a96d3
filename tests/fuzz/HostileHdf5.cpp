#include "HostileHdf5.h"

#include "TestSupport.h"
#include "io/Hdf5File.h"

#include <stdexcept>

namespace lumen::test::hostile {

hid_t createLatestFormatFile(const std::string& path) {
  H5Id access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  H5Pset_libver_bounds(access.get(), H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access.get());
  if (file < 0)
    throw std::runtime_error("cannot create " + path);
  return file;
}

void addChunkedDataset(hid_t file, const std::string& name, hid_t type,
                       const std::vector<hsize_t>& dims, const std::vector<hsize_t>& chunk) {
  H5Id space(H5Screate_simple(int(dims.size()), dims.data(), nullptr), H5Sclose);
  H5Id plist(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  H5Pset_chunk(plist.get(), int(chunk.size()), chunk.data());
  H5Id set(H5Dcreate2(file, name.c_str(), type, space.get(), H5P_DEFAULT, plist.get(), H5P_DEFAULT),
           H5Dclose);
  if (!set.valid())
    throw std::runtime_error("cannot create " + name);
}

void addInt8Dataset(hid_t file, const std::string& name, const std::vector<hsize_t>& dims,
                    bool chunked) {
  H5Id space(H5Screate_simple(int(dims.size()), dims.data(), nullptr), H5Sclose);
  H5Id plist(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  if (chunked) {
    std::vector<hsize_t> chunk = dims;
    chunk[0] = 1;
    H5Pset_chunk(plist.get(), int(chunk.size()), chunk.data());
  }
  H5Id set(H5Dcreate2(file, name.c_str(), H5T_NATIVE_INT8, space.get(), H5P_DEFAULT, plist.get(),
                      H5P_DEFAULT),
           H5Dclose);
  size_t n = 1;
  for (hsize_t d : dims)
    n *= size_t(d);
  std::vector<int8_t> values(n);
  for (size_t i = 0; i < n; ++i)
    values[i] = int8_t(i % 100);
  if (!set.valid() ||
      H5Dwrite(set.get(), H5T_NATIVE_INT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
    throw std::runtime_error("cannot write " + name);
}

void addFourEvents(hid_t file) {
  H5Id group(H5Gcreate2(file, "/events", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
  const hsize_t n = 4;
  H5Id space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  auto add = [&](const char* name, hid_t type, const void* data) {
    H5Id set(H5Dcreate2(file, name, type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
             H5Dclose);
    if (!set.valid() || H5Dwrite(set.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
      throw std::runtime_error(std::string("cannot write ") + name);
  };
  const int64_t t[4] = {10, 20, 30, 40};
  const int16_t x[4] = {1, 2, 3, 4}, y[4] = {4, 3, 2, 1};
  const int8_t p[4] = {1, 0, 1, 0};
  add("/events/t", H5T_NATIVE_INT64, t);
  add("/events/x", H5T_NATIVE_INT16, x);
  add("/events/y", H5T_NATIVE_INT16, y);
  add("/events/p", H5T_NATIVE_INT8, p);
}

void addStringAttribute(hid_t file, const std::string& object, const std::string& name, size_t size,
                        hsize_t count, char fill) {
  H5Id target(H5Oopen(file, object.c_str(), H5P_DEFAULT), H5Oclose);
  H5Id type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), size);
  H5Id space(count == 0   ? H5Screate(H5S_NULL)
             : count == 1 ? H5Screate(H5S_SCALAR)
                          : H5Screate_simple(1, &count, nullptr),
             H5Sclose);
  H5Id attribute(
      H5Acreate2(target.get(), name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
      H5Aclose);
  if (!attribute.valid())
    throw std::runtime_error("cannot create attribute " + name);
  if (count == 0)
    return;
  herr_t written = 0;
  if (size == H5T_VARIABLE) {
    const std::string text(1 << 21, fill); // 2 MiB strings when asked for one, "12" otherwise
    const std::string shortText = "12";
    std::vector<const char*> pointers(count, count == 1 ? text.c_str() : shortText.c_str());
    written = H5Awrite(attribute.get(), type.get(), pointers.data());
  } else {
    const std::string chars(size * count, fill);
    written = H5Awrite(attribute.get(), type.get(), chars.data());
  }
  if (written < 0)
    throw std::runtime_error("cannot write attribute " + name);
}

int patchBytes(const std::string& path, const std::string& from, const std::string& to) {
  if (from.size() != to.size())
    throw std::logic_error("patches keep the file's size");
  std::string bytes = readText(path);
  int count = 0;
  for (size_t at = bytes.find(from); at != std::string::npos; at = bytes.find(from, at + 1)) {
    bytes.replace(at, from.size(), to);
    ++count;
  }
  writeText(path, bytes);
  return count;
}

} // namespace lumen::test::hostile
