#include "segment/SyntheticChestCt.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "common/Job.h"
#include "common/Parallel.h"
#include "io/NiftiIO.h"
#include "segment/ChestAnatomy.h"
#include "segment/ChestClasses.h"
#include "segment/ChestIntensity.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

namespace lumen {
namespace {

namespace fs = std::filesystem;

std::string caseName(int c) {
  char name[32];
  std::snprintf(name, sizeof name, "case_%03d", c);
  return name;
}

std::string casePath(const std::string& outDir, const char* folder, int c) {
  return (fs::path(outDir) / folder / (caseName(c) + ".nii.gz")).string();
}

int threadCount(int requested) {
  return requested > 0 ? requested : int(std::max(1u, std::thread::hardware_concurrency()));
}

// The torso is about 320 x 225 mm; a narrower field of view shrinks the whole phantom so that the
// body outline stays inside the image, as the demo and quick tests want to see it.
double fitScale(const ImageGeometry& g) {
  const double width = double(g.size[0]) * g.spacing[0], depth = double(g.size[1]) * g.spacing[1];
  return std::min({1.0, 0.92 * width / 350.0, 0.92 * depth / 250.0});
}

double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// A shift uniform in [-shift, shift] per axis and a rotation by an angle uniform in
// [-degrees, degrees] about a uniformly random axis (Rodrigues' formula), from a stream of its
// own so that the anatomy and noise of a seed stay the same.
RigidMotion randomMotion(uint64_t seed, double shift, double degrees) {
  RigidMotion motion;
  if (shift <= 0 && degrees <= 0)
    return motion;
  std::mt19937_64 rng(seed * 0xD1B54A32D192ED03ull + 0x3A15ull);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  for (double& s : motion.shiftMm)
    s = shift * unit(rng);
  Vec3 axis{0, 0, 0};
  double length = 0;
  while (length < 1e-3 || length > 1) {
    axis = {unit(rng), unit(rng), unit(rng)};
    length = std::sqrt(axis[0] * axis[0] + axis[1] * axis[1] + axis[2] * axis[2]);
  }
  for (double& a : axis)
    a /= length;
  const double angle = degrees * unit(rng) * 3.14159265358979323846 / 180.0;
  const double c = std::cos(angle), s = std::sin(angle), t = 1 - c;
  const double x = axis[0], y = axis[1], z = axis[2];
  motion.rotation = {t * x * x + c,     t * x * y - s * z, t * x * z + s * y,
                     t * x * y + s * z, t * y * y + c,     t * y * z - s * x,
                     t * x * z - s * y, t * y * z + s * x, t * z * z + c};
  return motion;
}

} // namespace

void checkSyntheticChestCtOptions(const SyntheticChestCtOptions& o) {
  const char* axes = "xyz";
  uint64_t voxels = 1;
  for (size_t d = 0; d < 3; ++d) {
    if (o.size[d] < 8 || o.size[d] > 2048)
      throw InputError(std::string("synthetic chest size along ") + axes[d] +
                       " must be 8-2048 voxels, got " + std::to_string(o.size[d]));
    if (!(o.spacing[d] >= 0.1 && o.spacing[d] <= 20))
      throw InputError(std::string("synthetic chest spacing along ") + axes[d] +
                       " must be 0.1-20 mm, got " + std::to_string(o.spacing[d]));
    voxels *= uint64_t(o.size[d]);
  }
  if (voxels > kMaxSyntheticChestVoxels)
    throw InputError("synthetic chest of " + std::to_string(voxels) + " voxels is larger than " +
                     std::to_string(kMaxSyntheticChestVoxels) + " (512x512x1024)");
  if (!(o.noiseHu >= 0 && o.noiseHu <= 200))
    throw InputError("synthetic chest noise must be 0-200 HU, got " + std::to_string(o.noiseHu));
  if (!(o.misalignMm >= 0 && o.misalignMm <= 20))
    throw InputError("synthetic CTA misalignment must be 0-20 mm, got " +
                     std::to_string(o.misalignMm));
  if (!(o.misalignDegrees >= 0 && o.misalignDegrees <= 10))
    throw InputError("synthetic CTA rotation must be 0-10 degrees, got " +
                     std::to_string(o.misalignDegrees));
}

SyntheticChestCt makeSyntheticChestCt(uint64_t seed, const SyntheticChestCtOptions& options,
                                      Job* job) {
  checkSyntheticChestCtOptions(options);
  SyntheticChestCt result;
  ImageGeometry& g = result.labels.geometry;
  g.size = options.size;
  g.spacing = options.spacing;
  result.scale = fitScale(g);
  // Centred on the body in x and y; in z from below the diaphragm to above the lung apices.
  const double zCentre = 20 * result.scale;
  for (size_t d = 0; d < 3; ++d)
    g.origin[d] = (d == 2 ? zCentre : 0.0) - 0.5 * double(g.size[d] - 1) * g.spacing[d];
  const double zLow = g.origin[2] / result.scale;
  const double zHigh = (g.origin[2] + double(g.size[2] - 1) * g.spacing[2]) / result.scale;

  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + 0xC4E57ull);
  const ChestAnatomy anatomy = makeChestAnatomy(rng, zLow, zHigh);
  const int threads = threadCount(options.threads);
  result.labels.values.assign(g.voxels(), 0);
  std::vector<ChestMaterial> materials(g.voxels(), ChestMaterial::Air);
  // Thin vessels are kept at least about half a voxel wide so that they stay visible.
  const double minRadius = 0.5 * std::min(g.spacing[0], g.spacing[1]) / result.scale;
  parallelFor(
      size_t(g.size[2]), threads,
      [&](size_t kk) {
        const int64_t k = int64_t(kk);
        const double z = (g.origin[2] + double(k) * g.spacing[2]) / result.scale;
        for (int64_t j = 0; j < g.size[1]; ++j) {
          const double y = (g.origin[1] + double(j) * g.spacing[1]) / result.scale;
          for (int64_t i = 0; i < g.size[0]; ++i) {
            const double x = (g.origin[0] + double(i) * g.spacing[0]) / result.scale;
            const auto [label, material] = anatomy.torso.classify({x, y, z});
            const size_t offset = g.offset(i, j, k);
            result.labels.values[offset] = label;
            materials[offset] = material;
          }
        }
        paintChestSlice(anatomy.primitives, k, result.scale, minRadius, result.labels, materials);
      },
      job);

  ChestRenderSettings render;
  render.noiseHu = options.noiseHu;
  render.scale = result.scale;
  render.noiseSeed = rng();
  render.threads = threads;
  result.nct = renderChestCt(result.labels, materials, anatomy, render, job);
  render.contrast = true;
  result.ctaMotion = randomMotion(seed, options.misalignMm, options.misalignDegrees);
  render.motion = result.ctaMotion;
  result.cta = renderChestCt(result.labels, materials, anatomy, render, job);
  return result;
}

std::vector<std::string> existingSyntheticChestCtFiles(const std::string& outDir, int cases) {
  std::vector<std::string> existing;
  for (int c = 0; c < cases; ++c)
    for (const char* folder : {"nct", "cta", "labels"}) {
      const std::string path = casePath(outDir, folder, c);
      if (fs::exists(path))
        existing.push_back(path);
    }
  return existing;
}

SyntheticChestCtFiles writeSyntheticChestCts(const std::string& outDir, int cases, uint64_t seed,
                                             const SyntheticChestCtOptions& options, bool overwrite,
                                             Job* job, const SyntheticCaseWriter& alsoWrite) {
  if (cases < 1)
    throw InputError("synthetic chest CT needs at least 1 case, got " + std::to_string(cases));
  checkSyntheticChestCtOptions(options);
  if (!overwrite) {
    const auto existing = existingSyntheticChestCtFiles(outDir, cases);
    if (!existing.empty())
      throw InputError(existing.front() + " exists (and " + std::to_string(existing.size() - 1) +
                       " more case files): refusing to overwrite without --overwrite");
  }
  for (const char* folder : {"nct", "cta", "labels"})
    fs::create_directories(fs::path(outDir) / folder);

  nlohmann::json json;
  json["generator"] = "lumen ct synth";
  json["phases"] = {{"nct", "non-contrast"}, {"cta", "arterial-phase CT angiography"}};
  json["classes"] = nlohmann::json::array();
  json["classes"].push_back({{"id", 0},
                             {"name", "Background"},
                             {"long_name", "Air outside the body"},
                             {"color", {0, 0, 0}}});
  for (int label = 1; label <= kChestClasses; ++label) {
    const auto color = chestClassColor(label);
    json["classes"].push_back({{"id", label},
                               {"name", chestClassName(label)},
                               {"long_name", chestClassLongName(label)},
                               {"color", {color[0], color[1], color[2]}},
                               {"blood_pool", isChestBloodPool(label)}});
  }
  json["cases"] = nlohmann::json::array();

  SyntheticChestCtFiles files;
  for (int c = 0; c < cases; ++c) {
    if (job) {
      job->checkCancelled();
      job->setProgress(double(c) / cases,
                       "chest CT " + std::to_string(c + 1) + "/" + std::to_string(cases));
    }
    auto start = std::chrono::steady_clock::now();
    const uint64_t caseSeed = seed + uint64_t(c);
    const SyntheticChestCt ct = makeSyntheticChestCt(caseSeed, options, job);
    files.generateSeconds += seconds(start);
    start = std::chrono::steady_clock::now();
    // The three files of a case in parallel: gzip dominates the writing.
    const std::string paths[3] = {casePath(outDir, "nct", c), casePath(outDir, "cta", c),
                                  casePath(outDir, "labels", c)};
    parallelFor(
        3, threadCount(options.threads),
        [&](size_t f) {
          if (f == 0)
            writeCtVolume(paths[0], ct.nct);
          else if (f == 1)
            writeCtVolume(paths[1], ct.cta);
          else
            writeLabelVolume(paths[2], ct.labels);
        },
        job);
    if (alsoWrite)
      alsoWrite(caseName(c), ct);
    files.writeSeconds += seconds(start);
    const ImageGeometry& g = ct.labels.geometry;
    json["cases"].push_back(
        {{"case", caseName(c)},
         {"seed", caseSeed},
         {"size", g.size},
         {"spacing", g.spacing},
         {"origin", g.origin},
         {"direction", g.direction},
         {"phantom_scale", ct.scale},
         {"cta_motion", {{"rotation", ct.ctaMotion.rotation}, {"shift_mm", ct.ctaMotion.shiftMm}}},
         {"nct", "nct/" + caseName(c) + ".nii.gz"},
         {"cta", "cta/" + caseName(c) + ".nii.gz"},
         {"labels", "labels/" + caseName(c) + ".nii.gz"}});
    files.cases.push_back(caseName(c));
  }
  writeFileAtomically((fs::path(outDir) / "phantoms.json").string(), json.dump(2) + "\n");
  if (job)
    job->setProgress(1.0, "done");
  return files;
}

void linkSyntheticLabelsAsFinal(const std::string& outDir, const std::vector<std::string>& cases) {
  namespace fs = std::filesystem;
  const fs::path finals = fs::path(outDir) / "cta" / "labels" / "final";
  fs::create_directories(finals);
  for (const auto& id : cases) {
    const fs::path source = fs::path(outDir) / "labels" / (id + ".nii.gz");
    const fs::path target = finals / (id + ".nii.gz");
    std::error_code ec;
    fs::remove(target, ec);
    fs::create_hard_link(source, target, ec);
    if (ec)
      fs::copy_file(source, target, fs::copy_options::overwrite_existing);
  }
}

} // namespace lumen
