// Training examples for the learned slice propagator, drawn the way the prompt pipeline will use
// it: a slice of one object of a labelled case, its box from clicks inside the object on nearby
// slices plus the plan's margin, and either clicks on the slice (a pass's first slice) or the
// neighbouring slice's mask, perturbed as a pass's own previous mask would be, as the "previous"
// channel; sometimes a negative click on a look-alike neighbour. The target is the object's mask
// on the slice, resampled into the box exactly as the input is.
#pragma once
#include "io/Volume.h"
#include "segment/PropagatorConfig.h"

#include <cstdint>
#include <random>
#include <string>
#include <torch/torch.h>
#include <vector>

namespace lumen {

class Job;

struct PropagatorCase {
  std::string id;
  CtVolume image;
  Volume<int16_t> labels; // the image's grid
  struct Object {
    int label = 0;
    std::vector<int64_t> slices; // slices holding some of it, ascending
  };
  std::vector<Object> objects; // at least min_voxels voxels each
};

// Cases of a labelled case list (image path, label path), each label value an object. Throws
// InputError naming the files when a label map's grid differs from its image's or holds a value
// outside int16.
PropagatorCase loadPropagatorCase(const std::string& id, const std::string& image,
                                  const std::string& labels, const PropagatorDataConfig& data);

struct PropagatorExample {
  torch::Tensor input;  // (kSliceNetChannels, S, S)
  torch::Tensor target; // (1, S, S) in {0, 1}
};

// One example from a case chosen by `rng`; cases must have objects.
PropagatorExample drawPropagatorExample(const std::vector<const PropagatorCase*>& cases,
                                        const PropagatorDataConfig& data, std::mt19937_64& rng);

} // namespace lumen
