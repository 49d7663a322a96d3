// `lumen-cli synth ...`: NCCT -> CTA synthesis. `synth eval` scores a synthetic CTA as the
// SynthRAD challenges do, beside the NCCT taken as the prediction.
#include "Commands.h"
#include "TerminalProgress.h"
#include "common/Text.h"
#include "synthesis/SynthesisEvaluation.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace lumen::cli {
namespace {

nlohmann::json number(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

nlohmann::json scoresJson(const SynthesisScores& s) {
  return {{"mae_hu", number(s.maeHu)},
          {"vessel_mae_hu", number(s.vesselMaeHu)},
          {"psnr_db", number(s.psnrDb)},
          {"ssim", number(s.ssim)}};
}

std::string cell(double value, const char* format) {
  if (std::isnan(value))
    return "-";
  if (std::isinf(value))
    return "inf";
  char text[32];
  std::snprintf(text, sizeof(text), format, value);
  return text;
}

void printRow(const char* name, const SynthesisScores& s) {
  std::printf("%-24s %9s %15s %9s %7s\n", name, cell(s.maeHu, "%.1f").c_str(),
              cell(s.vesselMaeHu, "%.1f").c_str(), cell(s.psnrDb, "%.2f").c_str(),
              cell(s.ssim, "%.4f").c_str());
}

nlohmann::json spreadJson(const ScoreSpread& s) {
  return {{"mean", number(s.mean)}, {"sd", number(s.sd)}, {"cases", s.cases}};
}

nlohmann::json summaryJson(const SynthesisSummary& s) {
  return {{"mae_hu", spreadJson(s.maeHu)},
          {"vessel_mae_hu", spreadJson(s.vesselMaeHu)},
          {"psnr_db", spreadJson(s.psnrDb)},
          {"ssim", spreadJson(s.ssim)}};
}

std::string spreadCell(const ScoreSpread& s, const char* format) {
  return cell(s.mean, format) + " +- " + cell(s.sd, format);
}

// A held-out set: one row per case, then mean +- sd of the prediction and of the NCCT.
int evalFolders(const ParsedArgs& args, const SynthesisEvalFiles& folders,
                const SynthesisMetricOptions& options) {
  std::vector<SynthesisCaseScores> cases;
  const int code = runWithProgress(makeJob("synthesis scores", [&](Job& job) {
    cases = evaluateSynthesisFolders(folders, options, &job);
  }));
  if (code != 0)
    return code;
  std::vector<SynthesisScores> predicted, identity;
  for (const auto& c : cases) {
    predicted.push_back(c.evaluation.prediction);
    if (c.evaluation.ncct)
      identity.push_back(*c.evaluation.ncct);
  }
  const SynthesisSummary mean = summarizeScores(predicted);
  const bool withNcct = !identity.empty();
  if (args.flag("--json")) {
    nlohmann::json out{{"range_hu", {options.lowHu, options.highHu}},
                       {"cases", nlohmann::json::array()},
                       {"mean", {{"prediction", summaryJson(mean)}}}};
    for (const auto& c : cases) {
      nlohmann::json row{{"name", c.name}, {"prediction", scoresJson(c.evaluation.prediction)}};
      if (c.evaluation.ncct)
        row["ncct"] = scoresJson(*c.evaluation.ncct);
      out["cases"].push_back(row);
    }
    if (withNcct)
      out["mean"]["ncct"] = summaryJson(summarizeScores(identity));
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf("%-24s %9s %15s %9s %7s\n", "", "MAE HU", "vessel MAE HU", "PSNR dB", "SSIM");
  for (const auto& c : cases) {
    printRow(c.name.c_str(), c.evaluation.prediction);
    if (c.evaluation.ncct)
      printRow("  NCCT (identity)", *c.evaluation.ncct);
  }
  auto printMean = [](const char* name, const SynthesisSummary& m) {
    std::printf("%-24s %s | %s | %s | %s\n", name, spreadCell(m.maeHu, "%.1f").c_str(),
                spreadCell(m.vesselMaeHu, "%.1f").c_str(), spreadCell(m.psnrDb, "%.2f").c_str(),
                spreadCell(m.ssim, "%.4f").c_str());
  };
  std::printf("mean +- sd over %zu cases (MAE | vessel MAE | PSNR | SSIM):\n", cases.size());
  printMean("prediction", mean);
  if (withNcct)
    printMean("NCCT (identity)", summarizeScores(identity));
  return 0;
}

int evalCommand(const ParsedArgs& args) {
  SynthesisEvalFiles files;
  files.prediction = args.value("--prediction", "");
  files.reference = args.value("--reference", "");
  if (files.prediction.empty() || files.reference.empty())
    throw UsageError("synth eval needs --prediction FILE and --reference FILE");
  files.mask = args.value("--mask", "");
  files.vessels = args.value("--vessels", "");
  files.ncct = args.value("--ncct", "");
  SynthesisMetricOptions options;
  options.lowHu = args.number("--range-low", options.lowHu, -32768, 32767);
  options.highHu = args.number("--range-high", options.highHu, -32768, 32767);
  options.threads = int(args.integer("--threads", 0, 0, 1024));
  parseOption("--range-high", [&] { checkSynthesisMetricOptions(options); });
  if (std::filesystem::is_directory(files.prediction))
    return evalFolders(args, files, options);

  SynthesisEvaluation result;
  const int code = runWithProgress(makeJob("synthesis scores", [&](Job& job) {
    result = evaluateSynthesisFiles(files, options, &job);
  }));
  if (code != 0)
    return code;
  const SynthesisScores& p = result.prediction;
  if (args.flag("--json")) {
    nlohmann::json out{{"prediction", scoresJson(p)},
                       {"range_hu", {options.lowHu, options.highHu}},
                       {"mask",
                        {{"source", result.maskComputed ? "computed" : "file"},
                         {"voxels", p.maskVoxels},
                         {"ssim_voxels", p.ssimVoxels}}},
                       {"vessels", {{"source", result.vesselSource}, {"voxels", p.vesselVoxels}}}};
    if (result.ncct)
      out["ncct"] = scoresJson(*result.ncct);
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf("%-24s %9s %15s %9s %7s\n", "", "MAE HU", "vessel MAE HU", "PSNR dB", "SSIM");
  printRow("prediction", p);
  if (result.ncct)
    printRow("NCCT (identity)", *result.ncct);
  std::printf("mask: %lld voxels (%s); vessel region: %lld voxels (%s); range %s to %s HU\n",
              static_cast<long long>(p.maskVoxels),
              result.maskComputed ? "computed from the reference" : files.mask.c_str(),
              static_cast<long long>(p.vesselVoxels), result.vesselSource.c_str(),
              formatNumber(options.lowHu).c_str(), formatNumber(options.highHu).c_str());
  return 0;
}

} // namespace

Command& addSynthCommands(Command& root) {
  auto& synth =
      root.subcommand("synth", "NCCT -> CTA synthesis: synthetic contrast from non-contrast CT");
  addSynthPairsCommand(synth);
  synth.subcommand("eval", "Score a synthetic CTA against the real one as SynthRAD does")
      .description(
          "MAE in HU over the body mask (no clipping); PSNR over the mask with both volumes\n"
          "clipped to the HU range, peak = its width; SSIM in 3D (7x7x7 uniform window,\n"
          "K1 0.01, K2 0.03) on the clipped volumes set to the range's low end outside the mask,\n"
          "averaged over the mask 3 or more voxels from the borders; MAE inside the vessel\n"
          "region. With --ncct every score is given for the NCCT itself as the prediction too.\n"
          "The default range is SynthRAD 2023's (-1024 to 3000 HU, PSNR range 4024); SynthRAD\n"
          "2025 scores with --range-high 3071. Given folders, scores every case whose files pair\n"
          "up by name (case_1.nii.gz in each) and adds the mean and standard deviation.")
      .option({"--prediction", "FILE|DIR",
               "the synthetic CTA (NIfTI, NRRD, MetaImage or DICOM, HU), or a folder of them"})
      .option({"--reference", "FILE|DIR", "the real CTA on the same grid (a folder: by name)"})
      .option({"--mask", "FILE|DIR",
               "body mask, non-zero inside (default: computed from the "
               "reference: above -500 HU, largest part, holes filled)"})
      .option({"--vessels", "FILE|DIR",
               "vessel mask for the vessel MAE (default with --ncct: where the reference is "
               "100+ HU above the NCCT)"})
      .option({"--ncct", "FILE|DIR", "the non-contrast input, scored as the prediction beside it"})
      .option({"--range-low", "HU", "low end of the clipping range (default -1024)"})
      .option({"--range-high", "HU", "high end of the clipping range (default 3000)"})
      .option({"--threads", "N", "threads for SSIM (default: one per core)"})
      .option({"--json", "", "print JSON"})
      .handler(evalCommand);
  return synth;
}

} // namespace lumen::cli
