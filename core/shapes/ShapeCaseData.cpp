#include "shapes/ShapeCaseData.h"

#include "common/Job.h"
#include "io/NiftiIO.h"
#include "shapes/ShapePreparation.h"

namespace lumen {
namespace {

ClassSet presentIn(const Volume<uint8_t>& classes) {
  ClassSet present;
  for (uint8_t label : classes.values)
    if (label > 0)
      present[size_t(label - 1)] = true;
  return present;
}

} // namespace

std::shared_ptr<const ShapeCase> loadShapeCase(const std::string& path, const std::string& classMap,
                                               Job* job) {
  auto loaded = std::make_shared<ShapeCase>();
  loaded->path = path;
  loaded->classMap = classMap;
  if (job)
    job->setProgress(0.0, "reading the label map");
  loaded->labels = readLabelVolume(path);
  loaded->truth = mapClasses(loaded->labels, classMapByName(classMap));
  loaded->present = presentIn(loaded->truth);
  if (job) {
    job->checkCancelled();
    job->setProgress(0.2, "extracting class surfaces");
  }
  loaded->meshes = labelMapMeshes(loaded->truth, job);
  return loaded;
}

ClassSet scanCaseClasses(const std::string& path, const std::string& classMap) {
  return presentIn(mapClasses(readLabelVolume(path), classMapByName(classMap)));
}

ScoredCompletion completeAndScore(const ShapeCase& shapeCase, const std::string& checkpoint,
                                  const std::vector<int>& keep, int resolution, Job* job) {
  ScoredCompletion scored;
  scored.checkpoint = checkpoint;
  if (job)
    job->setProgress(0.0, "loading the model");
  const TrainedShapeModel model(checkpoint, "auto");
  CompletionOptions options;
  options.classMap = shapeCase.classMap;
  options.keep = keep;
  options.resolution = resolution;
  // The network's own labels everywhere: with the input copied through, visible classes would
  // score a perfect Dice that says nothing about the model.
  options.modelOnly = true;
  scored.result = completeLabelMap(model, shapeCase.labels, options, job);
  scored.hidden = shapeCase.present & ~scored.result.visible;

  // The completion is on the input's grid with values 0..10 already, so it compares voxel by
  // voxel with the mapped ground truth.
  const auto& g = shapeCase.truth.geometry;
  std::vector<uint8_t> predicted(scored.result.labels.values.size());
  for (size_t v = 0; v < predicted.size(); ++v)
    predicted[v] = uint8_t(scored.result.labels.values[v]);
  const std::vector<int> labels = classLabels(shapeCase.present);
  for (size_t i = 0; i < labels.size(); ++i) {
    if (job) {
      job->checkCancelled();
      job->setProgress(0.95 + 0.05 * double(i) / double(labels.size()),
                       "scoring " + heartClassName(labels[i]));
    }
    scored.scores.push_back(
        scoreClass(predicted, shapeCase.truth.values, g.size, g.spacing, labels[i]));
  }
  return scored;
}

} // namespace lumen
