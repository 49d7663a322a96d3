#include "segment/RegionGrowingBackend.h"

#include "common/Error.h"
#include "segment/ObjectIntensity.h"

#include <algorithm>
#include <cmath>
#include <itkConnectedThresholdImageFilter.h>
#include <itkImage.h>

namespace lumen {

namespace {

struct IntensityRange : SliceSegmenter::PassState {
  int lo = 0, hi = 0;
};

using Slice2 = itk::Image<int16_t, 2>;
using Mask2 = itk::Image<uint8_t, 2>;

// Square dilation by r (separable: rows, then columns) of `mask` (a whole slice, w wide),
// computed for the box's pixels only: "within r of the previous mask". Box-local result.
std::vector<uint8_t> dilateInBox(const std::vector<uint8_t>& mask, int64_t w, int64_t h,
                                 const SliceBox& box, int64_t r) {
  // Rows of the box grown by r above and below, so the column sweep sees mask pixels just
  // outside the box.
  const int64_t y0 = std::max<int64_t>(0, box.y0 - r), y1 = std::min(h - 1, box.y1 + r);
  const int64_t bw = box.x1 - box.x0 + 1, rowsH = y1 - y0 + 1;
  std::vector<uint8_t> rows(size_t(bw * rowsH), 0);
  for (int64_t y = y0; y <= y1; ++y) {
    const uint8_t* line = mask.data() + size_t(y * w);
    int64_t lastOn = -(r + 1);
    for (int64_t x = std::max<int64_t>(0, box.x0 - r); x <= box.x1; ++x) {
      if (line[x])
        lastOn = x;
      if (x >= box.x0 && x - lastOn <= r)
        rows[size_t((y - y0) * bw + (x - box.x0))] = 1;
    }
    int64_t nextOn = w + r + 1;
    for (int64_t x = std::min(w - 1, box.x1 + r); x >= box.x0; --x) {
      if (line[x])
        nextOn = x;
      if (x <= box.x1 && nextOn - x <= r)
        rows[size_t((y - y0) * bw + (x - box.x0))] = 1;
    }
  }
  const int64_t bh = box.y1 - box.y0 + 1;
  std::vector<uint8_t> out(size_t(bw * bh), 0);
  for (int64_t x = 0; x < bw; ++x) {
    int64_t lastOn = -(r + 1) - rowsH;
    for (int64_t y = 0; y < rowsH; ++y) {
      if (rows[size_t(y * bw + x)])
        lastOn = y;
      const int64_t by = y + y0 - box.y0;
      if (by >= 0 && by < bh && y - lastOn <= r)
        out[size_t(by * bw + x)] = 1;
    }
    int64_t nextOn = rowsH + r + 1;
    for (int64_t y = rowsH - 1; y >= 0; --y) {
      if (rows[size_t(y * bw + x)])
        nextOn = y;
      const int64_t by = y + y0 - box.y0;
      if (by >= 0 && by < bh && nextOn - y <= r)
        out[size_t(by * bw + x)] = 1;
    }
  }
  return out;
}

// Pixels of the box that the region grown from outside its border cannot reach are holes
// (calcium in a vessel, a contrast jet): they belong to the object.
void fillHoles(std::vector<uint8_t>& mask, int64_t w, const SliceBox& box) {
  const int64_t bw = box.x1 - box.x0 + 1, bh = box.y1 - box.y0 + 1;
  std::vector<uint8_t> outside(size_t(bw * bh), 0);
  std::vector<int64_t> stack;
  auto push = [&](int64_t x, int64_t y) {
    const size_t local = size_t((y - box.y0) * bw + (x - box.x0));
    if (!outside[local] && !mask[size_t(y * w + x)]) {
      outside[local] = 1;
      stack.push_back(y * w + x);
    }
  };
  for (int64_t x = box.x0; x <= box.x1; ++x) {
    push(x, box.y0);
    push(x, box.y1);
  }
  for (int64_t y = box.y0; y <= box.y1; ++y) {
    push(box.x0, y);
    push(box.x1, y);
  }
  while (!stack.empty()) {
    const int64_t at = stack.back();
    stack.pop_back();
    const int64_t x = at % w, y = at / w;
    if (x > box.x0)
      push(x - 1, y);
    if (x < box.x1)
      push(x + 1, y);
    if (y > box.y0)
      push(x, y - 1);
    if (y < box.y1)
      push(x, y + 1);
  }
  for (int64_t y = box.y0; y <= box.y1; ++y)
    for (int64_t x = box.x0; x <= box.x1; ++x)
      if (!outside[size_t((y - box.y0) * bw + (x - box.x0))])
        mask[size_t(y * w + x)] = 1;
}

} // namespace

std::string RegionGrowingBackend::description() const {
  return "Classical, weight-free: region growing inside each slice's box from the clicked points "
         "and the previous slice's mask (ITK connected threshold)";
}

std::unique_ptr<SliceSegmenter::PassState>
RegionGrowingBackend::beginPass(const PropagationPass& pass) const {
  const ObjectIntensity object =
      objectIntensity(*pass.image, pass.plan->points, options_.minimumHalfWidthHu);
  auto range = std::make_unique<IntensityRange>();
  range->lo = int(std::floor(std::max(-32768.0, object.mean - object.halfWidth)));
  range->hi = int(std::ceil(std::min(32767.0, object.mean + object.halfWidth)));
  return range;
}

SliceSegmenter::SliceOutcome RegionGrowingBackend::segmentSlice(const SliceInput& in,
                                                                PassState* state) const {
  const auto& range = static_cast<const IntensityRange&>(*state);
  const ImageGeometry& g = in.image->geometry;
  const int64_t w = g.size[0], h = g.size[1];
  const SliceBox& box = in.box;
  const int16_t* slice = in.image->values.data() + size_t(in.z) * size_t(w * h);
  auto inRange = [&](int64_t x, int64_t y) {
    const int v = slice[size_t(y * w + x)];
    return v >= range.lo && v <= range.hi;
  };

  const bool follow = in.previous && !in.previous->empty();
  const double pixelMm = std::min(g.spacing[0], g.spacing[1]);
  const int64_t bw = box.x1 - box.x0 + 1, bh = box.y1 - box.y0 + 1;
  auto local = [&](int64_t x, int64_t y) { return size_t((y - box.y0) * bw + (x - box.x0)); };
  std::vector<uint8_t> reach; // box-local
  if (follow)
    reach = dilateInBox(*in.previous, w, h, box,
                        std::max<int64_t>(1, std::lround(options_.followMm / pixelMm)));
  auto allowed = [&](int64_t x, int64_t y) {
    return box.contains(x, y) && (!follow || reach[local(x, y)]);
  };

  // Background seeds: discs around this slice's negative clicks and what the slice before ruled
  // background (box-local).
  const int64_t rn = std::max<int64_t>(1, std::lround(options_.negativeRadiusMm / pixelMm));
  std::vector<uint8_t> against(size_t(bw * bh), 0);
  bool anyAgainst = false;
  for (const auto& n : in.negatives)
    for (int64_t y = std::max(box.y0, n[1] - rn); y <= std::min(box.y1, n[1] + rn); ++y)
      for (int64_t x = std::max(box.x0, n[0] - rn); x <= std::min(box.x1, n[0] + rn); ++x)
        if ((x - n[0]) * (x - n[0]) + (y - n[1]) * (y - n[1]) <= rn * rn)
          against[local(x, y)] = 1, anyAgainst = true;
  if (in.previousBackground && !in.previousBackground->empty())
    for (int64_t y = box.y0; y <= box.y1; ++y)
      for (int64_t x = box.x0; x <= box.x1; ++x)
        if ((*in.previousBackground)[size_t(y * w + x)])
          against[local(x, y)] = 1, anyAgainst = true;

  // The box as a small ITK image, pixels the region may not enter set below the range.
  auto crop = Slice2::New();
  Slice2::RegionType region;
  region.SetSize(0, itk::SizeValueType(bw));
  region.SetSize(1, itk::SizeValueType(bh));
  crop->SetRegions(region);
  crop->Allocate();
  const int16_t blocked = int16_t(std::max(-32768, range.lo - 1));
  int16_t* buffer = crop->GetBufferPointer();
  for (int64_t y = box.y0; y <= box.y1; ++y)
    for (int64_t x = box.x0; x <= box.x1; ++x)
      buffer[local(x, y)] = allowed(x, y) ? slice[size_t(y * w + x)] : blocked;

  auto grow = itk::ConnectedThresholdImageFilter<Slice2, Mask2>::New();
  grow->SetInput(crop);
  grow->SetLower(int16_t(range.lo));
  grow->SetUpper(int16_t(range.hi));
  grow->SetReplaceValue(1);
  std::vector<int64_t> objectSeeds; // box-local offsets
  auto seed = [&](int64_t x, int64_t y, bool clicked) {
    if (!allowed(x, y) || !inRange(x, y) || (!clicked && against[local(x, y)]))
      return;
    Slice2::IndexType index{{itk::IndexValueType(x - box.x0), itk::IndexValueType(y - box.y0)}};
    grow->AddSeed(index);
    objectSeeds.push_back(int64_t(local(x, y)));
  };
  for (const auto& p : in.positives)
    seed(p[0], p[1], true);
  if (follow) {
    // The previous mask's interior (eroded by one pixel) carries the object on; its rim may
    // have been partial volume.
    const auto& prev = *in.previous;
    for (int64_t y = std::max<int64_t>(1, box.y0); y <= std::min(h - 2, box.y1); ++y)
      for (int64_t x = std::max<int64_t>(1, box.x0); x <= std::min(w - 2, box.x1); ++x) {
        const size_t at = size_t(y * w + x);
        if (prev[at] && prev[at - 1] && prev[at + 1] && prev[at - size_t(w)] &&
            prev[at + size_t(w)])
          seed(x, y, false);
      }
  }
  if (objectSeeds.empty() && in.keySlice) // lost on the way: the box's centre
    seed((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2, false);
  if (objectSeeds.empty())
    return {};
  try {
    grow->Update();
  } catch (const itk::ExceptionObject& e) {
    throw Error(ErrorKind::Runtime, std::string("region growing failed: ") + e.GetDescription());
  }
  const uint8_t* grown = grow->GetOutput()->GetBufferPointer();

  // Inside the grown region, the object's and the background's seeds race outwards one pixel a
  // step; each pixel belongs to the side that reaches it first (1 object, 2 background).
  std::vector<uint8_t> side(size_t(bw * bh), 0);
  std::vector<int64_t> front, next;
  for (int64_t at : objectSeeds)
    if (!side[size_t(at)])
      side[size_t(at)] = 1, front.push_back(at);
  if (anyAgainst)
    for (int64_t at = 0; at < bw * bh; ++at)
      if (against[size_t(at)] && grown[at] && !side[size_t(at)])
        side[size_t(at)] = 2, front.push_back(at);
  while (!front.empty()) {
    next.clear();
    for (int64_t at : front) {
      const int64_t x = at % bw, y = at / bw;
      const int64_t around[4] = {x > 0 ? at - 1 : -1, x + 1 < bw ? at + 1 : -1,
                                 y > 0 ? at - bw : -1, y + 1 < bh ? at + bw : -1};
      for (int64_t n : around)
        if (n >= 0 && grown[n] && !side[size_t(n)]) {
          side[size_t(n)] = side[size_t(at)];
          next.push_back(n);
        }
    }
    front.swap(next);
  }

  SliceOutcome out;
  out.mask.assign(size_t(w * h), 0);
  for (int64_t y = box.y0; y <= box.y1; ++y)
    for (int64_t x = box.x0; x <= box.x1; ++x)
      out.mask[size_t(y * w + x)] = side[local(x, y)] == 1;
  fillHoles(out.mask, w, box);
  if (anyAgainst) {
    out.background.assign(size_t(w * h), 0);
    for (int64_t y = box.y0; y <= box.y1; ++y)
      for (int64_t x = box.x0; x <= box.x1; ++x)
        if (side[local(x, y)] == 2 || (against[local(x, y)] && !grown[local(x, y)])) {
          out.mask[size_t(y * w + x)] = 0; // a hole the user clicked as background stays one
          out.background[size_t(y * w + x)] = side[local(x, y)] == 2;
        }
  }
  return out;
}

} // namespace lumen
