// livestream_server behind a real nginx (Debian's, installed by
// scripts/setup.sh) that terminates TLS with a certificate the test makes
// with the openssl CLI and passes calls on over h2c, configured by the
// shipped deploy/nginx/livestream-grpc.conf: deadlines, rich errors, health
// and a drain on SIGTERM all pass through the proxy.

#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/integration/log_lines.h"
#include "tests/integration/rich_status.h"
#include "tests/integration/test_harness.h"

#ifndef NGINX_CONF_FILE
// Runfiles-relative, for Bazel (which sets LIVESTREAM_NGINX_CONF anyway).
#define NGINX_CONF_FILE "deploy/nginx/livestream-grpc.conf"
#endif

namespace livestream_gateway::testing {
namespace {

using ::grpc::health::v1::Health;
using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;
using ::zoom::livestream::v1::LiveStreamService;
using ::zoom::livestream::v1::UpdateStatusRequest;
using ::zoom::livestream::v1::UpdateStatusResponse;

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

bool WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::trunc);
  out << contents;
  return out.good();
}

// A port the kernel just had free on 127.0.0.1. Another process may take it
// before nginx binds it; StartNginx then tries another.
int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

bool Accepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool connected = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  close(fd);
  return connected;
}

// Replaces `from` (which must occur) in `text`; false when it does not, so
// that a reworded deploy/nginx file fails the test instead of going untested.
bool ReplaceIn(std::string& text, const std::string& from, const std::string& to) {
  if (text.find(from) == std::string::npos) return false;
  absl::StrReplaceAll({{from, to}}, &text);
  return true;
}

struct Nginx {
  std::unique_ptr<Process> process;
  int port = 0;
};

// nginx with the shipped server block, proxying to 127.0.0.1:`gateway_port`.
absl::StatusOr<Nginx> StartNginx(const TempDir& dir, int gateway_port) {
  std::string site = ReadFile(EnvOr("LIVESTREAM_NGINX_CONF", NGINX_CONF_FILE));
  if (site.empty()) return absl::NotFoundError("deploy/nginx/livestream-grpc.conf not found");
  if (!ReplaceIn(site, "server 127.0.0.1:50051;",
                 absl::StrCat("server 127.0.0.1:", gateway_port, ";")) ||
      !ReplaceIn(site, "/etc/nginx/tls/", dir.path(""))) {
    return absl::FailedPreconditionError("deploy/nginx/livestream-grpc.conf changed its form");
  }
  for (int attempt = 0; attempt < 5; ++attempt) {
    const int port = FreeLoopbackPort();
    std::string with_port = site;
    if (!ReplaceIn(with_port, "listen 443 ", absl::StrCat("listen 127.0.0.1:", port, " "))) {
      return absl::FailedPreconditionError("deploy/nginx/livestream-grpc.conf has no listen 443");
    }
    // One process in the foreground (so that the harness's SIGKILL ends
    // all of nginx), its files under the test's directory.
    // As root nginx hands its temporary directories to `user` (nobody by
    // default), which a sandbox's user namespace may not map: stay root.
    const std::string main_conf =
        absl::StrCat(geteuid() == 0 ? "user root root;\n" : "",
                     "daemon off;\nmaster_process off;\npid ", dir.path("nginx.pid"),
                     ";\nerror_log stderr warn;\nevents { worker_connections 256; }\nhttp {\n",
                     "  access_log off;\n", "  client_body_temp_path ", dir.path("body"), ";\n",
                     "  proxy_temp_path ", dir.path("proxy"), ";\n", "  fastcgi_temp_path ",
                     dir.path("fastcgi"), ";\n", "  uwsgi_temp_path ", dir.path("uwsgi"), ";\n",
                     "  scgi_temp_path ", dir.path("scgi"), ";\n", with_port, "\n}\n");
    if (!WriteFile(dir.path("nginx.conf"), main_conf)) {
      return absl::InternalError("cannot write nginx.conf");
    }
    Nginx nginx;
    auto process =
        Process::Start(EnvOr("NGINX_BIN", "/usr/sbin/nginx"),
                       {"-p", dir.path(""), "-e", "stderr", "-c", dir.path("nginx.conf")});
    if (!process.ok()) return process.status();
    nginx.process = *std::move(process);
    nginx.port = port;
    if (WaitFor([&] { return Accepts(port) || !nginx.process->Running(); }) &&
        nginx.process->Running()) {
      return nginx;
    }
    const std::string log = nginx.process->Stderr();
    if (log.find("Address already in use") == std::string::npos) {
      return absl::InternalError(absl::StrCat("nginx did not start: ", log));
    }
  }
  return absl::UnavailableError("no free port for nginx after 5 tries");
}

class NginxProxyTest : public ::testing::Test {
 protected:
  // The server's flags beyond the harness's.
  void StartAll(std::vector<std::string> server_args = {}) {
    auto emulator = Emulator::Start();
    ASSERT_TRUE(emulator.ok()) << emulator.status();
    emulator_ = *std::move(emulator);
    auto server = Server::Start(emulator_->base_url(), std::move(server_args));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);

    // A self-signed certificate for localhost, made as an operator would.
    auto openssl = Process::Start(
        EnvOr("OPENSSL_BIN", "/usr/bin/openssl"),
        {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", dir_.path("tls.key"), "-out", dir_.path("tls.crt"), "-days", "1", "-subj",
         "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"});
    ASSERT_TRUE(openssl.ok()) << openssl.status();
    ASSERT_EQ((*openssl)->Wait(), 0) << (*openssl)->Stderr();

    auto nginx = StartNginx(dir_, server_->port());
    ASSERT_TRUE(nginx.ok()) << nginx.status();
    nginx_ = *std::move(nginx);

    grpc::SslCredentialsOptions tls;
    tls.pem_root_certs = ReadFile(dir_.path("tls.crt"));
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    proxied_ = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", nginx_.port),
                                         grpc::SslCredentials(tls), args);
    ASSERT_TRUE(proxied_->WaitForConnected(absl::ToChronoTime(absl::Now() + absl::Seconds(10))));
  }

  grpc::Status Call(const std::shared_ptr<grpc::Channel>& channel,
                    const UpdateStatusRequest& request, absl::Duration timeout) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    UpdateStatusResponse response;
    return LiveStreamService::NewStub(channel)->UpdateStatus(&context, request, &response);
  }

  TempDir dir_;
  std::unique_ptr<Emulator> emulator_;
  std::unique_ptr<Server> server_;
  Nginx nginx_;
  std::shared_ptr<grpc::Channel> proxied_;
};

TEST_F(NginxProxyTest, CallsPassOverTls) {
  StartAll();
  grpc::Status status = Call(proxied_, StartRequest(), absl::Seconds(10));
  EXPECT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
  EXPECT_EQ(StatsField(*emulator_, "api_requests"), 1);
}

TEST_F(NginxProxyTest, HealthAnswersThroughTheProxy) {
  StartAll();
  auto health = Health::NewStub(proxied_);
  for (const std::string service : {"", "zoom.livestream.v1.LiveStreamService"}) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    HealthCheckRequest request;
    request.set_service(service);
    HealthCheckResponse response;
    grpc::Status status = health->Check(&context, request, &response);
    ASSERT_TRUE(status.ok()) << "'" << service << "': " << status.error_message();
    EXPECT_EQ(response.status(), HealthCheckResponse::SERVING) << "'" << service << "'";
  }
  grpc::ClientContext context;
  HealthCheckRequest unknown;
  unknown.set_service("no.such.Service");
  HealthCheckResponse response;
  EXPECT_EQ(health->Check(&context, unknown, &response).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(NginxProxyTest, RichErrorDetailsArriveIntact) {
  StartAll();
  UpdateStatusRequest invalid = StartRequest();
  invalid.set_webinar_id("x");
  const grpc::Status proxied = Call(proxied_, invalid, absl::Seconds(10));
  const grpc::Status direct =
      Call(grpc::CreateChannel(server_->target(), grpc::InsecureChannelCredentials()), invalid,
           absl::Seconds(10));

  ASSERT_EQ(proxied.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(proxied.error_message(), direct.error_message());
  // grpc-status-details-bin, byte for byte as the server sent it.
  ASSERT_FALSE(direct.error_details().empty());
  EXPECT_EQ(proxied.error_details(), direct.error_details());
  auto bad_request = Detail<google::rpc::BadRequest>(proxied);
  ASSERT_TRUE(bad_request.has_value());
  ASSERT_GE(bad_request->field_violations_size(), 1);
  EXPECT_EQ(bad_request->field_violations(0).field(), "webinar_id");
  EXPECT_EQ(CountDetails(proxied, "google.rpc.ErrorInfo"), 1);
  auto info = Detail<google::rpc::ErrorInfo>(proxied);
  EXPECT_EQ(info->domain(), "zoom-livestream-gateway");
  EXPECT_EQ(StatsField(*emulator_, "api_requests"), 0);
}

TEST_F(NginxProxyTest, TheCallersDeadlineReachesTheServer) {
  // One request to Zoom per 20 s, and no --zoom_timeout cap to speak of: a
  // call's turn comes only 20 s after the first. Knowing the caller's
  // deadline, the server refuses at once what cannot get a turn in time
  // (RESOURCE_EXHAUSTED from the server); without it, the call would wait
  // for its turn and the client would give up with DEADLINE_EXCEEDED.
  StartAll({"--zoom_rate_limit_qps=0.05", "--zoom_rate_limit_burst=1", "--zoom_timeout=60s"});
  ASSERT_TRUE(Call(proxied_, StartRequest(), absl::Seconds(10)).ok());

  const absl::Time started = absl::Now();
  const grpc::Status status = Call(proxied_, StartRequest(), absl::Seconds(5));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << status.error_code() << ": " << status.error_message();
  EXPECT_EQ(ReasonOf(status), "ZOOM_RATE_LIMITED");
  EXPECT_LT(absl::Now() - started, absl::Seconds(5));
  EXPECT_EQ(StatsField(*emulator_, "api_requests"), 1);
}

TEST_F(NginxProxyTest, SigtermDrainsCallsInFlightBehindTheProxy) {
  StartAll({"--shutdown_grace=20s"});
  emulator_->SetDelay(absl::Seconds(2));
  const int call_count = 3;
  absl::Mutex mu;
  std::vector<grpc::Status> statuses;
  struct PendingCall {
    grpc::ClientContext context;
    UpdateStatusRequest request = StartRequest();
    UpdateStatusResponse response;
  };
  std::vector<std::unique_ptr<PendingCall>> calls;
  auto stub = LiveStreamService::NewStub(proxied_);
  for (int i = 0; i < call_count; ++i) {
    auto call = std::make_unique<PendingCall>();
    call->context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    stub->async()->UpdateStatus(&call->context, &call->request, &call->response,
                                [&](grpc::Status status) {
                                  absl::MutexLock lock(&mu);
                                  statuses.push_back(std::move(status));
                                });
    calls.push_back(std::move(call));
  }
  ASSERT_TRUE(WaitFor([&] { return StatsField(*emulator_, "api_requests") == call_count; }));

  server_->process().Signal(SIGTERM);

  absl::MutexLock lock(&mu);
  ASSERT_TRUE(mu.AwaitWithTimeout(
      absl::Condition(
          +[](std::vector<grpc::Status>* done) { return done->size() == call_count; }, &statuses),
      absl::Seconds(20)));
  for (const grpc::Status& status : statuses) {
    EXPECT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
  }
  EXPECT_EQ(server_->process().Wait(absl::Seconds(20)), 0) << server_->process().Stderr();
  const std::vector<LogRecord> log = ExpectLogfmtLines(server_->process().Stderr());
  const std::vector<LogRecord> draining = WithMessage(log, "draining");
  ASSERT_EQ(draining.size(), 1U) << server_->process().Stderr();
  EXPECT_EQ(draining[0].at("signal"), "TERM");
  EXPECT_EQ(WithMessage(log, "stopped").size(), 1U) << server_->process().Stderr();
}

}  // namespace
}  // namespace livestream_gateway::testing
