#include "shapes/ShapeEvaluation.h"

#include "common/Error.h"
#include "common/Job.h"
#include "shapes/PreparedShape.h"
#include "shapes/ShapeCompletion.h"
#include "shapes/ShapeDataset.h"
#include "shapes/ShapeRetrieval.h"

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

namespace lumen {
namespace {

std::vector<std::string> casesOf(const std::string& dir, const std::string& split) {
  if (split == "all") {
    auto cases = readCaseList(dir, "train");
    for (auto& id : readCaseList(dir, "val"))
      cases.push_back(id);
    return cases;
  }
  if (split != "train" && split != "val")
    throw InputError("--split must be train, val or all, got '" + split + "'");
  return readCaseList(dir, split);
}

MethodScores score(const std::string& method, const std::vector<uint8_t>& predicted,
                   const PreparedShape& truth, ClassSet classes) {
  MethodScores scores;
  scores.method = method;
  const std::array<int64_t, 3> size{truth.grid.n, truth.grid.n, truth.grid.n};
  const double h = truth.grid.step() * truth.frame.scaleMm;
  for (int c : classLabels(classes))
    scores.classes[c] = scoreClass(predicted, truth.grid.labels, size, {h, h, h}, c);
  return scores;
}

nlohmann::json number(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

nlohmann::json toJson(const SummaryScores& s) {
  return {{"dice", number(s.dice)},
          {"hd95_mm", number(s.hd95)},
          {"assd_mm", number(s.assd)},
          {"chamfer_mm", number(s.chamfer)},
          {"pairs", s.pairs}};
}

} // namespace

ShapeEvaluation evaluateShapes(const std::string& checkpoint, const ShapeEvalOptions& o, Job* job) {
  const auto start = std::chrono::steady_clock::now();
  const TrainedShapeModel model(checkpoint, o.device);
  const double margin = model.config().data.margin;
  std::vector<std::string> ids = casesOf(o.data, o.split);
  if (o.maxCases > 0 && ids.size() > size_t(o.maxCases))
    ids.resize(size_t(o.maxCases));
  if (ids.empty())
    throw InputError(o.data + ": the " + o.split + " split has no cases");
  std::unique_ptr<RetrievalBaseline> baseline;
  if (o.baseline) {
    const std::string refDir = o.reference.empty() ? o.data : o.reference;
    std::vector<PreparedShape> references;
    for (const auto& id : readCaseList(refDir, "train")) {
      if (job)
        job->checkCancelled();
      auto shape = readPreparedShape(caseFile(refDir, id));
      // Only fully annotated references can lend every missing class.
      if (classSetOf(shape.annotated).all())
        references.push_back(std::move(shape));
    }
    baseline = std::make_unique<RetrievalBaseline>(std::move(references), margin);
  }
  const ClassSet dropped = classSetOf(o.drop);
  ShapeEvaluation result;
  result.checkpoint = checkpoint;
  result.data = o.data;
  result.split = o.split;
  result.inputs = o.drop.empty() ? "protocol " + std::to_string(o.protocol)
                                 : "drop " + describeClasses(dropped);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (job) {
      job->checkCancelled();
      job->setProgress(double(i) / double(ids.size()),
                       "case " + std::to_string(i + 1) + "/" + std::to_string(ids.size()));
    }
    const PreparedShape truth = readPreparedShape(caseFile(o.data, ids[i]));
    if (truth.grid.n == 0)
      throw InputError(caseFile(o.data, ids[i]) +
                       " has no /grid/labels: prepare it again with this version of Lumen");
    const ClassSet available = classSetOf(truth.present) & classSetOf(truth.annotated);
    ClassSet visible;
    if (o.drop.empty()) {
      std::mt19937_64 rng(o.seed * 7919 + i);
      visible = chooseInputClasses(o.protocol, available, o.phases, rng);
    } else {
      visible = available & ~dropped;
    }
    if (visible.none())
      throw InputError(ids[i] + ": dropping " + describeClasses(dropped) +
                       " leaves no visible class");
    CaseEvaluation evaluation;
    evaluation.caseId = ids[i];
    evaluation.visible = visible;
    evaluation.completed = available & ~visible;

    // The model decodes directly on the ground-truth grid, mapped into its input frame.
    const ShapeFrame frame = visibleFrame(truth.surfacePoints.data(), truth.surfaceLabels.data(),
                                          truth.surfaceLabels.size(), visible, margin);
    std::vector<float> points;
    std::vector<uint8_t> labels;
    for (size_t p = 0; p < truth.surfaceLabels.size(); ++p)
      if (visible[size_t(truth.surfaceLabels[p] - 1)]) {
        for (size_t d = 0; d < 3; ++d)
          points.push_back(
              float((truth.surfacePoints[3 * p + d] - frame.centerMm[d]) / frame.scaleMm));
        labels.push_back(truth.surfaceLabels[p]);
      }
    GridSpec grid;
    grid.size = {truth.grid.n, truth.grid.n, truth.grid.n};
    for (size_t d = 0; d < 3; ++d) {
      grid.origin[d] = (-1.0 - frame.centerMm[d]) / frame.scaleMm;
      grid.spacing[d] = truth.grid.step() / frame.scaleMm;
    }
    ShapeDecodeOptions decode;
    decode.largestComponent = o.largestComponent;
    const DecodedGrid decoded = model.decode(points, labels, grid, decode, o.seed);
    evaluation.methods.push_back(score("model", decoded.labels, truth, available));
    if (baseline) {
      RetrievalBaseline::Match match;
      const auto predicted = baseline->predictGrid(truth, visible, &match);
      evaluation.methods.push_back(score("retrieval", predicted, truth, available));
      evaluation.methods.back().retrieved = match.caseId;
    }
    result.cases.push_back(std::move(evaluation));
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

std::map<std::string, std::map<std::string, SummaryScores>> ShapeEvaluation::summary() const {
  struct Sums {
    double dice = 0, hd95 = 0, assd = 0, chamfer = 0;
    int pairs = 0, finite = 0;
  };
  std::map<std::string, std::map<std::string, Sums>> sums;
  for (const auto& c : cases)
    for (const auto& m : c.methods)
      for (const auto& [label, s] : m.classes) {
        auto& acc = sums[m.method][c.visible[size_t(label - 1)] ? "visible" : "completed"];
        acc.dice += s.dice;
        ++acc.pairs;
        if (std::isfinite(s.hd95)) {
          acc.hd95 += s.hd95;
          acc.assd += s.assd;
          acc.chamfer += s.chamfer;
          ++acc.finite;
        }
      }
  std::map<std::string, std::map<std::string, SummaryScores>> out;
  const double nan = std::nan("");
  for (const auto& [method, splits] : sums)
    for (const auto& [split, acc] : splits) {
      SummaryScores s;
      s.pairs = acc.pairs;
      s.dice = acc.pairs ? acc.dice / acc.pairs : nan;
      s.hd95 = acc.finite ? acc.hd95 / acc.finite : nan;
      s.assd = acc.finite ? acc.assd / acc.finite : nan;
      s.chamfer = acc.finite ? acc.chamfer / acc.finite : nan;
      out[method][split] = s;
    }
  return out;
}

std::string ShapeEvaluation::toJson() const {
  nlohmann::json j;
  j["checkpoint"] = checkpoint;
  j["data"] = data;
  j["split"] = split;
  j["inputs"] = inputs;
  j["cases"] = cases.size();
  j["seconds"] = seconds;
  for (const auto& [method, splits] : summary())
    for (const auto& [split, s] : splits)
      j["summary"][method][split] = lumen::toJson(s);
  // Per class: mean Dice over the cases where the class was visible / completed.
  std::map<std::string, std::map<int, std::map<std::string, std::pair<double, int>>>> perClass;
  for (const auto& c : cases) {
    nlohmann::json entry;
    entry["case"] = c.caseId;
    entry["visible"] = describeClasses(c.visible);
    entry["completed"] = describeClasses(c.completed);
    for (const auto& m : c.methods) {
      if (!m.retrieved.empty())
        entry["retrieved"] = m.retrieved;
      for (const auto& [label, s] : m.classes) {
        const std::string role = c.visible[size_t(label - 1)] ? "visible" : "completed";
        entry[m.method][heartClassName(label)] = {{"role", role},
                                                  {"dice", number(s.dice)},
                                                  {"hd95_mm", number(s.hd95)},
                                                  {"assd_mm", number(s.assd)},
                                                  {"chamfer_mm", number(s.chamfer)}};
        auto& acc = perClass[m.method][label][role];
        acc.first += s.dice;
        ++acc.second;
      }
    }
    j["per_case"].push_back(entry);
  }
  for (const auto& [method, labels] : perClass)
    for (const auto& [label, roles] : labels)
      for (const auto& [role, acc] : roles)
        j["per_class_dice"][method][heartClassName(label)][role] = acc.first / acc.second;
  return j.dump(2);
}

} // namespace lumen
