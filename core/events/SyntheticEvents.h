// Synthetic, labelled event data. An ideal DVS pixel model watches a moving scene:
// each pixel fires an event whenever its log intensity moves one contrast threshold away from
// the level of its last event (thresholds vary per pixel; a refractory period follows each
// event; timestamps are interpolated to the threshold crossing). The clean stream is the scene's
// events. The noisy stream adds, each labelled 0 (noise): background activity (Poisson, Hz per
// pixel), hot pixels, and a flare: a bright region flickering on and off, seen by the same
// pixel model. Scene events are labelled 1 (signal).
#pragma once
#include "events/EventArray.h"

#include <string>

namespace lumen {

class Job;

struct SyntheticEventConfig {
  int width = 240;
  int height = 180;
  int64_t durationUs = 100000; // 100 ms files
  int64_t stepUs = 100;        // simulation time step
  double threshold = 0.25;     // contrast threshold in log intensity
  double thresholdSigma = 0.03;
  int64_t refractoryUs = 200;
  int shapes = 6;            // moving bright and dark blobs and bars
  double backgroundHz = 3.0; // background activity per pixel
  int hotPixels = 6;
  double hotPixelHz = 800.0;
  bool flare = true;
  double flareHz = 150.0; // flicker frequency
};

struct SyntheticEventPair {
  EventArray clean; // scene events only
  EventArray noisy; // scene + noise, with labels (1 signal, 0 noise)
};

SyntheticEventPair makeSyntheticEventPair(const SyntheticEventConfig& config, uint64_t seed);

// Writes `files` pairs as OUTDIR/background_with_flare_events/NAME.h5 (noisy, labelled) and
// OUTDIR/background_with_light_events/NAME.h5 (clean). Returns the number of events written.
uint64_t writeSyntheticEventDataset(const std::string& outDir, int files, uint64_t seed,
                                    const SyntheticEventConfig& config, Job* job = nullptr);

inline const char* kNoisyFolder = "background_with_flare_events";
inline const char* kCleanFolder = "background_with_light_events";

} // namespace lumen
