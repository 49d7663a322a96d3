#include "segment/SegmentationBackends.h"

#include "common/Error.h"
#include "common/Text.h"
#include "segment/RegionGrowingBackend.h"

namespace lumen {

std::vector<std::string> segmentationBackendNames() {
  return {"classical"};
}

std::shared_ptr<const SegmentationBackend> makeSegmentationBackend(const std::string& name) {
  if (name == "classical")
    return std::make_shared<RegionGrowingBackend>();
  throw InputError("unknown segmentation backend \"" + truncateText(name, 64) +
                   "\"; known: " + joinLimited(segmentationBackendNames()));
}

} // namespace lumen
