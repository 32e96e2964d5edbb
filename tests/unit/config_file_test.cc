#include "server/config_file.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace livestream_gateway {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kFlag[] = "test_file";
constexpr char kSecret[] = "s3cret-token";

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "config-file-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    dir_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  const std::string& Path() const { return dir_; }
  std::string Write(const std::string& name, const std::string& contents,
                    mode_t mode = 0600) const {
    std::string file = dir_ + "/" + name;
    std::ofstream(file, std::ios::binary) << contents;
    chmod(file.c_str(), mode);
    return file;
  }

 private:
  std::string dir_;
};

struct FileCase {
  std::string name;
  // Makes the file in the directory and returns its path.
  std::function<std::string(const TempDir&)> make;
  size_t max_bytes;
  // What the refusal says; empty when the file is accepted.
  std::string refusal;
  std::string contents;
};

class ReadConfigFileTest : public ::testing::TestWithParam<FileCase> {};

TEST_P(ReadConfigFileTest, AcceptsOnlyBoundedRegularFilesAndSaysWhatIsWrong) {
  const TempDir dir;
  const std::string path = GetParam().make(dir);
  const absl::StatusOr<ConfigFile> file =
      ReadConfigFile(kFlag, path, {.max_bytes = GetParam().max_bytes, .secret = true});
  if (GetParam().refusal.empty()) {
    ASSERT_TRUE(file.ok()) << file.status();
    EXPECT_EQ(file->contents, GetParam().contents);
    EXPECT_THAT(file->warning, IsEmpty());
    return;
  }
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(file.status().message()),
              AllOf(HasSubstr(absl::StrCat("--", kFlag, ": ", path, " ")),
                    HasSubstr(GetParam().refusal), Not(HasSubstr(kSecret))));
}

std::string Fifo(const TempDir& dir) {
  std::string path = dir.Path() + "/fifo";
  if (mkfifo(path.c_str(), 0600) != 0) std::abort();
  return path;
}

std::string Socket(const TempDir& dir) {
  std::string path = dir.Path() + "/socket";
  sockaddr_un address = {};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) std::abort();
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0 || bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    std::abort();
  }
  close(fd);  // The socket file stays.
  return path;
}

std::string Symlink(const TempDir& dir, const std::string& target) {
  std::string path = dir.Path() + "/link";
  std::filesystem::create_symlink(target, path);
  return path;
}

INSTANTIATE_TEST_SUITE_P(
    Files, ReadConfigFileTest,
    ::testing::Values(
        FileCase{"Regular", [](const TempDir& d) { return d.Write("f", "token\n"); }, 64, "",
                 "token\n"},
        FileCase{"ExactlyTheCap", [](const TempDir& d) { return d.Write("f", "12345678"); }, 8, "",
                 "12345678"},
        FileCase{"OneByteOverTheCap",
                 [](const TempDir& d) { return d.Write("f", absl::StrCat(kSecret, "x")); },
                 sizeof(kSecret) - 1, "is larger than 12 bytes", ""},
        FileCase{"FarOverTheCap",
                 [](const TempDir& d) { return d.Write("f", std::string(1 << 20, 'a')); }, 4096,
                 "is larger than 4096 bytes", ""},
        FileCase{"Empty", [](const TempDir& d) { return d.Write("f", ""); }, 64, "is empty", ""},
        FileCase{"Missing", [](const TempDir& d) { return d.Path() + "/missing"; }, 64,
                 "does not exist", ""},
        FileCase{"UnderAFile", [](const TempDir& d) { return d.Write("f", kSecret) + "/below"; },
                 64, "does not exist", ""},
        FileCase{"Directory", [](const TempDir& d) { return d.Path(); }, 64,
                 "is a directory, not a file", ""},
        // Without O_NONBLOCK, open(2) would wait for a writer forever.
        FileCase{"FifoWithoutAWriter", Fifo, 64, "is a FIFO, not a regular file", ""},
        FileCase{"Socket", Socket, 64, "is a socket", ""},
        FileCase{"DevNull", [](const TempDir&) { return std::string("/dev/null"); }, 64,
                 "is a character device, not a regular file", ""},
        // Endless: a reader without a cap would never finish.
        FileCase{"DevZero", [](const TempDir&) { return std::string("/dev/zero"); }, 64,
                 "is a character device, not a regular file", ""},
        // st_size is 0 for /proc files: the cap holds on what is read.
        FileCase{"SizeHintTooLow", [](const TempDir&) { return std::string("/proc/self/status"); },
                 64, "is larger than 64 bytes", ""},
        // Kubernetes mounts secrets as symlinks.
        FileCase{"SymlinkToAFile",
                 [](const TempDir& d) { return Symlink(d, d.Write("f", "token")); }, 64, "",
                 "token"},
        FileCase{"SymlinkToADirectory", [](const TempDir& d) { return Symlink(d, d.Path()); }, 64,
                 "is a directory, not a file", ""},
        FileCase{"DanglingSymlink",
                 [](const TempDir& d) { return Symlink(d, d.Path() + "/missing"); }, 64,
                 "does not exist", ""}),
    [](const ::testing::TestParamInfo<FileCase>& info) { return info.param.name; });

// Exits 0 when reading `path` is refused with a message naming it; prints the
// message for the death test's pattern.
void ReadExpectingPermissionDenied(const std::string& path) {
  const absl::StatusOr<ConfigFile> file = ReadConfigFile(kFlag, path, {.max_bytes = 64});
  std::fprintf(stderr, "%s\n", file.status().ToString().c_str());
  _exit(!file.ok() && absl::StrContains(file.status().message(), path) ? 0 : 1);
}

TEST(ReadConfigFileDeathTest, RefusesAFileThisProcessCannotRead) {
  const TempDir dir;
  // Others may enter the directory: only the file's own mode is in the way.
  chmod(dir.Path().c_str(), 0711);
  const std::string path = dir.Write("f", kSecret, 0000);
  if (geteuid() != 0) {
    const absl::StatusOr<ConfigFile> file = ReadConfigFile(kFlag, path, {.max_bytes = 64});
    ASSERT_FALSE(file.ok());
    EXPECT_THAT(std::string(file.status().message()),
                AllOf(HasSubstr(path), HasSubstr("is not readable by this process")));
    return;
  }
  // Root reads any file, so the refusal a non-root server meets is seen in a
  // child that gives up root first. Some sandboxes (Bazel's linux-sandbox
  // maps only root into its user namespace) have no one to become.
  if (const pid_t child = fork(); child == 0) {
    _exit(setgid(65534) == 0 && setuid(65534) == 0 ? 0 : 3);
  } else {
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      GTEST_SKIP() << "this process cannot become uid 65534 to read as a non-root server";
    }
  }
  EXPECT_EXIT(
      {
        if (setgid(65534) != 0 || setuid(65534) != 0) _exit(3);
        ReadExpectingPermissionDenied(path);
      },
      ::testing::ExitedWithCode(0), "is not readable by this process \\(permission denied\\)");
}

struct ModeCase {
  std::string name;
  mode_t mode;
  bool secret;
  bool warns;
};

class ReadConfigFileModeTest : public ::testing::TestWithParam<ModeCase> {};

TEST_P(ReadConfigFileModeTest, WarnsWhenOthersMayAccessASecret) {
  const TempDir dir;
  const std::string path = dir.Write("f", kSecret, GetParam().mode);
  const absl::StatusOr<ConfigFile> file =
      ReadConfigFile(kFlag, path, {.max_bytes = 64, .secret = GetParam().secret});
  ASSERT_TRUE(file.ok()) << file.status();
  if (!GetParam().warns) {
    EXPECT_THAT(file->warning, IsEmpty());
    return;
  }
  EXPECT_THAT(file->warning, AllOf(HasSubstr(absl::StrCat("--", kFlag, ": ", path)),
                                   HasSubstr(absl::StrFormat("(mode %04o)", GetParam().mode)),
                                   Not(HasSubstr("\n")), Not(HasSubstr(kSecret))));
}

INSTANTIATE_TEST_SUITE_P(Modes, ReadConfigFileModeTest,
                         ::testing::Values(ModeCase{"OwnerReadWrite", 0600, true, false},
                                           ModeCase{"OwnerReadOnly", 0400, true, false},
                                           ModeCase{"GroupReadable", 0640, true, true},
                                           ModeCase{"WorldReadable", 0644, true, true},
                                           ModeCase{"OthersOnly", 0604, true, true},
                                           ModeCase{"GroupWritable", 0620, true, true},
                                           ModeCase{"NotASecret", 0644, false, false}),
                         [](const ::testing::TestParamInfo<ModeCase>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace livestream_gateway
