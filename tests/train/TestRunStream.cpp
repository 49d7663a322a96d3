// Live run streams (SPEC C9) over real loopback sockets: the token handshake (a client without it
// is refused), hello + backlog + live messages in order, loopback unless allowed, the client and
// message caps, a slow reader dropped without stalling the publisher, patient identifiers
// redacted from log lines, and `lumen-cli --stream` training a run that a follower mirrors into
// a folder the Training Monitor reads, record for record.
#include "TestSupport.h"
#include "common/Error.h"
#include "common/JobPool.h"
#include "common/StreamServer.h"
#include "train/MetricsLog.h"
#include "train/RunDirectory.h"
#include "train/RunStream.h"

#include <QProcess>
#include <QRegularExpression>
#include <QtTest>
#include <arpa/inet.h>
#include <chrono>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace lumen;

namespace {

const std::string kToken = "0123456789abcdef-test-token";

// A raw client: what `nc 127.0.0.1 PORT` does.
class RawClient {
public:
  explicit RawClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(uint16_t(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~RawClient() { ::close(fd_); }
  bool connected() const { return connected_; }
  void send(const std::string& text) { ::send(fd_, text.data(), text.size(), MSG_NOSIGNAL); }
  // The next line within `ms`, or "<closed>" / "<timeout>".
  std::string line(int ms = 5000) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (true) {
      const auto newline = buffer_.find('\n');
      if (newline != std::string::npos) {
        std::string out = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        return out;
      }
      const int left = int(std::chrono::duration_cast<std::chrono::milliseconds>(
                               end - std::chrono::steady_clock::now())
                               .count());
      if (left <= 0)
        return "<timeout>";
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, left) <= 0)
        continue;
      char chunk[4096];
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0)
        return "<closed>";
      buffer_.append(chunk, size_t(n));
    }
  }

private:
  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

StreamServerOptions serverOptions() {
  StreamServerOptions o;
  o.token = kToken;
  o.command = "lumen-cli test";
  return o;
}

nlohmann::json parsed(const std::string& line) {
  return nlohmann::json::parse(line);
}

} // namespace

class TestRunStream : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void aClientWithoutTheTokenIsRefused() {
    StreamServer server(serverOptions());
    for (const std::string& handshake : {std::string("{\"token\": \"wrong-token-but-long\"}\n"),
                                         std::string("hello\n"), std::string("{}\n")}) {
      RawClient client(server.port());
      QVERIFY(client.connected());
      client.send(handshake);
      const auto answer = parsed(client.line());
      QCOMPARE(answer["type"].get<std::string>(), std::string("error"));
      QCOMPARE(client.line(), std::string("<closed>"));
    }
    server.publish({{"type", "log"}, {"message", "secret progress"}});
    QCOMPARE(server.clients(), size_t(0));
    // A prefix of the token is no token either.
    RawClient prefix(server.port());
    prefix.send("{\"token\": \"" + kToken.substr(0, 20) + "\"}\n");
    QCOMPARE(parsed(prefix.line())["type"].get<std::string>(), std::string("error"));
  }

  void acceptedClientsGetTheBacklogThenLiveMessagesInOrder() {
    StreamServer server(serverOptions());
    server.publish({{"type", "log"}, {"message", "before 1"}});
    server.publish({{"type", "log"}, {"message", "before 2"}});
    RawClient client(server.port());
    client.send(nlohmann::json{{"token", kToken}}.dump() + "\n");
    const auto hello = parsed(client.line());
    QCOMPARE(hello["type"].get<std::string>(), std::string("hello"));
    QCOMPARE(hello["command"].get<std::string>(), std::string("lumen-cli test"));
    QCOMPARE(parsed(client.line())["message"].get<std::string>(), std::string("before 1"));
    QCOMPARE(parsed(client.line())["message"].get<std::string>(), std::string("before 2"));
    QVERIFY(test::pollUntil([] {}, [&] { return server.clients() == 1; }, 5));
    for (int i = 0; i < 100; ++i)
      server.publish({{"type", "metrics"}, {"i", i}});
    for (int i = 0; i < 100; ++i)
      QCOMPARE(parsed(client.line())["i"].get<int>(), i);
    // Messages over the cap arrive as a record saying so.
    server.publish({{"type", "log"}, {"message", std::string(100000, 'x')}});
    const auto cut = parsed(client.line());
    QVERIFY(cut["truncated"].get<bool>());
    QCOMPARE(cut["type"].get<std::string>(), std::string("log"));
  }

  void onlyLoopbackUnlessAllowed() {
    auto options = serverOptions();
    options.host = "0.0.0.0";
    try {
      StreamServer server(options);
      QFAIL("a stream bound every interface without being allowed to");
    } catch (const InputError& e) {
      QVERIFY2(QString(e.what()).contains("--stream-allow-remote"), e.what());
    }
    options.token.clear();
    options.host = "127.0.0.1";
    QVERIFY_THROWS_EXCEPTION(InputError, StreamServer{options});
    QCOMPARE(parseHostPort("[::1]:7070"), (std::pair<std::string, int>{"::1", 7070}));
    QVERIFY_THROWS_EXCEPTION(InputError, parseHostPort("localhost"));
    QVERIFY_THROWS_EXCEPTION(InputError, parseHostPort("localhost:99999"));
  }

  void theClientCountIsCapped() {
    auto options = serverOptions();
    options.maxClients = 2;
    StreamServer server(options);
    RawClient a(server.port()), b(server.port());
    a.send(nlohmann::json{{"token", kToken}}.dump() + "\n");
    b.send(nlohmann::json{{"token", kToken}}.dump() + "\n");
    QCOMPARE(parsed(a.line())["type"].get<std::string>(), std::string("hello"));
    QCOMPARE(parsed(b.line())["type"].get<std::string>(), std::string("hello"));
    RawClient third(server.port());
    const auto answer = parsed(third.line());
    QCOMPARE(answer["message"].get<std::string>(), std::string("too many clients"));
  }

  void aSlowClientIsDroppedAndNeverStallsThePublisher() {
    auto options = serverOptions();
    options.maxQueuedBytes = 2 << 20;
    StreamServer server(options);
    RawClient slow(server.port()), healthy(server.port());
    slow.send(nlohmann::json{{"token", kToken}}.dump() + "\n");
    healthy.send(nlohmann::json{{"token", kToken}}.dump() + "\n");
    QVERIFY(test::pollUntil([] {}, [&] { return server.clients() == 2; }, 5));
    QCOMPARE(parsed(healthy.line())["type"].get<std::string>(), std::string("hello"));
    // 40 MB published while `slow` reads nothing: far beyond its queue and the kernel buffers.
    const std::string payload(4000, 'p');
    int received = 0;
    std::string last;
    for (int i = 0; i < 10000; ++i) {
      server.publish({{"type", "metrics"}, {"i", i}, {"payload", payload}});
      if (i % 10 == 9) // the healthy client keeps up, never more than 40 KB behind
        while (received <= i) {
          last = healthy.line();
          QVERIFY2(last[0] == '{', last.c_str());
          ++received;
        }
    }
    QCOMPARE(server.droppedClients(), size_t(1));
    QCOMPARE(server.clients(), size_t(1));
    QCOMPARE(parsed(last)["i"].get<int>(), 9999);
  }

  void patientIdentifiersNeverReachALine() {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"loading series of DOE^JOHN^Q from /data", "DOE^JOHN"},
        {"PatientName=Jane Smith, slices 120", "Jane"},
        {"patient id: 12345678 study 3", "12345678"},
        {"(0010,0010) MUSTERMANN^ERIKA", "MUSTERMANN"},
        {"(0010,0030) 19700101", "19700101"},
        {"PatientBirthDate \"19811224\" read", "19811224"},
        {"date of birth 1955-03-02", "1955-03-02"},
    };
    for (const auto& [line, secret] : cases) {
      const auto clean = redactPatientIdentifiers(line);
      QVERIFY2(clean.find(secret) == std::string::npos &&
                   clean.find("[redacted]") != std::string::npos,
               clean.c_str());
    }
    // Ordinary lines pass untouched.
    const std::string ordinary = "epoch 3/10 step 120 val/loss=0.0123 lr=0.001 (12.5 s)";
    QCOMPARE(redactPatientIdentifiers(ordinary), ordinary);
    // And through a live stream: what a published log line carries.
    RunStreamPublisher publisher(serverOptions());
    RawClient client(publisher.port());
    client.send(nlohmann::json{{"token", kToken}}.dump() + "\n");
    QCOMPARE(parsed(client.line())["type"].get<std::string>(), std::string("hello"));
    QVERIFY(test::pollUntil([] {}, [&] { return publisher.server().clients() == 1; }, 5));
    logInfo("opened the study of DOE^JOHN, PatientID=A99887");
    std::string seen;
    for (int i = 0; i < 20 && seen.find("opened the study") == std::string::npos; ++i)
      seen = client.line();
    QVERIFY2(seen.find("DOE") == std::string::npos && seen.find("A99887") == std::string::npos &&
                 seen.find("opened the study") != std::string::npos,
             seen.c_str());
  }

  // `lumen-cli runs follow`: the same mirror from a terminal; a wrong token fails it.
  void runsFollowMirrorsIntoAFolder() {
    const auto root = test::freshDir("run-stream-follow");
    test::writeText(root + "/token", kToken + "\n");
    test::writeText(root + "/wrong", "another-token-of-enough-length\n");
    auto server = std::make_unique<StreamServer>(serverOptions());
    const QString address = QStringLiteral("127.0.0.1:%1").arg(server->port());
    const auto refused =
        test::runProgram(QStringLiteral(LUMEN_CLI_PATH),
                         {"runs", "follow", address, QString::fromStdString(root + "/m0"),
                          "--token-file", QString::fromStdString(root + "/wrong")},
                         30000);
    QVERIFY(refused.code != 0);
    QVERIFY2(refused.err.contains("refused"), qPrintable(refused.err));
    QProcess follower;
    follower.start(QStringLiteral(LUMEN_CLI_PATH),
                   {"--quiet", "runs", "follow", address, QString::fromStdString(root + "/mirror"),
                    "--token-file", QString::fromStdString(root + "/token")});
    QVERIFY(test::pollUntil([] {}, [&] { return server->clients() == 1; }, 30));
    for (int step = 1; step <= 5; ++step) {
      MetricsRecord record;
      record.step = step;
      record.scalars["train/loss"] = 2.0 / step;
      server->publish({{"type", "metrics"},
                       {"run", "../escape"}, // a hostile name stays inside the mirror
                       {"record", nlohmann::json::parse(metricsRecordToJson(record))}});
    }
    server.reset(); // the command ends: its stream says so
    QVERIFY(follower.waitForFinished(30000));
    QVERIFY2(follower.exitCode() == 0, follower.readAllStandardError().constData());
    const auto records = readMetricsFile(root + "/mirror/.._escape/metrics.jsonl");
    QCOMPARE(records.size(), size_t(5));
    QCOMPARE(records.back().scalars.at("train/loss"), 0.4);
    QVERIFY(!QFile::exists(QString::fromStdString(root + "/escape")));
  }

  void aHeadlessRunIsMirroredLiveForTheMonitor() {
    const auto root = test::freshDir("run-stream-cli");
    const QString tokenFile = QString::fromStdString(root + "/token");
    test::writeText(tokenFile.toStdString(), kToken + "\n");
    const QString runDir = QString::fromStdString(root + "/run");
    QProcess cli;
    cli.start(QStringLiteral(LUMEN_CLI_PATH),
              {"--stream", "127.0.0.1:0", "--stream-token-file", tokenFile, "regression", "train",
               "--run-dir", runDir, "--set", "trainer.epochs=20", "--set", "trainer.log_every=1",
               "--set", "trainer.threads=1"});
    // The port the command chose, from its first line on stderr.
    int port = 0;
    QByteArray err;
    QVERIFY(test::pollUntil(
        [&] {
          cli.waitForReadyRead(50);
          err += cli.readAllStandardError();
        },
        [&] {
          const auto m = QRegularExpression("streaming on 127\\.0\\.0\\.1:(\\d+)")
                             .match(QString::fromUtf8(err));
          if (m.hasMatch())
            port = m.captured(1).toInt();
          return port > 0;
        },
        60));
    // Without the token: refused.
    RawClient stranger(port);
    stranger.send("{\"token\": \"not-the-token-at-all\"}\n");
    QCOMPARE(parsed(stranger.line())["type"].get<std::string>(), std::string("error"));
    // With it: the run mirrored while it trains.
    StreamFollowOptions follow;
    follow.port = port;
    follow.token = kToken;
    follow.mirrorRoot = root + "/mirror";
    std::vector<std::string> runs;
    std::mutex mutex;
    auto job = followRunStreamJob(follow, [&](const std::string& dir) {
      std::lock_guard lock(mutex);
      runs.push_back(dir);
    });
    JobPool pool(1);
    pool.submit(job);
    QVERIFY(cli.waitForFinished(240000));
    QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
    QVERIFY(job->wait(std::chrono::seconds(30)));
    QVERIFY2(job->state() == JobState::Succeeded, job->errorMessage().c_str());
    QCOMPARE(runs.size(), size_t(1));
    QCOMPARE(runs[0], root + "/mirror/run");
    const auto original = readMetricsFile(runDir.toStdString() + "/metrics.jsonl");
    const auto mirrored = readMetricsFile(runs[0] + "/metrics.jsonl");
    QVERIFY(original.size() > 100);
    QCOMPARE(mirrored.size(), original.size());
    for (size_t i = 0; i < original.size(); ++i) {
      QCOMPARE(mirrored[i].step, original[i].step);
      QCOMPARE(mirrored[i].scalars, original[i].scalars);
    }
    const auto status = readRunStatus(runs[0]);
    QVERIFY(status);
    QCOMPARE(status->state, std::string("finished"));
    QCOMPARE(status->step, readRunStatus(runDir.toStdString())->step);
  }
};

QTEST_GUILESS_MAIN(TestRunStream)
#include "TestRunStream.moc"
