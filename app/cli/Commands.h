// Registration of lumen-cli's command groups. Each pipeline adds one function here.
#pragma once
#include "CommandLine.h"
#include "CommandSummaries.h"

namespace lumen::cli {

void addRunsCommands(Command& root);     // runs list, monitor
void addTrainingCommands(Command& root); // demo, regression train
// events import, stats, encode, decode, synth, filter, eval: returns the `events` group.
Command& addEventsCommands(Command& root);
void addEventsTrainingCommands(Command& events);   // events prepare, train, test, infer (LibTorch)
void addCtCommands(Command& root);                 // ct info, ct synth
void addSegmentGroup(Command& root);               // segment datastore, infer, eval, serve
void addShapesCommands(Command& root);             // shapes synth, prepare, train, complete, eval
void addCtInfoCommand(Command& ct);                // ct info
void addCtSynthCommand(Command& ct);               // ct synth
void addSegmentDatastoreCommand(Command& segment); // segment datastore
void addSegmentCommands(Command& segment);         // segment infer, eval
void addSegmentServeCommand(Command& segment);     // segment serve
Command& addSynthCommands(Command& root);          // synth pairs, eval: the `synth` group
void addSynthPairsCommand(Command& synth);         // synth pairs

// The shapes part of `lumen-cli demo`: synthetic hearts, phase-1 and phase-2 training, a
// completed held-out heart and its scores next to the retrieval baseline. Returns an exit code.
int shapesDemo(const std::string& workspace);

// The segmentation part of `lumen-cli demo`: synthetic chest CTs as a study folder and the
// classical backend's Dice per click count on them. Returns an exit code.
int segmentDemo(const std::string& workspace, int learnedEpochs);

// "2026-11-21-101502": names for run folders created without an explicit --run-dir.
std::string timestampName();

} // namespace lumen::cli
