// Classical denoising baselines. Both look at the 8 neighbours of each event's pixel
// in a map of the latest timestamps:
//   BAF  (background activity filter): keeps an event when a neighbour fired within dt;
//   STCF (spatiotemporal correlation filter): keeps it when at least k neighbours did.
// Each also yields a score per event (BAF: closeness in time of the most recent neighbour;
// STCF: the number of supporting neighbours) for ROC curves.
#pragma once
#include "events/EventArray.h"

#include <string>
#include <vector>

namespace lumen {

enum class FilterMethod { Baf, Stcf };

FilterMethod parseFilterMethod(const std::string& text);

struct FilterOptions {
  FilterMethod method = FilterMethod::Stcf;
  int64_t dtUs = 10000;
  int k = 2; // STCF support
};

struct FilterResult {
  std::vector<uint8_t> keep; // per input event
  std::vector<float> score;  // per input event; higher = more likely signal
};

FilterResult filterEvents(const EventArray& events, const FilterOptions& options);

} // namespace lumen
