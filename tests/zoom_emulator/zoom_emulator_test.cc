// Black-box tests: the real zoom_emulator binary as a subprocess, spoken to
// over loopback HTTP with libcurl (and raw sockets for malformed input).

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace {

using Clock = std::chrono::steady_clock;
using google::protobuf::Value;
using namespace std::chrono_literals;

constexpr char kToken[] = "emulator-token";
constexpr char kWebinar[] = "/v2/webinars/99289110036/livestream/status";
constexpr char kMeeting[] = "/v2/meetings/85746065/livestream/status";
constexpr char kJsonContentType[] = "application/json;charset=UTF-8";
// Generous bounds for waiting on conditions (sanitizer builds are slow); a
// passing run never waits them out.
constexpr auto kStartupTimeout = 20s;
constexpr long kCurlTimeoutMs = 20000;

class CurlEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    ASSERT_EQ(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
    // The concurrency tests hold thousands of sockets in this process.
    rlimit limit{};
    ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
    limit.rlim_cur = limit.rlim_max;
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &limit), 0);
  }
  void TearDown() override { curl_global_cleanup(); }
};

const auto* const kCurlEnvironment = ::testing::AddGlobalTestEnvironment(new CurlEnvironment);

// ------------------------------------------------------------------ process

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

// The emulator binary as a child process, stopped with SIGTERM.
class EmulatorProcess {
 public:
  // Starts the emulator and waits (bounded) for its port file.
  static std::unique_ptr<EmulatorProcess> Start(const std::vector<std::string>& flags) {
    auto process = std::unique_ptr<EmulatorProcess>(new EmulatorProcess());
    char dir_template[] = "/tmp/zoom_emulator_test.XXXXXX";
    if (mkdtemp(dir_template) == nullptr) {
      ADD_FAILURE() << "mkdtemp failed";
      return nullptr;
    }
    process->dir_ = dir_template;
    const std::string port_file = process->dir_ + "/port";
    process->stderr_path_ = process->dir_ + "/stderr";

    std::vector<std::string> args = {ZOOM_EMULATOR_BINARY, "--port_file=" + port_file};
    args.insert(args.end(), flags.begin(), flags.end());
    process->pid_ = Spawn(args, process->stderr_path_);
    if (process->pid_ <= 0) {
      ADD_FAILURE() << "cannot spawn " << ZOOM_EMULATOR_BINARY;
      return nullptr;
    }
    const auto deadline = Clock::now() + kStartupTimeout;
    while (Clock::now() < deadline) {
      const std::string text = ReadFile(port_file);
      if (!text.empty()) {
        // The file appears by rename, so it is complete once it exists.
        EXPECT_TRUE(absl::EndsWith(text, "\n"));
        EXPECT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &process->port_));
        return process;
      }
      int status;
      if (waitpid(process->pid_, &status, WNOHANG) == process->pid_) {
        process->pid_ = -1;
        ADD_FAILURE() << "emulator exited at startup: " << ReadFile(process->stderr_path_);
        return nullptr;
      }
      std::this_thread::sleep_for(5ms);
    }
    ADD_FAILURE() << "no port file after " << kStartupTimeout.count() << " s";
    return nullptr;
  }

  // Runs the binary to completion (for flags it must refuse) and returns the
  // raw wait status.
  static int RunToExit(const std::vector<std::string>& flags, std::string* stderr_text) {
    char dir_template[] = "/tmp/zoom_emulator_test.XXXXXX";
    if (mkdtemp(dir_template) == nullptr) return -1;
    const std::string dir = dir_template;
    std::vector<std::string> args = {ZOOM_EMULATOR_BINARY, "--port_file=" + dir + "/port"};
    args.insert(args.end(), flags.begin(), flags.end());
    const pid_t pid = Spawn(args, dir + "/stderr");
    int status = -1;
    if (pid > 0) waitpid(pid, &status, 0);
    *stderr_text = ReadFile(dir + "/stderr");
    EXPECT_NE(access((dir + "/port").c_str(), F_OK), 0) << "a refused start wrote a port file";
    std::remove((dir + "/stderr").c_str());
    std::remove((dir + "/port").c_str());
    rmdir(dir.c_str());
    return status;
  }

  ~EmulatorProcess() {
    if (pid_ > 0) Stop(SIGKILL);
    std::remove(stderr_path_.c_str());
    std::remove((dir_ + "/port").c_str());
    if (!dir_.empty()) rmdir(dir_.c_str());
  }

  // Sends `signal` and reaps the process; returns the raw wait status.
  int Stop(int signal = SIGTERM) {
    if (pid_ <= 0) return -1;
    kill(pid_, signal);
    int status = -1;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

  int port() const { return port_; }
  std::string Stderr() const { return ReadFile(stderr_path_); }

 private:
  EmulatorProcess() = default;

  static pid_t Spawn(const std::vector<std::string>& args, const std::string& stderr_path) {
    std::vector<char*> argv;
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid != 0) return pid;
    // The child: only async-signal-safe calls until exec. It dies with this
    // process, so a crashed or killed test leaves no emulator behind.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    const int err = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int null = open("/dev/null", O_WRONLY);
    if (err < 0 || null < 0 || dup2(err, STDERR_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0) {
      _exit(127);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }

  pid_t pid_ = -1;
  int port_ = 0;
  std::string dir_;
  std::string stderr_path_;
};

// ------------------------------------------------------------------ HTTP

struct Response {
  CURLcode curl = CURLE_OK;
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-case names, last value
  std::vector<std::string> tracking_ids;       // every x-zm-trackingid seen
  std::string body;
};

size_t CollectBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

size_t CollectHeader(char* data, size_t size, size_t n, void* out) {
  auto* response = static_cast<Response*>(out);
  const absl::string_view line(data, size * n);
  if (absl::StartsWith(line, "HTTP/")) {
    // A new status line (after 100 Continue): start over.
    response->headers.clear();
    response->tracking_ids.clear();
    return size * n;
  }
  const size_t colon = line.find(':');
  if (colon != absl::string_view::npos) {
    const std::string name = absl::AsciiStrToLower(line.substr(0, colon));
    const std::string value(absl::StripAsciiWhitespace(line.substr(colon + 1)));
    response->headers[name] = value;
    if (name == "x-zm-trackingid") response->tracking_ids.push_back(value);
  }
  return size * n;
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;

struct Request {
  std::string method = "GET";
  std::string path;
  std::string body;
  std::vector<std::string> headers;  // "Name: value"
  std::string basic_auth;            // "user:password"
  // Multipart fields sent with libcurl's own encoder (an independent
  // implementation of RFC 7578).
  std::vector<std::pair<std::string, std::string>> form;
};

Request Patch(std::string path, std::string json, std::string token = kToken) {
  Request r;
  r.method = "PATCH";
  r.path = std::move(path);
  r.body = std::move(json);
  r.headers = {"Content-Type: application/json"};
  if (!token.empty()) r.headers.push_back("Authorization: Bearer " + token);
  return r;
}

Request PatchForm(std::string path, std::vector<std::pair<std::string, std::string>> form) {
  Request r;
  r.method = "PATCH";
  r.path = std::move(path);
  r.form = std::move(form);
  r.headers = {absl::StrCat("Authorization: Bearer ", kToken)};
  return r;
}

Request Control(std::string method, std::string path, std::string json = "") {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.body = std::move(json);
  if (!r.body.empty()) r.headers = {"Content-Type: application/json"};
  return r;
}

// Owns what an easy handle points at until the transfer ends.
struct Transfer {
  Request request;
  Response response;
  curl_slist* headers = nullptr;
  curl_mime* mime = nullptr;
  ~Transfer() {
    curl_slist_free_all(headers);
    curl_mime_free(mime);
  }
};

void Prepare(CURL* curl, int port, Transfer* t) {
  const Request& r = t->request;
  curl_easy_setopt(curl, CURLOPT_URL, absl::StrCat("http://127.0.0.1:", port, r.path).c_str());
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, kCurlTimeoutMs);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, CollectBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t->response.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, CollectHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t->response);
  for (const std::string& h : r.headers) t->headers = curl_slist_append(t->headers, h.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, t->headers);
  if (!r.basic_auth.empty()) {
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERPWD, r.basic_auth.c_str());
  }
  if (!r.form.empty()) {
    t->mime = curl_mime_init(curl);
    for (const auto& [name, value] : r.form) {
      curl_mimepart* part = curl_mime_addpart(t->mime);
      curl_mime_name(part, name.c_str());
      curl_mime_data(part, value.data(), value.size());
    }
    curl_easy_setopt(curl, CURLOPT_MIMEPOST, t->mime);
  } else if (r.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(r.body.size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, r.body.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, r.method.c_str());
}

void Finish(CURL* curl, CURLcode code, Transfer* t) {
  t->response.curl = code;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &t->response.status);
}

// One exchange on `curl` (reused handles keep their connection alive).
Response Send(CURL* curl, int port, Request request) {
  Transfer t;
  t.request = std::move(request);
  curl_easy_reset(curl);
  Prepare(curl, port, &t);
  Finish(curl, curl_easy_perform(curl), &t);
  return std::move(t.response);
}

Value ParseJson(const std::string& text) {
  Value value;
  const auto status = google::protobuf::util::JsonStringToMessage(text, &value);
  EXPECT_TRUE(status.ok()) << "not JSON: " << text;
  return value;
}

// `value` at a dotted path of object keys; null when absent.
Value At(const Value& value, const std::string& path) {
  const Value* v = &value;
  for (const auto& key : absl::StrSplit(path, '.')) {
    if (!v->has_struct_value()) return Value();
    const auto& fields = v->struct_value().fields();
    const auto it = fields.find(std::string(key));
    if (it == fields.end()) return Value();
    v = &it->second;
  }
  return *v;
}

// The elements of the array at `path` (copies: At returns a temporary).
std::vector<Value> List(const Value& value, const std::string& path) {
  const Value list = At(value, path);
  return {list.list_value().values().begin(), list.list_value().values().end()};
}

std::string Str(const Value& v, const std::string& path) { return At(v, path).string_value(); }
double Num(const Value& v, const std::string& path) { return At(v, path).number_value(); }

std::string Base64(const std::string& in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < in.size(); i += 3) {
    const uint32_t n = (static_cast<unsigned char>(in[i]) << 16) |
                       (i + 1 < in.size() ? static_cast<unsigned char>(in[i + 1]) << 8 : 0) |
                       (i + 2 < in.size() ? static_cast<unsigned char>(in[i + 2]) : 0);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < in.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

// Expects a Zoom-style JSON error and returns its body.
Value ExpectZoomError(const Response& r, long status, int code, const std::string& message) {
  EXPECT_EQ(r.curl, CURLE_OK);
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.headers.count("content-type") ? r.headers.at("content-type") : "", kJsonContentType);
  const Value body = ParseJson(r.body);
  EXPECT_EQ(Num(body, "code"), code) << r.body;
  EXPECT_EQ(Str(body, "message"), message) << r.body;
  return body;
}

// Zoom's format: "v=2.0;clid=us01;rid=WEB_" then 32 lower-case hex digits.
bool IsTrackingId(absl::string_view id) {
  if (!absl::ConsumePrefix(&id, "v=2.0;clid=us01;rid=WEB_") || id.size() != 32) return false;
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f'); });
}

// ------------------------------------------------------------------ raw sockets

class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawConnection() {
    if (fd_ >= 0) close(fd_);
  }
  bool connected() const { return connected_; }

  bool SendAll(absl::string_view data) {
    while (!data.empty()) {
      const ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads until `done(received)` holds or the peer closes (then `closed`),
  // bounded by a deadline.
  template <typename Predicate>
  std::string ReadUntil(Predicate done, bool* closed = nullptr) {
    std::string received;
    const auto deadline = Clock::now() + 20s;
    if (closed) *closed = false;
    while (!done(received) && Clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char buf[65536];
      const ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) {
        if (closed) *closed = true;
        break;
      }
      received.append(buf, static_cast<size_t>(n));
    }
    return received;
  }

  std::string ReadUntilClosed(bool* closed) {
    return ReadUntil([](const std::string&) { return false; }, closed);
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

size_t CountOf(const std::string& haystack, const std::string& needle) {
  size_t count = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + 1)) {
    ++count;
  }
  return count;
}

// ------------------------------------------------------------------ fixture

class ZoomEmulatorTest : public ::testing::Test {
 protected:
  void SetUp() override { Restart({"--quiet"}); }

  void TearDown() override {
    if (emulator_) {
      const int status = emulator_->Stop(SIGTERM);
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
          << "SIGTERM should exit 0; wait status " << status << "\n"
          << emulator_->Stderr();
      emulator_.reset();
    }
  }

  void Restart(const std::vector<std::string>& flags) {
    TearDown();
    emulator_ = EmulatorProcess::Start(flags);
    ASSERT_NE(emulator_, nullptr);
  }

  // One exchange on a fresh connection.
  Response Do(Request request) {
    CurlHandle curl(curl_easy_init());
    return Send(curl.get(), emulator_->port(), std::move(request));
  }

  Value Records(const std::string& path = "/_emulator/requests") {
    const Response r = Do(Control("GET", path));
    EXPECT_EQ(r.status, 200);
    return ParseJson(r.body);
  }

  Value Stats() { return ParseJson(Do(Control("GET", "/_emulator/stats")).body); }

  Value Webinar(const std::string& id) {
    const Response r = Do(Control("GET", "/_emulator/webinars/" + id));
    EXPECT_EQ(r.status, 200) << r.body;
    return ParseJson(r.body);
  }

  std::string IssueToken() {
    Request r =
        Control("POST", "/oauth/token?grant_type=account_credentials&account_id=emulator-account");
    r.basic_auth = "emulator-client-id:emulator-client-secret";
    const Response response = Do(r);
    EXPECT_EQ(response.status, 200) << response.body;
    return Str(ParseJson(response.body), "access_token");
  }

  std::unique_ptr<EmulatorProcess> emulator_;
};

// ------------------------------------------------------------------ auth

TEST_F(ZoomEmulatorTest, RejectsMissingOrWrongBearerTokenWith401Code124) {
  for (const std::string& authorization :
       {std::string(), std::string("Authorization: Bearer wrong-token"),
        std::string("Authorization: Bearer"), std::string("Authorization: Basic ") + kToken,
        std::string("Authorization: ") + kToken}) {
    SCOPED_TRACE(authorization);
    Request r = Patch(kWebinar, R"({"action":"start"})", "");
    if (!authorization.empty()) r.headers.push_back(authorization);
    ExpectZoomError(Do(r), 401, 124, "Invalid access token.");
  }
  // The failures changed nothing.
  EXPECT_FALSE(At(Webinar("99289110036"), "streaming").bool_value());
  EXPECT_EQ(Do(Patch(kWebinar, R"({"action":"start"})")).status, 204);
}

// ------------------------------------------------------------------ bodies

TEST_F(ZoomEmulatorTest, MultipartBodyIsParsedAppliedAndRecorded) {
  const std::string settings = R"({"display_name":"Jill Chill","active_speaker_name":true})";
  const double before_ms = absl::ToDoubleMilliseconds(absl::Now() - absl::UnixEpoch());
  const Response r = Do(PatchForm(kWebinar, {{"action", "start"}, {"settings", settings}}));
  const double after_ms = absl::ToDoubleMilliseconds(absl::Now() - absl::UnixEpoch());
  EXPECT_EQ(r.curl, CURLE_OK);
  ASSERT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.headers.count("content-type"), 0u);

  const Value records = Records();
  ASSERT_EQ(List(records, "requests").size(), 1u);
  const Value record = List(records, "requests")[0];
  EXPECT_EQ(Str(record, "method"), "PATCH");
  EXPECT_EQ(Str(record, "path"), kWebinar);
  EXPECT_GE(Num(record, "received_ms"), before_ms);
  EXPECT_LE(Num(record, "received_ms"), after_ms);
  EXPECT_EQ(Str(record, "headers.authorization"), std::string("Bearer ") + kToken);
  EXPECT_TRUE(
      absl::StartsWith(Str(record, "headers.content-type"), "multipart/form-data; boundary="));
  EXPECT_EQ(Str(record, "form.action"), "start");
  EXPECT_EQ(Str(record, "form.settings"), settings);
  EXPECT_NE(Str(record, "body").find("Jill Chill"), std::string::npos);
  EXPECT_EQ(At(record, "json").kind_case(), Value::KIND_NOT_SET);

  const Value webinar = Webinar("99289110036");
  EXPECT_TRUE(At(webinar, "streaming").bool_value());
  EXPECT_EQ(Str(webinar, "settings.display_name"), "Jill Chill");
  EXPECT_TRUE(At(webinar, "settings.active_speaker_name").bool_value());
}

TEST_F(ZoomEmulatorTest, HandBuiltMultipartWithQuotedBoundaryAndPreambleIsAccepted) {
  ASSERT_EQ(Do(Patch(kWebinar, R"({"action":"start"})")).status, 204);
  Request r;
  r.method = "PATCH";
  r.path = kWebinar;
  r.headers = {absl::StrCat("Authorization: Bearer ", kToken),
               "Content-Type: multipart/form-data; boundary=\"b:1 x\""};
  r.body =
      "ignored preamble\r\n--b:1 x\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\n"
      "stop\r\n--b:1 x--\r\n";
  EXPECT_EQ(Do(r).status, 204);
  EXPECT_FALSE(At(Webinar("99289110036"), "streaming").bool_value());
  EXPECT_EQ(Str(List(Records(), "requests")[1], "form.action"), "stop");
}

TEST_F(ZoomEmulatorTest, JsonBodyIsParsedAppliedAndRecorded) {
  ASSERT_EQ(Do(Patch(kMeeting, R"({"action":"start","settings":{"display_name":"Room"}})")).status,
            204);
  const Value records = Records();
  ASSERT_EQ(List(records, "requests").size(), 1u);
  const Value record = List(records, "requests")[0];
  EXPECT_EQ(Str(record, "path"), kMeeting);
  EXPECT_EQ(Str(record, "json.action"), "start");
  EXPECT_EQ(Str(record, "json.settings.display_name"), "Room");
  EXPECT_EQ(Str(record, "body"), R"({"action":"start","settings":{"display_name":"Room"}})");
  EXPECT_EQ(At(record, "form").kind_case(), Value::KIND_NOT_SET);

  const Response meeting = Do(Control("GET", "/_emulator/meetings/85746065"));
  EXPECT_TRUE(At(ParseJson(meeting.body), "streaming").bool_value());
  EXPECT_EQ(Do(Patch(kMeeting, R"({"action":"stop"})")).status, 204);
  EXPECT_FALSE(At(ParseJson(Do(Control("GET", "/_emulator/meetings/85746065")).body), "streaming")
                   .bool_value());
}

TEST_F(ZoomEmulatorTest, DisplayNameLengthCountsCodePoints) {
  std::string fifty_accented;
  for (int i = 0; i < 50; ++i) fifty_accented += "\xC3\xA9";  // 100 bytes, 50 code points
  EXPECT_EQ(Do(Patch(kWebinar,
                     absl::StrCat(R"({"settings":{"display_name":")", fifty_accented, R"("}})")))
                .status,
            204);
  EXPECT_EQ(Str(Webinar("99289110036"), "settings.display_name"), fifty_accented);
  EXPECT_EQ(
      Do(Patch(kWebinar, absl::StrCat(R"({"settings":{"display_name":")", fifty_accented, "x\"}}")))
          .status,
      400);
}

struct ValidationCase {
  std::string name;
  std::string json;                                       // sent as JSON when non-empty
  std::vector<std::pair<std::string, std::string>> form;  // else as multipart
  std::vector<std::string> fields;                        // expected errors[].field
};

class ValidationTest : public ZoomEmulatorTest,
                       public ::testing::WithParamInterface<ValidationCase> {};

TEST_P(ValidationTest, AnswersValidationFailedNamingTheFields) {
  const ValidationCase& c = GetParam();
  const Response r = c.json.empty() ? Do(PatchForm(kWebinar, c.form)) : Do(Patch(kWebinar, c.json));
  const Value body = ExpectZoomError(r, 400, 300, "Validation Failed.");
  std::vector<std::string> fields;
  for (const Value& error : List(body, "errors")) {
    fields.push_back(Str(error, "field"));
    EXPECT_FALSE(Str(error, "message").empty());
  }
  std::sort(fields.begin(), fields.end());
  EXPECT_EQ(fields, c.fields);
  EXPECT_FALSE(At(Webinar("99289110036"), "streaming").bool_value());
}

INSTANTIATE_TEST_SUITE_P(
    Table, ValidationTest,
    ::testing::Values(
        ValidationCase{"UnknownAction", R"({"action":"pause"})", {}, {"action"}},
        ValidationCase{"NumericAction", R"({"action":1})", {}, {"action"}},
        ValidationCase{"NullAction", R"({"action":null})", {}, {"action"}},
        ValidationCase{
            "SettingsNotObject", R"({"action":"start","settings":"x"})", {}, {"settings"}},
        ValidationCase{"EmptyDisplayName",
                       R"({"settings":{"display_name":""}})",
                       {},
                       {"settings.display_name"}},
        ValidationCase{
            "LongDisplayName",
            absl::StrCat(R"({"settings":{"display_name":")", std::string(51, 'x'), R"("}})"),
            {},
            {"settings.display_name"}},
        ValidationCase{"NumericDisplayName",
                       R"({"settings":{"display_name":5}})",
                       {},
                       {"settings.display_name"}},
        ValidationCase{"StringSpeakerName",
                       R"({"settings":{"active_speaker_name":"yes"}})",
                       {},
                       {"settings.active_speaker_name"}},
        ValidationCase{"AllAtOnce",
                       R"({"action":"go","settings":{"display_name":"","active_speaker_name":0}})",
                       {},
                       {"action", "settings.active_speaker_name", "settings.display_name"}},
        ValidationCase{"MultipartUnknownAction", "", {{"action", "pause"}}, {"action"}},
        ValidationCase{
            "MultipartSettingsNotJson", "", {{"settings", "display_name=x"}}, {"settings"}},
        ValidationCase{"MultipartSettingsNotObject", "", {{"settings", "[1]"}}, {"settings"}},
        ValidationCase{
            "MultipartLongDisplayName",
            "",
            {{"action", "start"},
             {"settings", absl::StrCat(R"({"display_name":")", std::string(51, 'x'), R"("})")}},
            {"settings.display_name"}}),
    [](const auto& info) { return info.param.name; });

struct BadBodyCase {
  std::string name;
  std::string content_type;  // empty: no Content-Type header
  std::string body;
};

class BadBodyTest : public ZoomEmulatorTest, public ::testing::WithParamInterface<BadBodyCase> {};

TEST_P(BadBodyTest, AnswersCode300InvalidJsonObject) {
  Request r;
  r.method = "PATCH";
  r.path = kWebinar;
  r.body = GetParam().body;
  r.headers = {absl::StrCat("Authorization: Bearer ", kToken)};
  // libcurl adds a form Content-Type to bodies unless told otherwise.
  r.headers.push_back(GetParam().content_type.empty() ? "Content-Type:"
                                                      : "Content-Type: " + GetParam().content_type);
  ExpectZoomError(Do(r), 400, 300, "Request Body should be a valid JSON object.");
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadBodyTest,
    ::testing::Values(
        BadBodyCase{"NoContentType", "", R"({"action":"start"})"}, BadBodyCase{"NoBody", "", ""},
        BadBodyCase{"TextPlain", "text/plain", R"({"action":"start"})"},
        BadBodyCase{"UrlEncoded", "application/x-www-form-urlencoded", "action=start"},
        BadBodyCase{"EmptyJson", "application/json", ""},
        BadBodyCase{"TruncatedJson", "application/json", R"({"action":"start")"},
        BadBodyCase{"JsonArray", "application/json", R"([{"action":"start"}])"},
        BadBodyCase{"JsonString", "application/json", R"("start")"},
        BadBodyCase{"DeepJson", "application/json", std::string(5000, '[')},
        BadBodyCase{"InvalidUtf8Json", "application/json", "{\"action\":\"\xff\"}"},
        BadBodyCase{"MultipartWithoutBoundary", "multipart/form-data", "--x\r\n\r\n--x--"},
        BadBodyCase{"MultipartTruncated", "multipart/form-data; boundary=x",
                    "--x\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\nstart"},
        BadBodyCase{
            "MultipartWrongBoundary", "multipart/form-data; boundary=y",
            "--x\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\nstart\r\n--x--"}),
    [](const auto& info) { return info.param.name; });

// ------------------------------------------------------------------ fixtures

struct FixtureCase {
  std::string name;
  std::string path;
  std::string json;
  long status;
  int code;  // 0: success (204)
  std::string message;
};

class FixtureTest : public ZoomEmulatorTest, public ::testing::WithParamInterface<FixtureCase> {};

TEST_P(FixtureTest, AnswersLikeZoom) {
  const FixtureCase& c = GetParam();
  const Response r = Do(Patch(c.path, c.json));
  if (c.code == 0) {
    EXPECT_EQ(r.status, c.status) << r.body;
    EXPECT_EQ(r.body, "");
  } else {
    ExpectZoomError(r, c.status, c.code, c.message);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, FixtureTest,
    ::testing::Values(
        FixtureCase{"UnknownWebinar", "/v2/webinars/12345/livestream/status",
                    R"({"action":"start"})", 400, 3001, "Webinar does not exist: 12345."},
        FixtureCase{"UnknownMeeting", "/v2/meetings/12345/livestream/status",
                    R"({"action":"start"})", 404, 3001, "Meeting does not exist: 12345."},
        FixtureCase{"NonNumericWebinar", "/v2/webinars/abc/livestream/status",
                    R"({"action":"start"})", 400, 300, "Invalid Webinar Id."},
        FixtureCase{"NonNumericMeeting", "/v2/meetings/8574x/livestream/status",
                    R"({"action":"start"})", 400, 300, "Invalid Meeting Id."},
        FixtureCase{"EmptyWebinarId", "/v2/webinars//livestream/status", R"({"action":"start"})",
                    400, 300, "Invalid Webinar Id."},
        FixtureCase{"NotConfigured", "/v2/webinars/99289110037/livestream/status",
                    R"({"action":"start"})", 400, 3000,
                    "The current webinar is not configured with a custom streaming service."},
        FixtureCase{"NotConfiguredStop", "/v2/webinars/99289110037/livestream/status",
                    R"({"action":"stop"})", 400, 3000,
                    "The current webinar is not configured with a custom streaming service."},
        FixtureCase{"NotStarted", "/v2/webinars/99289110038/livestream/status",
                    R"({"action":"start"})", 400, 200, "Webinar 99289110038 has not started."},
        FixtureCase{"NotStartedStopIsFine", "/v2/webinars/99289110038/livestream/status",
                    R"({"action":"stop"})", 204, 0, ""},
        FixtureCase{"NotStartedSettingsOnly", "/v2/webinars/99289110038/livestream/status",
                    R"({"settings":{"display_name":"x"}})", 204, 0, ""},
        FixtureCase{"ConfiguredStartedWebinar", kWebinar, R"({"action":"start"})", 204, 0, ""},
        FixtureCase{"Meeting", kMeeting, R"({"action":"start"})", 204, 0, ""}),
    [](const auto& info) { return info.param.name; });

TEST_F(ZoomEmulatorTest, ControlApiAddsAndReplacesFixtures) {
  const std::string path = "/v2/webinars/123/livestream/status";
  ExpectZoomError(Do(Patch(path, R"({"action":"start"})")), 400, 3001,
                  "Webinar does not exist: 123.");

  Response r = Do(Control("POST", "/_emulator/webinars",
                          R"({"id":"123","livestream_configured":true,"started":true})"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(ParseJson(r.body), "id"), "123");
  EXPECT_EQ(Do(Patch(path, R"({"action":"start"})")).status, 204);

  r = Do(Control("POST", "/_emulator/webinars",
                 R"({"id":123,"livestream_configured":true,"started":false})"));
  ASSERT_EQ(r.status, 200) << r.body;
  ExpectZoomError(Do(Patch(path, R"({"action":"start"})")), 400, 200,
                  "Webinar 123 has not started.");

  r = Do(Control("POST", "/_emulator/meetings", R"({"id":"777","livestream_configured":false})"));
  ASSERT_EQ(r.status, 200) << r.body;
  ExpectZoomError(Do(Patch("/v2/meetings/777/livestream/status", R"({"action":"start"})")), 400,
                  3000, "The current meeting is not configured with a custom streaming service.");

  const Value list = ParseJson(Do(Control("GET", "/_emulator/webinars")).body);
  EXPECT_EQ(List(list, "webinars").size(), 4u);

  const Value bad = ExpectZoomError(
      Do(Control("POST", "/_emulator/webinars", R"({"id":"x1","started":"yes","color":1})")), 400,
      300, "Validation Failed.");
  EXPECT_EQ(List(bad, "errors").size(), 3u);
}

// ------------------------------------------------------------------ routing

TEST_F(ZoomEmulatorTest, OtherMethodsGet405AndOtherPathsGet404Code2300) {
  for (const std::string method : {"GET", "PUT", "POST", "DELETE"}) {
    Request r = Patch(kWebinar, "{}");
    r.method = method;
    Response response = Do(r);
    EXPECT_EQ(response.status, 405) << method;
    EXPECT_EQ(response.headers["allow"], "PATCH");
    EXPECT_EQ(response.tracking_ids.size(), 1u);
  }
  EXPECT_EQ(Do(Control("GET", "/oauth/token")).status, 405);
  ExpectZoomError(Do(Patch("/v2/users/me", R"({"action":"start"})")), 404, 2300,
                  "This API endpoint is not recognized.");
  ExpectZoomError(Do(Patch("/v2/webinars/99289110036/livestream/status/", "{}")), 404, 2300,
                  "This API endpoint is not recognized.");
  ExpectZoomError(Do(Control("GET", "/")), 404, 2300, "This API endpoint is not recognized.");
  ExpectZoomError(Do(Control("GET", "/_emulator/nothing")), 404, 2300,
                  "This API endpoint is not recognized.");
  EXPECT_EQ(Do(Control("GET", "/_emulator/reset")).status, 405);
  // Only PATCH /v2/... counts as an API request.
  EXPECT_EQ(Num(Stats(), "api_requests"), 2);
}

// ------------------------------------------------------------------ tracking ids

TEST_F(ZoomEmulatorTest, EveryResponseCarriesAUniqueTrackingId) {
  std::set<std::string> seen;
  int responses = 0;
  for (int i = 0; i < 10; ++i) {
    Request oauth = Control("POST", "/oauth/token");
    for (const Request& request :
         {Patch(kWebinar, R"({"action":"start"})"), Patch(kWebinar, "{}", "bad"),
          Patch(kWebinar, R"({"action":"x"})"), Patch("/v2/nowhere", "{}"),
          Control("GET", "/_emulator/stats"), Control("GET", "/nowhere"), oauth}) {
      const Response r = Do(request);
      ASSERT_EQ(r.tracking_ids.size(), 1u) << request.path << " " << r.status;
      EXPECT_TRUE(IsTrackingId(r.tracking_ids[0])) << r.tracking_ids[0];
      seen.insert(r.tracking_ids[0]);
      ++responses;
    }
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(responses));
}

// ------------------------------------------------------------------ scripts

TEST_F(ZoomEmulatorTest, ScriptedAnswersAreServedInOrderThenNormalProcessingResumes) {
  const Response scripted = Do(Control("POST", "/_emulator/script", R"({"responses":[
      {"status":503,"body":"{\"code\":503,\"message\":\"busy\"}","headers":{"Retry-After":"1"}},
      {"status":429,"body":"slow down","headers":{"content-type":"text/plain","X-Extra":"y"},
       "omit_tracking_id":true},
      {"status":200,"headers":{"x-zm-trackingid":"custom"}}]})"));
  ASSERT_EQ(scripted.status, 200) << scripted.body;
  EXPECT_EQ(Num(ParseJson(scripted.body), "pending"), 3);

  // Scripts replace all processing, authentication included.
  Response r = Do(Patch(kWebinar, R"({"action":"start"})", "not-a-token"));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, R"({"code":503,"message":"busy"})");
  EXPECT_EQ(r.headers["retry-after"], "1");
  EXPECT_EQ(r.headers["content-type"], kJsonContentType);
  EXPECT_EQ(r.tracking_ids.size(), 1u);

  r = Do(Patch(kWebinar, R"({"action":"start"})"));
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.body, "slow down");
  EXPECT_EQ(r.headers["content-type"], "text/plain");
  EXPECT_EQ(r.headers["x-extra"], "y");
  EXPECT_TRUE(r.tracking_ids.empty());

  r = Do(Patch(kWebinar, R"({"action":"start"})"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.tracking_ids, std::vector<std::string>{"custom"});

  EXPECT_EQ(Do(Patch(kWebinar, R"({"action":"start"})")).status, 204);
  EXPECT_EQ(List(Records(), "requests").size(), 4u);
  EXPECT_EQ(Num(Stats(), "api_requests"), 4);
  // Only the normal answer changed state.
  EXPECT_TRUE(At(Webinar("99289110036"), "streaming").bool_value());
}

TEST_F(ZoomEmulatorTest, ScriptedDelayPostponesTheAnswer) {
  ASSERT_EQ(
      Do(Control("POST", "/_emulator/script", R"({"responses":[{"status":502,"delay_ms":300}]})"))
          .status,
      200);
  const auto start = Clock::now();
  const Response r = Do(Patch(kWebinar, "{}"));
  EXPECT_EQ(r.status, 502);
  EXPECT_GE(Clock::now() - start, 300ms);
}

TEST_F(ZoomEmulatorTest, ScriptedResetClosesTheConnectionWithoutAnswering) {
  ASSERT_EQ(Do(Control("POST", "/_emulator/script",
                       R"({"responses":[{"reset":true,"delay_ms":100},{"reset":true}]})"))
                .status,
            200);
  for (int i = 0; i < 2; ++i) {
    const Response r = Do(Patch(kWebinar, R"({"action":"start"})"));
    EXPECT_EQ(r.curl, CURLE_RECV_ERROR) << curl_easy_strerror(r.curl);
    EXPECT_EQ(r.status, 0);
  }
  EXPECT_EQ(List(Records(), "requests").size(), 2u);
  EXPECT_EQ(Do(Patch(kWebinar, R"({"action":"start"})")).status, 204);
}

TEST_F(ZoomEmulatorTest, ConfigDelayAppliesToEveryNormalApiAnswer) {
  Response r = Do(Control("POST", "/_emulator/config", R"({"delay_ms":300})"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Num(ParseJson(r.body), "delay_ms"), 300);
  for (const Request& request :
       {Patch(kWebinar, R"({"action":"start"})"), Patch(kWebinar, "{}", "x")}) {
    const auto start = Clock::now();
    EXPECT_NE(Do(request).status, 0);
    EXPECT_GE(Clock::now() - start, 300ms);
  }
  r = Do(Control("POST", "/_emulator/config", R"({"delay_ms":0})"));
  EXPECT_EQ(Num(ParseJson(Do(Control("GET", "/_emulator/config")).body), "delay_ms"), 0);
}

TEST_F(ZoomEmulatorTest, InvalidScriptsAndConfigsAreRefusedWholesale) {
  const Value bad =
      ExpectZoomError(Do(Control("POST", "/_emulator/script",
                                 R"({"responses":[{"status":204},{"status":99,"colour":"red",
                     "headers":{"Content-Length":"1","Bad Name":"x"},"delay_ms":-1}]})")),
                      400, 300, "Validation Failed.");
  std::set<std::string> fields;
  for (const Value& e : List(bad, "errors")) fields.insert(Str(e, "field"));
  EXPECT_EQ(fields,
            (std::set<std::string>{"responses[1].status", "responses[1].colour",
                                   "responses[1].headers.Content-Length",
                                   "responses[1].headers.Bad Name", "responses[1].delay_ms"}));
  ExpectZoomError(Do(Control("POST", "/_emulator/script", "[]")), 400, 300,
                  "Request Body should be a valid JSON object.");
  ExpectZoomError(Do(Control("POST", "/_emulator/config", R"({"delay_ms":"1"})")), 400, 300,
                  "Validation Failed.");
  // Nothing was queued: the API answers normally.
  EXPECT_EQ(Do(Patch(kWebinar, R"({"action":"start"})")).status, 204);
}

TEST_F(ZoomEmulatorTest, Base64ScriptValuesAreSentAsRawBytes) {
  // Bytes no JSON string can carry: not UTF-8 (a stray continuation byte, an
  // overlong '/', a surrogate) and a C1 control.
  const std::string body = "{\"code\":300,\"message\":\"\x80 \xC0\xAF \xED\xA0\x80\"}";
  const std::string tracking_id = "rid=\xFF\xC2\x85";
  const Response scripted = Do(
      Control("POST", "/_emulator/script",
              absl::StrCat(R"({"responses":[{"status":400,"body_base64":")",
                           absl::Base64Escape(body), R"(","headers_base64":{"x-zm-trackingid":")",
                           absl::Base64Escape(tracking_id), R"("},"headers":{"X-Plain":"p"}}]})")));
  ASSERT_EQ(scripted.status, 200) << scripted.body;
  const Response r = Do(Patch(kWebinar, R"({"action":"start"})"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, body);
  EXPECT_EQ(r.tracking_ids, std::vector<std::string>{tracking_id});
  EXPECT_EQ(r.headers.at("x-plain"), "p");
  EXPECT_EQ(r.headers.at("content-type"), kJsonContentType);

  // Decoded values must still frame: no CR or LF in a header.
  const Value bad = ExpectZoomError(
      Do(Control("POST", "/_emulator/script",
                 absl::StrCat(R"({"responses":[{"body":"x","body_base64":"eA=="},)",
                              R"({"body_base64":"not base64!"},{"body_base64":7},)",
                              R"({"headers_base64":{"X-A":")", absl::Base64Escape("a\r\nX-B: b"),
                              R"(","X-C":"%%","X-D":1}}]})"))),
      400, 300, "Validation Failed.");
  std::set<std::string> fields;
  for (const Value& e : List(bad, "errors")) fields.insert(Str(e, "field"));
  EXPECT_EQ(fields, (std::set<std::string>{
                        "responses[0].body_base64", "responses[1].body_base64",
                        "responses[2].body_base64", "responses[3].headers_base64.X-A",
                        "responses[3].headers_base64.X-C", "responses[3].headers_base64.X-D"}));
  EXPECT_EQ(Do(Patch(kWebinar, R"({"action":"start"})")).status, 204);
}

// ------------------------------------------------------------------ OAuth

TEST_F(ZoomEmulatorTest, OAuthIssuesFreshTokensTheApiAcceptsUntilRevoked) {
  Request query =
      Control("POST", "/oauth/token?grant_type=account_credentials&account_id=emulator-account");
  query.basic_auth = "emulator-client-id:emulator-client-secret";
  Response r = Do(query);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["content-type"], kJsonContentType);
  EXPECT_EQ(r.tracking_ids.size(), 1u);
  const Value first = ParseJson(r.body);
  EXPECT_EQ(Str(first, "token_type"), "bearer");
  EXPECT_EQ(Num(first, "expires_in"), 3600);
  EXPECT_EQ(Str(first, "scope"), "meeting:write:admin webinar:write:admin");
  const std::string token1 = Str(first, "access_token");
  EXPECT_FALSE(token1.empty());

  // Parameters in a urlencoded body work too (Rivet sends them that way).
  Request form = Control("POST", "/oauth/token");
  form.body = "grant_type=account_credentials&account_id=emulator-account";
  form.headers = {"Content-Type: application/x-www-form-urlencoded",
                  "Authorization: Basic " + Base64("emulator-client-id:emulator-client-secret")};
  r = Do(form);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string token2 = Str(ParseJson(r.body), "access_token");
  EXPECT_NE(token1, token2);

  // Multiple tokens are valid at once, as on Zoom since 2023.
  EXPECT_EQ(Do(Patch(kWebinar, R"({"action":"start"})", token1)).status, 204);
  EXPECT_EQ(Do(Patch(kWebinar, R"({"action":"stop"})", token2)).status, 204);

  r = Do(Control("POST", "/_emulator/tokens/revoke"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Num(ParseJson(r.body), "revoked"), 2);
  ExpectZoomError(Do(Patch(kWebinar, R"({"action":"start"})", token1)), 401, 124,
                  "Invalid access token.");
  ExpectZoomError(Do(Patch(kWebinar, R"({"action":"start"})", token2)), 401, 124,
                  "Invalid access token.");
  // The static token is not revocable.
  EXPECT_EQ(Do(Patch(kWebinar, R"({"action":"start"})")).status, 204);

  const Value records = Records("/_emulator/oauth/requests");
  ASSERT_EQ(List(records, "requests").size(), 2u);
  const Value recorded = List(records, "requests")[0];
  EXPECT_EQ(Str(recorded, "path"), "/oauth/token");
  EXPECT_EQ(Str(recorded, "query"), "grant_type=account_credentials&account_id=emulator-account");
  EXPECT_EQ(Str(List(records, "requests")[1], "form.grant_type"), "account_credentials");
  EXPECT_EQ(Num(Stats(), "token_requests"), 2);
  // OAuth requests are not API requests.
  EXPECT_EQ(List(Records(), "requests").size(), 5u);
}

TEST_F(ZoomEmulatorTest, ExpiredTokensAreRejected) {
  Restart({"--quiet", "--oauth_expires_in=0"});
  const std::string token = IssueToken();
  ASSERT_FALSE(token.empty());
  ExpectZoomError(Do(Patch(kWebinar, R"({"action":"start"})", token)), 401, 124,
                  "Access token is expired.");
}

TEST_F(ZoomEmulatorTest, OAuthHonoursCredentialFlags) {
  Restart({"--quiet", "--oauth_account_id=acct", "--oauth_client_id=cid",
           "--oauth_client_secret=sec", "--oauth_expires_in=60", "--access_token=static"});
  Request r = Control("POST", "/oauth/token?grant_type=account_credentials&account_id=acct");
  r.basic_auth = "cid:sec";
  const Response response = Do(r);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Num(ParseJson(response.body), "expires_in"), 60);
  EXPECT_EQ(Do(Patch(kWebinar, "{}", "static")).status, 204);
  EXPECT_EQ(Do(Patch(kWebinar, "{}", kToken)).status, 401);
}

struct OAuthFailureCase {
  std::string name;
  std::string credentials;  // user:password for Basic auth; empty: none
  std::string query;
  long status;
  std::string error;
  std::string reason;
};

class OAuthFailureTest : public ZoomEmulatorTest,
                         public ::testing::WithParamInterface<OAuthFailureCase> {};

TEST_P(OAuthFailureTest, AnswersOAuthError) {
  const OAuthFailureCase& c = GetParam();
  Request r = Control("POST", "/oauth/token?" + c.query);
  r.basic_auth = c.credentials;
  Response response = Do(r);
  EXPECT_EQ(response.status, c.status) << response.body;
  EXPECT_EQ(response.headers["content-type"], kJsonContentType);
  const Value body = ParseJson(response.body);
  EXPECT_EQ(Str(body, "error"), c.error);
  EXPECT_EQ(Str(body, "reason"), c.reason);
  EXPECT_EQ(At(body, "access_token").kind_case(), Value::KIND_NOT_SET);
}

INSTANTIATE_TEST_SUITE_P(
    Table, OAuthFailureTest,
    ::testing::Values(OAuthFailureCase{"NoCredentials", "",
                                       "grant_type=account_credentials&account_id=emulator-account",
                                       401, "invalid_client", "Invalid client_id or client_secret"},
                      OAuthFailureCase{"WrongSecret", "emulator-client-id:nope",
                                       "grant_type=account_credentials&account_id=emulator-account",
                                       401, "invalid_client", "Invalid client_id or client_secret"},
                      OAuthFailureCase{"WrongClient", "other:emulator-client-secret",
                                       "grant_type=account_credentials&account_id=emulator-account",
                                       401, "invalid_client", "Invalid client_id or client_secret"},
                      OAuthFailureCase{"WrongGrant", "emulator-client-id:emulator-client-secret",
                                       "grant_type=client_credentials&account_id=emulator-account",
                                       400, "unsupported_grant_type", "unsupported grant type"},
                      OAuthFailureCase{"NoGrant", "emulator-client-id:emulator-client-secret",
                                       "account_id=emulator-account", 400, "unsupported_grant_type",
                                       "unsupported grant type"},
                      OAuthFailureCase{"WrongAccount", "emulator-client-id:emulator-client-secret",
                                       "grant_type=account_credentials&account_id=other", 400,
                                       "invalid_request", "Invalid account id"},
                      OAuthFailureCase{"NoAccount", "emulator-client-id:emulator-client-secret",
                                       "grant_type=account_credentials", 400, "invalid_request",
                                       "Invalid account id"}),
    [](const auto& info) { return info.param.name; });

TEST_F(ZoomEmulatorTest, OAuthScriptIsServedInOrder) {
  ASSERT_EQ(Do(Control("POST", "/_emulator/oauth/script",
                       R"({"responses":[{"status":500,"body":"{\"reason\":\"x\",\"error\":\"y\"}"},
                                        {"reset":true}]})"))
                .status,
            200);
  Response r = Do(Control("POST", "/oauth/token"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(Str(ParseJson(r.body), "error"), "y");
  EXPECT_EQ(Do(Control("POST", "/oauth/token")).curl, CURLE_RECV_ERROR);
  // The API script is separate and empty.
  EXPECT_EQ(Do(Patch(kWebinar, "{}")).status, 204);
  EXPECT_FALSE(IssueToken().empty());
  EXPECT_EQ(Num(Stats(), "token_requests"), 3);
}

// ------------------------------------------------------------------ stats and reset

TEST_F(ZoomEmulatorTest, StatsCountConnectionsAndRequests) {
  CurlHandle keep_alive(curl_easy_init());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Send(keep_alive.get(), emulator_->port(), Patch(kWebinar, "{}")).status, 204);
  }
  long new_connections = -1;
  curl_easy_getinfo(keep_alive.get(), CURLINFO_NUM_CONNECTS, &new_connections);
  EXPECT_EQ(new_connections, 0) << "the third request should reuse the connection";
  IssueToken();
  const Value stats = Stats();
  EXPECT_EQ(Num(stats, "api_requests"), 3);
  EXPECT_EQ(Num(stats, "token_requests"), 1);
  // One kept-alive connection, one for the token, one for this query.
  EXPECT_EQ(Num(stats, "connections_accepted"), 3);
  EXPECT_GE(Num(stats, "connections_open"), 2);
  EXPECT_LE(Num(stats, "connections_open"), 3);
}

TEST_F(ZoomEmulatorTest, ResetRestoresTheInitialState) {
  ASSERT_EQ(Do(Patch(kWebinar, R"({"action":"start","settings":{"display_name":"x"}})")).status,
            204);
  ASSERT_EQ(Do(Control("POST", "/_emulator/webinars", R"({"id":"5","livestream_configured":true})"))
                .status,
            200);
  ASSERT_EQ(Do(Control("POST", "/_emulator/script", R"({"responses":[{"status":500}]})")).status,
            200);
  ASSERT_EQ(
      Do(Control("POST", "/_emulator/oauth/script", R"({"responses":[{"status":500}]})")).status,
      200);
  ASSERT_EQ(Do(Control("POST", "/_emulator/config", R"({"delay_ms":5000})")).status, 200);
  CurlHandle held(curl_easy_init());
  ASSERT_EQ(Send(held.get(), emulator_->port(), Control("GET", "/_emulator/stats")).status, 200);

  const Response r = Do(Control("POST", "/_emulator/reset"));
  ASSERT_EQ(r.status, 200) << r.body;

  EXPECT_EQ(List(Records(), "requests").size(), 0u);
  const Value stats = Stats();
  EXPECT_EQ(Num(stats, "api_requests"), 0);
  EXPECT_EQ(Num(stats, "token_requests"), 0);
  EXPECT_EQ(Num(stats, "connections_accepted"), 2);  // Records() and this query
  EXPECT_GE(Num(stats, "connections_open"), 2);      // it and `held`
  EXPECT_EQ(Num(ParseJson(Do(Control("GET", "/_emulator/config")).body), "delay_ms"), 0);
  const Value webinar = Webinar("99289110036");
  EXPECT_FALSE(At(webinar, "streaming").bool_value());
  EXPECT_TRUE(At(webinar, "settings").struct_value().fields().empty());
  EXPECT_EQ(Do(Control("GET", "/_emulator/webinars/5")).status, 404);
  // Both scripts are gone: normal answers.
  EXPECT_EQ(Do(Patch(kWebinar, R"({"action":"start"})")).status, 204);
  const std::string token = IssueToken();
  EXPECT_EQ(Do(Patch(kWebinar, "{}", token)).status, 204);

  ASSERT_EQ(Do(Control("POST", "/_emulator/reset")).status, 200);
  EXPECT_EQ(Do(Patch(kWebinar, "{}", token)).status, 401) << "reset revokes issued tokens";
}

TEST_F(ZoomEmulatorTest, RecordsKeepTheNewestAndCountTheDropped) {
  Restart({"--quiet", "--max_recorded_requests=2"});
  for (const std::string action : {"start", "stop", "start"}) {
    ASSERT_EQ(Do(Patch(kWebinar, absl::StrCat(R"({"action":")", action, R"("})"))).status, 204);
  }
  const Value records = Records();
  ASSERT_EQ(List(records, "requests").size(), 2u);
  EXPECT_EQ(Str(List(records, "requests")[0], "json.action"), "stop");
  EXPECT_EQ(Str(List(records, "requests")[1], "json.action"), "start");
  EXPECT_EQ(Num(records, "dropped"), 1);
  EXPECT_EQ(Num(Stats(), "api_requests"), 3);
}

// ------------------------------------------------------------------ fault injection

// What one API request got, as a short word: the status, or "reset".
std::string Outcome(const Response& r) {
  if (r.curl != CURLE_OK) return r.status == 0 ? "reset" : absl::StrCat("curl", r.curl);
  return absl::StrCat(r.status);
}

TEST_F(ZoomEmulatorTest, FaultModeInjectsEachFaultDeterministicallyBySeed) {
  constexpr char kFaults[] = R"({"seed":7,"rate_limited":0.15,"server_error":0.2,"reset":0.15,
      "slow":0.15,"oversized_body":0.1,"retry_after_s":2,"slow_max_ms":200,
      "oversized_body_bytes":100000})";
  constexpr int kRequests = 120;
  std::vector<std::string> runs[2];
  for (auto& outcomes : runs) {
    // Configuring restarts the sequence.
    const Response configured = Do(Control("POST", "/_emulator/faults", kFaults));
    ASSERT_EQ(configured.status, 200) << configured.body;
    EXPECT_EQ(Num(ParseJson(configured.body), "config.seed"), 7);
    std::map<std::string, int> seen;
    for (int i = 0; i < kRequests; ++i) {
      const Response r = Do(Patch(kWebinar, R"({"action":"start"})"));
      outcomes.push_back(Outcome(r));
      ++seen[outcomes.back()];
      if (r.status == 429) {
        EXPECT_EQ(r.headers.at("retry-after"), "2");
        EXPECT_EQ(Num(ParseJson(r.body), "code"), 429);
      }
      if (r.status == 500 && r.body.size() > 1000) {
        EXPECT_EQ(r.body.size(), 100000u);
        EXPECT_TRUE(absl::StartsWith(r.body, R"({"code":500,"message":"xxx)"));
      }
      if (r.status != 0) {
        EXPECT_EQ(r.tracking_ids.size(), 1u) << outcomes.back();
      }
    }
    const Value stats = ParseJson(Do(Control("GET", "/_emulator/faults")).body);
    EXPECT_EQ(Num(stats, "requests"), kRequests);
    EXPECT_EQ(Num(stats, "injected.reset"), seen["reset"]);
    EXPECT_EQ(Num(stats, "injected.rate_limited"), seen["429"]);
    EXPECT_GT(Num(stats, "injected.slow"), 0);
    EXPECT_EQ(Num(stats, "injected.endless_body"), 0);
    EXPECT_EQ(Num(stats, "injected.server_error") + Num(stats, "injected.oversized_body"),
              seen["500"] + seen["502"] + seen["503"] + seen["504"]);
    // Slow answers and the requests spared are answered normally.
    EXPECT_GT(seen["204"], 0);
    for (const auto& [outcome, count] : seen) {
      EXPECT_TRUE(
          std::set<std::string>({"204", "429", "500", "502", "503", "504", "reset"}).count(outcome))
          << outcome;
    }
  }
  EXPECT_EQ(runs[0], runs[1]);
}

TEST_F(ZoomEmulatorTest, EndlessBodyStreamsUntilThePeerLeavesWithoutStallingOthers) {
  ASSERT_EQ(Do(Control("POST", "/_emulator/faults", R"({"endless_body":1})")).status, 200);
  RawConnection endless(emulator_->port());
  ASSERT_TRUE(endless.connected());
  ASSERT_TRUE(endless.SendAll(absl::StrCat("PATCH ", kWebinar,
                                           " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ", kToken,
                                           "\r\nContent-Length: 0\r\n\r\n")));
  constexpr size_t kEnough = 4 * 1024 * 1024;
  bool closed = false;
  const std::string received =
      endless.ReadUntil([&](const std::string& got) { return got.size() > kEnough; }, &closed);
  EXPECT_FALSE(closed);
  ASSERT_GT(received.size(), kEnough);
  const std::string head = received.substr(0, received.find("\r\n\r\n"));
  EXPECT_TRUE(absl::StartsWith(head, "HTTP/1.1 200 OK\r\n")) << head;
  EXPECT_TRUE(absl::StrContains(head, "Transfer-Encoding: chunked")) << head;
  EXPECT_FALSE(absl::StrContains(absl::AsciiStrToLower(head), "content-length")) << head;
  EXPECT_TRUE(absl::StrContains(head, "x-zm-trackingid: ")) << head;

  // The loop still serves others while the body streams on (nobody reads it
  // now, so its socket buffer is full).
  EXPECT_EQ(Do(Control("GET", "/_emulator/stats")).status, 200);
  EXPECT_EQ(Num(ParseJson(Do(Control("GET", "/_emulator/faults")).body), "injected.endless_body"),
            1);
}

TEST_F(ZoomEmulatorTest, ScriptsWinOverFaultsAndResetTurnsFaultsOff) {
  ASSERT_EQ(Do(Control("POST", "/_emulator/faults", R"({"reset":1})")).status, 200);
  ASSERT_EQ(Do(Control("POST", "/_emulator/script", R"({"responses":[{"status":418}]})")).status,
            200);
  EXPECT_EQ(Do(Patch(kWebinar, "{}")).status, 418);
  EXPECT_EQ(Outcome(Do(Patch(kWebinar, "{}"))), "reset");
  // Control and OAuth requests are never faulted.
  EXPECT_EQ(Do(Control("GET", "/_emulator/stats")).status, 200);
  EXPECT_FALSE(IssueToken().empty());
  ASSERT_EQ(Do(Control("POST", "/_emulator/reset")).status, 200);
  EXPECT_EQ(Do(Patch(kWebinar, "{}")).status, 204);
  const Value stats = ParseJson(Do(Control("GET", "/_emulator/faults")).body);
  EXPECT_EQ(Num(stats, "config.reset"), 0);
  EXPECT_EQ(Num(stats, "requests"), 0);
}

TEST_F(ZoomEmulatorTest, InvalidFaultConfigsAreRefusedWholesale) {
  ASSERT_EQ(Do(Control("POST", "/_emulator/faults", R"({"slow":0.5})")).status, 200);
  const Value bad = ExpectZoomError(
      Do(Control("POST", "/_emulator/faults", R"({"reset":2,"colour":"red","seed":-1})")), 400, 300,
      "Validation Failed.");
  std::set<std::string> fields;
  for (const Value& e : List(bad, "errors")) fields.insert(Str(e, "field"));
  EXPECT_EQ(fields, (std::set<std::string>{"reset", "colour", "seed"}));
  ExpectZoomError(Do(Control("POST", "/_emulator/faults", R"({"reset":0.7,"slow":0.7})")), 400, 300,
                  "Validation Failed.");
  ExpectZoomError(Do(Control("POST", "/_emulator/faults", "[1]")), 400, 300,
                  "Request Body should be a valid JSON object.");
  EXPECT_EQ(Do(Control("PUT", "/_emulator/faults", "{}")).status, 405);
  // The earlier configuration stands.
  EXPECT_EQ(Num(ParseJson(Do(Control("GET", "/_emulator/faults")).body), "config.slow"), 0.5);
}

// ------------------------------------------------------------------ live stream configuration

constexpr char kWebinarConfig[] = "/v2/webinars/99289110036/livestream";
constexpr char kMeetingConfig[] = "/v2/meetings/85746065/livestream";
constexpr char kUnconfiguredWebinar[] = "99289110037";
constexpr char kConfigBody[] =
    R"({"stream_url":"rtmp://live.example.com/app","stream_key":"key-1",)"
    R"("page_url":"https://example.com/watch","resolution":"1080p"})";

Request Get(std::string path, std::string token = kToken) {
  Request r;
  r.path = std::move(path);
  if (!token.empty()) r.headers.push_back("Authorization: Bearer " + token);
  return r;
}

std::string ConfigPath(const std::string& collection, const std::string& id) {
  return absl::StrCat("/v2/", collection, "/", id, "/livestream");
}

// The JSON of a 200 answer, compared as text: the emulator sorts keys.
std::string ExpectJson200(const Response& r) {
  EXPECT_EQ(r.curl, CURLE_OK);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers.count("content-type") ? r.headers.at("content-type") : "", kJsonContentType);
  return r.body;
}

class ConfigRoundTripTest : public ZoomEmulatorTest,
                            public ::testing::WithParamInterface<std::string> {};

TEST_P(ConfigRoundTripTest, GetReturnsWhatWasPatchedAndEachPatchReplacesTheWhole) {
  const std::string path = GetParam();
  const Response patched = Do(Patch(path, kConfigBody));
  EXPECT_EQ(patched.status, 204) << patched.body;
  EXPECT_EQ(patched.body, "");
  EXPECT_EQ(patched.tracking_ids.size(), 1u);
  EXPECT_EQ(ExpectJson200(Do(Get(path))),
            R"({"page_url":"https://example.com/watch","resolution":"1080p",)"
            R"("stream_key":"key-1","stream_url":"rtmp://live.example.com/app"})");

  // No resolution this time: the stored one goes with the rest.
  ASSERT_EQ(Do(Patch(path, R"({"stream_url":"rtmps://b/x","stream_key":"key-2",)"
                           R"("page_url":"http://b/p","ignored":true})"))
                .status,
            204);
  EXPECT_EQ(ExpectJson200(Do(Get(path))),
            R"({"page_url":"http://b/p","stream_key":"key-2","stream_url":"rtmps://b/x"})");
}

INSTANTIATE_TEST_SUITE_P(Paths, ConfigRoundTripTest,
                         ::testing::Values(std::string(kWebinarConfig),
                                           std::string(kMeetingConfig)),
                         [](const auto& info) {
                           return absl::StrContains(info.param, "webinars") ? "Webinar" : "Meeting";
                         });

TEST_F(ZoomEmulatorTest, SeededFixturesStartOutConfigured) {
  EXPECT_EQ(ExpectJson200(Do(Get(kWebinarConfig))),
            R"({"page_url":"https://emulator.example/live/99289110036","resolution":"720p",)"
            R"("stream_key":"emulator-stream-key-99289110036",)"
            R"("stream_url":"rtmp://live.emulator.example/live"})");
  EXPECT_EQ(Str(ParseJson(ExpectJson200(Do(Get(kMeetingConfig)))), "stream_key"),
            "emulator-stream-key-85746065");
  EXPECT_EQ(Str(Webinar("99289110038"), "livestream.stream_url"),
            "rtmp://live.emulator.example/live");
  EXPECT_FALSE(At(Webinar(kUnconfiguredWebinar), "livestream_configured").bool_value());
  // What every client's tests do: start on a seeded fixture, no configure step.
  EXPECT_EQ(Do(Patch(kWebinar, R"({"action":"start"})")).status, 204);
  EXPECT_EQ(Do(Patch(kMeeting, R"({"action":"start"})")).status, 204);
}

TEST_F(ZoomEmulatorTest, NeverConfiguredGetAnswersEmptyStrings) {
  EXPECT_EQ(ExpectJson200(Do(Get(ConfigPath("webinars", kUnconfiguredWebinar)))),
            R"({"page_url":"","stream_key":"","stream_url":""})");
}

struct ConfigValidationCase {
  std::string name;
  std::string json;
  std::vector<std::string> fields;  // in the answer's order
};

class ConfigValidationTest : public ZoomEmulatorTest,
                             public ::testing::WithParamInterface<ConfigValidationCase> {};

TEST_P(ConfigValidationTest, AnswersValidationFailedAndKeepsTheConfiguration) {
  const std::string before = ExpectJson200(Do(Get(kWebinarConfig)));
  const Value body =
      ExpectZoomError(Do(Patch(kWebinarConfig, GetParam().json)), 400, 300, "Validation Failed.");
  std::vector<std::string> fields;
  for (const Value& e : List(body, "errors")) {
    fields.push_back(Str(e, "field"));
    EXPECT_FALSE(Str(e, "message").empty());
  }
  EXPECT_EQ(fields, GetParam().fields);
  EXPECT_EQ(ExpectJson200(Do(Get(kWebinarConfig))), before);
}

std::string ConfigWith(const std::string& url, const std::string& key, const std::string& page,
                       const std::string& extra = "") {
  return absl::StrCat(R"({"stream_url":")", url, R"(","stream_key":")", key, R"(","page_url":")",
                      page, R"(")", extra, "}");
}

INSTANTIATE_TEST_SUITE_P(
    Table, ConfigValidationTest,
    ::testing::Values(
        ConfigValidationCase{"Empty", "{}", {"stream_url", "stream_key", "page_url"}},
        ConfigValidationCase{
            "MissingKey", R"({"stream_url":"rtmp://a/b","page_url":"https://p"})", {"stream_key"}},
        ConfigValidationCase{"EmptyUrl", ConfigWith("", "k", "https://p"), {"stream_url"}},
        ConfigValidationCase{
            "UrlOver1024", ConfigWith(std::string(1025, 'u'), "k", "https://p"), {"stream_url"}},
        ConfigValidationCase{"KeyOver512",
                             ConfigWith("rtmp://a", std::string(513, 'k'), "https://p"),
                             {"stream_key"}},
        ConfigValidationCase{"PageUrlOver1024",
                             ConfigWith("rtmp://a", "k", "https://" + std::string(1017, 'p')),
                             {"page_url"}},
        ConfigValidationCase{
            "PageUrlNotAUri", ConfigWith("rtmp://a", "k", "not a uri"), {"page_url"}},
        ConfigValidationCase{"ResolutionNotAllowed",
                             ConfigWith("rtmp://a", "k", "https://p", R"(,"resolution":"4k")"),
                             {"resolution"}},
        ConfigValidationCase{"NotStrings",
                             R"({"stream_url":1,"stream_key":null,"page_url":[],"resolution":1})",
                             {"stream_url", "stream_key", "page_url", "resolution"}}),
    [](const auto& info) { return info.param.name; });

TEST_F(ZoomEmulatorTest, ConfigPatchTakesOnlyAJsonObject) {
  for (const auto& [content_type, body] : std::vector<std::pair<std::string, std::string>>{
           {"application/json", "[1]"},
           {"application/json", "{"},
           {"text/plain", kConfigBody},
           {"application/x-www-form-urlencoded", "stream_url=a&stream_key=b&page_url=c"}}) {
    SCOPED_TRACE(content_type + " " + body);
    Request r = Patch(kWebinarConfig, body);
    r.headers[0] = "Content-Type: " + content_type;
    ExpectZoomError(Do(r), 400, 300, "Request Body should be a valid JSON object.");
  }
  ExpectZoomError(
      Do(PatchForm(kWebinarConfig,
                   {{"stream_url", "rtmp://a"}, {"stream_key", "k"}, {"page_url", "https://p"}})),
      400, 300, "Request Body should be a valid JSON object.");
}

struct ConfigCheckCase {
  std::string name;
  std::string method;
  std::string path;
  std::string token;
  std::string json;
  long status;
  int code;
  std::string message;
};

class ConfigCheckTest : public ZoomEmulatorTest,
                        public ::testing::WithParamInterface<ConfigCheckCase> {};

// Auth, then the id, then (PATCH) the body, then the fixture: the order and
// the answers of the status endpoint.
TEST_P(ConfigCheckTest, AnswersLikeTheStatusEndpoint) {
  const ConfigCheckCase& c = GetParam();
  Request r = c.method == "GET" ? Get(c.path, c.token) : Patch(c.path, c.json, c.token);
  ExpectZoomError(Do(r), c.status, c.code, c.message);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ConfigCheckTest,
    ::testing::Values(
        ConfigCheckCase{"GetNoToken", "GET", kWebinarConfig, "", "", 401, 124,
                        "Invalid access token."},
        ConfigCheckCase{"PatchWrongToken", "PATCH", kWebinarConfig, "wrong", kConfigBody, 401, 124,
                        "Invalid access token."},
        ConfigCheckCase{"GetNoTokenBeatsBadId", "GET", "/v2/webinars/abc/livestream", "", "", 401,
                        124, "Invalid access token."},
        ConfigCheckCase{"GetBadWebinarId", "GET", "/v2/webinars/abc/livestream", kToken, "", 400,
                        300, "Invalid Webinar Id."},
        ConfigCheckCase{"GetBadMeetingId", "GET", "/v2/meetings/8574x/livestream", kToken, "", 400,
                        300, "Invalid Meeting Id."},
        ConfigCheckCase{"PatchBadIdBeatsBadBody", "PATCH", "/v2/webinars/abc/livestream", kToken,
                        "{}", 400, 300, "Invalid Webinar Id."},
        ConfigCheckCase{"GetUnknownWebinar", "GET", "/v2/webinars/12345/livestream", kToken, "",
                        400, 3001, "Webinar does not exist: 12345."},
        ConfigCheckCase{"GetUnknownMeeting", "GET", "/v2/meetings/12345/livestream", kToken, "",
                        404, 3001, "Meeting does not exist: 12345."},
        ConfigCheckCase{"PatchUnknownWebinar", "PATCH", "/v2/webinars/12345/livestream", kToken,
                        kConfigBody, 400, 3001, "Webinar does not exist: 12345."},
        ConfigCheckCase{"PatchUnknownMeeting", "PATCH", "/v2/meetings/12345/livestream", kToken,
                        kConfigBody, 404, 3001, "Meeting does not exist: 12345."},
        ConfigCheckCase{"PatchBadBodyBeatsUnknownId", "PATCH", "/v2/webinars/12345/livestream",
                        kToken, "{}", 400, 300, "Validation Failed."}),
    [](const auto& info) { return info.param.name; });

TEST_F(ZoomEmulatorTest, ConfigAcceptsIssuedTokens) {
  const std::string token = IssueToken();
  EXPECT_EQ(Do(Patch(kWebinarConfig, kConfigBody, token)).status, 204);
  EXPECT_EQ(Do(Get(kWebinarConfig, token)).status, 200);
}

TEST_F(ZoomEmulatorTest, StartNeedsAConfigurationWhichPatchGivesAndControlDeleteTakes) {
  const std::string status_path =
      absl::StrCat("/v2/webinars/", kUnconfiguredWebinar, "/livestream/status");
  const std::string config_path = ConfigPath("webinars", kUnconfiguredWebinar);
  ExpectZoomError(Do(Patch(status_path, R"({"action":"start"})")), 400, 3000,
                  "The current webinar is not configured with a custom streaming service.");
  ASSERT_EQ(Do(Patch(config_path, kConfigBody)).status, 204);
  EXPECT_TRUE(At(Webinar(kUnconfiguredWebinar), "livestream_configured").bool_value());
  EXPECT_EQ(Do(Patch(status_path, R"({"action":"start"})")).status, 204);
  EXPECT_TRUE(At(Webinar(kUnconfiguredWebinar), "streaming").bool_value());

  const Response cleared = Do(
      Control("DELETE", absl::StrCat("/_emulator/webinars/", kUnconfiguredWebinar, "/livestream")));
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_FALSE(At(ParseJson(cleared.body), "livestream_configured").bool_value());
  ExpectZoomError(Do(Patch(status_path, R"({"action":"start"})")), 400, 3000,
                  "The current webinar is not configured with a custom streaming service.");
  EXPECT_EQ(ExpectJson200(Do(Get(config_path))),
            R"({"page_url":"","stream_key":"","stream_url":""})");

  // Meetings the same way.
  ASSERT_EQ(Do(Control("DELETE", "/_emulator/meetings/85746065/livestream")).status, 200);
  ExpectZoomError(Do(Patch(kMeeting, R"({"action":"start"})")), 400, 3000,
                  "The current meeting is not configured with a custom streaming service.");
  ASSERT_EQ(Do(Patch(kMeetingConfig, kConfigBody)).status, 204);
  EXPECT_EQ(Do(Patch(kMeeting, R"({"action":"start"})")).status, 204);
}

TEST_F(ZoomEmulatorTest, ControlApiSetsReadsAndClearsAConfiguration) {
  const std::string control = "/_emulator/webinars/99289110038/livestream";
  Response r = Do(Control("PUT", control, kConfigBody));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(ParseJson(r.body), "livestream.stream_key"), "key-1");
  EXPECT_EQ(Str(ParseJson(ExpectJson200(Do(Control("GET", control)))), "livestream.resolution"),
            "1080p");
  EXPECT_EQ(
      Str(ParseJson(ExpectJson200(Do(Get("/v2/webinars/99289110038/livestream")))), "page_url"),
      "https://example.com/watch");

  // Zoom's rules apply, and a refused body changes nothing.
  const Value bad = ExpectZoomError(Do(Control("PUT", control, R"({"stream_url":"x"})")), 400, 300,
                                    "Validation Failed.");
  EXPECT_EQ(List(bad, "errors").size(), 2u);
  EXPECT_EQ(Str(Webinar("99289110038"), "livestream.stream_key"), "key-1");

  ExpectZoomError(Do(Control("PUT", "/_emulator/webinars/1/livestream", kConfigBody)), 404, 3001,
                  "Webinar does not exist: 1.");
  ExpectZoomError(Do(Control("GET", "/_emulator/meetings/1/livestream")), 404, 3001,
                  "Meeting does not exist: 1.");
  EXPECT_EQ(Do(Control("POST", control, kConfigBody)).status, 405);

  // Fixtures can be created configured with a given configuration, or with
  // the seeded one.
  r = Do(Control("POST", "/_emulator/meetings",
                 absl::StrCat(R"({"id":"42","started":true,"livestream":)", kConfigBody, "}")));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(At(ParseJson(r.body), "livestream_configured").bool_value());
  EXPECT_EQ(Str(ParseJson(ExpectJson200(Do(Get("/v2/meetings/42/livestream")))), "stream_key"),
            "key-1");
  r = Do(Control("POST", "/_emulator/webinars", R"({"id":"43","livestream_configured":true})"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(ParseJson(r.body), "livestream.stream_key"), "emulator-stream-key-43");
  const Value refused = ExpectZoomError(
      Do(Control("POST", "/_emulator/webinars",
                 R"({"id":"44","livestream_configured":false,"livestream":{"stream_url":1}})")),
      400, 300, "Validation Failed.");
  std::set<std::string> fields;
  for (const Value& e : List(refused, "errors")) fields.insert(Str(e, "field"));
  EXPECT_EQ(fields, (std::set<std::string>{"livestream.stream_url", "livestream.stream_key",
                                           "livestream.page_url", "livestream_configured"}));
}

TEST_F(ZoomEmulatorTest, ConfigPathAllowsGetAndPatchOnly) {
  for (const std::string method : {"PUT", "POST", "DELETE"}) {
    Request r = Patch(kWebinarConfig, kConfigBody);
    r.method = method;
    const Response response = Do(r);
    EXPECT_EQ(response.status, 405) << method;
    EXPECT_EQ(response.headers.count("allow") ? response.headers.at("allow") : "", "GET, PATCH");
  }
  ExpectZoomError(Do(Get("/v2/webinars/99289110036/livestream/")), 404, 2300,
                  "This API endpoint is not recognized.");
  EXPECT_EQ(Num(Stats(), "api_requests"), 0);
}

TEST_F(ZoomEmulatorTest, ConfigRequestsAreRecordedAndCounted) {
  ASSERT_EQ(Do(Patch(kWebinarConfig, kConfigBody)).status, 204);
  ASSERT_EQ(Do(Get(kWebinarConfig)).status, 200);
  const std::vector<Value> records = List(Records(), "requests");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(Str(records[0], "method"), "PATCH");
  EXPECT_EQ(Str(records[0], "path"), kWebinarConfig);
  // The record log holds bodies as sent, stream key included (control API
  // only; never the log line, see below).
  EXPECT_EQ(Str(records[0], "json.stream_key"), "key-1");
  EXPECT_EQ(Str(records[1], "method"), "GET");
  EXPECT_EQ(Str(records[1], "body"), "");
  EXPECT_EQ(Num(Stats(), "api_requests"), 2);
}

TEST_F(ZoomEmulatorTest, ScriptedAnswersCanTargetOneMethodAndPath) {
  ASSERT_EQ(Do(Control("POST", "/_emulator/script", R"({"responses":[
      {"status":500,"match":{"method":"GET","path":"/v2/*/*/livestream"}},
      {"status":429,"match":{"method":"PATCH","path":"/v2/webinars/*/livestream"}},
      {"status":418}]})"))
                .status,
            200);
  // The status PATCH skips the two aimed elsewhere and takes the catch-all.
  EXPECT_EQ(Do(Patch(kWebinar, R"({"action":"start"})")).status, 418);
  EXPECT_EQ(Do(Patch(kMeeting, R"({"action":"start"})")).status, 204);
  EXPECT_EQ(Do(Patch(kMeetingConfig, kConfigBody)).status, 204);
  EXPECT_EQ(Do(Patch(kWebinarConfig, kConfigBody)).status, 429);
  EXPECT_EQ(Do(Patch(kWebinarConfig, kConfigBody)).status, 204);
  EXPECT_EQ(Do(Get(kMeetingConfig)).status, 500);
  EXPECT_EQ(Do(Get(kMeetingConfig)).status, 200);

  const Value bad = ExpectZoomError(
      Do(Control("POST", "/_emulator/script",
                 R"({"responses":[{"match":{"method":"get","path":"v2","x":1}}]})")),
      400, 300, "Validation Failed.");
  std::set<std::string> fields;
  for (const Value& e : List(bad, "errors")) fields.insert(Str(e, "field"));
  EXPECT_EQ(fields, (std::set<std::string>{"responses[0].match.method", "responses[0].match.path",
                                           "responses[0].match.x"}));
}

TEST_F(ZoomEmulatorTest, FaultsCanTargetOneMethodAndPath) {
  const Response configured =
      Do(Control("POST", "/_emulator/faults",
                 R"({"reset":1,"match":{"method":"GET","path":"/v2/webinars/*/livestream"}})"));
  ASSERT_EQ(configured.status, 200) << configured.body;
  EXPECT_EQ(Str(ParseJson(configured.body), "config.match.method"), "GET");
  EXPECT_EQ(Outcome(Do(Get(kWebinarConfig))), "reset");
  EXPECT_EQ(Do(Get(kMeetingConfig)).status, 200);
  EXPECT_EQ(Do(Patch(kWebinarConfig, kConfigBody)).status, 204);
  EXPECT_EQ(Do(Patch(kWebinar, R"({"action":"start"})")).status, 204);
  const Value stats = ParseJson(Do(Control("GET", "/_emulator/faults")).body);
  EXPECT_EQ(Num(stats, "requests"), 1);
  EXPECT_EQ(Num(stats, "injected.reset"), 1);

  // Without a match, the new paths draw like the old one.
  ASSERT_EQ(Do(Control("POST", "/_emulator/faults", R"({"server_error":1})")).status, 200);
  EXPECT_GE(Do(Patch(kWebinarConfig, kConfigBody)).status, 500);
  EXPECT_GE(Do(Get(kWebinarConfig)).status, 500);
}

TEST_F(ZoomEmulatorTest, LogLineNeverHoldsTheStreamKey) {
  Restart({});
  constexpr char kSecretKey[] = "secret-stream-key-5f3a";
  ASSERT_EQ(Do(Patch(kWebinarConfig, ConfigWith("rtmp://a/b", kSecretKey, "https://p"))).status,
            204);
  ASSERT_EQ(Do(Get(kWebinarConfig)).status, 200);
  ASSERT_EQ(emulator_->Stop(SIGTERM), 0);
  const std::string log = emulator_->Stderr();
  emulator_.reset();
  EXPECT_EQ(CountOf(log, absl::StrCat("PATCH ", kWebinarConfig, " 204\n")), 1u) << log;
  EXPECT_EQ(CountOf(log, absl::StrCat("GET ", kWebinarConfig, " 200\n")), 1u) << log;
  EXPECT_EQ(log.find(kSecretKey), std::string::npos) << "log leaks the stream key";
}

// ------------------------------------------------------------------ wire robustness

struct MalformedCase {
  std::string name;
  std::string bytes;
  int status;
};

class MalformedRequestTest : public ZoomEmulatorTest,
                             public ::testing::WithParamInterface<MalformedCase> {};

TEST_P(MalformedRequestTest, AnswersErrorAndCloses) {
  RawConnection c(emulator_->port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.SendAll(GetParam().bytes));
  bool closed = false;
  const std::string received = c.ReadUntilClosed(&closed);
  EXPECT_TRUE(closed);
  EXPECT_TRUE(absl::StartsWith(received, absl::StrCat("HTTP/1.1 ", GetParam().status, " ")))
      << received.substr(0, 200);
  EXPECT_NE(received.find("x-zm-trackingid: v=2.0;clid=us01;rid=WEB_"), std::string::npos);
  EXPECT_NE(received.find("Connection: close"), std::string::npos);
  // The emulator is still healthy.
  EXPECT_EQ(Do(Control("GET", "/_emulator/stats")).status, 200);
}

INSTANTIATE_TEST_SUITE_P(
    Table, MalformedRequestTest,
    ::testing::Values(
        MalformedCase{"Garbage", "GARBAGE\r\n\r\n", 400},
        MalformedCase{"BinaryNoise", std::string("\x16\x03\x01\x00\xa5\x01\x00\x00\r\n\r\n", 12),
                      400},
        MalformedCase{"MissingHost", "GET / HTTP/1.1\r\n\r\n", 400},
        MalformedCase{"Http2", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505},
        MalformedCase{"Chunked",
                      "PATCH /v2/webinars/1/livestream/status HTTP/1.1\r\nHost: x\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                      411},
        MalformedCase{"BodyTooLarge",
                      "PATCH /v2/webinars/1/livestream/status HTTP/1.1\r\nHost: x\r\n"
                      "Content-Length: 1048577\r\n\r\n",
                      413},
        MalformedCase{"HeadTooLarge",
                      absl::StrCat("GET / HTTP/1.1\r\nHost: x\r\nX-Big: ", std::string(70000, 'a'),
                                   "\r\n\r\n"),
                      431},
        MalformedCase{"EndlessHead", std::string(70000, 'a'), 431},
        MalformedCase{"BadContentLength",
                      "POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n", 400}),
    [](const auto& info) { return info.param.name; });

TEST_F(ZoomEmulatorTest, PipelinedRequestsAreAnsweredInOrder) {
  RawConnection c(emulator_->port());
  ASSERT_TRUE(c.connected());
  const std::string body = R"({"action":"start"})";
  const std::string patch = absl::StrCat(
      "PATCH ", kWebinar, " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ", kToken,
      "\r\nContent-Type: application/json\r\nContent-Length: ", body.size(), "\r\n\r\n", body);
  ASSERT_TRUE(c.SendAll(absl::StrCat(patch, "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n", patch,
                                     "GET /_emulator/stats HTTP/1.1\r\nHost: x\r\n"
                                     "Connection: close\r\n\r\n")));
  bool closed = false;
  const std::string received = c.ReadUntilClosed(&closed);
  EXPECT_TRUE(closed);
  const size_t a = received.find("HTTP/1.1 204 ");
  const size_t b = received.find("HTTP/1.1 404 ");
  const size_t c2 = received.find("HTTP/1.1 204 ", a + 1);
  const size_t d = received.find("HTTP/1.1 200 ");
  ASSERT_NE(d, std::string::npos) << received;
  EXPECT_LT(a, b);
  EXPECT_LT(b, c2);
  EXPECT_LT(c2, d);
  EXPECT_EQ(CountOf(received, "HTTP/1.1 "), 4u);
}

TEST_F(ZoomEmulatorTest, ExpectContinueGets100BeforeTheBody) {
  RawConnection c(emulator_->port());
  ASSERT_TRUE(c.connected());
  const std::string body = R"({"action":"start"})";
  ASSERT_TRUE(c.SendAll(absl::StrCat("PATCH ", kWebinar,
                                     " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ", kToken,
                                     "\r\nContent-Type: application/json\r\nExpect: 100-continue"
                                     "\r\nContent-Length: ",
                                     body.size(), "\r\n\r\n")));
  const std::string interim =
      c.ReadUntil([](const std::string& s) { return absl::StrContains(s, "\r\n\r\n"); });
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(c.SendAll(body));
  const std::string final_response =
      c.ReadUntil([](const std::string& s) { return absl::StrContains(s, "\r\n\r\n"); });
  EXPECT_TRUE(absl::StartsWith(final_response, "HTTP/1.1 204 ")) << final_response;
}

TEST_F(ZoomEmulatorTest, ByteAtATimeRequestIsParsed) {
  RawConnection c(emulator_->port());
  ASSERT_TRUE(c.connected());
  const std::string request =
      "GET /_emulator/stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  for (char ch : request) ASSERT_TRUE(c.SendAll(std::string(1, ch)));
  bool closed = false;
  const std::string received = c.ReadUntilClosed(&closed);
  EXPECT_TRUE(absl::StartsWith(received, "HTTP/1.1 200 ")) << received;
  EXPECT_TRUE(closed);
}

// ------------------------------------------------------------------ concurrency

// Runs every transfer at once on `multi`; returns how long until all ended
// (or the bounded deadline passed) and how many ended.
std::pair<Clock::duration, int> RunAll(CURLM* multi, const std::vector<CurlHandle>& handles,
                                       std::vector<std::unique_ptr<Transfer>>* transfers) {
  for (size_t i = 0; i < handles.size(); ++i) {
    (*transfers)[i]->response = Response();
    curl_multi_add_handle(multi, handles[i].get());
  }
  const auto start = Clock::now();
  const auto deadline = start + 30s;
  int running = 1;
  int done = 0;
  while (running > 0 && Clock::now() < deadline) {
    if (curl_multi_perform(multi, &running) != CURLM_OK) break;
    int queued;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* t;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
      Finish(msg->easy_handle, msg->data.result, t);
      ++done;
    }
    if (running > 0) curl_multi_poll(multi, nullptr, 0, 100, nullptr);
  }
  const auto elapsed = Clock::now() - start;
  // Removed handles leave their connections in the multi handle's cache.
  for (const CurlHandle& h : handles) curl_multi_remove_handle(multi, h.get());
  return {elapsed, done};
}

int CountStatus(const std::vector<std::unique_ptr<Transfer>>& transfers, long status) {
  int n = 0;
  for (const auto& t : transfers) n += t->response.curl == CURLE_OK && t->response.status == status;
  return n;
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ZOOM_EMULATOR_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define ZOOM_EMULATOR_SANITIZED 1
#endif
#endif
#ifdef ZOOM_EMULATOR_SANITIZED
// Sanitizers make every allocation (in this client and in the emulator)
// several times slower; the bound still fails if answers were serialized,
// which would take 2,000 s.
constexpr int64_t kConcurrentBoundMs = 3000;
#else
constexpr int64_t kConcurrentBoundMs = 2000;
#endif

TEST_F(ZoomEmulatorTest, TwoThousandConcurrentOneSecondDelayedRequestsFinishWellUnderTwoSeconds) {
  constexpr int kRequests = 2000;
  CURLM* multi = curl_multi_init();
  std::vector<std::unique_ptr<Transfer>> transfers;
  std::vector<CurlHandle> handles;
  for (int i = 0; i < kRequests; ++i) {
    auto t = std::make_unique<Transfer>();
    t->request = Patch(kWebinar, R"({"action":"start"})");
    CurlHandle curl(curl_easy_init());
    Prepare(curl.get(), emulator_->port(), t.get());
    curl_easy_setopt(curl.get(), CURLOPT_PRIVATE, t.get());
    transfers.push_back(std::move(t));
    handles.push_back(std::move(curl));
  }
  // Round one opens the 2,000 connections (undelayed), so that round two
  // times the delayed answers rather than this process's connect rate.
  auto [warm_elapsed, warm_done] = RunAll(multi, handles, &transfers);
  ASSERT_EQ(warm_done, kRequests);
  ASSERT_EQ(CountStatus(transfers, 204), kRequests);

  ASSERT_EQ(Do(Control("POST", "/_emulator/config", R"({"delay_ms":1000})")).status, 200);
  auto [elapsed, done] = RunAll(multi, handles, &transfers);
  curl_multi_cleanup(multi);
  handles.clear();

  ASSERT_EQ(done, kRequests);
  EXPECT_EQ(CountStatus(transfers, 204), kRequests);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
  EXPECT_GE(ms, 1000) << "the configured delay was not applied";
  EXPECT_LT(ms, kConcurrentBoundMs) << "delayed answers were serialized or the loop blocked";
  RecordProperty("elapsed_ms", static_cast<int>(ms));
  const Value stats = Stats();
  EXPECT_EQ(Num(stats, "api_requests"), 2 * kRequests);
  // 2,000 kept-alive connections, plus one each for the config and stats calls.
  EXPECT_EQ(Num(stats, "connections_accepted"), kRequests + 2);
}

TEST_F(ZoomEmulatorTest, HoldsTenThousandConcurrentConnections) {
  constexpr int kConnections = 10000;
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_cur < kConnections + 200) {
    GTEST_SKIP() << "RLIMIT_NOFILE " << limit.rlim_cur << " is too low for this test";
  }
  std::vector<int> fds;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(emulator_->port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < kConnections; ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    fds.push_back(fd);
    const int rc = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ASSERT_TRUE(rc == 0 || errno == EINPROGRESS) << strerror(errno);
  }
  // Wait for the condition: the emulator has them all (plus the query's own).
  const auto deadline = Clock::now() + 30s;
  double open = 0;
  while (Clock::now() < deadline) {
    open = Num(Stats(), "connections_open");
    if (open >= kConnections + 1) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_GE(open, kConnections + 1);

  // The first and last held connections are still served.
  for (const int fd : {fds.front(), fds.back()}) {
    const std::string request = "GET /_emulator/stats HTTP/1.1\r\nHost: x\r\n\r\n";
    pollfd p{fd, POLLOUT, 0};
    ASSERT_EQ(poll(&p, 1, 10000), 1);
    ASSERT_EQ(send(fd, request.data(), request.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(request.size()));
    p = {fd, POLLIN, 0};
    ASSERT_EQ(poll(&p, 1, 10000), 1);
    char buf[64] = {};
    ASSERT_GT(recv(fd, buf, sizeof(buf) - 1, 0), 0);
    EXPECT_TRUE(absl::StartsWith(buf, "HTTP/1.1 200 ")) << buf;
  }
  for (const int fd : fds) close(fd);
  const auto closed_deadline = Clock::now() + 30s;
  while (Clock::now() < closed_deadline && Num(Stats(), "connections_open") > 1) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(Num(Stats(), "connections_open"), 1);
}

// ------------------------------------------------------------------ process

TEST_F(ZoomEmulatorTest, LogsOneLinePerRequestWithoutSecrets) {
  Restart({});
  ASSERT_EQ(Do(Patch(kWebinar, R"({"action":"start"})")).status, 204);
  const std::string token = IssueToken();
  ASSERT_EQ(Do(Patch(kWebinar, R"({"action":"stop"})", token)).status, 204);
  ASSERT_EQ(Do(Patch(kWebinar, "{}", "wrong-secret-token")).status, 401);
  ASSERT_EQ(emulator_->Stop(SIGTERM), 0);
  const std::string log = emulator_->Stderr();
  emulator_.reset();
  EXPECT_EQ(CountOf(log, absl::StrCat("PATCH ", kWebinar, " 204\n")), 2u) << log;
  EXPECT_EQ(CountOf(log, absl::StrCat("PATCH ", kWebinar, " 401\n")), 1u) << log;
  EXPECT_EQ(CountOf(log, "POST /oauth/token 200\n"), 1u) << log;
  for (const std::string& secret :
       {std::string(kToken), token, std::string("wrong-secret-token"),
        std::string("emulator-client-secret"), Base64("emulator-client-id:emulator-client-secret"),
        std::string("emulator-account")}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << "log leaks a secret";
  }
}

TEST_F(ZoomEmulatorTest, SigintAlsoExitsCleanly) {
  EXPECT_EQ(Do(Control("GET", "/_emulator/stats")).status, 200);
  const int status = emulator_->Stop(SIGINT);
  emulator_.reset();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST_F(ZoomEmulatorTest, ListensOnIpv6Loopback) {
  const int probe = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_addr = in6addr_loopback;
  const bool available =
      probe >= 0 && bind(probe, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  if (probe >= 0) close(probe);
  if (!available) GTEST_SKIP() << "no IPv6 loopback here";

  Restart({"--quiet", "--listen=[::1]:0"});
  CurlHandle curl(curl_easy_init());
  std::string body;
  const std::string url = absl::StrCat("http://[::1]:", emulator_->port(), "/_emulator/stats");
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, kCurlTimeoutMs);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, CollectBody);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  ASSERT_EQ(curl_easy_perform(curl.get()), CURLE_OK);
  EXPECT_EQ(Num(ParseJson(body), "connections_open"), 1);
}

TEST(ZoomEmulatorFlagsTest, RefusesToListenBeyondLoopback) {
  for (const std::string listen : {"0.0.0.0:0", "[::]:0", "192.0.2.1:0", "localhost:0"}) {
    std::string stderr_text;
    const int status = EmulatorProcess::RunToExit({"--listen=" + listen}, &stderr_text);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << listen;
    EXPECT_FALSE(stderr_text.empty()) << listen;
  }
}

TEST(ZoomEmulatorFlagsTest, HelpDocumentsEveryFlag) {
  char dir_template[] = "/tmp/zoom_emulator_test.XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string out = std::string(dir_template) + "/help";
  const std::string command = absl::StrCat(ZOOM_EMULATOR_BINARY, " --help > ", out, " 2>&1");
  // --help exits non-zero (absl flags' convention); only a shell that could
  // not run is a failure here.
  ASSERT_NE(std::system(command.c_str()), -1) << command;
  const std::string help = ReadFile(out);
  std::remove(out.c_str());
  rmdir(dir_template);
  for (const char* flag : {"--listen", "--port_file", "--access_token", "--quiet",
                           "--oauth_account_id", "--oauth_client_id", "--oauth_client_secret",
                           "--oauth_expires_in", "--max_recorded_requests"}) {
    EXPECT_NE(help.find(flag), std::string::npos) << flag << " missing from --help";
  }
}

}  // namespace
