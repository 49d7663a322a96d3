// Checks on paths a user gives, so a missing file, a folder and a file of another format get
// three different messages instead of one vague "cannot read".
#pragma once
#include <string>

namespace lumen {

// Throws IoError "PATH does not exist" or "PATH is a folder, expected WHAT" unless PATH is a
// readable regular file. `what` describes the expected file ("an event file (.h5)").
void requireFile(const std::string& path, const std::string& what);

// Throws IoError unless PATH is an existing folder ("PATH does not exist", "PATH is a file,
// expected WHAT").
void requireFolder(const std::string& path, const std::string& what);

// Throws InputError when the parent folder of an output PATH cannot take a file: it is missing
// and cannot be created, or it is not a folder. `option` names where the path came from.
void requireWritableParent(const std::string& path, const std::string& option);

} // namespace lumen
