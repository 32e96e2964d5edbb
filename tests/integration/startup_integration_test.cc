// Start-up of the real livestream_server: files and credentials it refuses
// (exit 2 at once, one message naming the flag and the file, never a secret),
// the warning for a secret file others can read, and --help.

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/log_lines.h"
#include "tests/integration/test_harness.h"

namespace livestream_gateway::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// Every credential in these tests contains it; no output may.
constexpr char kSecret[] = "s3cret";
// What the server may take to refuse its configuration.
constexpr absl::Duration kPromptly = absl::Seconds(1);
// After this the server is killed: a refusal never came.
constexpr absl::Duration kGiveUp = absl::Seconds(5);

struct Exit {
  int code = 0;
  absl::Duration elapsed;
  std::string output;
};

// Runs `binary` with `args` until it exits; `env` entries override the
// inherited environment.
Exit RunToExit(const std::string& binary, const std::vector<std::string>& args,
               const std::vector<std::string>& env) {
  const absl::Time started = absl::Now();
  absl::StatusOr<std::unique_ptr<Process>> process = Process::Start(binary, args, env);
  if (!process.ok()) {
    ADD_FAILURE() << process.status();
    return {};
  }
  Exit result;
  result.code = (*process)->Wait(kGiveUp);
  result.elapsed = absl::Now() - started;
  result.output = (*process)->Stderr();
  return result;
}

// Root reads any file whatever its mode, so a case about an unreadable file
// runs the server as nobody (util-linux's setpriv, in every Debian).
constexpr char kSetpriv[] = "/usr/bin/setpriv";
// setpriv's arguments before the command: who to become, and nothing else.
std::vector<std::string> AsNobody(const std::vector<std::string>& command) {
  std::vector<std::string> args = {"--reuid=65534", "--regid=65534", "--clear-groups"};
  args.insert(args.end(), command.begin(), command.end());
  return args;
}

// livestream_server with credentials only from `env` (the developer's own
// ZOOM_* variables are blanked; blank counts as unset).
Exit RunServer(std::vector<std::string> args, std::vector<std::string> env, bool as_nobody) {
  for (const char* name :
       {"ZOOM_ACCESS_TOKEN", "ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET"}) {
    bool given = false;
    for (const std::string& entry : env) given |= absl::StartsWith(entry, absl::StrCat(name, "="));
    if (!given) env.push_back(absl::StrCat(name, "="));
  }
  args.insert(args.begin(), "--listen=127.0.0.1:0");
  if (!as_nobody) return RunToExit(ServerBinary(), args, env);
  args.insert(args.begin(), ServerBinary());
  return RunToExit(kSetpriv, AsNobody(args), env);
}

std::string WriteFile(const std::string& path, const std::string& contents, mode_t mode = 0600) {
  std::ofstream(path, std::ios::binary) << contents;
  chmod(path.c_str(), mode);
  return path;
}

// How a case starts the server: its arguments and environment, and what the
// refusal must say.
struct Startup {
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::vector<std::string> messages;
};

struct RefusalCase {
  std::string name;
  std::function<Startup(const TempDir&)> make;
  // Needs a process that lacks root's power to read any file.
  bool unprivileged = false;
};

void PrintTo(const RefusalCase& refusal, std::ostream* out) { *out << refusal.name; }

class RefusedStartupTest : public ::testing::TestWithParam<RefusalCase> {};

TEST_P(RefusedStartupTest, ExitsTwoPromptlyWithOneMessageAndNoSecret) {
  const bool as_nobody = GetParam().unprivileged && geteuid() == 0;
  if (as_nobody) {
    // A build tree under /root (Bazel's, for one) is out of nobody's reach.
    if (const Exit exit = RunToExit(kSetpriv, AsNobody({ServerBinary(), "--only_check_args"}), {});
        exit.code != 0) {
      GTEST_SKIP() << "nobody cannot run " << ServerBinary() << ":\n" << exit.output;
    }
  }
  const TempDir dir;
  // Let nobody reach the files: only their own modes may stop a read.
  chmod(dir.path("").c_str(), 0711);
  const Startup startup = GetParam().make(dir);
  const Exit exit = RunServer(startup.args, startup.env, as_nobody);

  EXPECT_EQ(exit.code, 2) << exit.output;
  EXPECT_LT(exit.elapsed, kPromptly) << exit.output;
  const absl::StatusOr<std::vector<LogRecord>> lines = ParseLogLines(exit.output, /*json=*/false);
  ASSERT_TRUE(lines.ok()) << lines.status();
  ASSERT_EQ(lines->size(), 1U) << exit.output;
  const LogRecord& line = lines->front();
  EXPECT_EQ(line.at("level"), "error");
  EXPECT_EQ(line.at("msg"), "invalid configuration");
  for (const std::string& message : startup.messages) {
    EXPECT_THAT(line.at("error"), HasSubstr(message));
  }
  EXPECT_THAT(exit.output, Not(HasSubstr(kSecret)));
}

// --zoom_access_token_file=<path> refused with "<flag>: <path> <problem>".
Startup TokenFile(const std::string& path, const std::string& problem) {
  return {{"--zoom_access_token_file=" + path},
          {},
          {absl::StrCat("--zoom_access_token_file: ", path, " ", problem)}};
}

Startup ClientSecretFile(const std::string& path, const std::string& problem) {
  return {{"--zoom_client_secret_file=" + path},
          {"ZOOM_ACCOUNT_ID=account", "ZOOM_CLIENT_ID=client"},
          {absl::StrCat("--zoom_client_secret_file: ", path, " ", problem)}};
}

std::string Fifo(const TempDir& dir) {
  std::string path = dir.path("fifo");
  EXPECT_EQ(mkfifo(path.c_str(), 0600), 0);
  return path;
}

constexpr char kBadCredential[] = "a single line of printable ASCII";

INSTANTIATE_TEST_SUITE_P(
    Files, RefusedStartupTest,
    ::testing::Values(
        RefusalCase{
            "MissingTokenFile",
            [](const TempDir& d) { return TokenFile(d.path("missing"), "does not exist"); }},
        RefusalCase{"TokenFileIsADirectory",
                    [](const TempDir& d) {
                      const std::string path = d.path("dir");
                      mkdir(path.c_str(), 0700);
                      return TokenFile(path, "is a directory, not a file");
                    }},
        // Nobody ever writes to it: a blocking open would wait forever.
        RefusalCase{
            "TokenFileIsAFifo",
            [](const TempDir& d) { return TokenFile(Fifo(d), "is a FIFO, not a regular file"); }},
        RefusalCase{"TokenFileIsDevNull",
                    [](const TempDir&) {
                      return TokenFile("/dev/null", "is a character device, not a regular file");
                    }},
        // Endless: an uncapped read would fill memory.
        RefusalCase{"TokenFileIsDevZero",
                    [](const TempDir&) {
                      return TokenFile("/dev/zero", "is a character device, not a regular file");
                    }},
        RefusalCase{
            "EmptyTokenFile",
            [](const TempDir& d) { return TokenFile(WriteFile(d.path("token"), ""), "is empty"); }},
        RefusalCase{"TokenFileOfWhitespace",
                    [](const TempDir& d) {
                      return TokenFile(WriteFile(d.path("token"), " \n\t\n"),
                                       "holds only whitespace");
                    }},
        RefusalCase{"OversizeTokenFile",
                    [](const TempDir& d) {
                      return TokenFile(
                          WriteFile(d.path("token"), kSecret + std::string(size_t{16} * 1024, 'a')),
                          "is larger than 16384 bytes");
                    }},
        RefusalCase{"UnreadableTokenFile",
                    [](const TempDir& d) {
                      return TokenFile(WriteFile(d.path("token"), kSecret, 0000),
                                       "is not readable by this process (permission denied)");
                    },
                    /*unprivileged=*/true},
        RefusalCase{"ClientSecretFileIsAFifo",
                    [](const TempDir& d) {
                      return ClientSecretFile(Fifo(d), "is a FIFO, not a regular file");
                    }},
        RefusalCase{
            "MissingClientSecretFile",
            [](const TempDir& d) { return ClientSecretFile(d.path("missing"), "does not exist"); }},
        RefusalCase{"SpaceInsideTheTokenFile",
                    [](const TempDir& d) {
                      return Startup{{"--zoom_access_token_file=" +
                                      WriteFile(d.path("token"), absl::StrCat(kSecret, " x\n"))},
                                     {},
                                     {"--zoom_access_token_file", kBadCredential}};
                    }},
        RefusalCase{"TabInsideTheTokenVariable",
                    [](const TempDir&) {
                      return Startup{{},
                                     {absl::StrCat("ZOOM_ACCESS_TOKEN=", kSecret, "\tx")},
                                     {"ZOOM_ACCESS_TOKEN", kBadCredential}};
                    }},
        RefusalCase{"NewlineInsideTheClientSecretFile",
                    [](const TempDir& d) {
                      return Startup{{"--zoom_client_secret_file=" +
                                      WriteFile(d.path("secret"), absl::StrCat(kSecret, "\nx\n"))},
                                     {"ZOOM_ACCOUNT_ID=account", "ZOOM_CLIENT_ID=client"},
                                     {"ZOOM_CLIENT_SECRET", kBadCredential}};
                    }},
        RefusalCase{"EscapeInsideTheClientSecretVariable",
                    [](const TempDir&) {
                      return Startup{{},
                                     {"ZOOM_ACCOUNT_ID=account", "ZOOM_CLIENT_ID=client",
                                      absl::StrCat("ZOOM_CLIENT_SECRET=", kSecret, "\x1b[2J")},
                                     {"ZOOM_CLIENT_SECRET", kBadCredential}};
                    }},
        RefusalCase{"UnknownLogFormat",
                    [](const TempDir&) {
                      return Startup{{"--log_format=text"},
                                     {absl::StrCat("ZOOM_ACCESS_TOKEN=", kSecret)},
                                     {"--log_format must be 'logfmt' or 'json'"}};
                    }}),
    [](const ::testing::TestParamInfo<RefusalCase>& info) { return info.param.name; });

// Nothing listens there; the server does not call Zoom before a request.
constexpr char kUnusedZoomUrl[] = "http://127.0.0.1:9/v2";

// The msg of every warn line; every line must parse.
std::vector<std::string> Warnings(const std::string& log) {
  const absl::StatusOr<std::vector<LogRecord>> records = ParseLogLines(log, /*json=*/false);
  EXPECT_TRUE(records.ok()) << records.status();
  std::vector<std::string> warnings;
  if (!records.ok()) return warnings;
  for (const LogRecord& record : *records) {
    if (record.at("level") == "warn") warnings.push_back(record.at("msg"));
  }
  return warnings;
}

TEST(StartupTest, ASecretFileOthersCanReadStartsWithOneWarningLine) {
  const TempDir dir;
  const std::string path = WriteFile(dir.path("token"), "emulator-token\n", 0644);
  // An empty ZOOM_ACCESS_TOKEN is unset, so the file is used.
  auto server =
      Server::Start(kUnusedZoomUrl, {"--zoom_access_token_file=" + path}, {"ZOOM_ACCESS_TOKEN="});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::vector<std::string> warnings = Warnings((*server)->process().Stderr());
  ASSERT_EQ(warnings.size(), 1U) << (*server)->process().Stderr();
  EXPECT_THAT(warnings[0],
              AllOf(StartsWith("--zoom_access_token_file: " + path),
                    HasSubstr("group or others (mode 0644)"), Not(HasSubstr("emulator-token"))));
  (*server)->process().Signal(SIGTERM);
  EXPECT_EQ((*server)->process().Wait(), 0) << (*server)->process().Stderr();
}

TEST(StartupTest, ASecretFileOnlyItsOwnerCanReadStartsWithoutWarning) {
  const TempDir dir;
  const std::string path = WriteFile(dir.path("token"), "emulator-token\n", 0600);
  auto server =
      Server::Start(kUnusedZoomUrl, {"--zoom_access_token_file=" + path}, {"ZOOM_ACCESS_TOKEN="});
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_THAT(Warnings((*server)->process().Stderr()), ::testing::IsEmpty());
}

// absl prints help on stdout and Process keeps stderr: the shell joins them.
Exit RunServerForOutput(const std::string& flag) {
  return RunToExit("/bin/sh", {"-c", "exec \"$0\" \"$@\" 1>&2", ServerBinary(), flag}, {});
}

// The flags --helpfull attributes to server/config.cc (however the build
// spelled its path).
std::set<std::string> ConfigFlags(const std::string& helpfull) {
  std::set<std::string> flags;
  bool in_config = false;
  for (absl::string_view line : absl::StrSplit(helpfull, '\n')) {
    if (absl::ConsumePrefix(&line, "  Flags from ")) {
      in_config = absl::EndsWith(line, "server/config.cc:");
    } else if (in_config && absl::ConsumePrefix(&line, "    --")) {
      flags.emplace(line.substr(0, line.find(' ')));
    }
  }
  return flags;
}

TEST(StartupTest, HelpListsEveryServerFlagAndTheCredentialVariables) {
  const Exit helpfull = RunServerForOutput("--helpfull");
  const std::set<std::string> flags = ConfigFlags(helpfull.output);
  for (const char* flag : {"listen", "zoom_access_token_file", "zoom_client_secret_file",
                           "shutdown_grace", "zoom_max_connections"}) {
    ASSERT_TRUE(flags.contains(flag)) << flag << " not found in --helpfull:\n" << helpfull.output;
  }

  const Exit help = RunServerForOutput("--help");
  // abseil exits 1 after printing any help (every release; only --version
  // exits 0). bench/run.sh and people read the text, not the code.
  EXPECT_EQ(help.code, 1) << help.output;
  EXPECT_THAT(help.output, Not(HasSubstr("No flags matched")));
  for (const std::string& flag : flags) {
    EXPECT_THAT(help.output, HasSubstr(absl::StrCat("    --", flag, " ("))) << flag;
  }
  for (const char* variable :
       {"ZOOM_ACCESS_TOKEN", "ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET"}) {
    EXPECT_THAT(help.output, HasSubstr(variable));
  }
  // Only ours: abseil's own flags stay in --helpfull.
  EXPECT_THAT(helpfull.output, HasSubstr("--flagfile"));
  EXPECT_THAT(help.output, Not(HasSubstr("--flagfile")));
}

TEST(StartupTest, VersionNamesTheProductAndExitsZero) {
  const Exit version = RunServerForOutput("--version");
  EXPECT_EQ(version.code, 0) << version.output;
  EXPECT_THAT(version.output, StartsWith("zoom-livestream-gateway "));
}

}  // namespace
}  // namespace livestream_gateway::testing
