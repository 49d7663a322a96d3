#include "synthesis/PairedScans.h"

#include "common/Error.h"
#include "common/Text.h"
#include "io/CtVolumeIO.h"
#include "io/GridCheck.h"
#include "segment/DatastoreNames.h"

#include <algorithm>
#include <filesystem>
#include <map>

namespace lumen {

namespace fs = std::filesystem;

std::map<std::string, std::string> scansInFolder(const std::string& folder,
                                                 const std::string& role) {
  if (!fs::is_directory(folder))
    throw InputError("the " + role + " folder " + folder + " does not exist");
  const auto patterns = segment::defaultImagePatterns();
  std::map<std::string, std::string> scans;
  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::string file = entry.path().filename().string();
    if (!entry.is_regular_file() || !segment::matchesImagePattern(file, patterns))
      continue;
    const std::string name = segment::idOfFileName(file, patterns);
    const auto [at, added] = scans.emplace(name, entry.path().string());
    if (!added)
      throw InputError("the " + role + " folder " + folder + " has two scans named '" + name +
                       "': " + at->second + " and " + entry.path().string());
  }
  if (scans.empty())
    throw InputError("the " + role + " folder " + folder + " has no NIfTI, NRRD or MetaImage scan");
  return scans;
}

namespace {

void requirePairedGrid(const std::string& a, const std::string& b) {
  requireSameGrid(readVolumeHeader(a).geometry, readVolumeHeader(b).geometry,
                  a + " and " + b +
                      " are not on one voxel grid (resample the pair onto one grid first)");
}

} // namespace

std::vector<ScanPair> findScanPairs(const ScanPairFolders& folders) {
  const auto ncct = scansInFolder(folders.ncct, "NCCT");
  const auto cta = scansInFolder(folders.cta, "CTA");
  std::vector<std::string> alone;
  for (const auto& [name, path] : ncct)
    if (!cta.count(name))
      alone.push_back(path);
  for (const auto& [name, path] : cta)
    if (!ncct.count(name))
      alone.push_back(path);
  if (!alone.empty())
    throw InputError(std::to_string(alone.size()) +
                     " scan(s) have no partner of the same name in " + folders.ncct + " and " +
                     folders.cta + ": " + joinLimited(alone, 10));
  std::map<std::string, std::string> body, lung;
  if (!folders.bodyMask.empty())
    body = scansInFolder(folders.bodyMask, "body mask");
  if (!folders.lungMask.empty())
    lung = scansInFolder(folders.lungMask, "lung mask");
  std::vector<ScanPair> pairs;
  for (const auto& [name, path] : ncct) {
    ScanPair pair{name, path, cta.at(name), {}, {}};
    requirePairedGrid(pair.ncct, pair.cta);
    for (auto [masks, target, folder] : {std::tuple{&body, &pair.bodyMask, &folders.bodyMask},
                                         std::tuple{&lung, &pair.lungMask, &folders.lungMask}}) {
      if (folder->empty())
        continue;
      const auto found = masks->find(name);
      if (found == masks->end())
        throw InputError("the mask folder " + *folder + " has no mask for '" + name + "'");
      *target = found->second;
      requirePairedGrid(pair.ncct, *target);
    }
    pairs.push_back(std::move(pair));
  }
  return pairs;
}

} // namespace lumen
