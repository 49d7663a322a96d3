// Evaluation of shape completion on held-out prepared cases: each case shows the model
// some of its classes (a fixed drop list, or the inputs of a training phase drawn per case); the
// model's dense prediction on the case's ground-truth grid is scored per class (Dice, HD95, ASSD,
// Chamfer in mm) separately for visible and completed classes, next to the nearest-neighbour
// retrieval baseline on the same inputs. A class the model misses entirely counts in every mean
// with the penalty distance (ShapeMetrics.h), and the number of such pairs is reported.
//
// Scoring a case has one definition, used by `shapes eval` and by the Shapes workspace alike: the
// model decodes on the case's own grid (/grid/labels, n^3 samples over the case frame) from the
// visible classes' input, and every class is compared there, distances in millimetres.
#pragma once
#include "shapes/ShapeCompletion.h"
#include "shapes/ShapeMetrics.h"
#include "shapes/ShapeSampling.h"

#include <map>
#include <string>
#include <vector>

namespace lumen {

class Job;

struct ShapeEvalOptions {
  std::string data;          // prepared dataset (with /grid/labels)
  std::string split = "val"; // val | train | all
  std::string reference;     // retrieval database (its train split); empty: data's train split
  std::vector<int> drop;     // classes hidden from the input; empty: `protocol`
  int protocol = 2;          // inputs as training phase 1-4 would draw them (seeded per case)
  ShapePhaseConfig phases;   // drop counts and subsets of protocols 2 and 3
  bool baseline = true;
  bool largestComponent = true; // keep only the model's largest connected labelled component
  int maxCases = 0;             // 0: all
  uint64_t seed = 0;
  std::string device = "auto";
};

struct MethodScores {
  std::string method;                // "model" | "retrieval"
  std::string retrieved;             // retrieval: the reference case
  std::map<int, ClassScore> classes; // by label
};

struct CaseEvaluation {
  std::string caseId;
  ClassSet visible, completed; // completed: annotated, present, not visible
  std::vector<MethodScores> methods;
};

struct SummaryScores {
  double dice = 0, hd95 = 0, assd = 0, chamfer = 0; // means over every pair
  int pairs = 0;                                    // (case, class) pairs
  int missed = 0; // pairs whose class the method did not predict at all (penalty distances)
};

struct ShapeEvaluation {
  std::string checkpoint, data, split, inputs; // inputs: "drop Ao, PA" or "protocol 2"
  std::vector<CaseEvaluation> cases;
  double seconds = 0;
  // method -> "visible" | "completed" -> summary
  std::map<std::string, std::map<std::string, SummaryScores>> summary() const;
  std::string toJson() const;
};

ShapeEvaluation evaluateShapes(const std::string& checkpoint, const ShapeEvalOptions& options,
                               Job* job = nullptr);

// Scores of `predicted` (labels on the case's grid) for each class of `scored`.
MethodScores scoreOnCaseGrid(const std::string& method, const std::vector<uint8_t>& predicted,
                             const PreparedShape& truth, ClassSet scored);

// The model's completion of a case from its `visible` classes, scored on the case's grid.
MethodScores scoreModelOnCase(const TrainedShapeModel& model, const PreparedShape& truth,
                              ClassSet visible, ClassSet scored, const ShapeDecodeOptions& decode,
                              uint64_t seed);

// A label map completed as `shapes complete` does (the label map in the input's geometry, for
// display and saving) and scored as `shapes eval` does: on the grid of the case as `shapes
// prepare` samples it (options.prepare), from the same visible classes with the same seed. Every
// present class of the input is scored. The Shapes workspace completes cases through this.
struct ScoredLabelMapCompletion {
  CompletionResult completion;
  MethodScores scores; // "model", by label
};
ScoredLabelMapCompletion completeAndScoreLabelMap(const TrainedShapeModel& model,
                                                  const LabelVolume& input,
                                                  const CompletionOptions& options,
                                                  Job* job = nullptr);

} // namespace lumen
