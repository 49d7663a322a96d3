// Evaluation of shape completion on held-out prepared cases (SPEC H7): each case shows the model
// some of its classes (a fixed drop list, or the inputs of a training phase drawn per case); the
// model's dense prediction on the case's ground-truth grid is scored per class (Dice, HD95, ASSD,
// Chamfer in mm) separately for visible and completed classes, next to the nearest-neighbour
// retrieval baseline on the same inputs.
#pragma once
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
  double dice = 0, hd95 = 0, assd = 0, chamfer = 0; // means (distances over finite values)
  int pairs = 0;                                    // (case, class) pairs
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

} // namespace lumen
