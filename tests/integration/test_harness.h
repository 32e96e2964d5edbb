#ifndef LIVESTREAM_GATEWAY_TESTS_INTEGRATION_TEST_HARNESS_H_
#define LIVESTREAM_GATEWAY_TESTS_INTEGRATION_TEST_HARNESS_H_

// Runs the real livestream_server and zoom_emulator processes on loopback and
// talks to them: the emulator through its control API, the server through
// the generated stub.

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"
#include "grpcpp/channel.h"
#include "grpcpp/security/credentials.h"
#include "tests/tls/test_pki.h"
#include "zoom/livestream/v1/livestream_service.grpc.pb.h"

namespace livestream_gateway::testing {

// The emulator's fixed credential (see tests/zoom_emulator/README.md).
inline constexpr char kEmulatorToken[] = "emulator-token";
// The Server-to-Server OAuth credentials the emulator accepts by default.
inline constexpr char kEmulatorAccountId[] = "emulator-account";
inline constexpr char kEmulatorClientId[] = "emulator-client-id";
inline constexpr char kEmulatorClientSecret[] = "emulator-client-secret";

// Environment entries that make Server::Start use Server-to-Server OAuth.
std::vector<std::string> OAuthEnv(const std::string& account_id = kEmulatorAccountId,
                                  const std::string& client_id = kEmulatorClientId,
                                  const std::string& client_secret = kEmulatorClientSecret);

// Polls `condition` until it holds or `timeout` passes; returns whether it held.
bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout = absl::Seconds(20));

// A child process with its stderr sent to a file.
class Process {
 public:
  // `env` entries are "NAME=value" and replace the inherited environment's.
  static absl::StatusOr<std::unique_ptr<Process>> Start(const std::string& binary,
                                                        std::vector<std::string> args,
                                                        std::vector<std::string> env = {});
  ~Process();

  pid_t pid() const { return pid_; }
  // Sends a signal; returns immediately.
  void Signal(int signal_number);
  // Waits for exit and returns the exit code (128+signal when killed).
  int Wait(absl::Duration timeout = absl::Seconds(30));
  bool Running();
  // Everything the process wrote to stderr so far.
  std::string Stderr() const;
  // Reads the port the process wrote to its --port_file (waits for it).
  absl::StatusOr<int> WaitForPortFile(const std::string& path,
                                      absl::Duration timeout = absl::Seconds(30));
  // Value of the "Threads:" or other field of /proc/<pid>/status.
  long StatusField(const std::string& name) const;

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_code_ = 0;
  std::string stderr_path_;
};

// A temporary directory removed at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

 private:
  std::string dir_;
};

struct HttpResult {
  long status = 0;
  std::string body;
};

// Plain blocking HTTP for the emulator's control API (test code only).
HttpResult HttpCall(const std::string& method, const std::string& url,
                    const std::string& body = "");

// JSON text to a Struct (fails the test on bad JSON).
google::protobuf::Struct ParseJson(const std::string& json);

class Emulator {
 public:
  static absl::StatusOr<std::unique_ptr<Emulator>> Start(std::vector<std::string> extra_args = {});

  int port() const { return port_; }
  std::string base_url() const;  // http://127.0.0.1:PORT/v2
  // Control API (tests/zoom_emulator/README.md).
  void Script(const std::string& responses_json);  // the JSON array of responses
  // The same for POST /oauth/token.
  void ScriptOAuth(const std::string& responses_json);
  // Invalidates every token issued so far (the API then answers 401 code 124).
  void RevokeTokens();
  std::string oauth_url() const;  // http://127.0.0.1:PORT/oauth/token
  void SetDelay(absl::Duration delay);
  google::protobuf::Struct Stats();
  std::vector<google::protobuf::Struct> Requests();
  Process& process() { return *process_; }

 private:
  std::unique_ptr<Process> process_;
  TempDir dir_;
  int port_ = 0;
};

class Server {
 public:
  // Starts livestream_server against `zoom_base_url`. Credentials come only
  // from `env` (inherited ZOOM_* credential variables are blanked); without
  // any there, the emulator's static token is used.
  static absl::StatusOr<std::unique_ptr<Server>> Start(const std::string& zoom_base_url,
                                                       std::vector<std::string> extra_args = {},
                                                       std::vector<std::string> env = {});

  int port() const { return port_; }
  std::string target() const;
  std::unique_ptr<zoom::livestream::v1::LiveStreamService::Stub> NewStub() const;
  // A channel with a connection (and so a handshake) of its own: channels
  // to one target otherwise share gRPC's global subchannel pool.
  std::shared_ptr<grpc::Channel> NewChannel(
      const std::shared_ptr<grpc::ChannelCredentials>& credentials) const;
  Process& process() { return *process_; }

 private:
  std::unique_ptr<Process> process_;
  TempDir dir_;
  int port_ = 0;
};

using ::livestream_testing::kSpiffeCaller;
using ::livestream_testing::TestPki;

// TLS channel credentials trusting `ca_file`, presenting the client
// certificate when `cert_file` and `key_file` are given.
std::shared_ptr<grpc::ChannelCredentials> TestTlsCredentials(const std::string& ca_file,
                                                             const std::string& cert_file = "",
                                                             const std::string& key_file = "");

// The whole file (fails the test when it cannot be read).
std::string ReadFileOrFail(const std::string& path);

// A start request for the emulator's seeded webinar, which is configured and running.
zoom::livestream::v1::UpdateStatusRequest StartRequest();

// A number from the emulator's /_emulator/stats.
double StatsField(Emulator& emulator, const std::string& name);

std::string ServerBinary();
std::string EmulatorBinary();

}  // namespace livestream_gateway::testing

#endif  // LIVESTREAM_GATEWAY_TESTS_INTEGRATION_TEST_HARNESS_H_
