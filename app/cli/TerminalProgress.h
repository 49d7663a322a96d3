// Runs a Job on a worker thread and draws its progress on the terminal: a redrawn bar on a TTY,
// a line every 10% (or minute) otherwise. Ctrl+C asks the job to cancel; a second Ctrl+C quits.
#pragma once
#include "common/Job.h"

namespace lumen::cli {

// Returns the exit code: 0 done, 1 failed, 130 cancelled.
int runWithProgress(const JobPtr& job);

// `lumen-cli --quiet`: no bar, no progress lines and no closing "done in" line, so stderr holds
// only warnings and errors. Cancelling with Ctrl+C is still acknowledged.
void setQuietProgress(bool quiet);

} // namespace lumen::cli
