// Which image to label next, as POST /activelearning/{strategy} answers it (MONAILABEL.md §1):
// the names MONAI Label gives its strategies where it has them ("first", "random"), and Lumen's
// own for the image a user picks ("chosen") and for active learning ("uncertainty").
#pragma once
#include "segment/Datastore.h"

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace lumen::segment {

struct StrategyInfo {
  std::string name;
  std::string description; // /info/'s strategies.<name>.description
};

const std::vector<StrategyInfo>& sampleStrategies();
bool isSampleStrategy(const std::string& name);

struct SampleRequest {
  std::string clientId; // recorded with the served sample; the body's "client_id"
  std::string imageId;  // "chosen" only: the image the user picked
};

struct SampleChoice {
  std::string strategy;
  std::optional<ImageRecord> image; // empty when there is nothing to serve
  std::optional<double> weight;     // random: the image's weight; uncertainty: its fraction
  std::string reason;               // when empty-handed: "no unlabeled images", ...
  bool found() const { return image.has_value(); }
  // The /activelearning reply: {} when nothing is served, else {"id", "weight"?, "path", info...}.
  Json toJson() const;
};

// Picks from a listing without changing anything:
// - chosen: the image `request.imageId` names, labelled or not;
// - first: the unlabeled image (no `final` label) with the smallest id (byte order);
// - random: an unlabeled image drawn with weight max(1, now - last served) in seconds, an image
//   never served counting from the epoch, so fresh images come first and none is starved;
// - uncertainty: the unlabeled image with the highest recorded uncertain fraction (ties by id),
//   then those with none recorded, by id.
// Throws InputError for an unknown strategy or "chosen" without an image id.
SampleChoice chooseSample(const std::vector<ImageRecord>& images, const std::string& strategy,
                          const SampleRequest& request, int64_t now, std::mt19937_64& rng);

// The strategies over one datastore, for the service and the GUI: thread-safe, with one seeded
// random generator so a test or a replay draws the same sequence.
class SampleSelector {
public:
  SampleSelector(Datastore& datastore, uint64_t seed);

  // Picks an image and records it as served by `strategy` (info.strategy.<strategy>); the returned
  // info includes that record.
  SampleChoice next(const std::string& strategy, const SampleRequest& request);
  // What next() would pick now, recording nothing and leaving the random generator as it was.
  SampleChoice preview(const std::string& strategy, const SampleRequest& request);

private:
  Datastore& datastore_;
  std::mutex mutex_;
  std::mt19937_64 rng_;
};

} // namespace lumen::segment
