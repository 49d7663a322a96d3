// Template parts of Hdf5File.h.
#pragma once
#include <type_traits>

namespace lumen {

template <class T> hid_t h5NativeType() {
  if constexpr (std::is_same_v<T, int8_t>)
    return H5T_NATIVE_INT8;
  else if constexpr (std::is_same_v<T, uint8_t>)
    return H5T_NATIVE_UINT8;
  else if constexpr (std::is_same_v<T, int16_t>)
    return H5T_NATIVE_INT16;
  else if constexpr (std::is_same_v<T, uint16_t>)
    return H5T_NATIVE_UINT16;
  else if constexpr (std::is_same_v<T, int32_t>)
    return H5T_NATIVE_INT32;
  else if constexpr (std::is_same_v<T, uint32_t>)
    return H5T_NATIVE_UINT32;
  else if constexpr (std::is_same_v<T, int64_t>)
    return H5T_NATIVE_INT64;
  else if constexpr (std::is_same_v<T, uint64_t>)
    return H5T_NATIVE_UINT64;
  else if constexpr (std::is_same_v<T, float>)
    return H5T_NATIVE_FLOAT;
  else if constexpr (std::is_same_v<T, double>)
    return H5T_NATIVE_DOUBLE;
  else
    static_assert(sizeof(T) == 0, "unsupported HDF5 element type");
}

template <class T>
std::vector<T> Hdf5File::read(const std::string& dataset, uint64_t offset, int64_t count) const {
  std::vector<T> out;
  readRaw(dataset, h5NativeType<T>(), offset, count, [&out](uint64_t elements) -> void* {
    out.resize(elements);
    return out.data();
  });
  return out;
}

template <class T>
void Hdf5File::write(const std::string& dataset, const std::vector<T>& data,
                     const std::vector<uint64_t>& dims, int compression) {
  writeRaw(dataset, h5NativeType<T>(), data.data(), data.size(), dims, compression);
}

template <class T>
void Hdf5File::createExtensible(const std::string& dataset, const std::vector<uint64_t>& rowShape,
                                uint64_t chunkRows, int compression) {
  createExtensibleRaw(dataset, h5NativeType<T>(), rowShape, chunkRows, compression);
}

template <class T> void Hdf5File::append(const std::string& dataset, const std::vector<T>& rows) {
  appendRaw(dataset, h5NativeType<T>(), rows.data(), rows.size());
}

} // namespace lumen
