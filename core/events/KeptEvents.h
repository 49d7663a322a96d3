// What denoisers keep of one recording, without a reference: the measure on real streams, which
// carry no signal/noise labels. Per method (the input itself, BAF, STCF and any denoised
// outputs given): the events kept, their share of the input, E-MLB's event structure ratio
// (EventMetrics.h; higher is more structured) and whether the output is a subset of the input
// (every event, with its exact time, pixel and polarity, one of the input's, each used once),
// which a denoiser that only removes always is.
#pragma once
#include "events/EventArray.h"
#include "events/EventFilters.h"

#include <string>
#include <utility>
#include <vector>

namespace lumen {

struct KeptEventsRow {
  std::string method; // "input", "baf", "stcf", or a denoised output's name
  uint64_t kept = 0;
  double share = 0; // kept / input events
  double esr = 0;
  bool subset = false;
};

struct KeptEventsOptions {
  int64_t bafDtUs = 10000;
  int64_t stcfDtUs = 10000;
  int stcfK = 2;
  int64_t esrWindowUs = 20000;
};

struct KeptEventsTable {
  std::string input; // the recording's path or name
  SensorSize sensor;
  uint64_t inputEvents = 0;
  double durationSeconds = 0;
  KeptEventsOptions options;
  std::vector<KeptEventsRow> rows; // input, baf, stcf, then the outputs in the order given
};

// Whether every event of `part` is one of `whole`'s (time, pixel, polarity), each used once.
bool isEventSubset(const EventArray& part, const EventArray& whole);

// Runs BAF and STCF on `input` and tabulates them beside the input and `outputs` (name,
// events), e.g. a network's `events infer` output. Outputs from another sensor are refused.
KeptEventsTable compareKeptEvents(const std::string& name, const EventArray& input,
                                  const std::vector<std::pair<std::string, EventArray>>& outputs,
                                  const KeptEventsOptions& options = {});

// A denoised file's row name: "network" for `events infer` output (its /events records
// denoised_output), else the file's name.
std::string denoisedMethodName(const std::string& path);

// A fixed-width text table, one method per line, and the same as JSON.
std::string formatKeptEventsTable(const KeptEventsTable& table);
std::string keptEventsJson(const KeptEventsTable& table);

} // namespace lumen
