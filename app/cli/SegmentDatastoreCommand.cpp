// `lumen-cli segment datastore DIR`: a study folder's images, labels, counts and the image each
// strategy would serve next, read the way the segmentation service reads it.
#include "Commands.h"
#include "common/Text.h"
#include "segment/Datastore.h"
#include "segment/DatastoreStrategies.h"

#include <cstdio>

namespace lumen::cli {
namespace {

using segment::Json;

constexpr int64_t kMaxSeed = int64_t(1) << 53;

std::string tagsOf(const segment::ImageRecord& image) {
  std::vector<std::string> tags;
  for (const auto& [tag, label] : image.labels)
    tags.push_back(tag);
  return tags.empty() ? "-" : joinLimited(tags, 8, ",");
}

int datastoreCommand(const ParsedArgs& args) {
  const std::string folder = args.positional(0);
  const auto seed = uint64_t(args.integer("--seed", 0, 0, kMaxSeed));
  segment::Datastore datastore(folder);
  segment::SampleSelector selector(datastore, seed);
  const auto images = datastore.images();
  const auto stats = datastore.stats();
  std::vector<std::pair<std::string, segment::SampleChoice>> next;
  for (const auto& strategy : segment::sampleStrategies())
    if (strategy.name != "chosen") // it serves whatever the user names, so it has no "next"
      next.emplace_back(strategy.name, selector.preview(strategy.name, {}));

  if (args.flag("--json")) {
    Json out = Json::object();
    out["folder"] = datastore.folder();
    out["datastore"] = datastore.jsonPath();
    out["stats"] = stats.toJson();
    Json list = Json::array();
    for (const auto& image : images) {
      Json item{{"id", image.id}, {"path", image.path}, {"completed", image.completed()}};
      Json tags = Json::array();
      for (const auto& [tag, label] : image.labels)
        tags.push_back(tag);
      item["labels"] = tags;
      if (const auto fraction = image.uncertainFraction())
        item["uncertain_fraction"] = *fraction;
      item["last_served"] = image.lastServed();
      list.push_back(item);
    }
    out["images"] = list;
    Json strategies = Json::object();
    for (const auto& [name, choice] : next)
      strategies[name] = choice.found()
                             ? Json{{"id", choice.image->id}, {"path", choice.image->path}}
                             : Json{{"none", choice.reason}};
    out["next"] = strategies;
    out["warnings"] = datastore.warnings();
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  // The datastore's warnings (a corrupt JSON kept aside, orphan labels) reach stderr through the
  // log, so they are not printed twice here.
  std::string tagCounts;
  for (const auto& [tag, count] : stats.labelTags)
    tagCounts += (tagCounts.empty() ? "" : ", ") + tag + " " + std::to_string(count);
  std::printf("%s: %lld images, %lld completed (final label); labels: %s\n",
              datastore.jsonPath().c_str(), static_cast<long long>(stats.total),
              static_cast<long long>(stats.completed),
              tagCounts.empty() ? "none" : tagCounts.c_str());
  if (!images.empty())
    std::printf("\n%-32s %-20s %-10s %s\n", "id", "labels", "uncertain", "last served");
  for (const auto& image : images) {
    const auto fraction = image.uncertainFraction();
    std::printf("%-32s %-20s %-10s %s\n", image.id.c_str(), tagsOf(image).c_str(),
                fraction ? formatNumber(*fraction).c_str() : "-",
                image.lastServed() > 0 ? std::to_string(image.lastServed()).c_str() : "never");
  }
  std::printf("\nnext sample:\n");
  for (const auto& [name, choice] : next)
    std::printf("  %-12s %s\n", name.c_str(),
                choice.found() ? choice.image->id.c_str() : ("(" + choice.reason + ")").c_str());
  return 0;
}

} // namespace

void addSegmentDatastoreCommand(Command& segment) {
  segment.subcommand("datastore", "List a study folder's images, labels and next samples")
      .description("Reads DIR/datastore_v2.json as MONAI Label writes it and reconciles it with "
                   "the files (new\nimages and labels are registered, deleted ones dropped, "
                   "labels/final and labels/original\ncreated), then prints each image with its "
                   "label tags, the counts of GET /datastore/?output=stats\nand what the first, "
                   "random and uncertainty strategies would serve next (nothing is recorded).")
      .positional({"DIR", "the study folder"})
      .option({"--seed", "S", "seed of the random strategy's preview (default 0)"})
      .option({"--json", "", "print JSON instead of a table"})
      .handler(datastoreCommand);
}

} // namespace lumen::cli
