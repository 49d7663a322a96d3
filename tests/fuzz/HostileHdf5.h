// HDF5 files no writer of Lumen makes, built with the HDF5 C API and by patching bytes: what
// findings 1 and 9 of the review need and byte flips never produce. Dataspaces whose product
// wraps 2^64, rank 32, chunks of gigabytes, datasets of 2^40 values stored in a few kB, numbers
// of 16 bytes, data in external files, string attributes of many elements or of megabytes, and
// headers whose dimensions or sizes were rewritten after the fact.
#pragma once
#include <hdf5.h>
#include <string>
#include <vector>

namespace lumen::test::hostile {

// The newest file format: attributes above 64 kB go to dense storage.
hid_t createLatestFormatFile(const std::string& path);

// A chunked dataset of `dims` with nothing written (the file stays small whatever it claims).
void addChunkedDataset(hid_t file, const std::string& name, hid_t type,
                       const std::vector<hsize_t>& dims, const std::vector<hsize_t>& chunk);
// An int8 dataset of the given shape holding 0, 1, ..., 99, 0, ...: contiguous, or chunked in
// rows when `chunked`.
void addInt8Dataset(hid_t file, const std::string& name, const std::vector<hsize_t>& dims,
                    bool chunked = false);
// Four events /events/{t,x,y,p} (a valid event file) in `file`.
void addFourEvents(hid_t file);
// A string attribute on `object`: `count` elements (0: a null dataspace; 1: a scalar) of fixed
// `size` bytes, or of variable length when size is H5T_VARIABLE.
void addStringAttribute(hid_t file, const std::string& object, const std::string& name, size_t size,
                        hsize_t count, char fill = '7');

// Replaces every occurrence of `from` in the file by `to` (same length); returns how many.
int patchBytes(const std::string& path, const std::string& from, const std::string& to);
// The little-endian bytes of a value, for patching.
template <class T> std::string bytesOf(T value) {
  return std::string(reinterpret_cast<const char*>(&value), sizeof(T));
}

} // namespace lumen::test::hostile
