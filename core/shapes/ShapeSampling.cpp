#include "shapes/ShapeSampling.h"

#include "common/Error.h"

#include <algorithm>
#include <numeric>

namespace lumen {

ClassSet classSetOf(const std::array<uint8_t, kHeartClasses>& flags) {
  ClassSet set;
  for (size_t c = 0; c < flags.size(); ++c)
    set[c] = flags[c] != 0;
  return set;
}

ClassSet classSetOf(const std::vector<int>& labels) {
  ClassSet set;
  for (int label : labels) {
    if (label < 1 || label > kHeartClasses)
      throw InputError("class " + std::to_string(label) + " is not a heart class (1-10)");
    set[size_t(label - 1)] = true;
  }
  return set;
}

std::vector<int> classLabels(ClassSet set) {
  std::vector<int> labels;
  for (int c = 1; c <= kHeartClasses; ++c)
    if (set[size_t(c - 1)])
      labels.push_back(c);
  return labels;
}

std::string describeClasses(ClassSet set) {
  std::string text;
  for (int c : classLabels(set))
    text += (text.empty() ? "" : ", ") + heartClassName(c);
  return text.empty() ? "none" : text;
}

std::vector<ClassSet> parseSubsets(const std::vector<std::string>& subsets) {
  std::vector<ClassSet> sets;
  for (size_t i = 0; i < subsets.size(); ++i) {
    try {
      sets.push_back(classSetOf(parseHeartClassList(subsets[i])));
    } catch (const InputError& e) {
      throw InputError("phases.subsets[" + std::to_string(i) + "]: " + e.what());
    }
    if (sets.back().none())
      throw InputError("phases.subsets[" + std::to_string(i) + "] is empty");
  }
  return sets;
}

ClassSet chooseInputClasses(int phase, ClassSet available, const ShapePhaseConfig& config,
                            std::mt19937_64& rng) {
  if (available.count() <= 1 || phase == 1 || phase == 4)
    return available;
  if (phase == 2) {
    std::vector<int> labels = classLabels(available);
    std::uniform_int_distribution<int> count(std::min(config.drop_min, config.drop_max),
                                             std::max(config.drop_min, config.drop_max));
    const size_t drop = std::min<size_t>(size_t(count(rng)), labels.size() - 1);
    std::shuffle(labels.begin(), labels.end(), rng);
    ClassSet input = available;
    for (size_t k = 0; k < drop; ++k)
      input[size_t(labels[k] - 1)] = false;
    return input;
  }
  const auto subsets = parseSubsets(config.subsets);
  if (subsets.empty())
    return available;
  // A random non-empty combination of subsets, retried when it misses every available class.
  std::uniform_int_distribution<uint64_t> combination(1, (uint64_t(1) << subsets.size()) - 1);
  for (int attempt = 0; attempt < 16; ++attempt) {
    const uint64_t pick = combination(rng);
    ClassSet input;
    for (size_t s = 0; s < subsets.size(); ++s)
      if (pick >> s & 1)
        input |= subsets[s];
    input &= available;
    if (input.any())
      return input;
  }
  return available;
}

std::vector<size_t> chooseInputPoints(const uint8_t* labels, size_t count, ClassSet visible,
                                      size_t n, std::mt19937_64& rng) {
  std::vector<size_t> chosen;
  for (size_t i = 0; i < count; ++i)
    if (labels[i] >= 1 && labels[i] <= kHeartClasses && visible[size_t(labels[i] - 1)])
      chosen.push_back(i);
  if (chosen.empty())
    return chosen;
  if (chosen.size() >= n) {
    for (size_t i = 0; i < n; ++i)
      std::swap(chosen[i], chosen[i + rng() % (chosen.size() - i)]);
    chosen.resize(n);
  } else {
    const size_t have = chosen.size();
    while (chosen.size() < n)
      chosen.push_back(chosen[rng() % have]);
  }
  return chosen;
}

InputFrame visibleFrame(const float* points, const uint8_t* labels, size_t count, ClassSet visible,
                        double margin) {
  Vec3 lo{1e30, 1e30, 1e30}, hi{-1e30, -1e30, -1e30};
  size_t used = 0;
  for (size_t i = 0; i < count; ++i) {
    const uint8_t label = labels[i];
    if (label < 1 || label > kHeartClasses || !visible[size_t(label - 1)])
      continue;
    ++used;
    for (size_t d = 0; d < 3; ++d) {
      lo[d] = std::min(lo[d], double(points[3 * i + d]));
      hi[d] = std::max(hi[d], double(points[3 * i + d]));
    }
  }
  if (used == 0)
    throw InputError("no surface point belongs to the input classes (" + describeClasses(visible) +
                     ")");
  return inputFrameOfBox(lo, hi, margin);
}

NetworkInput visibleInput(const float* points, const uint8_t* labels, size_t count,
                          ClassSet visible, double margin) {
  NetworkInput input;
  input.frame = visibleFrame(points, labels, count, visible, margin);
  // Float arithmetic, as the tensors of the training batches were computed.
  const float center[3] = {float(input.frame.center[0]), float(input.frame.center[1]),
                           float(input.frame.center[2])};
  const auto scale = float(input.frame.scale);
  for (size_t i = 0; i < count; ++i) {
    const uint8_t label = labels[i];
    if (label < 1 || label > kHeartClasses || !visible[size_t(label - 1)])
      continue;
    for (size_t d = 0; d < 3; ++d)
      input.points.push_back((points[3 * i + d] - center[d]) / scale);
    input.labels.push_back(label);
  }
  return input;
}

} // namespace lumen
