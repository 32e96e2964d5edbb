#include "tests/integration/test_harness.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"

extern char** environ;

namespace livestream_gateway::testing {
namespace {

std::string BinaryFromEnv(const char* name, const char* compiled_default) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : compiled_default;
}

size_t AppendToString(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

}  // namespace

std::string ServerBinary() { return BinaryFromEnv("LIVESTREAM_SERVER_BIN", LIVESTREAM_SERVER_BIN); }
std::string EmulatorBinary() { return BinaryFromEnv("ZOOM_EMULATOR_BIN", ZOOM_EMULATOR_BIN); }

bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  absl::Duration pause = absl::Milliseconds(1);
  while (!condition()) {
    if (absl::Now() > give_up) return false;
    std::this_thread::sleep_for(absl::ToChronoMilliseconds(pause));
    pause = std::min(pause * 2, absl::Milliseconds(50));
  }
  return true;
}

TempDir::TempDir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "livestream-test-XXXXXX").string();
  char* made = mkdtemp(pattern.data());
  if (made == nullptr) std::abort();
  dir_ = made;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

absl::StatusOr<std::unique_ptr<Process>> Process::Start(const std::string& binary,
                                                        std::vector<std::string> args,
                                                        std::vector<std::string> env) {
  auto process = std::unique_ptr<Process>(new Process());
  char stderr_template[] = "/tmp/livestream-stderr-XXXXXX";
  int stderr_fd = mkstemp(stderr_template);
  if (stderr_fd < 0) return absl::InternalError("mkstemp failed");
  process->stderr_path_ = stderr_template;

  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string item = *entry;
    std::string name = item.substr(0, item.find('='));
    bool replaced = false;
    for (const std::string& override_entry : env) {
      if (override_entry.substr(0, override_entry.find('=')) == name) replaced = true;
    }
    if (!replaced) environment.push_back(item);
  }
  for (const std::string& entry : env) environment.push_back(entry);

  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (std::string& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);

  // fork + exec rather than posix_spawn, for PR_SET_PDEATHSIG: the child
  // dies with the test, so a crashed or timed-out test leaves no server or
  // emulator behind. Only async-signal-safe calls run between fork and exec.
  const pid_t parent = getpid();
  const pid_t child = fork();
  if (child < 0) {
    close(stderr_fd);
    return absl::InternalError(absl::StrCat("cannot fork for ", binary));
  }
  if (child == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    dup2(stderr_fd, STDERR_FILENO);
    close(stderr_fd);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve(binary.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  process->pid_ = child;
  close(stderr_fd);
  return process;
}

Process::~Process() {
  if (pid_ > 0 && !exited_) {
    kill(pid_, SIGKILL);
    Wait(absl::Seconds(10));
  }
  if (!stderr_path_.empty()) unlink(stderr_path_.c_str());
}

void Process::Signal(int signal_number) {
  if (pid_ > 0 && !exited_) kill(pid_, signal_number);
}

bool Process::Running() {
  if (exited_) return false;
  int status = 0;
  pid_t done = waitpid(pid_, &status, WNOHANG);
  if (done == pid_) {
    exited_ = true;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return false;
  }
  return true;
}

int Process::Wait(absl::Duration timeout) {
  if (!WaitFor([this] { return !Running(); }, timeout)) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    exited_ = true;
    exit_code_ = -1;
  }
  return exit_code_;
}

std::string Process::Stderr() const {
  std::ifstream in(stderr_path_);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

absl::StatusOr<int> Process::WaitForPortFile(const std::string& path, absl::Duration timeout) {
  int port = 0;
  bool found = WaitFor(
      [&] {
        if (!Running()) return true;
        std::ifstream in(path);
        std::string text;
        if (!std::getline(in, text)) return false;
        return absl::SimpleAtoi(text, &port) && port > 0;
      },
      timeout);
  if (!found || port <= 0) {
    return absl::UnavailableError(
        absl::StrCat("process did not report a port; stderr:\n", Stderr()));
  }
  return port;
}

long Process::StatusField(const std::string& name) const {
  std::ifstream in(absl::StrCat("/proc/", pid_, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (absl::StartsWith(line, name + ":")) {
      long value = 0;
      std::vector<std::string> parts =
          absl::StrSplit(line.substr(name.size() + 1), ' ', absl::SkipWhitespace());
      if (!parts.empty() && absl::SimpleAtoi(parts[0], &value)) return value;
    }
  }
  return -1;
}

HttpResult HttpCall(const std::string& method, const std::string& url, const std::string& body) {
  HttpResult result;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &AppendToString);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.body);
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (method != "GET") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  CURLcode code = curl_easy_perform(curl);
  EXPECT_EQ(code, CURLE_OK) << method << " " << url << ": " << curl_easy_strerror(code);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return result;
}

google::protobuf::Struct ParseJson(const std::string& json) {
  google::protobuf::Struct parsed;
  auto status = google::protobuf::util::JsonStringToMessage(json, &parsed);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  return parsed;
}

absl::StatusOr<std::unique_ptr<Emulator>> Emulator::Start(std::vector<std::string> extra_args) {
  auto emulator = std::unique_ptr<Emulator>(new Emulator());
  const std::string port_file = emulator->dir_.path("emulator.port");
  std::vector<std::string> args = {"--listen=127.0.0.1:0", "--port_file=" + port_file, "--quiet"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  absl::StatusOr<std::unique_ptr<Process>> process = Process::Start(EmulatorBinary(), args);
  if (!process.ok()) return process.status();
  emulator->process_ = *std::move(process);
  absl::StatusOr<int> port = emulator->process_->WaitForPortFile(port_file);
  if (!port.ok()) return port.status();
  emulator->port_ = *port;
  return emulator;
}

std::string Emulator::base_url() const { return absl::StrCat("http://127.0.0.1:", port_, "/v2"); }

void Emulator::Script(const std::string& responses_json) {
  HttpResult result =
      HttpCall("POST", absl::StrCat("http://127.0.0.1:", port_, "/_emulator/script"),
               absl::StrCat("{\"responses\":", responses_json, "}"));
  ASSERT_EQ(result.status, 200) << result.body;
}

void Emulator::ScriptOAuth(const std::string& responses_json) {
  HttpResult result =
      HttpCall("POST", absl::StrCat("http://127.0.0.1:", port_, "/_emulator/oauth/script"),
               absl::StrCat("{\"responses\":", responses_json, "}"));
  ASSERT_EQ(result.status, 200) << result.body;
}

void Emulator::RevokeTokens() {
  HttpResult result =
      HttpCall("POST", absl::StrCat("http://127.0.0.1:", port_, "/_emulator/tokens/revoke"), "{}");
  ASSERT_EQ(result.status, 200) << result.body;
}

std::string Emulator::oauth_url() const {
  return absl::StrCat("http://127.0.0.1:", port_, "/oauth/token");
}

std::vector<std::string> OAuthEnv(const std::string& account_id, const std::string& client_id,
                                  const std::string& client_secret) {
  return {"ZOOM_ACCOUNT_ID=" + account_id, "ZOOM_CLIENT_ID=" + client_id,
          "ZOOM_CLIENT_SECRET=" + client_secret};
}

void Emulator::SetDelay(absl::Duration delay) {
  HttpResult result =
      HttpCall("POST", absl::StrCat("http://127.0.0.1:", port_, "/_emulator/config"),
               absl::StrCat("{\"delay_ms\":", absl::ToInt64Milliseconds(delay), "}"));
  ASSERT_EQ(result.status, 200) << result.body;
}

google::protobuf::Struct Emulator::Stats() {
  return ParseJson(
      HttpCall("GET", absl::StrCat("http://127.0.0.1:", port_, "/_emulator/stats")).body);
}

std::vector<google::protobuf::Struct> Emulator::Requests() {
  google::protobuf::Struct all = ParseJson(
      HttpCall("GET", absl::StrCat("http://127.0.0.1:", port_, "/_emulator/requests")).body);
  std::vector<google::protobuf::Struct> requests;
  for (const auto& value : all.fields().at("requests").list_value().values()) {
    requests.push_back(value.struct_value());
  }
  return requests;
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const std::string& zoom_base_url,
                                                      std::vector<std::string> extra_args,
                                                      std::vector<std::string> env) {
  auto server = std::unique_ptr<Server>(new Server());
  const std::string port_file = server->dir_.path("server.port");
  std::vector<std::string> args = {"--listen=127.0.0.1:0", "--port_file=" + port_file,
                                   "--zoom_api_base_url=" + zoom_base_url};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  // A developer's own credentials in the environment must not leak into
  // tests; blanks count as unset.
  std::vector<std::string> blanks;
  for (const char* name :
       {"ZOOM_ACCESS_TOKEN", "ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET"}) {
    bool given = false;
    for (const std::string& entry : env) given |= absl::StartsWith(entry, absl::StrCat(name, "="));
    if (!given) blanks.push_back(absl::StrCat(name, "="));
  }
  if (blanks.size() == 4) blanks[0] = absl::StrCat("ZOOM_ACCESS_TOKEN=", kEmulatorToken);
  env.insert(env.end(), blanks.begin(), blanks.end());
  absl::StatusOr<std::unique_ptr<Process>> process = Process::Start(ServerBinary(), args, env);
  if (!process.ok()) return process.status();
  server->process_ = *std::move(process);
  absl::StatusOr<int> port = server->process_->WaitForPortFile(port_file);
  if (!port.ok()) return port.status();
  server->port_ = *port;
  return server;
}

zoom::livestream::v1::UpdateStatusRequest StartRequest() {
  zoom::livestream::v1::UpdateStatusRequest request;
  request.set_webinar_id("99289110036");
  request.set_action(zoom::livestream::v1::LIVE_STREAM_ACTION_START);
  return request;
}

double StatsField(Emulator& emulator, const std::string& name) {
  return emulator.Stats().fields().at(name).number_value();
}

std::string Server::target() const { return absl::StrCat("127.0.0.1:", port_); }

std::unique_ptr<zoom::livestream::v1::LiveStreamService::Stub> Server::NewStub() const {
  return zoom::livestream::v1::LiveStreamService::NewStub(
      grpc::CreateChannel(target(), grpc::InsecureChannelCredentials()));
}

}  // namespace livestream_gateway::testing

namespace livestream_gateway::testing {

std::string ReadFileOrFail(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

std::shared_ptr<grpc::ChannelCredentials> TestTlsCredentials(const std::string& ca_file,
                                                             const std::string& cert_file,
                                                             const std::string& key_file) {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ReadFileOrFail(ca_file);
  if (!cert_file.empty()) {
    options.pem_cert_chain = ReadFileOrFail(cert_file);
    options.pem_private_key = ReadFileOrFail(key_file);
  }
  return grpc::SslCredentials(options);
}

std::shared_ptr<grpc::Channel> Server::NewChannel(
    const std::shared_ptr<grpc::ChannelCredentials>& credentials) const {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(target(), credentials, args);
}

}  // namespace livestream_gateway::testing
