// Typed YAML configs: every validation error names file, line and key path; --set overrides;
// the saved config loads back to the same values.
#include "TestSupport.h"
#include "common/Config.h"
#include "common/ConfigKeys.h"
#include "common/Resources.h"
#include "train/TrainerConfig.h"

#include <QtTest>
#include <cmath>

using namespace lumen;

namespace {

struct ModelSection {
  int width = 64;
  std::vector<int> levels{1, 2};
  template <class V> void visit(V& v) {
    v.field("width", width, range(1, 1024));
    v.field("levels", levels);
  }
};

struct SampleConfig {
  std::string name = "demo";
  double lr = 0.1;
  bool flag = false;
  std::string mode = "fast";
  ModelSection model;
  template <class V> void visit(V& v) {
    v.field("name", name);
    v.field("lr", lr, greaterThan(0.0));
    v.field("flag", flag);
    v.field("mode", mode, oneOf({"fast", "slow"}));
    v.section("model", model);
  }
};

std::string writeConfig(const std::string& name, const std::string& text) {
  const std::string path = test::freshDir("config-" + name) + "/config.yaml";
  test::writeText(path, text);
  return path;
}

// Loads and returns the ConfigError message (fails the test when nothing is thrown).
std::string errorOf(const std::string& path, const std::vector<std::string>& overrides = {}) {
  try {
    loadConfig<SampleConfig>(path, overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "<no error>";
}

} // namespace

class TestConfig : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void loadsValuesAndKeepsDefaults() {
    const auto path = writeConfig("ok", "name: heart\nmodel:\n  width: 128\n");
    const auto c = loadConfig<SampleConfig>(path);
    QCOMPARE(c.name, std::string("heart"));
    QCOMPARE(c.model.width, 128);
    QCOMPARE(c.lr, 0.1); // default kept
    QCOMPARE(c.model.levels, (std::vector<int>{1, 2}));
  }

  void unknownKeyNamesFileLineAndPath() {
    const auto path = writeConfig("unknown", "name: a\nmodel:\n  width: 8\n  depht: 3\n");
    const auto message = errorOf(path);
    QVERIFY2(message.find(path + ":4:3: model.depht: unknown key") != std::string::npos,
             message.c_str());
    QVERIFY2(message.find("width") != std::string::npos, message.c_str()); // lists known keys
  }

  void wrongTypeNamesExpectation() {
    const auto path = writeConfig("type", "lr: fast\n");
    const auto message = errorOf(path);
    QVERIFY2(message.find(path + ":1:5: lr: expected a number, got 'fast'") != std::string::npos,
             message.c_str());
    const auto quoted = writeConfig("quoted", "flag: \"true\"\n");
    QVERIFY(errorOf(quoted).find("flag: expected true or false") != std::string::npos);
    const auto list = writeConfig("list", "model:\n  levels: [1, two]\n");
    QVERIFY2(errorOf(list).find("model.levels[1]: expected an integer, got 'two'") !=
                 std::string::npos,
             errorOf(list).c_str());
    const auto section = writeConfig("section", "model: 5\n");
    QVERIFY(errorOf(section).find("model: expected a mapping") != std::string::npos);
  }

  void outOfRangeAndChoices() {
    const auto path = writeConfig("range", "model:\n  width: 0\n");
    const auto message = errorOf(path);
    QVERIFY2(message.find(path + ":2:10: model.width: value 0 is out of range") !=
                 std::string::npos,
             message.c_str());
    const auto negative = writeConfig("negative", "lr: -1\n");
    QVERIFY(errorOf(negative).find("expected > 0") != std::string::npos);
    const auto choice = writeConfig("choice", "mode: medium\n");
    QVERIFY2(errorOf(choice).find("mode: 'medium' is not one of: fast, slow") != std::string::npos,
             errorOf(choice).c_str());
  }

  void syntaxErrorAndMissingFile() {
    const auto path = writeConfig("syntax", "name: a\nmodel: [1, 2\n");
    const auto message = errorOf(path);
    QVERIFY2(message.find(path + ":") == 0 && message.find("invalid YAML") != std::string::npos,
             message.c_str());
    QVERIFY(errorOf("/nonexistent/x.yaml").find("does not exist") != std::string::npos);
  }

  void overridesApplyAndAreAttributed() {
    const auto path = writeConfig("override", "name: a\n");
    const auto c = loadConfig<SampleConfig>(
        path, {"lr=0.005", "model.width=256", "model.levels=[3,4,5]", "name=b"});
    QCOMPARE(c.lr, 0.005);
    QCOMPARE(c.model.width, 256);
    QCOMPARE(c.model.levels, (std::vector<int>{3, 4, 5}));
    QCOMPARE(c.name, std::string("b"));
    QVERIFY2(errorOf(path, {"model.width=huge"})
                     .find("--set model.width: model.width: expected "
                           "an integer") != std::string::npos,
             errorOf(path, {"model.width=huge"}).c_str());
    QVERIFY(errorOf(path, {"model.colour=red"}).find("--set model.colour") != std::string::npos);
    QVERIFY(errorOf(path, {"novalue"}).find("expected key.path=value") != std::string::npos);
    QVERIFY(errorOf(path, {"name.sub=1"}).find("'name' is a value") != std::string::npos);
  }

  void savedConfigRoundTrips() {
    const auto dir = test::freshDir("config-roundtrip");
    TrainerConfig original = loadConfig<TrainerConfig>(
        "", {"optimizer.name=sgd", "optimizer.lr=0.05", "schedule.name=warmup_cosine",
             "ema.enabled=true", "epochs=7", "best_mode=max"});
    saveConfig(original, dir + "/config.yaml");
    const TrainerConfig loaded = loadConfig<TrainerConfig>(dir + "/config.yaml");
    QCOMPARE(configToYaml(loaded), configToYaml(original));
    QCOMPARE(loaded.optimizer.name, std::string("sgd"));
    QCOMPARE(loaded.optimizer.lr, 0.05);
    QCOMPARE(loaded.epochs, 7);
    QVERIFY(loaded.ema.enabled);
  }

  void nanIsOutOfEveryRange() {
    // Inclusive ranges used to accept NaN: every comparison with it is false.
    for (const char* set : {"ema.decay=.nan", "optimizer.weight_decay=.nan", "optimizer.lr=.nan",
                            "grad_clip_norm=.NaN"}) {
      try {
        loadConfig<TrainerConfig>("", {set});
        QFAIL(set);
      } catch (const ConfigError& e) {
        QVERIFY2(std::string(e.what()).find("got NaN") != std::string::npos, e.what());
      }
    }
    // Infinite values still meet ranges that have no upper end.
    QVERIFY(std::isinf(loadConfig<TrainerConfig>("", {"grad_clip_norm=.inf"}).grad_clip_norm));
    QVERIFY_THROWS_EXCEPTION(ConfigError, loadConfig<TrainerConfig>("", {"ema.decay=.inf"}));
  }

  void numbersPrintAsWritten() {
    // Bounds and saved values read like the numbers people wrote, not 0.050000000000000003.
    try {
      loadConfig<TrainerConfig>("", {"ema.decay=1.5"});
      QFAIL("expected an error");
    } catch (const ConfigError& e) {
      QVERIFY2(std::string(e.what()).find("expected a value in [0, 1]") != std::string::npos,
               e.what());
    }
    const auto dir = test::freshDir("config-numbers");
    saveConfig(loadConfig<TrainerConfig>("", {"optimizer.lr=0.05", "optimizer.eps=1e-8",
                                              "grad_clip_norm=.inf", "epochs=3"}),
               dir + "/config.yaml");
    const std::string text = test::readText(dir + "/config.yaml");
    QVERIFY2(text.find("lr: 0.05\n") != std::string::npos, text.c_str());
    QVERIFY2(text.find("eps: 1e-08\n") != std::string::npos, text.c_str());
    QVERIFY2(text.find("grad_clip_norm: .inf\n") != std::string::npos, text.c_str());
    QVERIFY2(text.find("decay: 0.999\n") != std::string::npos, text.c_str());
    QVERIFY2(text.find("epochs: 3\n") != std::string::npos, text.c_str());
    const auto loaded = loadConfig<TrainerConfig>(dir + "/config.yaml");
    QCOMPARE(loaded.optimizer.lr, 0.05);
    QCOMPARE(loaded.optimizer.eps, 1e-8);
    QVERIFY(std::isinf(loaded.grad_clip_norm));
  }

  void changesBetweenConfigsAreListed() {
    const auto before = configToYamlNode(loadConfig<TrainerConfig>("", {"epochs=10"}));
    const auto after =
        configToYamlNode(loadConfig<TrainerConfig>("", {"epochs=20", "optimizer.lr=0.05"}));
    QCOMPARE(describeConfigChanges(before, after),
             (std::vector<std::string>{"epochs: 10 -> 20", "optimizer.lr: 0.001 -> 0.05"}));
    QVERIFY(describeConfigChanges(before, before).empty());
  }

  void shippedDefaultConfigsLoad() {
    const auto config = loadConfig<TrainerConfig>(findResource("configs/train/trainer.yaml"));
    QVERIFY(config.epochs >= 1);
  }

  // --help's key list: dotted paths in visit() order, values as config.yaml writes them, and the
  // constraint each field carries.
  void keysListPathsValuesAndConstraints() {
    SampleConfig config;
    config.name = "";
    const auto keys = configKeys(config);
    std::vector<std::string> lines;
    for (const auto& k : keys)
      lines.push_back(k.path + " = " + k.value + " : " + k.allowed);
    QCOMPARE(lines,
             (std::vector<std::string>{"name = \"\" : a string", "lr = 0.1 : a number > 0",
                                       "flag = false : true or false", "mode = fast : fast | slow",
                                       "model.width = 64 : an integer in [1, 1024]",
                                       "model.levels = [1, 2] : a list of integers"}));
  }

  // The values are the shipped file's; without the file, the struct's own, saying why.
  void shippedKeysFallBackToTheStructDefaults() {
    const auto shipped = shippedConfigKeys<TrainerConfig>("configs/train/trainer.yaml");
    QCOMPARE(shipped.source, findResource("configs/train/trainer.yaml"));
    const auto missing = shippedConfigKeys<TrainerConfig>("configs/train/no-such.yaml");
    QVERIFY2(missing.source.rfind("built-in defaults; configs/train/no-such.yaml could not be "
                                  "read: ",
                                  0) == 0,
             missing.source.c_str());
    const auto defaults = configKeys(TrainerConfig{});
    QCOMPARE(missing.keys.size(), defaults.size());
    for (size_t i = 0; i < defaults.size(); ++i)
      QCOMPARE(missing.keys[i].value, defaults[i].value);
  }
};

QTEST_GUILESS_MAIN(TestConfig)
#include "TestConfig.moc"
