// Synthetic chest CT phantoms for the segmentation and NCCT → CTA pipelines' demos, tests and
// training: per case a random chest (ChestAnatomy) painted into a label map (ChestClasses), and
// two scans of it in HU: non-contrast and arterial-phase CTA, same geometry, same anatomy, their
// own noise. The phantom is built in millimetres and shrunk uniformly only when the field of view
// is too narrow for the torso. Deterministic: a seed gives the same bytes on every run and any
// thread count.
#pragma once
#include "io/Volume.h"
#include "segment/ChestIntensity.h"

#include <functional>
#include <string>
#include <vector>

namespace lumen {

class Job;

struct SyntheticChestCtOptions {
  std::array<int64_t, 3> size{256, 256, 120};
  Vec3 spacing{1.4, 1.4, 2.5}; // mm along i, j, k: 358 mm across at 256 voxels
  double noiseHu = 14;         // standard deviation of each scan's noise
  // The CTA's patient moved against the NCCT's by up to this shift along each axis and this
  // rotation about a random axis through the image centre (0: the same position), as between
  // two real acquisitions. The anatomy and noise do not depend on it.
  double misalignMm = 0;
  double misalignDegrees = 0;
  int threads = 0; // 0: one per core
};

// Per axis 8-2048 voxels, at most kMaxSyntheticChestVoxels in all; spacing 0.1-20 mm; noise
// 0-200 HU. Throws InputError naming the field otherwise.
constexpr uint64_t kMaxSyntheticChestVoxels = 512ull * 512ull * 1024ull;
void checkSyntheticChestCtOptions(const SyntheticChestCtOptions& options);

struct SyntheticChestCt {
  CtVolume nct, cta;     // HU, int16
  LabelVolume labels;    // ChestClasses labels, 0 outside the body
  double scale = 1;      // physical mm per phantom mm (1 unless the field of view is narrow)
  RigidMotion ctaMotion; // the CTA's patient against the NCCT's (labels follow the NCCT)
};

// Direction identity (LPS), the image centred on the chest in x and y.
SyntheticChestCt makeSyntheticChestCt(uint64_t seed, const SyntheticChestCtOptions& options,
                                      Job* job = nullptr);

struct SyntheticChestCtFiles {
  std::vector<std::string> cases;               // "case_000", ...
  double generateSeconds = 0, writeSeconds = 0; // totals over the cases
};

// Makes OUTDIR/cta a study folder whose ground truth is known: OUTDIR/cta/labels/final/<case>
// are the label maps of `cases` (hard links to OUTDIR/labels/, copies where links fail), so
// `segment train|eval|serve --studies OUTDIR/cta` and the Segment workspace use them as finals.
void linkSyntheticLabelsAsFinal(const std::string& outDir, const std::vector<std::string>& cases);

// Case files OUTDIR/{nct,cta,labels}/case_NNN.nii.gz for cases 0..cases-1 that exist already.
std::vector<std::string> existingSyntheticChestCtFiles(const std::string& outDir, int cases);

// Writes cases with seeds seed..seed+cases-1 and OUTDIR/phantoms.json (class table, per-case seed,
// geometry and the CTA's motion), every file atomically. Refuses (InputError, nothing written) when
// a case file exists and `overwrite` is false. `alsoWrite`, when given, writes more files of each
// case (the synthesis pipeline's masks).
using SyntheticCaseWriter =
    std::function<void(const std::string& caseName, const SyntheticChestCt& ct)>;
SyntheticChestCtFiles writeSyntheticChestCts(const std::string& outDir, int cases, uint64_t seed,
                                             const SyntheticChestCtOptions& options, bool overwrite,
                                             Job* job = nullptr,
                                             const SyntheticCaseWriter& alsoWrite = {});

} // namespace lumen
