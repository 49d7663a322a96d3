// The study-folder datastore: MONAI Label's datastore_v2.json read and written as it writes it,
// file names to ids, reconciliation with the folder, a corrupt JSON kept aside, unsafe ids
// refused, the sample strategies, and concurrent writers (threads, objects, a second process)
// that lose nothing.
#include "TestSupport.h"
#include "common/Error.h"
#include "io/NiftiIO.h"
#include "segment/Datastore.h"
#include "segment/DatastoreNames.h"
#include "segment/DatastoreStrategies.h"

#include <QtTest>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace lumen;
using namespace lumen::segment;
namespace fs = std::filesystem;

namespace {

void writeImage(const std::string& path, int16_t value = 40) {
  CtVolume volume;
  volume.geometry.size = {4, 3, 2};
  volume.values.assign(volume.geometry.voxels(), value);
  writeCtVolume(path, volume);
}

void writeMask(const std::string& path) {
  LabelVolume volume;
  volume.geometry.size = {4, 3, 2};
  volume.values.assign(volume.geometry.voxels(), 0);
  volume.values[3] = 1;
  writeLabelVolume(path, volume);
}

// File times are as fine as the kernel's tick; the datastore waits until a folder's time is old
// enough to trust, so a test that changes the folder behind its back needs no sleeps, but one that
// checks "nothing is re-read" must let the times age.
void touchOld(const std::string& path) {
  const auto old = fs::file_time_type::clock::now() - std::chrono::seconds(10);
  fs::last_write_time(path, old);
}

// What MONAI Label writes for the example of MONAILABEL.md §4 (json.dumps, indent 2).
const char* const kMonaiJson = R"({
  "name": "new-dataset",
  "description": "New Dataset",
  "images_dir": ".",
  "labels_dir": "labels",
  "objects": {
    "spleen_3": {
      "image": {
        "ext": ".nii.gz",
        "info": {
          "ts": 1700000000,
          "name": "spleen_3.nii.gz",
          "strategy": {
            "random": {
              "ts": 1700000100,
              "client_id": "user-xyz"
            }
          },
          "client_id": "user-xyz",
          "user": "anonymous"
        }
      },
      "labels": {
        "final": {
          "ext": ".nii.gz",
          "info": {
            "ts": 1700000200,
            "name": "spleen_3.nii.gz",
            "label_info": [
              {
                "name": "spleen",
                "idx": 1
              }
            ],
            "model": "sam_3d",
            "client_id": "user-xyz"
          }
        },
        "original": {
          "ext": ".nrrd",
          "info": {
            "ts": 1700000150,
            "name": "spleen_3.nrrd",
            "model": "deepedit",
            "params": {
              "label_names": {
                "spleen": 1
              },
              "latencies": {}
            }
          }
        }
      }
    },
    "spleen_8": {
      "image": {
        "ext": ".nii.gz",
        "info": {
          "ts": 1700000001,
          "name": "spleen_8.nii.gz"
        }
      },
      "labels": {}
    }
  }
})";

std::string monaiFolder(const std::string& name) {
  const std::string dir = test::freshDir(name);
  writeImage(dir + "/spleen_3.nii.gz");
  writeImage(dir + "/spleen_8.nii.gz");
  fs::create_directories(dir + "/labels/final");
  fs::create_directories(dir + "/labels/original");
  writeMask(dir + "/labels/final/spleen_3.nii.gz");
  test::writeText(dir + "/labels/original/spleen_3.nrrd", "NRRD0004\n"); // never parsed
  test::writeText(dir + "/datastore_v2.json", kMonaiJson);
  for (const char* folder : {"", "/labels", "/labels/final", "/labels/original"})
    touchOld(dir + folder);
  touchOld(dir + "/datastore_v2.json");
  return dir;
}

// Images a..n (as many as asked) in a fresh folder.
std::string folderWithImages(const std::string& name, int count) {
  const std::string dir = test::freshDir(name);
  for (int i = 0; i < count; ++i)
    writeImage(dir + "/case_" + std::string(1, char('a' + i)) + ".nii.gz");
  return dir;
}

Json readJson(const std::string& path) {
  return Json::parse(test::readText(path));
}

DatastoreOptions fixedClock(int64_t* now) {
  DatastoreOptions options;
  options.clock = [now] { return *now; };
  return options;
}

template <class F> QString errorOf(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return QString::fromStdString(e.what());
  }
  return {};
}

} // namespace

class TestDatastore : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void namesFollowMonaiLabel() {
    const auto p = defaultImagePatterns();
    QCOMPARE(QString::fromStdString(fileExtension("spleen_3.nii.gz", p)), QString(".nii.gz"));
    QCOMPARE(QString::fromStdString(idOfFileName("spleen_3.nii.gz", p)), QString("spleen_3"));
    QCOMPARE(QString::fromStdString(idOfFileName("a.b.nii.gz", p)), QString("a.b"));
    QCOMPARE(QString::fromStdString(fileExtension("a.b.nii.gz", p)), QString(".nii.gz"));
    QCOMPARE(QString::fromStdString(idOfFileName("heart.nrrd", p)), QString("heart"));
    QCOMPARE(QString::fromStdString(idOfFileName("ct.mha", p)), QString("ct"));
    QCOMPARE(QString::fromStdString(idOfFileName("x.nii", p)), QString("x"));
    // Every occurrence goes, as Python's str.replace removes them.
    QCOMPARE(QString::fromStdString(idOfFileName("a.nii_b.nii", p)), QString("a_b"));
    // Without a matching pattern: the trailing suffixes of at most 10 characters.
    QCOMPARE(QString::fromStdString(fileExtension("scan.v2.verylongsuffix.gz", {})),
             QString(".gz"));
    QCOMPARE(QString::fromStdString(fileExtension("notes.txt", {})), QString(".txt"));
    QVERIFY(matchesImagePattern("ct.mha", p));
    QVERIFY(!matchesImagePattern("notes.txt", p));
    QVERIFY(!matchesImagePattern(".hidden.nii.gz", p));
    QVERIFY(!matchesImagePattern("CT.NII.GZ", p)); // glob on Linux is case sensitive
    QVERIFY(!matchesImagePattern("x.nii.gz.tmp-1-2-3.partial", p)); // our staged copies
    QCOMPARE(QString::fromStdString(idOfUploadName("/home/u/tmp/tmpab12.nii.gz")),
             QString("tmpab12"));
    QCOMPARE(QString::fromStdString(idOfUploadName("C:\\Users\\u\\case 1.nii.gz")),
             QString("case 1"));
    // An upload loses all its suffixes (MONAI Label's endpoint), a listed file only its extension.
    QCOMPARE(QString::fromStdString(idOfUploadName("a.b.nii.gz")), QString("a"));
  }

  void unsafeIdsAndTagsRefused() {
    for (const char* id : {"", "../evil", "a/b", "a\\b", "..", "x..y", ".hidden", "a\nb"})
      QVERIFY2(!errorOf([&] { requireSafeId(id); }).isEmpty(), id);
    QVERIFY(errorOf([&] { requireSafeId("caf\xe9"); }).contains("not UTF-8"));
    requireSafeId("caf\xc3\xa9");
    requireSafeId("case 1");
    requireSafeId("spleen_3");
    const std::string dir = folderWithImages("datastore-unsafe", 1);
    const std::string outside = test::freshDir("datastore-unsafe-outside");
    writeImage(outside + "/upload.nii.gz");
    Datastore store(dir);
    QVERIFY(errorOf([&] {
              store.addImage(outside + "/upload.nii.gz", "../evil");
            }).contains("path separator"));
    QVERIFY(errorOf([&] { store.addImage(outside + "/upload.nii.gz", "a..b"); }).contains("'..'"));
    QVERIFY(errorOf([&] {
              store.addImage(outside + "/upload.nii.gz", "sub/evil");
            }).contains("path separator"));
    QVERIFY(!fs::exists(fs::path(dir).parent_path() / "evil.nii.gz"));
    QVERIFY(errorOf([&] {
              store.saveLabel("case_a", outside + "/upload.nii.gz", "../final");
            }).contains("label tag"));
    QVERIFY(errorOf([&] {
              store.saveLabel("nope", outside + "/upload.nii.gz");
            }).contains("no image 'nope'"));
    test::writeText(outside + "/notes.txt", "x");
    QVERIFY(errorOf([&] {
              store.addImage(outside + "/notes.txt", "notes");
            }).contains("'.txt' is not one the datastore lists"));
    QCOMPARE(int(store.images().size()), 1);
    // Info a client sent that JSON cannot hold changes nothing, in memory or on disk.
    const std::string before = test::readText(dir + "/datastore_v2.json");
    QVERIFY(errorOf([&] {
              store.updateImageInfo("case_a", Json{{"note", "\xff"}});
            }).contains("cannot write the datastore JSON"));
    QVERIFY(!store.image("case_a")->info.contains("note"));
    QCOMPARE(test::readText(dir + "/datastore_v2.json"), before);
    // A file whose name is not UTF-8 is not an image (JSON could not name it).
    test::writeText(dir + "/bad\xff.nii.gz", "x");
    QCOMPARE(int(store.images().size()), 1);
    QVERIFY(QString::fromStdString(store.warnings().back()).contains("not UTF-8"));
  }

  void readsWhatMonaiLabelWrote() {
    const std::string dir = monaiFolder("datastore-monai");
    const std::string before = test::readText(dir + "/datastore_v2.json");
    Datastore store(dir);
    // Nothing to reconcile, so the file is not rewritten: not a byte differs.
    QCOMPARE(test::readText(dir + "/datastore_v2.json"), before);
    QVERIFY(store.warnings().empty());
    const auto images = store.images();
    QCOMPARE(int(images.size()), 2);
    const ImageRecord& spleen = images[0];
    QCOMPARE(QString::fromStdString(spleen.id), QString("spleen_3"));
    QCOMPARE(QString::fromStdString(spleen.path), QString::fromStdString(dir + "/spleen_3.nii.gz"));
    QVERIFY(spleen.completed());
    QCOMPARE(spleen.lastServed(), int64_t(1700000100));
    QCOMPARE(spleen.info["user"].get<std::string>(), std::string("anonymous"));
    const LabelRecord& final = spleen.labels.at("final");
    QCOMPARE(final.info["label_info"][0]["name"].get<std::string>(), std::string("spleen"));
    QCOMPARE(final.info["label_info"][0]["idx"].get<int>(), 1);
    QCOMPARE(QString::fromStdString(final.path),
             QString::fromStdString(dir + "/labels/final/spleen_3.nii.gz"));
    const LabelRecord& original = spleen.labels.at("original");
    QCOMPARE(QString::fromStdString(original.ext), QString(".nrrd"));
    QCOMPARE(original.info["params"]["label_names"]["spleen"].get<int>(), 1);
    QVERIFY(!images[1].completed());
    const auto stats = store.stats().toJson();
    QCOMPARE(stats.dump(),
             std::string(R"({"total":2,"completed":1,"label_tags":{"final":1,"original":1}})"));
    const auto pairs = store.trainingPairs();
    QCOMPARE(int(pairs.size()), 1);
    QCOMPARE(QString::fromStdString(pairs[0].second),
             QString::fromStdString(dir + "/labels/final/spleen_3.nii.gz"));

    // A change rewrites the file in MONAI Label's layout and key order, keeping foreign keys.
    int64_t now = 1800000000;
    DatastoreOptions options = fixedClock(&now);
    Datastore writer(dir, options);
    writer.recordServed("spleen_8", "first", "");
    const std::string after = test::readText(dir + "/datastore_v2.json");
    QVERIFY(after.find("\"name\": \"new-dataset\",\n  \"description\"") != std::string::npos);
    QVERIFY(after.find("\"labels_dir\": \"labels\",\n  \"objects\": {\n    \"spleen_3\"") !=
            std::string::npos);
    QVERIFY(after.find("\"user\": \"anonymous\"") != std::string::npos);
    QVERIFY(after.back() == '}');
    const Json written = Json::parse(after);
    const Json& served = written["objects"]["spleen_8"]["image"]["info"]["strategy"]["first"];
    QCOMPARE(served["ts"].get<int64_t>(), now);
    QVERIFY(served["client_id"].is_null());
    // The same text as before for the untouched object.
    QCOMPARE(written["objects"]["spleen_3"].dump(),
             Json::parse(before)["objects"]["spleen_3"].dump());
  }

  void roundTrip() {
    const std::string dir = test::freshDir("datastore-roundtrip");
    const std::string outside = test::freshDir("datastore-roundtrip-in");
    writeImage(outside + "/tmpk3j2.nii.gz");
    writeMask(outside + "/mask.nii.gz");
    test::writeText(outside + "/result.nrrd", "NRRD0004\n");
    int64_t now = 1750000000;
    {
      Datastore store(dir, fixedClock(&now));
      QVERIFY(fs::is_directory(dir + "/labels/final"));
      QVERIFY(fs::is_directory(dir + "/labels/original"));
      QVERIFY(store.images().empty());
      QCOMPARE(store.stats().toJson().dump(),
               std::string(R"({"total":0,"completed":0,"label_tags":{}})"));
      const std::string id =
          store.addImage(outside + "/tmpk3j2.nii.gz", "", Json{{"user", "alice"}}, "");
      QCOMPARE(QString::fromStdString(id), QString("tmpk3j2"));
      QCOMPARE(store.addImage(outside + "/tmpk3j2.nii.gz", "heart 2", Json::object()),
               std::string("heart 2"));
      QVERIFY(fs::exists(dir + "/heart 2.nii.gz"));
      now += 10;
      const Json labelInfo{{"label_info", Json::array({Json{{"name", "lv"}, {"idx", 1}}})},
                           {"model", "sam_3d"},
                           {"client_id", "c1"}};
      const LabelRecord saved =
          store.saveLabel("heart 2", outside + "/mask.nii.gz", "final", labelInfo);
      QCOMPARE(QString::fromStdString(saved.path),
               QString::fromStdString(dir + "/labels/final/heart 2.nii.gz"));
      QCOMPARE(test::readText(saved.path), test::readText(outside + "/mask.nii.gz"));
      // The label's own extension, not the image's.
      store.saveLabel("heart 2", outside + "/result.nrrd", "original",
                      Json{{"model", "sam_3d"},
                           {"params", Json{{"uncertain_fraction", 0.25}, {"label_names", {}}}}});
      QVERIFY(fs::exists(dir + "/labels/original/heart 2.nrrd"));
      QCOMPARE(*store.image("heart 2")->uncertainFraction(), 0.25);
    }
    const Json json = readJson(dir + "/datastore_v2.json");
    QCOMPARE(json["images_dir"].get<std::string>(), std::string("."));
    const Json& entry = json["objects"]["heart 2"];
    QCOMPARE(entry["image"]["ext"].get<std::string>(), std::string(".nii.gz"));
    QCOMPARE(entry["image"]["info"]["name"].get<std::string>(), std::string("heart 2.nii.gz"));
    QCOMPARE(entry["labels"]["final"]["info"]["ts"].get<int64_t>(), int64_t(1750000010));
    QCOMPARE(entry["labels"]["final"]["info"]["name"].get<std::string>(),
             std::string("heart 2.nii.gz"));
    QCOMPARE(entry["labels"]["final"]["info"]["label_info"][0]["name"].get<std::string>(),
             std::string("lv"));
    QCOMPARE(entry["labels"]["original"]["ext"].get<std::string>(), std::string(".nrrd"));
    QCOMPARE(json["objects"]["tmpk3j2"]["image"]["info"]["user"].get<std::string>(),
             std::string("alice"));

    Datastore reopened(dir);
    auto label = reopened.label("heart 2", "final");
    QVERIFY(label.has_value());
    QCOMPARE(label->info["model"].get<std::string>(), std::string("sam_3d"));
    reopened.updateLabelInfo("heart 2", "final", Json{{"reviewed", true}});
    QVERIFY(reopened.label("heart 2", "final")->info["reviewed"].get<bool>());
    QCOMPARE(reopened.label("heart 2", "final")->info["model"].get<std::string>(),
             std::string("sam_3d"));
    QVERIFY(reopened.removeLabel("heart 2", "final"));
    QVERIFY(!reopened.removeLabel("heart 2", "final"));
    QVERIFY(!fs::exists(dir + "/labels/final/heart 2.nii.gz"));
    QVERIFY(!reopened.image("heart 2")->completed());
    reopened.removeImage("heart 2");
    QVERIFY(!fs::exists(dir + "/heart 2.nii.gz"));
    QVERIFY(!fs::exists(dir + "/labels/original/heart 2.nrrd"));
    QVERIFY(errorOf([&] { reopened.removeImage("heart 2"); }).contains("no image 'heart 2'"));
    QCOMPARE(int(readJson(dir + "/datastore_v2.json")["objects"].size()), 1);
    // Staged copies never stay behind.
    for (const auto& file : fs::recursive_directory_iterator(dir))
      QVERIFY2(file.path().string().find(".tmp-") == std::string::npos, file.path().c_str());
  }

  void reconcilesWithTheFolder() {
    const std::string dir = folderWithImages("datastore-reconcile", 2);
    Datastore store(dir);
    QCOMPARE(int(store.images().size()), 2);
    // Files copied in and deleted behind its back are seen without a refresh call.
    writeImage(dir + "/case_z.nrrd");
    test::writeText(dir + "/notes.nii.gz.txt", "not an image");
    fs::remove(dir + "/case_a.nii.gz");
    auto images = store.images();
    QCOMPARE(int(images.size()), 2);
    QCOMPARE(QString::fromStdString(images[0].id), QString("case_b"));
    QCOMPARE(QString::fromStdString(images[1].id), QString("case_z"));
    QCOMPARE(QString::fromStdString(images[1].ext), QString(".nrrd"));
    QCOMPARE(images[1].info["name"].get<std::string>(), std::string("case_z.nrrd"));
    // Labels found on disk are registered under their tag, new tag folders included.
    writeMask(dir + "/labels/final/case_b.nii.gz");
    fs::create_directories(dir + "/labels/reviewed");
    writeMask(dir + "/labels/reviewed/case_z.nii.gz");
    writeMask(dir + "/labels/final/ghost.nii.gz");
    images = store.images();
    QVERIFY(images[0].completed());
    QCOMPARE(images[0].labels.at("final").info["name"].get<std::string>(),
             std::string("case_b.nii.gz"));
    QVERIFY(images[1].labels.count("reviewed"));
    QCOMPARE(store.stats().labelTags.at("reviewed"), int64_t(1));
    const auto warnings = store.warnings();
    QCOMPARE(int(warnings.size()), 1);
    QVERIFY(QString::fromStdString(warnings[0]).contains("ghost.nii.gz labels no image"));
    // A label deleted on disk goes from the JSON too.
    fs::remove(dir + "/labels/final/case_b.nii.gz");
    QVERIFY(!store.image("case_b")->completed());
    const Json json = readJson(dir + "/datastore_v2.json");
    QVERIFY(!json["objects"].contains("case_a"));
    QVERIFY(json["objects"]["case_z"]["labels"].contains("reviewed"));
    QVERIFY(json["objects"]["case_b"]["labels"].empty());
    // Another writer's JSON edit is read back.
    Datastore other(dir);
    other.updateImageInfo("case_b", Json{{"note", "from another writer"}});
    QCOMPARE(store.image("case_b")->info["note"].get<std::string>(),
             std::string("from another writer"));
  }

  void quietFolderIsNotReread() {
    const std::string dir = folderWithImages("datastore-quiet", 1);
    { Datastore writer(dir); }
    for (const char* folder : {"", "/labels", "/labels/final", "/labels/original"})
      touchOld(dir + folder);
    touchOld(dir + "/datastore_v2.json");
    Datastore store(dir);
    // A file that matches no pattern does not change what is listed; with every time old, the
    // JSON is not even re-read, so a garbled JSON that keeps its size, inode and time goes
    // unnoticed until a refresh, which then finds it.
    const std::string path = dir + "/datastore_v2.json";
    const auto time = fs::last_write_time(path);
    std::string text = test::readText(path);
    std::string garbled = text;
    garbled[0] = '[';
    {
      std::FILE* f = std::fopen(path.c_str(), "r+b");
      std::fwrite(garbled.data(), 1, garbled.size(), f);
      std::fclose(f);
    }
    fs::last_write_time(path, time);
    QCOMPARE(int(store.images().size()), 1);
    QVERIFY(store.warnings().empty());
    store.refresh();
    QCOMPARE(int(store.warnings().size()), 1);
    QVERIFY(QString::fromStdString(store.warnings()[0]).contains("not valid JSON"));
  }

  void corruptJsonKeptAsBackup() {
    const std::string dir = folderWithImages("datastore-corrupt", 2);
    const std::string path = dir + "/datastore_v2.json";
    const std::string corrupt = "{\n  \"objects\": {\n    \"case_a\": oops\n";
    test::writeText(path, corrupt);
    DatastoreOptions strict;
    strict.recoverCorruptJson = false;
    const QString refused = errorOf([&] { Datastore store(dir, strict); });
    QVERIFY2(refused.contains(QString::fromStdString(path)), qPrintable(refused));
    QVERIFY2(refused.contains("line 3, column 15"), qPrintable(refused));
    QCOMPARE(test::readText(path), corrupt); // untouched
    int backups = 0;
    for (const auto& entry : fs::directory_iterator(dir))
      backups += entry.path().filename().string().rfind("datastore_v2.json.corrupt-", 0) == 0;
    QCOMPARE(backups, 0);

    Datastore store(dir);
    const auto warnings = store.warnings();
    QCOMPARE(int(warnings.size()), 1);
    const QString warning = QString::fromStdString(warnings[0]);
    QVERIFY2(warning.contains(QString::fromStdString(path) + ": not valid JSON at line 3"),
             qPrintable(warning));
    std::string backup;
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.path().filename().string().rfind("datastore_v2.json.corrupt-", 0) == 0)
        backup = entry.path().string();
    QVERIFY(!backup.empty());
    QVERIFY(warning.contains(QString::fromStdString(backup)));
    QCOMPARE(test::readText(backup), corrupt);
    // Rebuilt from the files, and valid.
    QCOMPARE(int(readJson(path)["objects"].size()), 2);

    // Valid JSON of the wrong shape is corrupt too, with the field named.
    test::writeText(path, R"({"objects": {"case_a": {"image": {"ext": 5}}}})");
    store.refresh();
    QVERIFY2(QString::fromStdString(store.warnings().back())
                 .contains("objects.case_a.image.ext: expected a string, got number"),
             store.warnings().back().c_str());
    QCOMPARE(int(readJson(path)["objects"].size()), 2);

    // Too large to read: refused before reading, and left alone.
    DatastoreOptions small;
    small.maxJsonBytes = 64;
    const QString large = errorOf([&] { Datastore tiny(dir, small); });
    QVERIFY2(large.contains("more than the 64 bytes"), qPrintable(large));
  }

  void strategiesServeDeterministically() {
    const std::string dir = folderWithImages("datastore-strategies", 4); // case_a..case_d
    int64_t now = 1000000;
    Datastore store(dir, fixedClock(&now));
    const std::string mask = test::freshDir("datastore-strategies-mask") + "/m.nii.gz";
    writeMask(mask);
    store.saveLabel("case_c", mask);
    SampleSelector selector(store, 7);

    SampleChoice first = selector.next("first", {"c1", ""});
    QCOMPARE(QString::fromStdString(first.image->id), QString("case_a"));
    const Json reply = first.toJson();
    QCOMPARE(reply["id"].get<std::string>(), std::string("case_a"));
    QCOMPARE(reply["path"].get<std::string>(), dir + "/case_a.nii.gz");
    QCOMPARE(reply["name"].get<std::string>(), std::string("case_a.nii.gz"));
    QCOMPARE(reply["strategy"]["first"]["client_id"].get<std::string>(), std::string("c1"));
    QCOMPARE(reply["strategy"]["first"]["ts"].get<int64_t>(), now);
    QCOMPARE(store.image("case_a")->lastServed(), now);

    QCOMPARE(selector.next("chosen", {"", "case_c"}).image->id, std::string("case_c"));
    const SampleChoice missing = selector.next("chosen", {"", "zz"});
    QVERIFY(!missing.found());
    QVERIFY(QString::fromStdString(missing.reason).contains("no image 'zz'"));
    QVERIFY(errorOf([&] { selector.next("chosen", {}); }).contains("needs the id"));
    QVERIFY(errorOf([&] { selector.next("epistemic", {}); }).contains("unknown strategy"));

    // Uncertainty: highest recorded fraction among the unlabeled first, then the unscored by id.
    store.recordUncertainFraction("case_b", 0.3);
    store.recordUncertainFraction("case_d", 0.7);
    store.recordUncertainFraction("case_c", 0.9); // labelled: not a candidate
    QCOMPARE(selector.preview("uncertainty", {}).image->id, std::string("case_d"));
    QCOMPARE(*selector.preview("uncertainty", {}).weight, 0.7);
    QVERIFY(errorOf([&] { store.recordUncertainFraction("case_b", 1.5); }).contains("[0, 1]"));
    writeMask(dir + "/labels/final/case_d.nii.gz");
    QCOMPARE(selector.preview("uncertainty", {}).image->id, std::string("case_b"));
    writeMask(dir + "/labels/final/case_b.nii.gz");
    QCOMPARE(selector.preview("uncertainty", {}).image->id, std::string("case_a"));
    writeMask(dir + "/labels/final/case_a.nii.gz");
    for (const char* name : {"first", "random", "uncertainty"}) {
      const SampleChoice none = selector.next(name, {});
      QVERIFY(!none.found());
      QCOMPARE(QString::fromStdString(none.reason), QString("no unlabeled images"));
      QCOMPARE(none.toJson().dump(), std::string("{}"));
    }
  }

  void randomIsWeightedBySinceServed() {
    std::vector<ImageRecord> images(3);
    const int64_t now = 2000000;
    const int64_t served[3] = {now - 1, now - 999, 0}; // just now, a while ago, never
    for (int i = 0; i < 3; ++i) {
      images[i].id = "img" + std::to_string(i);
      if (served[i] > 0)
        images[i].info["strategy"]["random"] = Json{{"ts", served[i]}, {"client_id", nullptr}};
    }
    std::mt19937_64 rng(42);
    int counts[3] = {0, 0, 0};
    for (int draw = 0; draw < 20000; ++draw) {
      const auto choice = chooseSample(images, "random", {}, now, rng);
      counts[choice.image->id.back() - '0']++;
    }
    // Weights 1 : 999 : 2000000 — the never-served image nearly always, the fresh one almost never.
    QVERIFY2(counts[2] > 19900, qPrintable(QString::number(counts[2])));
    QVERIFY(counts[1] > 0);
    QVERIFY(counts[0] < 5);
    images[2].info["strategy"]["first"] = Json{{"ts", now - 1}};
    int recent = 0, older = 0;
    for (int draw = 0; draw < 10000; ++draw) {
      const auto id = chooseSample(images, "random", {}, now, rng).image->id;
      (id == "img1" ? older : recent)++;
    }
    QVERIFY2(older > 9900, qPrintable(QString::number(older)));

    // One seed, one sequence, whatever else runs; preview does not advance it.
    auto sequence = [](const std::string& dir) {
      int64_t clock = 1000000000;
      Datastore store(dir, fixedClock(&clock));
      SampleSelector selector(store, 123);
      std::vector<std::string> ids;
      for (int i = 0; i < 8; ++i) {
        const std::string previewed = selector.preview("random", {}).image->id;
        const std::string got = selector.next("random", {}).image->id;
        if (previewed != got)
          ids.push_back("preview differs");
        ids.push_back(got);
        clock += 100;
      }
      return ids;
    };
    const auto a = sequence(folderWithImages("datastore-random-a", 5));
    const auto b = sequence(folderWithImages("datastore-random-b", 5));
    QCOMPARE(a, b);
    QVERIFY(std::find(a.begin(), a.end(), "preview differs") == a.end());
    // All five are served before any repeats: never-served ones weigh the most.
    QCOMPARE(int(std::set<std::string>(a.begin(), a.begin() + 5).size()), 5);
  }

  void concurrentThreadsAndObjectsLoseNothing() {
    const int images = 16;
    const std::string dir = folderWithImages("datastore-threads", images);
    const std::string mask = test::freshDir("datastore-threads-mask") + "/m.nii.gz";
    writeMask(mask);
    Datastore shared(dir);
    Datastore second(dir); // as a second process would, through the lock file
    std::atomic<bool> done{false};
    std::atomic<int> invalid{0}, reads{0};
    std::thread checker([&] {
      while (!done) {
        try {
          if (!Json::parse(test::readText(dir + "/datastore_v2.json")).is_object())
            ++invalid;
        } catch (...) {
          ++invalid;
        }
        ++reads;
      }
    });
    std::vector<std::thread> workers;
    std::mutex errorsMutex;
    std::vector<std::string> errors;
    for (int w = 0; w < 4; ++w)
      workers.emplace_back([&, w] {
        Datastore& store = w % 2 ? second : shared;
        try {
          for (int i = w; i < images; i += 4) {
            const std::string id = "case_" + std::string(1, char('a' + i));
            store.saveLabel(id, mask, "final",
                            Json{{"label_info", Json::array({Json{{"idx", i}}})}});
            store.recordServed(id, "random", "worker" + std::to_string(w));
            store.recordUncertainFraction(id, i / 100.0);
          }
        } catch (const std::exception& e) {
          std::lock_guard guard(errorsMutex);
          errors.push_back(e.what());
        }
      });
    for (auto& worker : workers)
      worker.join();
    done = true;
    checker.join();
    QVERIFY2(errors.empty(), errors.empty() ? "" : errors[0].c_str());
    QCOMPARE(invalid.load(), 0);
    QVERIFY(reads.load() > 0);
    const Json json = readJson(dir + "/datastore_v2.json");
    for (int i = 0; i < images; ++i) {
      const std::string id = "case_" + std::string(1, char('a' + i));
      const Json& entry = json["objects"][id];
      QVERIFY2(entry["labels"].contains("final"), ("lost the final label of " + id).c_str());
      QVERIFY2(entry["image"]["info"].contains("uncertain_fraction"),
               ("lost the uncertain fraction of " + id).c_str());
      QVERIFY2(entry["image"]["info"].contains("strategy"),
               ("lost the served record of " + id).c_str());
      QCOMPARE(entry["labels"]["final"]["info"]["label_info"][0]["idx"].get<int>(), i);
      QVERIFY(entry["image"]["info"]["strategy"]["random"]["client_id"].is_string());
      QCOMPARE(entry["image"]["info"]["uncertain_fraction"].get<double>(), i / 100.0);
    }
    QCOMPARE(shared.stats().completed, int64_t(images));
    QCOMPARE(second.stats().completed, int64_t(images));
  }

  void concurrentProcessLosesNothing() {
    const int images = 20;
    const std::string dir = folderWithImages("datastore-fork", images);
    const std::string mask = test::freshDir("datastore-fork-mask") + "/m.nii.gz";
    writeMask(mask);
    { Datastore create(dir); }
    auto writeHalf = [&](int parity, const std::string& who) {
      Datastore store(dir);
      for (int i = parity; i < images; i += 2) {
        const std::string id = "case_" + std::string(1, char('a' + i));
        store.saveLabel(id, mask, i % 4 < 2 ? "final" : "original",
                        Json{{"label_info", Json::array({Json{{"name", who}, {"idx", 1}}})}});
        store.recordServed(id, "first", who);
      }
    };
    const pid_t child = ::fork();
    QVERIFY(child >= 0);
    if (child == 0) {
      int code = 0;
      try {
        writeHalf(1, "child");
      } catch (...) {
        code = 1;
      }
      ::_exit(code);
    }
    std::atomic<bool> done{false};
    std::atomic<int> invalid{0};
    std::thread checker([&] {
      while (!done) {
        try {
          if (!Json::parse(test::readText(dir + "/datastore_v2.json")).is_object())
            ++invalid;
        } catch (...) {
          ++invalid;
        }
      }
    });
    writeHalf(0, "parent");
    int status = 0;
    QCOMPARE(::waitpid(child, &status, 0), child);
    done = true;
    checker.join();
    QVERIFY(WIFEXITED(status));
    QCOMPARE(WEXITSTATUS(status), 0);
    QCOMPARE(invalid.load(), 0);
    Datastore reader(dir);
    const auto all = reader.images();
    QCOMPARE(int(all.size()), images);
    for (int i = 0; i < images; ++i) {
      const ImageRecord& image = all[size_t(i)];
      const std::string tag = i % 4 < 2 ? "final" : "original";
      QVERIFY2(image.labels.count(tag), ("lost the " + tag + " label of " + image.id).c_str());
      QVERIFY2(image.info.contains("strategy"), ("lost the served record of " + image.id).c_str());
      QCOMPARE(image.labels.at(tag).info["label_info"][0]["name"].get<std::string>(),
               std::string(i % 2 ? "child" : "parent"));
      QCOMPARE(image.info["strategy"]["first"]["client_id"].get<std::string>(),
               std::string(i % 2 ? "child" : "parent"));
    }
    QCOMPARE(reader.stats().completed, int64_t(images / 2));
  }
};

QTEST_GUILESS_MAIN(TestDatastore)
#include "TestDatastore.moc"
