#include "segment/PropagatorExamples.h"

#include "common/Error.h"
#include "io/CtVolumeIO.h"
#include "io/NiftiIO.h"
#include "segment/ObjectIntensity.h"
#include "segment/SliceNetInput.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace lumen {

namespace {

bool sameGrid(const ImageGeometry& a, const ImageGeometry& b) {
  if (a.size != b.size)
    return false;
  for (size_t d = 0; d < 3; ++d)
    if (std::abs(a.spacing[d] - b.spacing[d]) > 1e-3 * std::max(1.0, std::abs(a.spacing[d])))
      return false;
  return true;
}

std::vector<uint8_t> objectSlice(const PropagatorCase& c, int label, int64_t z) {
  const int64_t w = c.image.geometry.size[0], h = c.image.geometry.size[1];
  std::vector<uint8_t> mask(size_t(w * h), 0);
  const int16_t* src = c.labels.values.data() + size_t(z) * size_t(w * h);
  for (size_t n = 0; n < mask.size(); ++n)
    mask[n] = src[n] == label ? 1 : 0;
  return mask;
}

std::vector<int64_t> pixelsOf(const std::vector<uint8_t>& mask) {
  std::vector<int64_t> at;
  for (size_t n = 0; n < mask.size(); ++n)
    if (mask[n])
      at.push_back(int64_t(n));
  return at;
}

// Square erosion (r < 0) or dilation (r > 0) by |r| and a shift, as a pass's own mask of the
// slice before differs from the truth.
std::vector<uint8_t> perturbed(const std::vector<uint8_t>& mask, int64_t w, int64_t h, int r,
                               int sx, int sy) {
  std::vector<uint8_t> out(mask.size(), 0);
  const int a = std::abs(r);
  // Only around the mask can anything be on.
  int64_t bx0 = w, by0 = h, bx1 = -1, by1 = -1;
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x)
      if (mask[size_t(y * w + x)]) {
        bx0 = std::min(bx0, x), bx1 = std::max(bx1, x);
        by0 = std::min(by0, y), by1 = std::max(by1, y);
      }
  const int64_t pad = a + 2;
  for (int64_t y = std::max<int64_t>(0, by0 - pad); y <= std::min(h - 1, by1 + pad); ++y)
    for (int64_t x = std::max<int64_t>(0, bx0 - pad); x <= std::min(w - 1, bx1 + pad); ++x) {
      const int64_t x0 = x - sx, y0 = y - sy; // shifted source
      bool any = false, all = true;
      for (int dy = -a; dy <= a && (all || !any); ++dy)
        for (int dx = -a; dx <= a; ++dx) {
          const int64_t xx = x0 + dx, yy = y0 + dy;
          const bool on = xx >= 0 && yy >= 0 && xx < w && yy < h && mask[size_t(yy * w + xx)];
          any = any || on;
          all = all && on;
        }
      out[size_t(y * w + x)] = (r >= 0 ? any : all) ? 1 : 0;
    }
  return out;
}

} // namespace

PropagatorCase loadPropagatorCase(const std::string& id, const std::string& image,
                                  const std::string& labels, const PropagatorDataConfig& data) {
  PropagatorCase c;
  c.id = id;
  c.image = readCtVolume(image);
  const LabelVolume map = readLabelVolume(labels);
  if (!sameGrid(c.image.geometry, map.geometry))
    throw InputError(labels + ": label map grid differs from its image " + image);
  c.labels.geometry = map.geometry;
  c.labels.values.resize(map.values.size());
  std::map<int, int64_t> voxels;
  for (size_t n = 0; n < map.values.size(); ++n) {
    const int32_t v = map.values[n];
    if (v < 0 || v > 32767)
      throw InputError(labels + ": label " + std::to_string(v) +
                       " is outside 0..32767, the labels the propagator trains on");
    c.labels.values[n] = int16_t(v);
    if (v)
      ++voxels[v];
  }
  const int64_t w = map.geometry.size[0], h = map.geometry.size[1], d = map.geometry.size[2];
  for (const auto& [label, count] : voxels) {
    if (count < data.min_voxels)
      continue;
    PropagatorCase::Object object;
    object.label = label;
    for (int64_t z = 0; z < d; ++z) {
      const int16_t* src = c.labels.values.data() + size_t(z) * size_t(w * h);
      if (std::any_of(src, src + w * h, [&](int16_t v) { return v == label; }))
        object.slices.push_back(z);
    }
    c.objects.push_back(std::move(object));
  }
  return c;
}

PropagatorExample drawPropagatorExample(const std::vector<const PropagatorCase*>& cases,
                                        const PropagatorDataConfig& data, std::mt19937_64& rng) {
  auto uniform = [&](int64_t lo, int64_t hi) { // inclusive
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  const PropagatorCase& c = *cases[size_t(uniform(0, int64_t(cases.size()) - 1))];
  const auto& object = c.objects[size_t(uniform(0, int64_t(c.objects.size()) - 1))];
  const ImageGeometry& g = c.image.geometry;
  const int64_t w = g.size[0], h = g.size[1];
  const int64_t z = object.slices[size_t(uniform(0, int64_t(object.slices.size()) - 1))];
  const auto truth = objectSlice(c, object.label, z);
  const auto inside = pixelsOf(truth);

  // The previous slice of a pass, from either direction; none on a pass's first slice.
  std::vector<uint8_t> previous;
  bool key = chance(data.key_fraction);
  if (!key) {
    const int64_t from = z + (chance(0.5) ? 1 : -1);
    if (from >= 0 && from < g.size[2])
      previous = objectSlice(c, object.label, from);
    if (pixelsOf(previous).empty())
      key = true; // the object starts here: only a click can find it
    else
      previous =
          perturbed(previous, w, h, int(uniform(-2, 2)), int(uniform(-1, 1)), int(uniform(-1, 1)));
  }
  if (key)
    previous.clear();

  // Points inside the object: on this slice when clicked here, and on the slices of the pair of
  // key clicks around it, which set the box.
  std::vector<PromptPoint> points;
  auto clickOn = [&](int64_t slice) {
    const auto on = slice == z ? inside : pixelsOf(objectSlice(c, object.label, slice));
    if (on.empty())
      return;
    const int64_t at = on[size_t(uniform(0, int64_t(on.size()) - 1))];
    points.push_back({VoxelIndex{at % w, at / w, slice}, true});
  };
  const bool clickedHere = key || chance(data.click_fraction);
  if (clickedHere)
    for (int64_t n = uniform(1, 2); n > 0; --n)
      clickOn(z);
  const auto lower = std::lower_bound(object.slices.begin(), object.slices.end(), z);
  const int64_t reach = std::max<int64_t>(1, std::lround(40.0 / g.spacing[2]));
  const int64_t at = int64_t(lower - object.slices.begin());
  const int64_t below = object.slices[size_t(at - std::min<int64_t>(at, uniform(0, reach)))];
  const int64_t above = object.slices[size_t(
      std::min<int64_t>(int64_t(object.slices.size()) - 1, at + uniform(0, reach)))];
  if (chance(data.single_slice_fraction)) {
    // A single-slice prompt: every slice's box is that of the clicks on the one clicked slice,
    // which is this one on a pass's first slice, else one the pass came from.
    if (!clickedHere)
      clickOn(chance(0.5) ? below : above);
  } else {
    clickOn(below);
    clickOn(above);
  }

  SliceBox box{w, h, -1, -1};
  for (const auto& p : points) {
    box.x0 = std::min(box.x0, p.ijk[0]);
    box.y0 = std::min(box.y0, p.ijk[1]);
    box.x1 = std::max(box.x1, p.ijk[0]);
    box.y1 = std::max(box.y1, p.ijk[1]);
  }
  const int64_t mx = std::lround(data.margin_mm / g.spacing[0]);
  const int64_t my = std::lround(data.margin_mm / g.spacing[1]);
  box = {std::max<int64_t>(0, box.x0 - mx), std::max<int64_t>(0, box.y0 - my),
         std::min(w - 1, box.x1 + mx), std::min(h - 1, box.y1 + my)};

  SliceNetSample sample;
  sample.z = z;
  sample.box = box;
  sample.previous = &previous;
  for (const auto& p : points)
    if (p.ijk[2] == z)
      sample.positives.push_back(p.ijk);
  const ObjectIntensity intensity = objectIntensity(c.image, points);

  // A negative click where a user would put one: on something else inside the box that looks
  // like the object.
  if (chance(data.negative_fraction)) {
    const int16_t* hu = c.image.values.data() + size_t(z) * size_t(w * h);
    const int16_t* labels = c.labels.values.data() + size_t(z) * size_t(w * h);
    std::vector<int64_t> lookAlike;
    for (int64_t y = box.y0; y <= box.y1; ++y)
      for (int64_t x = box.x0; x <= box.x1; ++x) {
        const size_t n = size_t(y * w + x);
        if (!truth[n] && labels[n] != 0 && std::abs(hu[n] - intensity.mean) <= intensity.halfWidth)
          lookAlike.push_back(int64_t(n));
      }
    if (!lookAlike.empty()) {
      const int64_t at = lookAlike[size_t(uniform(0, int64_t(lookAlike.size()) - 1))];
      sample.negatives.push_back(VoxelIndex{at % w, at / w, z});
    }
  }

  PropagatorExample example;
  example.input = sliceNetInput(c.image, sample, intensity, data.input_size);
  example.target = boxResampled(truth, w, box, data.input_size).gt(0.5).to(torch::kFloat32);
  // Mirror images are anatomy too (left/right, front/back), and cheap variety.
  if (chance(0.5)) {
    example.input = example.input.flip({2});
    example.target = example.target.flip({2});
  }
  if (chance(0.5)) {
    example.input = example.input.flip({1});
    example.target = example.target.flip({1});
  }
  return example;
}

} // namespace lumen
