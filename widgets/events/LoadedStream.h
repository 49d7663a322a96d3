// One event recording as the Events workspace holds it: the whole stream in memory (shared, so
// views and worker threads read it without copies) and its statistics.
#pragma once
#include "events/EventArray.h"

#include <QString>
#include <memory>

namespace lumen {

struct LoadedStream {
  QString path;
  EventStats stats;
  std::shared_ptr<const EventArray> events;
  QString error; // set when loading failed; events is then null

  bool ok() const { return events != nullptr; }
};

// Reads and validates a whole E1 event file. Runs on a worker thread; never throws. Files above
// maxEvents are refused (the same memory guard as EventFileReader::readAll).
LoadedStream loadEventStream(const QString& path, uint64_t maxEvents = 100'000'000);

} // namespace lumen
