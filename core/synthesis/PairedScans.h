// The paired scans a synthesis run learns from (SPEC Y1): a folder of non-contrast CTs and a
// folder of CTAs whose files pair up by name ("case_000.nii.gz" in both), each pair on one voxel
// grid, with optional body and lung masks named the same way in folders of their own. Names
// follow the datastore's rules (segment/DatastoreNames.h): NIfTI, NRRD and MetaImage files, the
// name without its extension.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace lumen {

struct ScanPairFolders {
  std::string ncct, cta;          // required
  std::string bodyMask, lungMask; // optional; empty: computed (body) or none (lung)
};

struct ScanPair {
  std::string name;
  std::string ncct, cta;
  std::string bodyMask, lungMask; // empty where the folder is not given
};

// name -> path of the scans in `folder`, in name order. Throws InputError naming the folder (as
// "the <role> folder") when it is missing, has no scan, or has two scans of one name.
std::map<std::string, std::string> scansInFolder(const std::string& folder,
                                                 const std::string& role);

// The pairs in name order. Reads only the headers. Throws InputError naming the folder or file
// when a folder is missing or empty, a scan has no partner (every unmatched name is listed, up to
// 10), a mask is missing for a pair, or a pair's grids differ (both files and what differs).
std::vector<ScanPair> findScanPairs(const ScanPairFolders& folders);

// HU to the networks' range: clipped to [lowHu, highHu], then mapped linearly to [-1, 1]; and
// back. SPEC Y1's default window is [-1024, 3071], the whole int16 CT range scanners store.
struct HuWindow {
  float lowHu = -1024, highHu = 3071;
};
inline float huToUnit(float hu, const HuWindow& w) {
  const float clipped = hu < w.lowHu ? w.lowHu : (hu > w.highHu ? w.highHu : hu);
  return 2.0f * (clipped - w.lowHu) / (w.highHu - w.lowHu) - 1.0f;
}
inline float unitToHu(float unit, const HuWindow& w) {
  return w.lowHu + 0.5f * (unit + 1.0f) * (w.highHu - w.lowHu);
}

} // namespace lumen
