#include "events/LoadedStream.h"

#include "events/EventFile.h"

#include <exception>

namespace lumen {

LoadedStream loadEventStream(const QString& path, uint64_t maxEvents) {
  LoadedStream stream;
  stream.path = path;
  try {
    const EventFileReader reader(path.toStdString());
    auto events = std::make_shared<EventArray>(reader.readAll(maxEvents));
    stream.stats = computeStats(*events);
    // An empty recording still has a sensor; the views then show an empty frame.
    stream.stats.sensor = reader.sensor();
    events->sensor = reader.sensor();
    stream.events = std::move(events);
  } catch (const std::exception& e) {
    stream.error = QString::fromUtf8(e.what());
  }
  return stream;
}

} // namespace lumen
