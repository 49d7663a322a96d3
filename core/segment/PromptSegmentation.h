// The prompt pipeline from points to a label map (the seed's MedSAM2 recipe, for any backend):
// plan the key-slice boxes (PromptPlan.h), propagate forward from z_min up and backward from
// z_max down (both passes run at once), then combine: where both passes agree the voxel is 1
// (certain), where only one does it is 2 (uncertain); nothing outside [z_min, z_max]. Finally
// negative clicks split the mask in 3D (NegativeSplit.h) and the largest connected component
// (26-connected) is kept: the largest of those a positive click lies in, when any does, so a
// bigger leak beside the object never replaces it. In union mode (MedSAM2's own script) a voxel
// either pass found is 1.
//
// A single-slice prompt (one click, or clicks on one slice) gives a forward pass that continues
// up and a backward pass that continues down from that slice until the object ends (at most
// singleSliceReachMm away): the prompted slice, which both passes see, is certain; every other
// slice was seen by one pass only and is uncertain.
//
// An invalid request (no positive point, a point outside the image, an unknown backend) is not
// an exception: the result is a blank mask of the image's geometry with `error` set, as MONAI
// Label's clients expect.
#pragma once
#include "io/Volume.h"
#include "segment/PromptPlan.h"

#include <string>
#include <vector>

namespace lumen {

class Job;
class SegmentationBackend;

// 0 background, 1 certain, 2 uncertain.
using MaskVolume = Volume<uint8_t>;

enum class PassCombination { Intersection, Union };

struct SegmentationRequest {
  std::vector<PromptPoint> points;
  PromptPlanOptions plan;
  PassCombination combination = PassCombination::Intersection;
  bool largestComponent = true;
  double singleSliceReachMm = 150;
};

struct SegmentationTimings {
  double planMs = 0, forwardMs = 0, backwardMs = 0, combineMs = 0, componentsMs = 0, totalMs = 0;
};

struct SegmentationResult {
  MaskVolume mask;
  std::string backend;
  std::string error; // empty on success
  int64_t certainVoxels = 0, uncertainVoxels = 0;
  double volumeMl = 0;
  int64_t zMin = 0, zMax = -1;
  std::vector<int64_t> keySlices;
  SegmentationTimings timings;

  int64_t voxels() const { return certainVoxels + uncertainVoxels; }
  double uncertainFraction() const {
    return voxels() ? double(uncertainVoxels) / double(voxels()) : 0.0;
  }
};

// Cancellation (CancelledError) passes through; every other failure of the request is reported
// in the result.
SegmentationResult segmentWithPrompts(const CtVolume& image, const SegmentationRequest& request,
                                      const SegmentationBackend& backend, Job* job = nullptr);

// The JSON result of a request: voxels, volume in mL, uncertain fraction, timings in ms, the
// slices it covered; "error" when it failed. No patient information is in it.
std::string segmentationResultJson(const SegmentationResult& result);

// Keeps the largest 26-connected component of the non-zero voxels (of those holding a positive
// click, when the clicks hit any); returns how many voxels were removed.
int64_t keepLargestComponent(MaskVolume& mask, const std::vector<PromptPoint>& clicks = {});

} // namespace lumen
