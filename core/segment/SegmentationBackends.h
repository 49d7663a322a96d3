// The backends a request can name:
//   "classical"    RegionGrowingBackend, weight-free, always there
//   "learned"      the 2D propagator a `segment train` run trained (LearnedPropagator.h): the run
//                  given as the model, else the study folder's models/propagator run
//   "torchscript"  a TorchScript plug-in file given as the model (TorchScriptBackend.h)
// A study folder's models/ may also hold plug-ins, <name>.ts: each is a backend of that name.
#pragma once
#include "segment/SegmentationBackend.h"

#include <memory>
#include <string>
#include <vector>

namespace lumen {

struct BackendSources {
  std::string model; // --model: a propagator run (or checkpoint), or a TorchScript file
  std::string study; // a study folder: its models/propagator run and models/*.ts plug-ins
};

// The study's default propagator run: <study>/models/propagator.
std::string studyPropagatorRun(const std::string& study);

// Every name a request may use, built-in first.
std::vector<std::string> segmentationBackendNames();
// The backends that would load now (classical; learned when a model is there; the study's
// plug-ins; torchscript when the model is a file that is no propagator checkpoint).
std::vector<std::string> availableSegmentationBackends(const BackendSources& sources = {});

// Throws InputError naming the known backends when `name` is none of them, and saying what is
// missing when a learned or plug-in backend has no model. Loaded models are shared while in use
// and reloaded when their file changes.
std::shared_ptr<const SegmentationBackend>
makeSegmentationBackend(const std::string& name, const BackendSources& sources = {});

} // namespace lumen
