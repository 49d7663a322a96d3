// The backends a request can name. Today: "classical" (RegionGrowingBackend, weight-free).
#pragma once
#include "segment/SegmentationBackend.h"

#include <memory>
#include <string>
#include <vector>

namespace lumen {

std::vector<std::string> segmentationBackendNames();

// Throws InputError naming the known backends when `name` is not one of them.
std::shared_ptr<const SegmentationBackend> makeSegmentationBackend(const std::string& name);

} // namespace lumen
