// Accumulated event frames: the events of a time window painted on a grey sensor image,
// positive pixels red and negative blue, brighter with more events.
#pragma once
#include "events/EventArray.h"

#include <QImage>

namespace lumen {

// Events with t0 <= t < t1, one pixel per sensor pixel.
QImage accumulateEventFrame(const EventArray& events, int64_t t0, int64_t t1);

} // namespace lumen
