// TLS and mTLS on the real server with certificates made by the openssl CLI:
// calls over TLS, client certificates accepted and refused, limits that hold
// with TLS on, handshakes that fail or stall without blocking others,
// certificate rotation while calls run, and the start-up rules (plaintext
// off loopback, bad files: exit 2).

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/integration/log_lines.h"
#include "tests/integration/raw_http2.h"
#include "tests/integration/test_harness.h"

namespace livestream_gateway::testing {
namespace {

using ::grpc::health::v1::Health;
using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;
using ::zoom::livestream::v1::LiveStreamService;
using ::zoom::livestream::v1::UpdateStatusRequest;
using ::zoom::livestream::v1::UpdateStatusResponse;

grpc::Status Call(const std::shared_ptr<grpc::Channel>& channel,
                  const UpdateStatusRequest& request = StartRequest(),
                  absl::Duration timeout = absl::Seconds(10)) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  UpdateStatusResponse response;
  return LiveStreamService::NewStub(channel)->UpdateStatus(&context, request, &response);
}

grpc::Status CheckHealth(const std::shared_ptr<grpc::Channel>& channel,
                         absl::Duration timeout = absl::Seconds(5)) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  HealthCheckResponse response;
  return Health::NewStub(channel)->Check(&context, HealthCheckRequest(), &response);
}

// The `security` field of the server's one start-up `listening` line.
std::string ListeningSecurity(Process& process) {
  const std::vector<LogRecord> listening =
      WithMessage(ExpectLogfmtLines(process.Stderr()), "listening");
  EXPECT_THAT(listening, SizeIs(1)) << process.Stderr();
  if (listening.size() != 1 || !listening[0].contains("security")) return "(none)";
  return listening[0].at("security");
}

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    pki_ = new TestPki(dir_->path("pki"));
    std::filesystem::create_directories(dir_->path("pki"));
    absl::Status made = pki_->MakeStandardSet();
    ASSERT_TRUE(made.ok()) << made;
    auto emulator = Emulator::Start();
    ASSERT_TRUE(emulator.ok()) << emulator.status();
    emulator_ = emulator->release();
  }
  static void TearDownTestSuite() {
    delete emulator_;
    delete pki_;
    delete dir_;
  }

  static std::vector<std::string> TlsArgs() {
    return {"--tls_cert_file=" + pki_->cert("server"), "--tls_key_file=" + pki_->key("server")};
  }
  static std::vector<std::string> MtlsArgs() {
    std::vector<std::string> args = TlsArgs();
    args.push_back("--tls_client_ca_file=" + pki_->cert("ca"));
    return args;
  }
  static std::unique_ptr<Server> StartServer(const std::vector<std::string>& args) {
    auto server = Server::Start(emulator_->base_url(), args);
    EXPECT_TRUE(server.ok()) << server.status();
    return server.ok() ? *std::move(server) : nullptr;
  }
  // A channel trusting `ca` that presents `client`'s certificate, if any.
  static std::shared_ptr<grpc::Channel> Channel(const Server& server, const std::string& ca,
                                                const std::string& client = "") {
    return server.NewChannel(
        client.empty() ? TestTlsCredentials(pki_->cert(ca))
                       : TestTlsCredentials(pki_->cert(ca), pki_->cert(client), pki_->key(client)));
  }

  static TempDir* dir_;
  static TestPki* pki_;
  static Emulator* emulator_;
};

TempDir* TlsTest::dir_ = nullptr;
TestPki* TlsTest::pki_ = nullptr;
Emulator* TlsTest::emulator_ = nullptr;

TEST_F(TlsTest, ACallOverTlsWorksAndPlaintextOrAnUntrustedServerDoesNot) {
  std::unique_ptr<Server> server = StartServer(TlsArgs());
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(ListeningSecurity(server->process()),
            "TLS (no client certificates); certificate reloaded every 1m");

  grpc::Status status = Call(Channel(*server, "ca"));
  EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  // The same server is reached under its name as well as its address.
  auto by_name = grpc::CreateChannel(absl::StrCat("localhost:", server->port()),
                                     TestTlsCredentials(pki_->cert("ca")));
  EXPECT_TRUE(CheckHealth(by_name).ok());

  status = Call(server->NewChannel(grpc::InsecureChannelCredentials()));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  // A client that trusts another CA refuses the server's certificate.
  status = Call(Channel(*server, "other-ca"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, MtlsAcceptsClientCertificatesOfTheClientCa) {
  std::unique_ptr<Server> server = StartServer(MtlsArgs());
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(ListeningSecurity(server->process()),
            absl::StrCat("mTLS: client certificates required, verified against ", pki_->cert("ca"),
                         "; certificates reloaded every 1m"));
  for (const char* client : {"client", "spiffe-client"}) {
    grpc::Status status = Call(Channel(*server, "ca", client));
    EXPECT_TRUE(status.ok()) << client << ": " << status.error_message();
  }
}

TEST_F(TlsTest, MtlsRefusesClientsWithoutACertificateOrFromAnotherCaAndKeepsServing) {
  std::unique_ptr<Server> server = StartServer(MtlsArgs());
  ASSERT_NE(server, nullptr);
  const double api_requests_before = StatsField(*emulator_, "api_requests");

  EXPECT_EQ(Call(Channel(*server, "ca")).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Call(Channel(*server, "ca", "rogue-client")).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Call(server->NewChannel(grpc::InsecureChannelCredentials())).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // Nothing of a refused caller reached Zoom.
  EXPECT_EQ(StatsField(*emulator_, "api_requests"), api_requests_before);

  EXPECT_TRUE(server->process().Running());
  grpc::Status status = Call(Channel(*server, "ca", "client"));
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(TlsTest, LimitsHoldWithTlsOn) {
  std::unique_ptr<Server> server = StartServer(MtlsArgs());
  ASSERT_NE(server, nullptr);
  std::shared_ptr<grpc::Channel> channel = Channel(*server, "ca", "client");

  UpdateStatusRequest oversized = StartRequest();
  oversized.mutable_settings()->set_display_name(std::string(size_t{70} * 1024, 'x'));
  EXPECT_EQ(Call(channel, oversized).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);

  // 20 KiB of metadata, above the default --max_metadata_bytes (16 KiB).
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  context.AddMetadata("x-padding", std::string(size_t{20} * 1024, 'p'));
  UpdateStatusResponse response;
  grpc::Status status =
      LiveStreamService::NewStub(channel)->UpdateStatus(&context, StartRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();

  EXPECT_TRUE(Call(Channel(*server, "ca", "client")).ok());
}

TEST_F(TlsTest, FailingAndStalledHandshakesDoNotBlockOtherCallers) {
  std::unique_ptr<Server> server = StartServer(MtlsArgs());
  ASSERT_NE(server, nullptr);
  // Peers that stall inside the handshake: a TLS record header announcing a
  // ClientHello that never comes, and plain garbage left unanswered.
  std::vector<std::unique_ptr<RawHttp2Connection>> stalled;
  for (int i = 0; i < 100; ++i) {
    auto connection = RawHttp2Connection::Connect(server->port());
    ASSERT_TRUE(connection.ok()) << connection.status();
    const std::string bytes = i % 2 == 0 ? std::string("\x16\x03\x01\x02\x00\x01", 6)
                                         : std::string("GET / HTTP/1.1\r\nHost: x\r\n");
    ASSERT_TRUE((*connection)->SendBytes(bytes).ok());
    stalled.push_back(*std::move(connection));
  }
  // Handshakes that fail, running while the others call.
  std::atomic<int> refused{0};
  std::vector<std::thread> rogues;
  rogues.reserve(4);
  for (int i = 0; i < 4; ++i) {
    rogues.emplace_back([&] {
      for (int j = 0; j < 5; ++j) {
        if (CheckHealth(Channel(*server, "ca", "rogue-client")).error_code() ==
            grpc::StatusCode::UNAVAILABLE) {
          ++refused;
        }
      }
    });
  }
  for (int i = 0; i < 5; ++i) {
    grpc::Status status = Call(Channel(*server, "ca", "client"), StartRequest(), absl::Seconds(5));
    EXPECT_TRUE(status.ok()) << i << ": " << status.error_code() << " " << status.error_message();
  }
  for (std::thread& rogue : rogues) rogue.join();
  EXPECT_EQ(refused.load(), 20);
  EXPECT_TRUE(server->process().Running());
}

TEST_F(TlsTest, KeyReadableByOthersIsWarnedAboutWithoutItsContents) {
  const std::string key = dir_->path("shared.key");
  std::filesystem::copy_file(pki_->key("server"), key);
  chmod(key.c_str(), 0644);
  std::unique_ptr<Server> server =
      StartServer({"--tls_cert_file=" + pki_->cert("server"), "--tls_key_file=" + key});
  ASSERT_NE(server, nullptr);
  std::vector<std::string> warnings;
  for (const LogRecord& record : ExpectLogfmtLines(server->process().Stderr())) {
    if (record.at("level") == "warn") warnings.push_back(record.at("msg"));
  }
  ASSERT_THAT(warnings, SizeIs(1)) << server->process().Stderr();
  EXPECT_THAT(warnings[0],
              StartsWith(absl::StrCat("--tls_key_file: ", key,
                                      " is accessible to group or others (mode 0644)")));
  EXPECT_THAT(server->process().Stderr(), Not(HasSubstr("PRIVATE KEY")));
  EXPECT_TRUE(Call(Channel(*server, "ca")).ok());
}

// Rotation as Kubernetes does it for Secret volumes: the files live in a
// versioned directory behind a symlink, and the symlink is swapped in one
// rename, so key and certificate always change together.
TEST_F(TlsTest, RotatedCertificatesServeNewHandshakesWhileCallsInFlightFinish) {
  ASSERT_TRUE(pki_->MakeLeaf("server-2", "other-ca", "livestream-gateway",
                             "IP:127.0.0.1,IP:::1,DNS:localhost")
                  .ok());
  const std::string tls = dir_->path("rotation");
  for (const auto& [version, name] : {std::pair{"v1", "server"}, std::pair{"v2", "server-2"}}) {
    std::filesystem::create_directories(absl::StrCat(tls, "/", version));
    std::filesystem::copy_file(pki_->cert(name), absl::StrCat(tls, "/", version, "/tls.crt"));
    std::filesystem::copy_file(pki_->key(name), absl::StrCat(tls, "/", version, "/tls.key"));
  }
  std::filesystem::create_directory_symlink("v1", tls + "/live");

  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  auto started =
      Server::Start((*emulator)->base_url(), {"--tls_cert_file=" + tls + "/live/tls.crt",
                                              "--tls_key_file=" + tls + "/live/tls.key",
                                              "--tls_refresh_interval=1s", "--zoom_timeout=60s"});
  ASSERT_TRUE(started.ok()) << started.status();
  Server& server = **started;

  // A connection made before the rotation, and calls in flight on it: they
  // reach Zoom, which is then stopped (SIGSTOP) so that none can finish
  // before the rotation has been seen.
  std::shared_ptr<grpc::Channel> established = Channel(server, "ca");
  ASSERT_TRUE(CheckHealth(established).ok());
  (*emulator)->SetDelay(absl::Seconds(5));
  constexpr int kCalls = 4;
  absl::Mutex mu;
  int finished = 0;
  std::vector<grpc::Status> outcomes;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<UpdateStatusResponse>> responses;
  auto finished_all = [&] {
    absl::MutexLock lock(&mu);
    return static_cast<size_t>(finished) == contexts.size();
  };
  // Whatever fails below, the callbacks' state outlives the calls.
  const absl::Cleanup settle = [&] {
    (*emulator)->process().Signal(SIGCONT);
    for (const auto& context : contexts) context->TryCancel();
    WaitFor(finished_all, absl::Seconds(60));
  };
  const UpdateStatusRequest request = StartRequest();
  std::unique_ptr<LiveStreamService::Stub> stub = LiveStreamService::NewStub(established);
  for (int i = 0; i < kCalls; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    contexts.back()->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
    responses.push_back(std::make_unique<UpdateStatusResponse>());
    stub->async()->UpdateStatus(contexts.back().get(), &request, responses.back().get(),
                                [&](grpc::Status status) {
                                  absl::MutexLock lock(&mu);
                                  outcomes.push_back(std::move(status));
                                  ++finished;
                                });
  }
  ASSERT_TRUE(WaitFor([&] { return StatsField(**emulator, "api_requests") >= kCalls; }));
  (*emulator)->process().Signal(SIGSTOP);

  std::filesystem::create_directory_symlink("v2", tls + "/live.next");
  std::filesystem::rename(tls + "/live.next", tls + "/live");

  // New handshakes see the new certificate once the watcher has read it.
  ASSERT_TRUE(WaitFor([&] { return CheckHealth(Channel(server, "other-ca")).ok(); }));
  EXPECT_EQ(CheckHealth(Channel(server, "ca")).error_code(), grpc::StatusCode::UNAVAILABLE);
  // The connection made before keeps working.
  EXPECT_TRUE(CheckHealth(established).ok());
  {
    absl::MutexLock lock(&mu);
    ASSERT_EQ(finished, 0) << "the calls ended before the rotation; nothing was tested";
  }

  (*emulator)->process().Signal(SIGCONT);
  ASSERT_TRUE(WaitFor(finished_all, absl::Seconds(60)));
  absl::MutexLock lock(&mu);
  ASSERT_EQ(outcomes.size(), size_t{kCalls});
  for (const grpc::Status& status : outcomes) {
    EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  }
}

struct RefusalCase {
  std::string name;
  std::vector<std::string> args;  // {pki} stands for the PKI directory
  std::vector<std::string> messages;
};

void PrintTo(const RefusalCase& refusal, std::ostream* out) { *out << refusal.name; }

class TlsStartupTest : public TlsTest, public ::testing::WithParamInterface<RefusalCase> {};

std::string Expand(const std::string& text, const std::string& pki) {
  std::string out = text;
  for (size_t at = out.find("{pki}"); at != std::string::npos; at = out.find("{pki}")) {
    out.replace(at, 5, pki);
  }
  return out;
}

TEST_P(TlsStartupTest, IsRefusedAtStartWithExit2AndAMessageNamingTheFlag) {
  const std::string pki = dir_->path("pki");
  std::vector<std::string> args;
  for (const std::string& arg : GetParam().args) args.push_back(Expand(arg, pki));
  auto process = Process::Start(ServerBinary(), args, {"ZOOM_ACCESS_TOKEN=t"});
  ASSERT_TRUE(process.ok()) << process.status();
  EXPECT_EQ((*process)->Wait(), 2);
  const std::string output = (*process)->Stderr();
  const std::vector<LogRecord> lines = ExpectLogfmtLines(output);
  ASSERT_THAT(lines, SizeIs(1)) << output;
  EXPECT_EQ(lines[0].at("level"), "error");
  EXPECT_EQ(lines[0].at("msg"), "invalid configuration");
  for (const std::string& message : GetParam().messages) {
    EXPECT_THAT(lines[0].at("error"), HasSubstr(Expand(message, pki)));
  }
  EXPECT_THAT(output, Not(HasSubstr("PRIVATE KEY")));
}

INSTANTIATE_TEST_SUITE_P(
    Refusals, TlsStartupTest,
    ::testing::Values(
        RefusalCase{"PlaintextOnEveryInterface",
                    {"--listen=0.0.0.0:0"},
                    {"--listen=0.0.0.0:0 is not a loopback address and TLS is off",
                     "--allow_plaintext_non_loopback"}},
        RefusalCase{
            "PlaintextOnEveryV6Interface", {"--listen=[::]:0"}, {"--allow_plaintext_non_loopback"}},
        RefusalCase{"MissingKeyFile",
                    {"--tls_cert_file={pki}/server.crt", "--tls_key_file={pki}/absent.key"},
                    {"--tls_key_file: {pki}/absent.key does not exist"}},
        RefusalCase{"MissingClientCa",
                    {"--tls_cert_file={pki}/server.crt", "--tls_key_file={pki}/server.key",
                     "--tls_client_ca_file={pki}/absent.crt"},
                    {"--tls_client_ca_file: {pki}/absent.crt does not exist"}},
        RefusalCase{"KeyAndCertificateSwapped",
                    {"--tls_cert_file={pki}/server.key", "--tls_key_file={pki}/server.crt"},
                    {"--tls_cert_file: {pki}/server.key holds no PEM certificate"}},
        RefusalCase{"KeyOfAnotherCertificate",
                    {"--tls_cert_file={pki}/server.crt", "--tls_key_file={pki}/client.key"},
                    {"--tls_key_file is not the private key of the certificate in "
                     "--tls_cert_file ({pki}/server.crt, {pki}/client.key)"}},
        RefusalCase{"CertificateWithoutKey",
                    {"--tls_cert_file={pki}/server.crt"},
                    {"--tls_cert_file and --tls_key_file go together"}},
        RefusalCase{"ClientCaWithoutCertificate",
                    {"--tls_client_ca_file={pki}/ca.crt"},
                    {"--tls_client_ca_file (mTLS) needs --tls_cert_file"}},
        RefusalCase{"DirectoryAsCertificate",
                    {"--tls_cert_file={pki}", "--tls_key_file={pki}/server.key"},
                    {"--tls_cert_file: {pki} is a directory"}}),
    [](const auto& info) { return info.param.name; });

// The flag lifts the refusal: the server gets past its settings and only
// then fails to bind an address this host does not have (TEST-NET-1), so the
// test never listens beyond loopback.
TEST_F(TlsTest, AllowPlaintextNonLoopbackLiftsTheRefusal) {
  auto process =
      Process::Start(ServerBinary(), {"--listen=192.0.2.1:0", "--allow_plaintext_non_loopback"},
                     {"ZOOM_ACCESS_TOKEN=t"});
  ASSERT_TRUE(process.ok()) << process.status();
  EXPECT_EQ((*process)->Wait(), 1);
  const std::vector<LogRecord> cannot_start =
      WithMessage(ExpectLogfmtLines((*process)->Stderr()), "cannot start");
  ASSERT_THAT(cannot_start, SizeIs(1)) << (*process)->Stderr();
  EXPECT_EQ(cannot_start[0].at("error"), "cannot listen on 192.0.2.1:0");
  EXPECT_THAT(WithMessage(ExpectLogfmtLines((*process)->Stderr()), "invalid configuration"),
              SizeIs(0));
}

}  // namespace
}  // namespace livestream_gateway::testing
