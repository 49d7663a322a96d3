#include "synthesis/SyntheticPairs.h"

#include "io/NiftiIO.h"
#include "segment/ChestClasses.h"

#include <filesystem>

namespace lumen {

namespace {

template <class Keep> Volume<uint8_t> maskOf(const LabelVolume& labels, Keep keep) {
  Volume<uint8_t> mask;
  mask.geometry = labels.geometry;
  mask.values.resize(labels.values.size());
  for (size_t n = 0; n < labels.values.size(); ++n)
    mask.values[n] = keep(labels.values[n]) ? 1 : 0;
  return mask;
}

} // namespace

SyntheticChestCtOptions defaultSyntheticPairOptions() {
  SyntheticChestCtOptions options;
  options.misalignMm = 2;
  options.misalignDegrees = 2;
  return options;
}

Volume<uint8_t> phantomBodyMask(const LabelVolume& labels) {
  return maskOf(labels, [](int32_t label) { return label != 0; });
}

Volume<uint8_t> phantomLungMask(const LabelVolume& labels) {
  return maskOf(labels,
                [](int32_t label) { return label == kChestLungLeft || label == kChestLungRight; });
}

Volume<uint8_t> phantomVesselMask(const LabelVolume& labels) {
  return maskOf(labels, [](int32_t label) { return isChestBloodPool(label); });
}

SyntheticChestCtFiles writeSyntheticPairs(const std::string& outDir, int cases, uint64_t seed,
                                          const SyntheticChestCtOptions& options, bool overwrite,
                                          Job* job) {
  namespace fs = std::filesystem;
  return writeSyntheticChestCts(
      outDir, cases, seed, options, overwrite, job,
      [&](const std::string& name, const SyntheticChestCt& ct) {
        const std::string file = name + ".nii.gz";
        for (const char* folder : {kBodyMaskFolder, kLungMaskFolder, kVesselMaskFolder})
          fs::create_directories(fs::path(outDir) / folder);
        writeNiftiVolume((fs::path(outDir) / kBodyMaskFolder / file).string(),
                         phantomBodyMask(ct.labels));
        writeNiftiVolume((fs::path(outDir) / kLungMaskFolder / file).string(),
                         phantomLungMask(ct.labels));
        writeNiftiVolume((fs::path(outDir) / kVesselMaskFolder / file).string(),
                         phantomVesselMask(ct.labels));
      });
}

} // namespace lumen
