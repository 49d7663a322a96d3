// `lumen-cli shapes ...`: synthetic hearts, preparation, training phases, completion, evaluation.
#include "Commands.h"
#include "TerminalProgress.h"
#include "common/Error.h"
#include "shapes/ShapeDataset.h"
#include "shapes/SyntheticHeart.h"

#include <cstdio>

namespace lumen::cli {
namespace {

Vec3 spacingOption(const ParsedArgs& args, Vec3 fallback) {
  const auto text = args.value("--spacing");
  if (!text)
    return fallback;
  Vec3 s{};
  if (std::sscanf(text->c_str(), "%lf,%lf,%lf", &s[0], &s[1], &s[2]) != 3)
    throw UsageError("--spacing expects X,Y,Z in millimetres, e.g. 1.25,1.25,2.5");
  return s;
}

int synthCommand(const ParsedArgs& args) {
  SyntheticHeartOptions options;
  options.spacing = spacingOption(args, options.spacing);
  const std::string out = args.positional(0);
  const int cases = int(args.number("--cases", 10));
  const auto seed = uint64_t(args.number("--seed", 0));
  std::vector<std::string> paths;
  const int code = runWithProgress(makeJob("synthetic hearts", [&](Job& job) {
    paths = writeSyntheticHearts(out, cases, seed, options, &job);
  }));
  if (code == 0)
    std::printf("wrote %zu synthetic hearts (10 classes) to %s\n", paths.size(), out.c_str());
  return code;
}

int prepareCommand(const ParsedArgs& args) {
  const auto input = args.value("--input"), output = args.value("--output");
  if (!input || !output)
    throw UsageError("shapes prepare needs --input DIR and --output DIR");
  ShapeDatasetOptions options;
  options.prepare.classMap = args.value("--class-map", "heart10");
  options.prepare.points = int(args.number("--points", 8192));
  const int queries = int(args.number("--queries", 100000));
  options.prepare.volumeQueries = queries;
  options.prepare.nearQueries = queries;
  options.prepare.grid = int(args.number("--grid", 128));
  options.prepare.seed = uint64_t(args.number("--seed", 0));
  options.valFraction = args.number("--val-fraction", 0.2);
  options.threads = int(args.number("--threads", 0));
  ShapeDatasetResult result;
  const int code = runWithProgress(makeJob("prepare " + *input, [&](Job& job) {
    result = prepareShapeDataset(*input, *output, options, &job);
  }));
  if (code == 0)
    std::printf("prepared %zu cases into %s (%zu train, %zu val) in %.1f s\n",
                result.train.size() + result.val.size(), output->c_str(), result.train.size(),
                result.val.size(), result.seconds);
  return code;
}

} // namespace

void addShapesCommands(Command& root) {
  auto& shapes = root.subcommand("shapes", "Cardiac shape completion: 10-class hearts, VecSet "
                                           "autoencoder, completion and evaluation");
  shapes.subcommand("synth", "Write synthetic 10-class heart label maps (NIfTI)")
      .description("A parametric phantom: chambers, a myocardial shell around the LV, aorta and "
                   "pulmonary artery\nleaving the ventricles, LAA, pulmonary veins and coronary "
                   "arteries on the epicardium,\nwith random size, proportions and pose per case.")
      .positional({"OUTDIR", "folder for heart_###.nii.gz"})
      .option({"--cases", "N", "number of hearts (default 10)"})
      .option({"--seed", "S", "seed of the first heart; case c uses S + c (default 0)"})
      .option({"--spacing", "X,Y,Z", "voxel size in mm (default 1.25,1.25,1.25)"})
      .handler(synthCommand);
  shapes.subcommand("prepare", "Prepare label maps for shape learning: one HDF5 per case")
      .description("Per case: surface points with one-hot classes, volume and near-surface "
                   "queries with per-class\noccupancy and signed distance, and the normalisation "
                   "frame; plus train.csv and val.csv.\nCases run in parallel.")
      .option({"--input", "DIR", "folder of NIfTI label maps (.nii, .nii.gz)"})
      .option({"--output", "DIR", "folder for <case>.h5, train.csv and val.csv"})
      .option({"--class-map", "NAME",
               "heart10 (default) or mmwhs7 (7 MM-WHS classes; LAA, "
               "coronaries and PVs unannotated)"})
      .option({"--points", "N", "surface points per case (default 8192)"})
      .option({"--queries", "Q", "volume and near-surface queries each (default 100000)"})
      .option({"--grid", "N", "distance-field grid per axis (default 128)"})
      .option({"--val-fraction", "F", "share of cases for validation (default 0.2)"})
      .option({"--seed", "S", "sampling seed (default 0)"})
      .option({"--threads", "N", "parallel cases (default: one per core)"})
      .handler(prepareCommand);
}

} // namespace lumen::cli
