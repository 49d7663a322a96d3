// Text for people: numbers printed as short as they can be while reading back exactly, and lists
// cut to a few items so a message stays a message.
#pragma once
#include <string>
#include <vector>

namespace lumen {

// The shortest decimal text that reads back as the same double: 0.05, 1e-08, 3, nan, inf, -inf.
std::string formatNumber(double value);

// "a, b, c and 12 more": at most `shown` items, joined by `separator`.
std::string joinLimited(const std::vector<std::string>& items, size_t shown = 8,
                        const std::string& separator = ", ");

// The text without leading and trailing white space (header fields of NRRD, MetaImage, DICOM).
std::string trimSpace(const std::string& text);

// The text with ASCII letters in lower case (file extensions, class names typed by users).
std::string asciiLower(std::string text);

// The text cut to `maxChars` characters, with "…" marking the cut.
std::string truncateText(const std::string& text, size_t maxChars);

} // namespace lumen
