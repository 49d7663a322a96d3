// How MONAI Label turns file names into image ids and extensions (MONAILABEL.md §4), and the checks
// that keep ids and tags from naming anything outside the study folder. Lumen and a MONAI Label
// server sharing one folder must agree on every id, so these follow MONAI Label's rules exactly,
// odd corners included (every occurrence of the extension is removed, not only the last).
#pragma once
#include <string>
#include <vector>

namespace lumen::segment {

// MONAI Label's default MONAI_LABEL_DATASTORE_FILE_EXT, plus "*.mha" because Lumen reads MetaImage
// volumes. A MONAI Label server on the same folder does not list .mha files unless it is started
// with the same patterns.
std::vector<std::string> defaultImagePatterns();

// Whether a file name is listed as an image or label: it matches one of the glob patterns (case
// sensitive, a leading '.' never matched by '*', as Python's glob lists a folder).
bool matchesImagePattern(const std::string& name, const std::vector<std::string>& patterns);

// The extension MONAI Label gives a name: its trailing suffixes of at most 10 characters each
// (".nii.gz"), replaced by the pattern the name ends with when one does ("a.b.nii.gz" ->
// ".nii.gz", not ".b.nii.gz").
std::string fileExtension(const std::string& name, const std::vector<std::string>& patterns);

// The id of a listed file: its name with every occurrence of its extension removed.
std::string idOfFileName(const std::string& name, const std::vector<std::string>& patterns);

// The id an upload gets when the client names none: the basename of the client's file name (which
// may be its full local path) without all of its suffixes ("C:/tmp/case 1.nii.gz" -> "case 1").
std::string idOfUploadName(const std::string& fileName);

// Whether `text` is well-formed UTF-8: JSON strings must be, so a file name that is not cannot be
// an id.
bool isValidUtf8(const std::string& text);

// Throws InputError unless `id` can be a file name inside the study folder: not empty, at most 200
// bytes, no '/', '\\' or "..", no control character, UTF-8, not starting with '.' (Python's glob
// would not list such a file, so the image would vanish at the next reconciliation).
void requireSafeId(const std::string& id);

// The same rules for a label tag, which names a folder under labels/.
void requireSafeTag(const std::string& tag);

} // namespace lumen::segment
