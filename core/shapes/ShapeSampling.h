// Which classes a case shows the network and in which frame. Training, validation,
// evaluation, completion and the retrieval baseline all go through these, so the input a model
// sees at completion time is built exactly as in training: the visible classes' surface points,
// normalised by the frame of the visible classes alone (a partial heart has no full-heart frame).
#pragma once
#include "shapes/HeartClasses.h"
#include "shapes/ShapeConfig.h"
#include "shapes/ShapeFrame.h"

#include <bitset>
#include <random>
#include <string>
#include <vector>

namespace lumen {

// Bit c - 1 stands for class c.
using ClassSet = std::bitset<kHeartClasses>;

ClassSet classSetOf(const std::array<uint8_t, kHeartClasses>& flags);
ClassSet classSetOf(const std::vector<int>& labels);
std::vector<int> classLabels(ClassSet set);
// "Myo, LA, LV" (short names), or "none".
std::string describeClasses(ClassSet set);

// The input classes of a case in a training phase:
//   1, 4: every present, annotated class;
//   2: that minus drop_min..drop_max random classes (at least one stays);
//   3: the union of a random non-empty combination of the configured subsets (restricted to the
//      present, annotated classes; the whole available set if that leaves nothing).
ClassSet chooseInputClasses(int phase, ClassSet available, const ShapePhaseConfig& config,
                            std::mt19937_64& rng);

// The frame, in the case's own normalised units, of the surface points of the `visible` classes:
// centre of their bounding box, scale so the longest half-side ends at 1 - margin. Throws
// InputError when no point belongs to a visible class.
InputFrame visibleFrame(const float* points, const uint8_t* labels, size_t count, ClassSet visible,
                        double margin);

// What the network is shown of a case: every surface point of the visible classes in their
// frame, with its class. Training, evaluation and completion all build their input here, in the
// same float arithmetic, so one case gives one input whichever path it takes.
struct NetworkInput {
  InputFrame frame;            // case units
  std::vector<float> points;   // M x 3, input frame
  std::vector<uint8_t> labels; // M, 1..10
};
NetworkInput visibleInput(const float* points, const uint8_t* labels, size_t count,
                          ClassSet visible, double margin);

// Indices of `n` input points among the surface points whose class is visible: distinct when
// there are enough, drawn with replacement otherwise; empty when no point is visible.
std::vector<size_t> chooseInputPoints(const uint8_t* labels, size_t count, ClassSet visible,
                                      size_t n, std::mt19937_64& rng);

// Validates configured subsets and phase bounds (ConfigError-style messages naming the key).
std::vector<ClassSet> parseSubsets(const std::vector<std::string>& subsets);

} // namespace lumen
