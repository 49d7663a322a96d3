#include "shapes/ShapeCompletion.h"

#include "common/Config.h"
#include "common/Error.h"
#include "common/Job.h"
#include "shapes/ShapePreparation.h"
#include "shapes/ShapeTask.h"
#include "train/Checkpoint.h"
#include "train/Device.h"
#include "train/RunDirectory.h"

#include <chrono>
#include <cmath>
#include <filesystem>

namespace fs = std::filesystem;

namespace lumen {
namespace {

namespace F = torch::nn::functional;

std::array<int64_t, 3> levelSize(const std::array<int64_t, 3>& size, int level) {
  return {(size[0] - 1) / (int64_t(1) << level) + 1, (size[1] - 1) / (int64_t(1) << level) + 1,
          (size[2] - 1) / (int64_t(1) << level) + 1};
}

// Labels 0..10 from logits (C, Z, Y, X): the winning class where its logit is positive.
torch::Tensor argmaxLabels(const torch::Tensor& logits) {
  const auto [best, index] = logits.max(0);
  return torch::where(best > 0, index + 1, torch::zeros_like(index));
}

// Coarse (C, z, y, x) values at the fine level's positions: fine index i sits at coarse i / 2.
torch::Tensor upsample(const torch::Tensor& coarse, const std::array<int64_t, 3>& fine) {
  const std::vector<int64_t> exact{2 * (coarse.size(1) - 1) + 1, 2 * (coarse.size(2) - 1) + 1,
                                   2 * (coarse.size(3) - 1) + 1};
  auto up = F::interpolate(
      coarse.unsqueeze(0),
      F::InterpolateFuncOptions().size(exact).mode(torch::kTrilinear).align_corners(true));
  // A fine axis of even length reaches half a coarse step beyond the last coarse sample.
  up = F::pad(
      up, F::PadFuncOptions({0, fine[0] - exact[2], 0, fine[1] - exact[1], 0, fine[2] - exact[0]})
              .mode(torch::kReplicate));
  return up.squeeze(0);
}

// Where the next finer level must be evaluated: samples whose 3x3x3 neighbourhood holds more
// than one label, or where some class logit is close to 0.
torch::Tensor refineMask(const torch::Tensor& logits, float uncertainty) {
  const auto labels = argmaxLabels(logits).to(torch::kFloat32).unsqueeze(0).unsqueeze(0);
  const auto pool = F::MaxPool3dFuncOptions(3).stride(1).padding(1);
  const auto high = F::max_pool3d(labels, pool), low = -F::max_pool3d(-labels, pool);
  const auto boundary = (high != low).squeeze(0).squeeze(0);
  const auto uncertain = (logits.abs() < uncertainty).any(0);
  return (boundary | uncertain).to(torch::kFloat32);
}

// Clears every labelled sample outside the largest 26-connected labelled component; returns the
// cleared mask (1 = cleared).
std::vector<uint8_t> keepLargestComponent(std::vector<uint8_t>& labels,
                                          const std::array<int64_t, 3>& n) {
  std::vector<int32_t> component(labels.size(), -1);
  std::vector<size_t> sizes, stack;
  for (size_t seed = 0; seed < labels.size(); ++seed) {
    if (labels[seed] == 0 || component[seed] >= 0)
      continue;
    const auto id = int32_t(sizes.size());
    size_t count = 0;
    component[seed] = id;
    stack.push_back(seed);
    while (!stack.empty()) {
      const size_t v = stack.back();
      stack.pop_back();
      ++count;
      const int64_t i = int64_t(v) % n[0], j = int64_t(v) / n[0] % n[1],
                    k = int64_t(v) / (n[0] * n[1]);
      for (int64_t dk = -1; dk <= 1; ++dk)
        for (int64_t dj = -1; dj <= 1; ++dj)
          for (int64_t di = -1; di <= 1; ++di) {
            const int64_t x = i + di, y = j + dj, z = k + dk;
            if (x < 0 || y < 0 || z < 0 || x >= n[0] || y >= n[1] || z >= n[2])
              continue;
            const size_t w = size_t((z * n[1] + y) * n[0] + x);
            if (labels[w] != 0 && component[w] < 0) {
              component[w] = id;
              stack.push_back(w);
            }
          }
    }
    sizes.push_back(count);
  }
  std::vector<uint8_t> cleared(labels.size(), 0);
  if (sizes.size() <= 1)
    return cleared;
  const auto largest = int32_t(std::max_element(sizes.begin(), sizes.end()) - sizes.begin());
  for (size_t v = 0; v < labels.size(); ++v)
    if (labels[v] != 0 && component[v] != largest) {
      labels[v] = 0;
      cleared[v] = 1;
    }
  return cleared;
}

} // namespace

struct TrainedShapeModel::State {
  ShapeTrainConfig config;
  VecSetAutoencoder model{nullptr};
  torch::Device device = torch::kCPU;
};

TrainedShapeModel::TrainedShapeModel(const std::string& checkpoint, const std::string& device)
    : state_(std::make_unique<State>()) {
  state_->config = loadConfig<ShapeTrainConfig>(runConfigOfCheckpoint(checkpoint));
  state_->device = resolveDevice(device);
  state_->model = makeShapeModel(state_->config.model);
  loadModelWeights(checkpoint, *state_->model, state_->device);
  state_->model->to(state_->device);
  state_->model->eval();
}

TrainedShapeModel::~TrainedShapeModel() = default;

const ShapeTrainConfig& TrainedShapeModel::config() const {
  return state_->config;
}

DecodedGrid TrainedShapeModel::decode(const std::vector<float>& points,
                                      const std::vector<uint8_t>& labels, const GridSpec& grid,
                                      const ShapeDecodeOptions& options, uint64_t seed,
                                      Job* job) const {
  torch::NoGradGuard noGrad;
  auto& model = state_->model;
  const auto device = state_->device;
  if (points.size() != 3 * labels.size())
    throw InputError("decode: " + std::to_string(points.size() / 3) + " points but " +
                     std::to_string(labels.size()) + " labels");
  std::mt19937_64 rng(seed);
  const size_t n = size_t(state_->config.data.input_points);
  const auto chosen = chooseInputPoints(labels.data(), labels.size(), ClassSet().set(), n, rng);
  if (chosen.empty())
    throw InputError("decode: no input point has a heart class (1-10)");
  auto input = torch::empty({1, int64_t(n), 3});
  std::vector<int64_t> classes(n);
  for (size_t i = 0; i < n; ++i) {
    std::copy_n(points.data() + 3 * chosen[i], 3, input.data_ptr<float>() + 3 * i);
    classes[i] = labels[chosen[i]] - 1;
  }
  const auto oneHot =
      torch::one_hot(torch::tensor(classes, torch::kInt64), kHeartClasses).to(torch::kFloat32);
  const auto latents = model->encode(input.to(device), oneHot.unsqueeze(0).to(device)).latents;

  DecodedGrid out;
  out.grid = grid;
  // Network logits at sample indices (K, 3) given as (z, y, x) of a level with stride `step`.
  auto evaluate = [&](const torch::Tensor& zyx, int64_t step) {
    const auto index = zyx.to(torch::kFloat32).flip(1) * float(step); // (x, y, z)
    const auto origin =
        torch::tensor({float(grid.origin[0]), float(grid.origin[1]), float(grid.origin[2])});
    const auto spacing =
        torch::tensor({float(grid.spacing[0]), float(grid.spacing[1]), float(grid.spacing[2])});
    const auto positions = origin + index * spacing;
    std::vector<torch::Tensor> parts;
    for (int64_t begin = 0; begin < positions.size(0); begin += options.chunk) {
      if (job)
        job->checkCancelled();
      const auto slice = positions.slice(0, begin, begin + options.chunk);
      parts.push_back(model->decode(latents, slice.unsqueeze(0).to(device))[0].cpu());
    }
    out.evaluated += positions.size(0);
    return parts.empty() ? torch::zeros({0, kHeartClasses}) : torch::cat(parts);
  };

  int coarsest = 0;
  while (coarsest < 8) {
    const auto s = levelSize(grid.size, coarsest);
    if (std::max({s[0], s[1], s[2]}) <= options.coarsest || std::min({s[0], s[1], s[2]}) <= 4)
      break;
    ++coarsest;
  }
  auto size = levelSize(grid.size, coarsest);
  const auto all = torch::stack(torch::meshgrid({torch::arange(size[2]), torch::arange(size[1]),
                                                 torch::arange(size[0])},
                                                "ij"),
                                -1)
                       .reshape({-1, 3});
  torch::Tensor logits = evaluate(all, int64_t(1) << coarsest)
                             .t()
                             .reshape({kHeartClasses, size[2], size[1], size[0]})
                             .contiguous();
  for (int level = coarsest - 1; level >= 0; --level) {
    if (job)
      job->setProgress(double(coarsest - level) / double(coarsest + 1),
                       "decoding level " + std::to_string(coarsest - level + 1) + "/" +
                           std::to_string(coarsest + 1));
    const auto fine = levelSize(grid.size, level);
    const auto mask = upsample(refineMask(logits, options.uncertainty).unsqueeze(0), fine)[0] > 0;
    logits = upsample(logits, fine).contiguous();
    const auto where = mask.nonzero(); // (K, 3) as (z, y, x)
    if (where.size(0) > 0) {
      const auto exact = evaluate(where, int64_t(1) << level); // (K, C)
      const auto flat =
          (where.select(1, 0) * fine[1] + where.select(1, 1)) * fine[0] + where.select(1, 2);
      auto view = logits.view({kHeartClasses, -1});
      view.index_put_({torch::indexing::Slice(), flat}, exact.t());
    }
  }
  const auto labelsTensor = argmaxLabels(logits).to(torch::kUInt8).contiguous();
  out.labels.assign(labelsTensor.data_ptr<uint8_t>(),
                    labelsTensor.data_ptr<uint8_t>() + labelsTensor.numel());
  std::vector<uint8_t> cleared;
  if (options.largestComponent)
    cleared = keepLargestComponent(out.labels, grid.size);
  if (options.keepFields) {
    const auto top = logits.topk(2, 0);
    const auto best = std::get<0>(top)[0], second = std::get<0>(top)[1];
    const auto winner = std::get<1>(top)[0];
    for (int c = 0; c < kHeartClasses; ++c) {
      const auto other = torch::where(winner == c, second, best).clamp_min(0);
      const auto field = (logits[c] - other).contiguous();
      auto& values = out.fields[size_t(c)];
      values.assign(field.data_ptr<float>(), field.data_ptr<float>() + field.numel());
      // Cleared islands must not come back as meshes.
      for (size_t v = 0; v < cleared.size(); ++v)
        if (cleared[v])
          values[v] = std::min(values[v], -1.0f);
    }
  }
  return out;
}

CompletionInput completionInput(const LabelVolume& input, const CompletionOptions& options,
                                double margin) {
  CompletionInput in;
  const ClassMap map = classMapByName(options.prepare.classMap);
  in.classes = mapClasses(input, map);
  std::array<uint8_t, kHeartClasses> annotated{};
  for (int c = 0; c < kHeartClasses; ++c)
    annotated[size_t(c)] = map.annotated[size_t(c)] ? 1 : 0;
  ShapePrepareOptions prepare = options.prepare;
  // Queries are drawn after the surface points, so leaving them out changes no point.
  prepare.volumeQueries = prepare.nearQueries = 0;
  in.prepared = prepareClasses(in.classes, annotated, "input", prepare);
  const ClassSet available = classSetOf(in.prepared.present) & classSetOf(in.prepared.annotated);
  const ClassSet wanted = options.keep.empty() ? available : classSetOf(options.keep);
  in.visible = wanted & available;
  if (in.visible.none())
    throw InputError("none of the input classes (" + describeClasses(wanted) +
                     ") has a voxel in the label map; present: " + describeClasses(available));
  in.network = visibleInput(in.prepared.surfacePoints.data(), in.prepared.surfaceLabels.data(),
                            in.prepared.surfaceLabels.size(), in.visible, margin);
  in.frameMm = inputFrameInMm(in.prepared.frame, in.network.frame);
  return in;
}

CompletionResult completeLabelMap(const TrainedShapeModel& model, const LabelVolume& input,
                                  const CompletionOptions& options, Job* job) {
  const auto start = std::chrono::steady_clock::now();
  if (options.resolution < kMinCompletionResolution ||
      options.resolution > kMaxCompletionResolution)
    throw InputError("the completion resolution must be " +
                     std::to_string(kMinCompletionResolution) + " to " +
                     std::to_string(kMaxCompletionResolution) + " samples, got " +
                     std::to_string(options.resolution));
  if (job)
    job->setProgress(0.05, "sampling the visible surfaces");
  CompletionInput in = completionInput(input, options, model.config().data.margin);
  const ClassSet keep = in.visible;
  Volume<uint8_t>& visible = in.classes;
  for (uint8_t& label : visible.values)
    if (label > 0 && !keep[size_t(label - 1)])
      label = 0;

  CompletionResult result;
  result.visible = keep;
  result.frame = in.frameMm;
  const NetworkInput& network = in.network;

  // Coarse pass over the whole region the network was taught about, to find the heart's extent.
  const double extent = model.config().data.far_extent;
  GridSpec coarse;
  coarse.size = {33, 33, 33};
  coarse.origin = {-extent, -extent, -extent};
  coarse.spacing = {extent / 16, extent / 16, extent / 16};
  ShapeDecodeOptions decodeOptions;
  decodeOptions.coarsest = 33;
  decodeOptions.largestComponent = options.largestComponent;
  const DecodedGrid rough =
      model.decode(network.points, network.labels, coarse, decodeOptions, options.seed);
  Vec3 lo{-1, -1, -1}, hi{1, 1, 1};
  for (int64_t k = 0; k < 33; ++k)
    for (int64_t j = 0; j < 33; ++j)
      for (int64_t i = 0; i < 33; ++i)
        if (rough.labels[size_t((k * 33 + j) * 33 + i)] > 0) {
          const Vec3 p{coarse.origin[0] + coarse.spacing[0] * double(i),
                       coarse.origin[1] + coarse.spacing[1] * double(j),
                       coarse.origin[2] + coarse.spacing[2] * double(k)};
          for (size_t d = 0; d < 3; ++d) {
            lo[d] = std::min(lo[d], p[d] - coarse.spacing[d]);
            hi[d] = std::max(hi[d], p[d] + coarse.spacing[d]);
          }
        }
  const double longest = std::max({hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]});
  const double step = longest / double(options.resolution - 1);
  GridSpec fine;
  for (size_t d = 0; d < 3; ++d) {
    fine.size[d] = int64_t(std::ceil((hi[d] - lo[d]) / step)) + 1;
    fine.origin[d] = lo[d];
    fine.spacing[d] = step;
  }
  decodeOptions = ShapeDecodeOptions{};
  decodeOptions.keepFields = true;
  decodeOptions.largestComponent = options.largestComponent;
  const DecodedGrid decoded =
      model.decode(network.points, network.labels, fine, decodeOptions, options.seed, job);
  result.gridSamples = int64_t(decoded.samples()) + int64_t(rough.samples());
  result.evaluated = decoded.evaluated + rough.evaluated;

  // Back to the input's voxels: each voxel centre -> millimetres -> input frame -> nearest sample.
  if (job)
    job->setProgress(0.9, "writing the label map");
  const ImageGeometry& g = input.geometry;
  result.labels.geometry = g;
  result.labels.values.assign(input.values.size(), 0);
  const Vec3 o = result.frame.toNormalized(g.indexToPhysical({0, 0, 0}));
  std::array<Vec3, 3> axis;
  for (size_t d = 0; d < 3; ++d) {
    Vec3 unit{0, 0, 0};
    unit[d] = 1;
    const Vec3 p = result.frame.toNormalized(g.indexToPhysical(unit));
    axis[d] = {p[0] - o[0], p[1] - o[1], p[2] - o[2]};
  }
  ClassSet produced;
  for (int64_t k = 0; k < g.size[2]; ++k)
    for (int64_t j = 0; j < g.size[1]; ++j)
      for (int64_t i = 0; i < g.size[0]; ++i) {
        const size_t v = g.offset(i, j, k);
        int64_t index[3];
        bool inside = true;
        for (size_t d = 0; d < 3; ++d) {
          const double p =
              o[d] + axis[0][d] * double(i) + axis[1][d] * double(j) + axis[2][d] * double(k);
          index[d] = std::llround((p - fine.origin[d]) / step);
          inside = inside && index[d] >= 0 && index[d] < fine.size[d];
        }
        uint8_t predicted = 0;
        if (inside)
          predicted =
              decoded
                  .labels[size_t((index[2] * fine.size[1] + index[1]) * fine.size[0] + index[0])];
        uint8_t label = predicted;
        if (!options.modelOnly) {
          const uint8_t given = visible.values[v];
          label =
              given > 0 ? given : (predicted > 0 && !keep[size_t(predicted - 1)] ? predicted : 0);
        }
        result.labels.values[v] = label;
        if (label > 0)
          produced[size_t(label - 1)] = true;
      }
  result.completed = produced & ~keep;

  for (int c = 1; c <= kHeartClasses; ++c) {
    const auto& field = decoded.fields[size_t(c - 1)];
    if (field.empty() || std::none_of(field.begin(), field.end(), [](float f) { return f > 0; }))
      continue;
    TriangleMesh mesh = extractIsoSurface(field, fine, 0.0, {0, 0, 0},
                                          {fine.size[0] - 1, fine.size[1] - 1, fine.size[2] - 1});
    for (size_t p = 0; p < mesh.points.size(); p += 3) {
      const Vec3 mm = result.frame.toMm({mesh.points[p], mesh.points[p + 1], mesh.points[p + 2]});
      for (size_t d = 0; d < 3; ++d)
        mesh.points[p + d] = float(mm[d]);
    }
    result.meshes[size_t(c - 1)] = std::move(mesh);
  }
  result.prepared = std::move(in.prepared);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

} // namespace lumen
