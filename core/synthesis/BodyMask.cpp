#include "synthesis/BodyMask.h"

#include <algorithm>
#include <vector>

namespace lumen {

namespace {

// Keeps only the largest 6-connected component of the non-zero voxels of `mask`.
void keepLargestComponent(Volume<uint8_t>& mask) {
  const auto& s = mask.geometry.size;
  const int64_t w = s[0], h = s[1], d = s[2];
  const int64_t plane = w * h;
  std::vector<uint32_t> component(mask.values.size(), 0);
  std::vector<int64_t> stack;
  uint32_t best = 0, next = 0;
  int64_t bestSize = 0;
  for (int64_t start = 0; start < int64_t(mask.values.size()); ++start) {
    if (!mask.values[size_t(start)] || component[size_t(start)])
      continue;
    const uint32_t id = ++next;
    int64_t size = 0;
    component[size_t(start)] = id;
    stack.assign(1, start);
    while (!stack.empty()) {
      const int64_t at = stack.back();
      stack.pop_back();
      ++size;
      const int64_t i = at % w, j = (at / w) % h, k = at / plane;
      const int64_t neighbours[6] = {i > 0 ? at - 1 : -1,     i + 1 < w ? at + 1 : -1,
                                     j > 0 ? at - w : -1,     j + 1 < h ? at + w : -1,
                                     k > 0 ? at - plane : -1, k + 1 < d ? at + plane : -1};
      for (int64_t n : neighbours)
        if (n >= 0 && mask.values[size_t(n)] && !component[size_t(n)]) {
          component[size_t(n)] = id;
          stack.push_back(n);
        }
    }
    if (size > bestSize) {
      bestSize = size;
      best = id;
    }
  }
  for (size_t n = 0; n < mask.values.size(); ++n)
    mask.values[n] = component[n] == best && best ? 1 : 0;
}

// Fills each axial slice's holes: background the slice's border cannot reach (4-connected).
void fillSliceHoles(Volume<uint8_t>& mask) {
  const auto& s = mask.geometry.size;
  const int64_t w = s[0], h = s[1];
  std::vector<uint8_t> outside(size_t(w * h));
  std::vector<int64_t> stack;
  for (int64_t k = 0; k < s[2]; ++k) {
    uint8_t* slice = mask.values.data() + size_t(k * w * h);
    std::fill(outside.begin(), outside.end(), 0);
    stack.clear();
    auto seed = [&](int64_t at) {
      if (!slice[at] && !outside[size_t(at)]) {
        outside[size_t(at)] = 1;
        stack.push_back(at);
      }
    };
    for (int64_t i = 0; i < w; ++i) {
      seed(i);
      seed((h - 1) * w + i);
    }
    for (int64_t j = 0; j < h; ++j) {
      seed(j * w);
      seed(j * w + w - 1);
    }
    while (!stack.empty()) {
      const int64_t at = stack.back();
      stack.pop_back();
      const int64_t i = at % w, j = at / w;
      if (i > 0)
        seed(at - 1);
      if (i + 1 < w)
        seed(at + 1);
      if (j > 0)
        seed(at - w);
      if (j + 1 < h)
        seed(at + w);
    }
    for (int64_t n = 0; n < w * h; ++n)
      slice[n] = outside[size_t(n)] ? 0 : 1;
  }
}

} // namespace

Volume<uint8_t> bodyMask(const FloatVolume& ct, double thresholdHu) {
  Volume<uint8_t> mask;
  mask.geometry = ct.geometry;
  mask.values.resize(ct.values.size());
  for (size_t n = 0; n < ct.values.size(); ++n)
    mask.values[n] = ct.values[n] > thresholdHu ? 1 : 0;
  keepLargestComponent(mask);
  fillSliceHoles(mask);
  return mask;
}

} // namespace lumen
