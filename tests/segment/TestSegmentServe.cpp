// `lumen-cli segment serve` run as a child process on a free loopback port and driven over real
// sockets the way 3D Slicer's MONAI Label module and MONAILabelClient drive it (MONAILABEL.md):
// /info/, datastore stats, next sample, infer with clicks on the aorta of a synthetic chest CT
// (multipart reply, mask in the image's geometry), label upload, refusals (unsafe id, oversize
// body, unknown model) and the 404s clients read as "auth off" and "not training".
#include "TestSupport.h"
#include "io/CtVolumeIO.h"
#include "io/NiftiIO.h"
#include "segment/ChestClasses.h"
#include "segment/ClickSimulator.h"
#include "segment/SyntheticChestCt.h"

#include <QProcess>
#include <QRegularExpression>
#include <QtTest>
#include <cmath>
#include <fstream>
#include <httplib.h>
#include <nlohmann/json.hpp>

using namespace lumen;
using nlohmann::json;

namespace {

// The Python client's boundary: it contains '$', which RFC 2046 does not allow (rule 5).
const std::string kClientBoundary = "----------lImIt_of_THE_fIle_eW_$";

// A multipart body as MONAILabelClient writes it: text fields first, then file parts named by
// the client's full local path.
struct Part {
  std::string name, fileName, content;
};
std::string clientMultipart(const std::vector<Part>& parts) {
  std::string body;
  for (const auto& p : parts) {
    body += "--" + kClientBoundary + "\r\nContent-Disposition: form-data; name=\"" + p.name + "\"";
    if (!p.fileName.empty())
      body += "; filename=\"" + p.fileName + "\"\r\nContent-Type: application/octet-stream";
    body += "\r\n\r\n" + p.content + "\r\n";
  }
  return body + "--" + kClientBoundary + "--\r\n\r\n";
}
const std::string kClientType = "multipart/form-data; boundary=" + kClientBoundary;

std::string pointsJson(const std::vector<PromptPoint>& points) {
  json list = json::array();
  for (const auto& p : points)
    list.push_back({p.ijk[0], p.ijk[1], p.ijk[2]});
  return list.dump();
}

// Splits a multipart reply into name -> (filename, content).
std::map<std::string, std::pair<std::string, std::string>> parseReply(const std::string& type,
                                                                      const std::string& body) {
  std::map<std::string, std::pair<std::string, std::string>> out;
  const auto at = type.find("boundary=");
  if (at == std::string::npos)
    return out;
  const std::string delimiter = "--" + type.substr(at + 9);
  size_t pos = body.find(delimiter);
  while (pos != std::string::npos) {
    pos += delimiter.size();
    if (body.compare(pos, 2, "--") == 0)
      break;
    const auto headerEnd = body.find("\r\n\r\n", pos);
    const auto next = body.find("\r\n" + delimiter, headerEnd);
    if (headerEnd == std::string::npos || next == std::string::npos)
      break;
    const std::string headers = body.substr(pos, headerEnd - pos);
    auto field = [&](const std::string& key) {
      const auto k = headers.find(key + "=\"");
      if (k == std::string::npos)
        return std::string();
      const auto start = k + key.size() + 2;
      return headers.substr(start, headers.find('"', start) - start);
    };
    out[field("name")] = {field("filename"), body.substr(headerEnd + 4, next - headerEnd - 4)};
    pos = next + 2;
  }
  return out;
}

std::string readBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

class TestSegmentServe : public QObject {
  Q_OBJECT
  std::string dir_, studies_;
  MaskVolume aorta_;
  ImageGeometry geometry_;
  QProcess server_;
  int port_ = 0;

  httplib::Client client() {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(120, 0);
    return c;
  }

  void checkGeometry(const ImageGeometry& g) {
    QCOMPARE(g.size, geometry_.size);
    for (int a = 0; a < 3; ++a) {
      QVERIFY(std::abs(g.spacing[a] - geometry_.spacing[a]) < 1e-5);
      QVERIFY(std::abs(g.origin[a] - geometry_.origin[a]) < 1e-4);
    }
    for (int e = 0; e < 9; ++e)
      QVERIFY(std::abs(g.direction[e] - geometry_.direction[e]) < 1e-5);
  }

private Q_SLOTS:
  void initTestCase() {
    dir_ = test::freshDir("segment-serve");
    studies_ = dir_ + "/studies";
    std::filesystem::create_directories(studies_);
    SyntheticChestCtOptions o;
    o.size = {256, 256, 56};
    o.spacing = {1.4, 1.4, 5};
    o.threads = 2;
    auto ct = makeSyntheticChestCt(3, o); // TestSegmentCli's phantom and pose
    const double c = std::cos(0.3), s = std::sin(0.3);
    ct.cta.geometry.direction = {c, -s, 0, s, c, 0, 0, 0, 1};
    ct.cta.geometry.origin = {-120.5, 33.25, -410};
    geometry_ = ct.cta.geometry;
    writeCtVolume(studies_ + "/chest_001.nrrd", ct.cta);
    aorta_.geometry = geometry_;
    aorta_.values.resize(ct.labels.values.size());
    for (size_t v = 0; v < aorta_.values.size(); ++v)
      aorta_.values[v] = ct.labels.values[v] == kChestAorta;
    writeLabelMask(dir_ + "/aorta.nii.gz", aorta_);

    server_.setProgram(QStringLiteral(LUMEN_CLI_PATH));
    server_.setArguments({"segment", "serve", "--studies", QString::fromStdString(studies_),
                          "--port", "0", "--max-upload-mb", "16", "--threads", "2"});
    server_.start();
    QVERIFY(server_.waitForStarted(10000));
    // The URL line carries the port the kernel picked.
    QString out;
    for (int i = 0; i < 100 && !out.contains('\n'); ++i) {
      server_.waitForReadyRead(100);
      out += QString::fromUtf8(server_.readAllStandardOutput());
    }
    const auto match = QRegularExpression("http://127\\.0\\.0\\.1:(\\d+)/").match(out);
    QVERIFY2(match.hasMatch(), qPrintable(out + server_.readAllStandardError()));
    port_ = match.captured(1).toInt();
    QVERIFY(port_ > 0);
  }

  void cleanupTestCase() {
    if (server_.state() == QProcess::NotRunning)
      return;
    server_.terminate(); // SIGTERM: a clean stop, exit code 0
    QVERIFY(server_.waitForFinished(15000));
    QCOMPARE(server_.exitStatus(), QProcess::NormalExit);
    QCOMPARE(server_.exitCode(), 0);
    const QString err = QString::fromUtf8(server_.readAllStandardError());
    // The log names routes, never an image id.
    QVERIFY2(!err.contains("chest_001"), qPrintable(err));
  }

  void info() {
    auto c = client();
    const auto res = c.Get("/info/");
    QVERIFY(res);
    QCOMPARE(res->status, 200);
    const auto j = json::parse(res->body);
    QCOMPARE(j["name"].get<std::string>(), std::string("Lumen"));
    QVERIFY(!j["version"].get<std::string>().empty());
    QCOMPARE(j["labels"], json::array({"object"}));
    QVERIFY(!j.contains("config")); // a top-level config makes Slicer refuse the server
    const auto& model = j["models"]["classical"];
    QCOMPARE(model["type"].get<std::string>(), std::string("deepgrow"));
    QCOMPARE(model["dimension"].get<int>(), 3);
    QVERIFY(model.contains("description") && model.contains("config") && model.contains("labels"));
    QVERIFY(j["strategies"].contains("first") && j["strategies"].contains("random"));
    QCOMPARE(j["datastore"]["total"].get<int>(), 1);
    QCOMPARE(j["datastore"]["completed"].get<int>(), 0);
  }

  void statsAndNextSample() {
    auto c = client();
    auto res = c.Get("/datastore/?output=stats");
    QVERIFY(res);
    QCOMPARE(json::parse(res->body), json::parse(R"({"total":1,"completed":0,"label_tags":{}})"));
    res = c.Get("/datastore/?output=bogus");
    QVERIFY(res);
    QCOMPARE(res->status, 422);
    res = c.Post("/activelearning/first", R"({"client_id":"tester"})", "application/json");
    QVERIFY(res);
    QCOMPARE(res->status, 200);
    const auto sample = json::parse(res->body);
    QCOMPARE(sample["id"].get<std::string>(), std::string("chest_001"));
    QCOMPARE(sample["name"].get<std::string>(), std::string("chest_001.nrrd"));
    QVERIFY(std::filesystem::exists(sample["path"].get<std::string>()));
    QCOMPARE(sample["strategy"]["first"]["client_id"].get<std::string>(), std::string("tester"));
    res = c.Post("/activelearning/nonsense", "{}", "application/json");
    QVERIFY(res);
    QCOMPARE(res->status, 404);
    QVERIFY(json::parse(res->body).contains("detail"));
  }

  void downloadImage() {
    auto c = client();
    const auto res = c.Get("/datastore/image?image=chest_001");
    QVERIFY(res);
    QCOMPARE(res->status, 200);
    QCOMPARE(res->get_header_value("Content-Disposition"),
             std::string("attachment; filename=\"chest_001.nrrd\""));
    QCOMPARE(res->body, readBytes(studies_ + "/chest_001.nrrd"));
  }

  void inferClicksOnTheAorta() {
    const auto points = initialClicks(aorta_, 5);
    QCOMPARE(int64_t(points.size()), int64_t(5));
    const std::string params = R"({"label":"aorta","foreground":)" + pointsJson(points) +
                               R"(,"background":[],"result_extension":".nrrd",)" +
                               R"("result_dtype":"uint8","client_id":"tester"})";
    auto c = client();
    const auto res = c.Post("/infer/classical?image=chest_001",
                            clientMultipart({{"params", "", params}}), kClientType);
    QVERIFY(res);
    QCOMPARE(res->status, 200);
    const auto type = res->get_header_value("Content-Type");
    QVERIFY2(type.rfind("multipart/form-data; boundary=", 0) == 0, type.c_str());
    QVERIFY(res->has_header("Content-Length")); // rule 3: never chunked
    const auto parts = parseReply(type, res->body);
    QVERIFY(parts.count("params") && parts.count("image"));
    QVERIFY(parts.at("params").first.empty());
    const auto result = json::parse(parts.at("params").second);
    QVERIFY2(!result.contains("error"), result.dump().c_str());
    QVERIFY(result["voxels"].get<int64_t>() > 0);
    QCOMPARE(result["label_names"], json::parse(R"({"aorta":1})"));
    QVERIFY(result["latencies"]["total"].get<double>() >= 0);
    QCOMPARE(parts.at("image").first, std::string("lumen_mask.nrrd"));

    const std::string maskPath = dir_ + "/reply.nrrd";
    std::ofstream(maskPath, std::ios::binary) << parts.at("image").second;
    const CtVolume mask = readCtVolume(maskPath); // any integer file within int16, NRRD included
    checkGeometry(mask.geometry);
    int64_t ones = 0, both = 0, truth = 0;
    for (size_t v = 0; v < mask.values.size(); ++v) {
      QVERIFY(mask.values[v] == 0 || mask.values[v] == 1); // binary for deepgrow clients
      ones += mask.values[v];
      truth += aorta_.values[v];
      both += mask.values[v] && aorta_.values[v];
    }
    QCOMPARE(ones, result["voxels"].get<int64_t>());
    // The same bar as `segment infer`'s test on this phantom.
    const double dice = 2.0 * double(both) / double(ones + truth);
    QVERIFY2(dice > 0.6, qPrintable(QString("Dice %1").arg(dice)));

    // The service adds nothing and loses nothing: `segment infer` with the same clicks gives the
    // same voxels (its 0/1/2 mask, binarised as the service sends it to deepgrow clients).
    QStringList items;
    for (const auto& p : points)
      items << QString("%1,%2,%3").arg(p.ijk[0]).arg(p.ijk[1]).arg(p.ijk[2]);
    const std::string cliPath = dir_ + "/cli.nii.gz";
    const auto run = test::runProgram(
        QStringLiteral(LUMEN_CLI_PATH),
        {"segment", "infer", "--image", QString::fromStdString(studies_ + "/chest_001.nrrd"),
         "--points", items.join(';'), "--output", QString::fromStdString(cliPath)},
        120000);
    QVERIFY2(run.code == 0, qPrintable(run.err));
    const CtVolume cli = readCtVolume(cliPath);
    QCOMPARE(cli.values.size(), mask.values.size());
    for (size_t v = 0; v < mask.values.size(); ++v)
      QCOMPARE(int(cli.values[v] != 0), int(mask.values[v]));
  }

  void invalidInferGivesBlankMaskAndError() {
    auto c = client();
    // No foreground point: a blank mask of the image's geometry and the reason.
    auto res = c.Post("/infer/classical?image=chest_001&output=all",
                      clientMultipart({{"params", "", R"({"foreground":[],"background":[]})"}}),
                      kClientType);
    QVERIFY(res);
    QCOMPARE(res->status, 200);
    auto parts = parseReply(res->get_header_value("Content-Type"), res->body);
    const auto result = json::parse(parts.at("params").second);
    QVERIFY(!result.value("error", "").empty());
    QCOMPARE(parts.at("image").first, std::string("lumen_mask.nrrd")); // the input's extension
    const std::string maskPath = dir_ + "/blank.nrrd";
    std::ofstream(maskPath, std::ios::binary) << parts.at("image").second;
    const CtVolume mask = readCtVolume(maskPath); // any integer file within int16, NRRD included
    checkGeometry(mask.geometry);
    QVERIFY(std::all_of(mask.values.begin(), mask.values.end(), [](int v) { return v == 0; }));

    // A point outside the image, asked for JSON only.
    res = c.Post("/infer/classical?image=chest_001&output=json",
                 clientMultipart({{"params", "", R"({"foreground":[[5000,1,1]]})"}}), kClientType);
    QVERIFY(res);
    QCOMPARE(res->status, 200);
    QVERIFY(json::parse(res->body)["error"].get<std::string>().find("5000") != std::string::npos);

    res = c.Post("/infer/nosuchmodel?image=chest_001", clientMultipart({{"params", "", "{}"}}),
                 kClientType);
    QVERIFY(res);
    QCOMPARE(res->status, 404);
    res = c.Post("/infer/classical?image=nosuchimage", clientMultipart({{"params", "", "{}"}}),
                 kClientType);
    QVERIFY(res);
    QCOMPARE(res->status, 404);
  }

  void sessionInfer() {
    auto c = client();
    const auto upload = clientMultipart(
        {{"client_id", "", "tester"},
         {"files", "/home/someone/tmp/tmpab12.nrrd", readBytes(studies_ + "/chest_001.nrrd")}});
    // Slicer's point clicks on a volume it loaded itself: upload it as a session, then infer.
    auto res = c.Put("/session/", upload, kClientType);
    QVERIFY(res);
    QCOMPARE(res->status, 200);
    const auto session = json::parse(res->body);
    const auto id = session["session_id"].get<std::string>();
    QCOMPARE(session["session_info"]["expiry"].get<int>(), 3600);
    const auto points = initialClicks(aorta_, 3);
    res = c.Post(("/infer/classical?image=vol&session_id=" + id + "&output=json").c_str(),
                 clientMultipart({{"params", "", R"({"foreground":)" + pointsJson(points) + "}"}}),
                 kClientType);
    QVERIFY(res);
    QCOMPARE(res->status, 200);
    QVERIFY(json::parse(res->body)["voxels"].get<int64_t>() > 0);
    // MONAILabelClient.infer(file=...): the image as a `file` part instead of an id.
    res = c.Post("/infer/classical?output=json",
                 clientMultipart({{"params", "", R"({"foreground":)" + pointsJson(points) + "}"},
                                  {"file", "/home/someone/tmp/vol.nrrd",
                                   readBytes(studies_ + "/chest_001.nrrd")}}),
                 kClientType);
    QVERIFY(res);
    QCOMPARE(res->status, 200);
    QVERIFY(json::parse(res->body)["voxels"].get<int64_t>() > 0);
    res = c.Delete(("/session/" + id).c_str());
    QVERIFY(res);
    QCOMPARE(res->status, 200);
    res = c.Get(("/session/" + id).c_str());
    QVERIFY(res);
    QCOMPARE(res->status, 404);
  }

  void labelUploadCompletesTheImage() {
    auto c = client();
    const std::string params = R"({"label_info":[{"name":"aorta","idx":1}],"client_id":"tester"})";
    auto res = c.Put("/datastore/label?image=chest_001",
                     clientMultipart({{"params", "", params},
                                      {"label", "C:\\Users\\x\\tmp\\tmpq1.nii.gz",
                                       readBytes(dir_ + "/aorta.nii.gz")}}),
                     kClientType);
    QVERIFY(res);
    QCOMPARE(res->status, 200);
    QCOMPARE(json::parse(res->body), json::parse(R"({"image":"chest_001","label":"chest_001"})"));
    res = c.Get("/datastore/?output=stats");
    QVERIFY(res);
    QCOMPARE(json::parse(res->body),
             json::parse(R"({"total":1,"completed":1,"label_tags":{"final":1}})"));
    QVERIFY(std::filesystem::exists(studies_ + "/labels/final/chest_001.nii.gz"));
    res = c.Get("/datastore/?output=all");
    QVERIFY(res);
    const auto doc = json::parse(res->body);
    QCOMPARE(doc["objects"]["chest_001"]["labels"]["final"]["info"]["label_info"][0]["name"]
                 .get<std::string>(),
             std::string("aorta"));
    // Slicer's reviewer edits label info with a form field.
    res = c.Put("/datastore/label/info?label=chest_001&tag=final",
                clientMultipart({{"info", "", R"({"reviewed":"yes"})"}}), kClientType);
    QVERIFY(res);
    QCOMPARE(res->status, 200);
    QCOMPARE(json::parse(res->body)["reviewed"].get<std::string>(), std::string("yes"));
    QCOMPARE(json::parse(res->body)["label_info"][0]["idx"].get<int>(), 1);
    res = c.Put("/datastore/image/info?image=chest_001",
                clientMultipart({{"info", "", R"({"site":"test"})"}}), kClientType);
    QVERIFY(res);
    QCOMPARE(res->status, 200);
    QCOMPARE(json::parse(res->body)["site"].get<std::string>(), std::string("test"));
    res = c.Get("/datastore/label?label=chest_001&tag=final");
    QVERIFY(res);
    QCOMPARE(res->status, 200);
    QCOMPARE(res->body, readBytes(dir_ + "/aorta.nii.gz"));
    // Nothing unlabeled is left to serve.
    res = c.Post("/activelearning/first", "{}", "application/json");
    QVERIFY(res);
    QCOMPARE(json::parse(res->body), json::object());
  }

  // Slicer's "Run" on a volume it loaded itself: upload it (PUT /datastore/?image=), infer with
  // save_label (the model's output becomes the `original` label) and Lumen's three-valued mask,
  // then delete the label and the image again.
  void uploadInferSaveAndDelete() {
    auto c = client();
    auto res = c.Put("/datastore/?image=second",
                     clientMultipart({{"params", "", R"({"source":"upload test"})"},
                                      {"file", "/home/someone/tmp/tmp9x.nrrd",
                                       readBytes(studies_ + "/chest_001.nrrd")}}),
                     kClientType);
    QVERIFY(res);
    QCOMPARE(res->status, 200);
    QCOMPARE(json::parse(res->body), json::parse(R"({"image":"second"})"));
    QVERIFY(std::filesystem::exists(studies_ + "/second.nrrd"));
    res = c.Get("/datastore/image/info?image=second");
    QVERIFY(res);
    const auto info = json::parse(res->body);
    QCOMPARE(info["source"].get<std::string>(), std::string("upload test"));
    QCOMPARE(info["name"].get<std::string>(), std::string("second.nrrd"));

    const auto points = initialClicks(aorta_, 3);
    res = c.Post("/infer/classical?image=second",
                 clientMultipart({{"params", "",
                                   R"({"foreground":)" + pointsJson(points) +
                                       R"(,"save_label":true,"uncertain_label":true,)" +
                                       R"("result_extension":".nii.gz"})"}}),
                 kClientType);
    QVERIFY(res);
    QCOMPARE(res->status, 200);
    const auto parts = parseReply(res->get_header_value("Content-Type"), res->body);
    const auto result = json::parse(parts.at("params").second);
    QCOMPARE(parts.at("image").first, std::string("lumen_mask.nii.gz"));
    const std::string maskPath = dir_ + "/three.nii.gz";
    std::ofstream(maskPath, std::ios::binary) << parts.at("image").second;
    const CtVolume mask = readCtVolume(maskPath);
    int64_t certain = 0, uncertain = 0;
    for (const auto v : mask.values) {
      QVERIFY(v >= 0 && v <= 2);
      certain += v == 1;
      uncertain += v == 2;
    }
    QCOMPARE(certain, result["certain_voxels"].get<int64_t>());
    QCOMPARE(uncertain, result["uncertain_voxels"].get<int64_t>());
    QVERIFY(certain > 0);
    // Saved as the image's `original` label, with the model and result, as MONAI Label saves it.
    QVERIFY(std::filesystem::exists(studies_ + "/labels/original/second.nii.gz"));
    res = c.Get("/datastore/label/info?label=second&tag=original");
    QVERIFY(res);
    QCOMPARE(res->status, 200);
    const auto labelInfo = json::parse(res->body);
    QCOMPARE(labelInfo["model"].get<std::string>(), std::string("classical"));
    QCOMPARE(labelInfo["params"]["voxels"], result["voxels"]);

    res = c.Delete("/datastore/label?id=second&tag=original");
    QVERIFY(res);
    QCOMPARE(res->status, 200);
    QVERIFY(!std::filesystem::exists(studies_ + "/labels/original/second.nii.gz"));
    res = c.Delete("/datastore/image?id=second");
    QVERIFY(res);
    QCOMPARE(res->status, 200);
    QVERIFY(!std::filesystem::exists(studies_ + "/second.nrrd"));
    res = c.Delete("/datastore/image?id=second");
    QVERIFY(res);
    QCOMPARE(res->status, 404);
    res = c.Get("/datastore/?output=stats");
    QVERIFY(res);
    QCOMPARE(json::parse(res->body)["total"].get<int>(), 1);
  }

  void refusals() {
    auto c = client();
    auto res = c.Get("/datastore/image?image=../datastore_v2.json");
    QVERIFY(res);
    QCOMPARE(res->status, 400);
    QVERIFY(json::parse(res->body)["detail"].get<std::string>().find("..") != std::string::npos);
    res = c.Put("/datastore/label?image=..%2Fchest_001",
                clientMultipart({{"label", "x.nii.gz", "abc"}}), kClientType);
    QVERIFY(res);
    QCOMPARE(res->status, 400);
    // Over the 16 MB cap: 413 before the body is read into a handler.
    const std::string big(17 * 1024 * 1024, 'x');
    res = c.Put("/datastore/image?image=big", clientMultipart({{"file", "big.nii.gz", big}}),
                kClientType);
    QVERIFY(res);
    QCOMPARE(res->status, 413);
    QVERIFY(json::parse(res->body).contains("detail"));
    QVERIFY(!std::filesystem::exists(studies_ + "/big.nii.gz"));
    res = c.Get("/auth/");
    QVERIFY(res);
    QCOMPARE(res->status, 404);
    res = c.Get("/train/?check_if_running=true");
    QVERIFY(res);
    QCOMPARE(res->status, 404);
    QCOMPARE(json::parse(res->body)["detail"].get<std::string>(),
             std::string("No Train Tasks are currently Running"));
  }

  // MONAI Label's training routes: the learned propagator trains on the study's final labels
  // (chest_001's, submitted by labelUploadCompletesTheImage), one task at a time, and appears
  // as a model once its run has a checkpoint.
  void trainOverHttp() {
    auto c = client();
    auto res = c.Get("/info/");
    QVERIFY(res);
    auto info = json::parse(res->body);
    QVERIFY(info["trainers"].contains("learned"));
    QVERIFY(!info["models"].contains("learned"));
    res = c.Post("/train/nnunet", "{}", "application/json");
    QVERIFY(res);
    QCOMPARE(res->status, 400);
    res = c.Delete("/train/");
    QVERIFY(res);
    QCOMPARE(res->status, 404);

    const std::string request =
        R"({"max_epochs":1,"samples_per_epoch":24,"batch_size":8,"val_fraction":0})";
    res = c.Post("/train/learned", request, "application/json");
    QVERIFY(res);
    QCOMPARE(res->status, 200);
    const auto task = json::parse(res->body);
    QCOMPARE(task["status"].get<std::string>(), std::string("RUNNING"));
    QVERIFY(!task["id"].get<std::string>().empty());
    // A second task while the first runs: 429, as MONAI Label answers.
    res = c.Post("/train/learned", request, "application/json");
    QVERIFY(res);
    QCOMPARE(res->status, 429);
    res = c.Get("/train/?check_if_running=true");
    QVERIFY(res);
    QCOMPARE(res->status, 200); // Slicer's "training is running"

    std::string status;
    for (int i = 0; i < 600 && status != "DONE" && status != "ERROR"; ++i) {
      QTest::qWait(250);
      res = c.Get("/train/");
      QVERIFY(res);
      QCOMPARE(res->status, 200);
      status = json::parse(res->body)["status"].get<std::string>();
    }
    QVERIFY2(status == "DONE", res->body.c_str());
    res = c.Get("/train/?check_if_running=true");
    QVERIFY(res);
    QCOMPARE(res->status, 404);
    QVERIFY(std::filesystem::exists(studies_ + "/models/propagator/checkpoints/best.pt"));

    res = c.Get("/info/");
    QVERIFY(res);
    info = json::parse(res->body);
    QCOMPARE(info["models"]["learned"]["type"].get<std::string>(), std::string("deepgrow"));
    QCOMPARE(info["train_stats"]["learned"]["state"].get<std::string>(), std::string("finished"));
    QCOMPARE(info["train_stats"]["learned"]["epoch"].get<int>(), 1); // of max_epochs 1
    const auto points = initialClicks(aorta_, 3);
    const std::string params = R"({"label":"aorta","foreground":)" + pointsJson(points) +
                               R"(,"background":[],"result_extension":".nrrd"})";
    res = c.Post("/infer/learned?image=chest_001&output=json",
                 clientMultipart({{"params", "", params}}), kClientType);
    QVERIFY(res);
    QCOMPARE(res->status, 200);
    const auto result = json::parse(res->body);
    QVERIFY2(!result.contains("error"), res->body.c_str());
    QCOMPARE(result["backend"].get<std::string>(), std::string("learned"));
  }

  void remoteHostNeedsAllowRemote() {
    const auto run = test::runProgram(
        QStringLiteral(LUMEN_CLI_PATH),
        {"segment", "serve", "--studies", QString::fromStdString(studies_), "--host", "0.0.0.0"},
        20000);
    QCOMPARE(run.code, 2);
    QVERIFY(run.err.contains("--allow-remote"));
  }
};

QTEST_GUILESS_MAIN(TestSegmentServe)
#include "TestSegmentServe.moc"
