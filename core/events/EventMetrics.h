// Denoising metrics.
//
// With a labelled reference (the noisy synthetic file, 1 signal / 0 noise per event), the
// denoised events are matched one-to-one to reference events at the same pixel and polarity
// within a time tolerance (0 µs for filters, which keep events unchanged; about a voxel bin for
// networks, whose decoded timestamps are re-spread). Matched signal counts as a true positive;
// matched noise and unmatched (invented) events as false positives; unmatched signal as false
// negatives. From these: precision, recall, F1 and SNR = 10 log10(kept signal / kept noise).
// ROC AUC needs a score for every reference event. ESR (E-MLB's event structure ratio) needs
// no reference.
#pragma once
#include "events/EventArray.h"

#include <optional>
#include <string>
#include <vector>

namespace lumen {

struct DenoiseMetrics {
  uint64_t denoised = 0, signal = 0, noise = 0;
  uint64_t truePositives = 0, falsePositives = 0, falseNegatives = 0;
  double precision = 0, recall = 0, f1 = 0, snrDb = 0;
  std::optional<double> auc;
};

// Fills precision, recall, F1 and SNR from the counts (used per file and for sums of files).
void computeRates(DenoiseMetrics& metrics);

// A recording to score or score against, named for messages. `sensorRecorded` is false when the
// file gave no sensor_resolution and the size was inferred from its largest coordinates.
struct NamedRecording {
  std::string path;
  const EventArray& events;
  bool sensorRecorded = true;
};

// InputError naming both files when `denoised` cannot have come from `reference`: the sensors
// differ (an inferred size only has to fit inside the other), or the times do not overlap even
// with the matching tolerance. Scoring such a pair gives a meaningless zero recall.
void checkComparable(const NamedRecording& denoised, const NamedRecording& reference,
                     int64_t toleranceUs);

DenoiseMetrics compareWithLabels(const EventArray& denoised, const EventArray& reference,
                                 int64_t toleranceUs);

// Area under the ROC curve of scores against labels (ties counted half).
double rocAuc(const std::vector<float>& scores, const std::vector<uint8_t>& labels);

// E-MLB event structure ratio of events in windows of windowUs, averaged over windows:
//   ESR = sqrt(NTSS * LN), NTSS = sum n_i (n_i - 1) / (N (N - 1)),
//   LN = K - sum (1 - M / N)^{n_i}, with n_i the events at pixel i, N the window's events,
//   K the pixel count and M the reference sample size (M = N / 2 when zero).
double eventStructureRatio(const EventArray& events, int64_t windowUs = 20000, double m = 0);

} // namespace lumen
