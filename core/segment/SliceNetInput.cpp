#include "segment/SliceNetInput.h"

#include <algorithm>
#include <cmath>

namespace lumen {

namespace {

namespace F = torch::nn::functional;

torch::Tensor resampled(const torch::Tensor& boxPixels, int size) {
  // (bh, bw) -> (size, size)
  return F::interpolate(boxPixels.unsqueeze(0).unsqueeze(0),
                        F::InterpolateFuncOptions()
                            .size(std::vector<int64_t>{size, size})
                            .mode(torch::kBilinear)
                            .align_corners(false))
      .squeeze(0)
      .squeeze(0);
}

void addBlobs(torch::Tensor& channel, const std::vector<VoxelIndex>& points, const SliceBox& box,
              int size) {
  if (points.empty())
    return;
  const double bw = double(box.x1 - box.x0 + 1), bh = double(box.y1 - box.y0 + 1);
  const double sigma = 2.0;
  auto acc = channel.accessor<float, 2>();
  for (const auto& p : points) {
    // Pixel centres map to pixel centres (align_corners = false).
    const double u = (double(p[0] - box.x0) + 0.5) * size / bw - 0.5;
    const double v = (double(p[1] - box.y0) + 0.5) * size / bh - 0.5;
    const int r = int(std::ceil(3 * sigma));
    for (int y = std::max(0, int(v) - r); y <= std::min(size - 1, int(v) + r + 1); ++y)
      for (int x = std::max(0, int(u) - r); x <= std::min(size - 1, int(u) + r + 1); ++x) {
        const double d2 = (x - u) * (x - u) + (y - v) * (y - v);
        acc[y][x] = std::max(acc[y][x], float(std::exp(-d2 / (2 * sigma * sigma))));
      }
  }
}

} // namespace

torch::Tensor boxResampled(const std::vector<uint8_t>& mask, int64_t width, const SliceBox& box,
                           int size) {
  const int64_t bw = box.x1 - box.x0 + 1, bh = box.y1 - box.y0 + 1;
  auto pixels = torch::zeros({bh, bw}, torch::kFloat32);
  if (!mask.empty()) {
    auto acc = pixels.accessor<float, 2>();
    for (int64_t y = 0; y < bh; ++y) {
      const uint8_t* line = mask.data() + size_t((box.y0 + y) * width + box.x0);
      for (int64_t x = 0; x < bw; ++x)
        acc[y][x] = line[x] ? 1.0f : 0.0f;
    }
  }
  return resampled(pixels, size).unsqueeze(0);
}

torch::Tensor sliceNetInput(const CtVolume& image, const SliceNetSample& sample,
                            const ObjectIntensity& intensity, int size) {
  const ImageGeometry& g = image.geometry;
  const int64_t w = g.size[0], h = g.size[1];
  const SliceBox& box = sample.box;
  const int64_t bw = box.x1 - box.x0 + 1, bh = box.y1 - box.y0 + 1;
  auto hu = torch::empty({bh, bw}, torch::kFloat32);
  {
    auto acc = hu.accessor<float, 2>();
    const int16_t* slice = image.values.data() + size_t(sample.z) * size_t(w * h);
    for (int64_t y = 0; y < bh; ++y) {
      const int16_t* line = slice + size_t((box.y0 + y) * w + box.x0);
      for (int64_t x = 0; x < bw; ++x)
        acc[y][x] = float(line[x]);
    }
  }
  const auto huS = resampled(hu, size);
  auto input = torch::zeros({kSliceNetChannels, size, size}, torch::kFloat32);
  input[0] = (huS / 1000.0).clamp(-1.0, 3.0);
  input[1] = ((huS - intensity.mean) / std::max(1.0, intensity.halfWidth)).clamp(-4.0, 4.0);
  if (sample.previous && !sample.previous->empty())
    input[2] = boxResampled(*sample.previous, w, box, size)[0];
  auto positives = input[3], negatives = input[4];
  addBlobs(positives, sample.positives, box, size);
  addBlobs(negatives, sample.negatives, box, size);
  return input;
}

std::vector<uint8_t> sliceMaskFromLogits(const torch::Tensor& logits, const SliceBox& box,
                                         int64_t width, int64_t height) {
  const int64_t bw = box.x1 - box.x0 + 1, bh = box.y1 - box.y0 + 1;
  const auto square = logits.reshape({1, 1, logits.size(-2), logits.size(-1)}).to(torch::kCPU);
  const auto onBox =
      F::interpolate(square.to(torch::kFloat32), F::InterpolateFuncOptions()
                                                     .size(std::vector<int64_t>{bh, bw})
                                                     .mode(torch::kBilinear)
                                                     .align_corners(false))
          .reshape({bh, bw})
          .gt(0)
          .to(torch::kUInt8)
          .contiguous();
  std::vector<uint8_t> mask(size_t(width * height), 0);
  const uint8_t* src = onBox.data_ptr<uint8_t>();
  bool any = false;
  for (int64_t y = 0; y < bh; ++y)
    for (int64_t x = 0; x < bw; ++x)
      if (src[y * bw + x]) {
        mask[size_t((box.y0 + y) * width + box.x0 + x)] = 1;
        any = true;
      }
  if (!any)
    mask.clear();
  return mask;
}

} // namespace lumen
