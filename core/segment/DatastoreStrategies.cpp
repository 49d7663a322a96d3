#include "segment/DatastoreStrategies.h"

#include "common/Error.h"
#include "common/Text.h"

#include <algorithm>

namespace lumen::segment {
namespace {

std::vector<const ImageRecord*> unlabeled(const std::vector<ImageRecord>& images) {
  std::vector<const ImageRecord*> result;
  for (const auto& image : images)
    if (!image.completed())
      result.push_back(&image);
  std::sort(result.begin(), result.end(),
            [](const ImageRecord* a, const ImageRecord* b) { return a->id < b->id; });
  return result;
}

// mt19937_64's output is fixed by the standard; the distributions' algorithms are not, so the
// draw is made here to be the same with every standard library.
double uniformUnit(std::mt19937_64& rng) {
  return double(rng() >> 11) * 0x1.0p-53;
}

SampleChoice nothing(const std::string& strategy, std::string reason) {
  SampleChoice choice;
  choice.strategy = strategy;
  choice.reason = std::move(reason);
  return choice;
}

SampleChoice served(const std::string& strategy, const ImageRecord& image,
                    std::optional<double> weight = std::nullopt) {
  SampleChoice choice;
  choice.strategy = strategy;
  choice.image = image;
  choice.weight = weight;
  return choice;
}

} // namespace

const std::vector<StrategyInfo>& sampleStrategies() {
  static const std::vector<StrategyInfo> strategies{
      {"first", "Get First Sample"},
      {"random", "Random Strategy"},
      {"uncertainty", "Unlabeled image with the highest uncertain fraction of its last result"},
      {"chosen", "The image the user picked (body: {\"image\": id})"},
  };
  return strategies;
}

bool isSampleStrategy(const std::string& name) {
  for (const auto& strategy : sampleStrategies())
    if (strategy.name == name)
      return true;
  return false;
}

Json SampleChoice::toJson() const {
  Json reply = Json::object();
  if (!image)
    return reply;
  reply["id"] = image->id;
  if (weight)
    reply["weight"] = *weight;
  reply["path"] = image->path;
  for (const auto& [key, value] : image->info.items())
    if (!reply.contains(key))
      reply[key] = value;
  return reply;
}

SampleChoice chooseSample(const std::vector<ImageRecord>& images, const std::string& strategy,
                          const SampleRequest& request, int64_t now, std::mt19937_64& rng) {
  if (strategy == "chosen") {
    if (request.imageId.empty())
      throw InputError("strategy 'chosen' needs the id of the image to serve");
    for (const auto& image : images)
      if (image.id == request.imageId)
        return served(strategy, image);
    return nothing(strategy, "no image '" + request.imageId + "' in the datastore");
  }
  if (!isSampleStrategy(strategy)) {
    std::vector<std::string> names;
    for (const auto& known : sampleStrategies())
      names.push_back(known.name);
    throw InputError("unknown strategy '" + strategy + "'; expected one of " + joinLimited(names));
  }
  const auto candidates = unlabeled(images);
  if (candidates.empty())
    return nothing(strategy, "no unlabeled images");
  if (strategy == "first")
    return served(strategy, *candidates.front());
  if (strategy == "random") {
    std::vector<double> weights;
    double total = 0;
    for (const auto* image : candidates) {
      weights.push_back(double(std::max<int64_t>(1, now - image->lastServed())));
      total += weights.back();
    }
    const double target = uniformUnit(rng) * total;
    double sum = 0;
    for (size_t i = 0; i < candidates.size(); ++i) {
      sum += weights[i];
      if (target < sum || i + 1 == candidates.size())
        return served(strategy, *candidates[i], weights[i]);
    }
  }
  // uncertainty
  const ImageRecord* best = nullptr;
  for (const auto* image : candidates) {
    const auto fraction = image->uncertainFraction();
    if (fraction && (!best || *fraction > *best->uncertainFraction()))
      best = image;
  }
  if (best)
    return served(strategy, *best, best->uncertainFraction());
  return served(strategy, *candidates.front());
}

SampleSelector::SampleSelector(Datastore& datastore, uint64_t seed)
    : datastore_(datastore), rng_(seed) {}

SampleChoice SampleSelector::next(const std::string& strategy, const SampleRequest& request) {
  std::lock_guard guard(mutex_);
  SampleChoice choice =
      chooseSample(datastore_.images(), strategy, request, datastore_.now(), rng_);
  if (choice.image)
    choice.image = datastore_.recordServed(choice.image->id, strategy, request.clientId);
  return choice;
}

SampleChoice SampleSelector::preview(const std::string& strategy, const SampleRequest& request) {
  std::lock_guard guard(mutex_);
  std::mt19937_64 copy = rng_;
  return chooseSample(datastore_.images(), strategy, request, datastore_.now(), copy);
}

} // namespace lumen::segment
