// `lumen-cli ct synth`: synthetic chest CT phantoms, non-contrast and CTA pairs with label maps;
// `lumen-cli synth pairs`: the same with the CTA's patient slightly moved and the synthesis masks.
#include "Commands.h"
#include "TerminalProgress.h"
#include "common/Error.h"
#include "common/Text.h"
#include "segment/ChestClasses.h"
#include "segment/SyntheticChestCt.h"
#include "synthesis/SyntheticPairs.h"

#include <cstdio>
#include <filesystem>

namespace lumen::cli {
namespace {

constexpr int64_t kMaxSeed = int64_t(1) << 53; // as large as every tool reading seeds agrees on

// "AxBxC" into three positive numbers; `parse` reads one and says whether it is whole.
template <class T>
std::array<T, 3> tripleOption(const ParsedArgs& args, const std::string& name,
                              std::array<T, 3> fallback, const std::string& example) {
  const auto text = args.value(name);
  if (!text)
    return fallback;
  std::array<T, 3> out{};
  size_t start = 0;
  for (size_t d = 0; d < 3; ++d) {
    const size_t end = d < 2 ? text->find('x', start) : text->size();
    const std::string part =
        end == std::string::npos ? std::string() : text->substr(start, end - start);
    try {
      size_t used = 0;
      if constexpr (std::is_integral_v<T>)
        out[d] = T(std::stoll(part, &used));
      else
        out[d] = T(std::stod(part, &used));
      if (part.empty() || used != part.size())
        throw std::invalid_argument(part);
    } catch (const std::exception&) {
      throw UsageError(name + " expects three numbers as " + example + ", got '" + *text + "'");
    }
    if (end == std::string::npos)
      break;
    start = end + 1;
  }
  return out;
}

int synthCommand(const ParsedArgs& args, bool pairs) {
  const std::string out = args.positional(0);
  SyntheticChestCtOptions options =
      pairs ? defaultSyntheticPairOptions() : SyntheticChestCtOptions{};
  const int cases = int(args.integer("--cases", 1, 1, 10000));
  const auto seed = uint64_t(args.integer("--seed", 0, 0, kMaxSeed));
  options.size = tripleOption<int64_t>(args, "--size", options.size, "256x256x120");
  options.spacing = tripleOption<double>(args, "--spacing", options.spacing, "1.4x1.4x2.5");
  options.noiseHu = args.number("--noise", options.noiseHu, 0, 200);
  options.misalignMm = args.number("--misalign", options.misalignMm, 0, 20);
  options.misalignDegrees = args.number("--rotate", options.misalignDegrees, 0, 10);
  options.threads = int(args.integer("--threads", 0, 0, 1024));
  const bool overwrite = args.flag("--overwrite");
  const char* axes = "xyz";
  for (size_t d = 0; d < 3; ++d) {
    if (options.size[d] < 8 || options.size[d] > 2048)
      throw UsageError(std::string("--size: the ") + axes[d] + " size must be 8-2048 voxels, got " +
                       std::to_string(options.size[d]));
    if (!(options.spacing[d] >= 0.1 && options.spacing[d] <= 20))
      throw UsageError(std::string("--spacing: the ") + axes[d] +
                       " spacing must be 0.1-20 mm, got " + formatNumber(options.spacing[d]));
  }
  parseOption("--size", [&] { checkSyntheticChestCtOptions(options); });
  if (std::filesystem::exists(out) && !std::filesystem::is_directory(out))
    throw UsageError("OUTDIR " + out + " is a file, expected a folder");
  if (!overwrite) {
    const auto existing = existingSyntheticChestCtFiles(out, cases);
    if (!existing.empty())
      throw UsageError(existing.front() + " exists (" + std::to_string(existing.size()) +
                       " case files in all); pass --overwrite to replace them");
  }
  SyntheticChestCtFiles files;
  const int code = runWithProgress(makeJob("synthetic chest CT", [&](Job& job) {
    files = pairs ? writeSyntheticPairs(out, cases, seed, options, overwrite, &job)
                  : writeSyntheticChestCts(out, cases, seed, options, overwrite, &job);
    if (!pairs && args.flag("--study"))
      linkSyntheticLabelsAsFinal(out, files.cases);
  }));
  if (code != 0)
    return code;
  const double n = double(files.cases.size());
  std::printf("wrote %zu synthetic chest CT cases (%d classes; nct/, cta/, labels/%s, "
              "phantoms.json) to %s\n",
              files.cases.size(), kChestClasses, pairs ? ", masks/{body,lung,vessels}/" : "",
              out.c_str());
  std::printf("%.2f s per case (%.2f s generating, %.2f s writing) at %lldx%lldx%lld\n",
              (files.generateSeconds + files.writeSeconds) / n, files.generateSeconds / n,
              files.writeSeconds / n, static_cast<long long>(options.size[0]),
              static_cast<long long>(options.size[1]), static_cast<long long>(options.size[2]));
  if (!pairs && args.flag("--study"))
    std::printf("%s/cta is a study folder with the labels as final: lumen-cli segment train "
                "--studies %s/cta\n",
                out.c_str(), out.c_str());
  return 0;
}

// The phantom options both commands take.
Command& phantomOptions(Command& command, const char* misalignDefault) {
  return command.positional({"OUTDIR", "folder for nct/, cta/, labels/ and phantoms.json"})
      .option({"--cases", "N", "number of cases, 1-10000 (default 1)"})
      .option({"--seed", "S", "seed of the first case; case c uses S + c (default 0)"})
      .option({"--size", "XxYxZ", "voxels per axis, 8-2048 (default 256x256x120)"})
      .option({"--spacing", "XxYxZ", "voxel size in mm, 0.1-20 (default 1.4x1.4x2.5)"})
      .option({"--noise", "HU", "standard deviation of the noise, 0-200 (default 14)"})
      .option(
          {"--misalign", "MM",
           std::string("the CTA's patient shifted by up to MM along each axis, 0-20 (default ") +
               misalignDefault + ")"})
      .option(
          {"--rotate", "DEG",
           std::string("and rotated by up to DEG degrees, 0-10 (default ") + misalignDefault + ")"})
      .option({"--threads", "N", "threads per case (default: one per core)"})
      .option({"--overwrite", "", "replace existing case files (default: refuse)"});
}

} // namespace

void addCtSynthCommand(Command& ct) {
  phantomOptions(
      ct.subcommand("synth", "Write synthetic chest CT phantoms: non-contrast, CTA and labels")
          .description(
              "Per case a random chest: body, fat, muscle, lungs, spine, ribs and sternum, "
              "airways,\nheart chambers and myocardium, aorta, pulmonary arteries with their "
              "branches in the\nlungs and coronaries, as a label map and two scans in HU of the "
              "same anatomy: non-contrast\nand arterial-phase CTA. OUTDIR gets nct/, cta/ and "
              "labels/ case_NNN.nii.gz and phantoms.json\n(class table, per-case seed and "
              "geometry). The same seed gives identical files."),
      "0")
      .option({"--study", "",
               "make cta/ a study folder with the label maps as labels/final/ (for segment "
               "train, eval and serve)"})
      .handler([](const ParsedArgs& args) { return synthCommand(args, false); });
}

void addSynthPairsCommand(Command& synth) {
  phantomOptions(
      synth.subcommand("pairs", "Write synthetic NCCT/CTA training pairs with their masks")
          .description(
              "The chest phantoms of `ct synth` (nct/, cta/, labels/, phantoms.json), the CTA's "
              "patient\nmoved by a small random shift and rotation against the NCCT's as between "
              "two real\nacquisitions (phantoms.json records it), each scan with its own noise, "
              "and per case the\nmasks the synthesis losses and metrics use: masks/body/, "
              "masks/lung/ and masks/vessels/\n(in the NCCT's frame)."),
      "2")
      .handler([](const ParsedArgs& args) { return synthCommand(args, true); });
}

} // namespace lumen::cli
