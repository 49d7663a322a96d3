// Hdf5File's attributes. A file decides how many values an attribute holds and how long its
// strings are: both are checked before anything is read, so an attribute of a thousand strings
// (or a 2 GiB one) gets an error instead of a buffer sized for one.
#include "common/Error.h"
#include "io/Hdf5Checks.h"
#include "io/Hdf5File.h"

#include <cstring>
#include <memory>

namespace lumen {

using hdf5::ThreadErrorScope;

H5Id Hdf5File::openAttribute(const H5Id& object, const std::string& objectName,
                             const std::string& name) const {
  const htri_t exists = H5Aexists(object.get(), name.c_str());
  if (exists < 0)
    throw IoError(context(objectName) + ": attribute '" + name +
                  "' is unreadable (a corrupt attribute header)");
  if (exists == 0)
    return H5Id();
  H5Id attribute(H5Aopen(object.get(), name.c_str(), H5P_DEFAULT), H5Aclose);
  if (!attribute.valid())
    throw IoError(context(objectName) + ": attribute '" + name + "' cannot be opened");
  return attribute;
}

std::optional<std::vector<int64_t>> Hdf5File::intAttribute(const std::string& object,
                                                           const std::string& name) const {
  const ThreadErrorScope scope;
  H5Id obj = openObject(object);
  H5Id attr = openAttribute(obj, object, name);
  if (!attr.valid())
    return std::nullopt;
  const std::string where = context(object) + ": attribute '" + name + "'";
  H5Id space(H5Aget_space(attr.get()), H5Sclose);
  H5Id type(H5Aget_type(attr.get()), H5Tclose);
  if (!space.valid() || !type.valid())
    throw IoError(where + " is unreadable");
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls != H5T_INTEGER && cls != H5T_FLOAT)
    throw InputError(where + " is not numeric");
  hdf5::checkNumberType(type.get(), where);
  const hdf5::Shape shape = hdf5::readShape(space.get(), where);
  if (shape.elements > hdf5::kMaxAttributeValues)
    throw InputError(where + " holds " + std::to_string(shape.elements) + " values (shape " +
                     hdf5::shapeText(shape.dims) + "); at most " +
                     std::to_string(hdf5::kMaxAttributeValues) + " are read");
  std::vector<int64_t> values(static_cast<size_t>(shape.elements));
  if (!values.empty() && H5Aread(attr.get(), H5T_NATIVE_INT64, values.data()) < 0)
    throw IoError(where + " cannot be read as integers");
  return values;
}

std::optional<std::string> Hdf5File::stringAttribute(const std::string& object,
                                                     const std::string& name) const {
  const ThreadErrorScope scope;
  H5Id obj = openObject(object);
  H5Id attr = openAttribute(obj, object, name);
  if (!attr.valid())
    return std::nullopt;
  const std::string where = context(object) + ": attribute '" + name + "'";
  H5Id type(H5Aget_type(attr.get()), H5Tclose);
  H5Id space(H5Aget_space(attr.get()), H5Sclose);
  if (!space.valid() || !type.valid())
    throw IoError(where + " is unreadable");
  if (H5Tget_class(type.get()) != H5T_STRING)
    return std::nullopt;
  // H5Aread fills a buffer for every element: the buffers below hold exactly one.
  const hdf5::Shape shape = hdf5::readShape(space.get(), where);
  if (shape.elements != 1)
    throw InputError(where + " holds " +
                     (shape.elements == 0 ? std::string("no string")
                                          : std::to_string(shape.elements) + " strings (shape " +
                                                hdf5::shapeText(shape.dims) + ")") +
                     "; expected one string");
  const std::string tooLong = where + " holds a string longer than " +
                              std::to_string(hdf5::kMaxStringAttributeBytes >> 20) + " MiB";
  if (H5Tis_variable_str(type.get()) > 0) {
    H5Id memType(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(memType.get(), H5T_VARIABLE);
    H5Tset_cset(memType.get(), H5Tget_cset(type.get())); // h5py writes UTF-8, C writers ASCII
    char* text = nullptr;
    if (H5Aread(attr.get(), memType.get(), &text) < 0 || !text)
      throw IoError(where + " cannot be read");
    const std::unique_ptr<char, herr_t (*)(void*)> owned(text, H5free_memory);
    const size_t length = strnlen(text, hdf5::kMaxStringAttributeBytes + 1);
    if (length > hdf5::kMaxStringAttributeBytes)
      throw InputError(tooLong);
    return std::string(text, length);
  }
  const size_t size = H5Tget_size(type.get());
  if (size == 0)
    throw IoError(where + " is unreadable (a zero-length string type)");
  if (size > hdf5::kMaxStringAttributeBytes)
    throw InputError(tooLong + " (its type claims " + std::to_string(size) + " bytes)");
  std::string value(size, '\0');
  if (H5Aread(attr.get(), type.get(), value.data()) < 0)
    throw IoError(where + " cannot be read");
  value.resize(std::min(size, value.find('\0')));
  return value;
}

void Hdf5File::setIntAttribute(const std::string& object, const std::string& name,
                               const std::vector<int64_t>& values) {
  const ThreadErrorScope scope;
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
  const ThreadErrorScope scope;
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
  const ThreadErrorScope scope;
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

} // namespace lumen
