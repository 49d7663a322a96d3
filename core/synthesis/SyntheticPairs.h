// Synthetic NCCT -> CTA pairs for the synthesis pipeline's demo, tests and CPU training (SPEC
// Y6): the chest CT phantoms of the segmentation pipeline (segment/SyntheticChestCt.h), the CTA's
// patient slightly moved against the NCCT's as between two real acquisitions, each scan with its
// own noise, and the masks the losses and metrics use.
#pragma once
#include "segment/SyntheticChestCt.h"

namespace lumen {

// The folders `synth pairs` writes under OUTDIR, besides nct/, cta/ and labels/.
inline constexpr const char* kBodyMaskFolder = "masks/body";      // the patient, lungs included
inline constexpr const char* kLungMaskFolder = "masks/lung";      // both lungs' parenchyma
inline constexpr const char* kVesselMaskFolder = "masks/vessels"; // blood pools and vessels

// A phantom's defaults for pairs: 2 mm and 2 degrees of misalignment at most.
SyntheticChestCtOptions defaultSyntheticPairOptions();

// Masks of a phantom in the NCCT's frame, from its labels.
Volume<uint8_t> phantomBodyMask(const LabelVolume& labels);
Volume<uint8_t> phantomLungMask(const LabelVolume& labels);
Volume<uint8_t> phantomVesselMask(const LabelVolume& labels);

// OUTDIR/{nct,cta,labels}/case_NNN.nii.gz and phantoms.json as writeSyntheticChestCts writes
// them, plus the three masks per case.
SyntheticChestCtFiles writeSyntheticPairs(const std::string& outDir, int cases, uint64_t seed,
                                          const SyntheticChestCtOptions& options, bool overwrite,
                                          Job* job = nullptr);

} // namespace lumen
