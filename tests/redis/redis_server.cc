#include "tests/redis/redis_server.h"

#include <arpa/inet.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace livestream_gateway::testing {
namespace {

// A port the kernel had free a moment ago. redis-server cannot take port 0
// and report it, so the test picks one and retries on a collision.
absl::StatusOr<int> FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError("socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    return absl::InternalError("bind to 127.0.0.1:0 failed");
  }
  close(fd);
  return ntohs(address.sin_port);
}

std::string ReplyText(const redisReply& reply) {
  switch (reply.type) {
    case REDIS_REPLY_NIL:
      return "(nil)";
    case REDIS_REPLY_INTEGER:
      return absl::StrCat(reply.integer);
    case REDIS_REPLY_ARRAY: {
      std::vector<std::string> parts;
      for (size_t i = 0; i < reply.elements; ++i) parts.push_back(ReplyText(*reply.element[i]));
      return absl::StrJoin(parts, ",");
    }
    default:
      return std::string(reply.str, reply.len);
  }
}

bool WaitForExit(pid_t pid, absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  while (true) {
    int status = 0;
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid || done < 0) return true;
    if (absl::Now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<RedisServer>> RedisServer::Start(RedisServerOptions options) {
  std::unique_ptr<RedisServer> server(new RedisServer());
  server->options_ = std::move(options);
  const char* binary = std::getenv("LIVESTREAM_REDIS_SERVER");
  server->binary_ = binary != nullptr && *binary != '\0' ? binary : "/usr/bin/redis-server";
  if (access(server->binary_.c_str(), X_OK) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        server->binary_, " is missing: scripts/setup.sh installs Debian's redis-server"));
  }
  std::string pattern =
      (std::filesystem::temp_directory_path() / "livestream-redis-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return absl::InternalError("mkdtemp failed");
  server->dir_ = pattern;
  absl::Status last = absl::UnknownError("not started");
  for (int attempt = 0; attempt < 5; ++attempt) {
    absl::StatusOr<int> port = FreeLoopbackPort();
    if (!port.ok()) return port.status();
    server->port_ = *port;
    last = server->Launch();
    if (last.ok()) return server;
  }
  return last;
}

absl::Status RedisServer::Launch() {
  std::vector<std::string> args = {binary_,
                                   "--port",
                                   absl::StrCat(port_),
                                   "--bind",
                                   "127.0.0.1",
                                   "--save",
                                   "",
                                   "--appendonly",
                                   "no",
                                   "--dir",
                                   dir_,
                                   "--logfile",
                                   absl::StrCat(dir_, "/redis.log"),
                                   "--daemonize",
                                   "no"};
  if (!options_.password.empty()) {
    args.push_back("--requirepass");
    args.push_back(options_.password);
  }
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t child = fork();
  if (child < 0) return absl::InternalError("cannot fork for redis-server");
  if (child == 0) {
    // Dies with the test: no Redis left behind by a crash or a timeout.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  pid_ = child;
  absl::Status ready = WaitForPing(absl::Seconds(10));
  if (!ready.ok()) {
    kill(pid_, SIGKILL);
    WaitForExit(pid_, absl::Seconds(5));
    pid_ = -1;
  }
  return ready;
}

absl::Status RedisServer::WaitForPing(absl::Duration timeout) const {
  const absl::Time give_up = absl::Now() + timeout;
  absl::Duration pause = absl::Milliseconds(1);
  while (true) {
    int status = 0;
    // Exited: most likely the port was taken meanwhile.
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      return absl::UnavailableError(absl::StrCat("redis-server exited on port ", port_));
    }
    absl::StatusOr<std::string> pong = Call({"PING"});
    if (pong.ok() && *pong == "PONG") return absl::OkStatus();
    if (absl::Now() > give_up) {
      return absl::DeadlineExceededError(
          absl::StrCat("redis-server on port ", port_,
                       " did not answer PING: ", pong.ok() ? *pong : pong.status().ToString()));
    }
    std::this_thread::sleep_for(absl::ToChronoMilliseconds(pause));
    pause = std::min(pause * 2, absl::Milliseconds(20));
  }
}

RedisServer::~RedisServer() {
  if (pid_ > 0) {
    kill(pid_, SIGCONT);
    kill(pid_, SIGKILL);
    WaitForExit(pid_, absl::Seconds(10));
  }
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

std::string RedisServer::url(int db) const {
  return absl::StrCat("redis://127.0.0.1:", port_, db == 0 ? "" : absl::StrCat("/", db));
}

void RedisServer::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGCONT);
  kill(pid_, SIGTERM);
  if (!WaitForExit(pid_, absl::Seconds(10))) {
    kill(pid_, SIGKILL);
    WaitForExit(pid_, absl::Seconds(5));
  }
  pid_ = -1;
}

absl::Status RedisServer::Restart() {
  Stop();
  // The port stays ours: redis-server sets SO_REUSEADDR, and nothing else
  // of the test binds it. A few attempts cover a slow release.
  absl::Status last;
  for (int attempt = 0; attempt < 20; ++attempt) {
    last = Launch();
    if (last.ok()) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return last;
}

void RedisServer::Freeze() {
  if (pid_ > 0) kill(pid_, SIGSTOP);
}

void RedisServer::Thaw() {
  if (pid_ > 0) kill(pid_, SIGCONT);
}

absl::StatusOr<std::string> RedisServer::Call(const std::vector<std::string>& args, int db) const {
  timeval timeout{.tv_sec = 1, .tv_usec = 0};
  redisContext* context = redisConnectWithTimeout("127.0.0.1", port_, timeout);
  if (context == nullptr || context->err != 0) {
    std::string error = context == nullptr ? "out of memory" : context->errstr;
    if (context != nullptr) redisFree(context);
    return absl::UnavailableError(error);
  }
  redisSetTimeout(context, timeout);
  auto run = [&](const std::vector<std::string>& command) -> absl::StatusOr<std::string> {
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    for (const std::string& arg : command) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    auto* reply = static_cast<redisReply*>(
        redisCommandArgv(context, static_cast<int>(argv.size()), argv.data(), lengths.data()));
    if (reply == nullptr) return absl::UnavailableError(context->errstr);
    std::string text = ReplyText(*reply);
    freeReplyObject(reply);
    return text;
  };
  absl::StatusOr<std::string> result = std::string();
  if (!options_.password.empty()) result = run({"AUTH", options_.password});
  if (result.ok() && db != 0) result = run({"SELECT", absl::StrCat(db)});
  if (result.ok()) result = run(args);
  redisFree(context);
  return result;
}

}  // namespace livestream_gateway::testing
