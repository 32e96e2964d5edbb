#include "server/authz/file_watcher.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/fake_scheduler.h"

namespace livestream_gateway {
namespace {

using ::livestream_gateway::testing::FakeScheduler;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

constexpr absl::Duration kInterval = absl::Seconds(10);

class FileWatcherTest : public ::testing::Test {
 protected:
  FileWatcherTest() {
    std::string pattern = (std::filesystem::temp_directory_path() / "file-watcher-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    dir_ = pattern;
    path_ = dir_ + "/policy.json";
    Write(path_, "v1");
  }
  ~FileWatcherTest() override { std::filesystem::remove_all(dir_); }

  static void Write(const std::string& path, const std::string& contents) {
    std::ofstream(path, std::ios::trunc) << contents;
  }

  // Replaces the file as Kubernetes does: a new file renamed over the old.
  void Replace(const std::string& contents) {
    const std::string temp = path_ + ".new";
    Write(temp, contents);
    std::filesystem::rename(temp, path_);
  }

  std::unique_ptr<FileWatcher> Watch() {
    return std::make_unique<FileWatcher>(
        &scheduler_,
        FileWatcherOptions{
            .flag = "test_file", .path = path_, .read = {.max_bytes = 64}, .interval = kInterval},
        [this](const std::string& contents) -> absl::StatusOr<std::string> {
          if (absl::StartsWith(contents, "bad")) return absl::InvalidArgumentError("bad contents");
          applied_.push_back(contents);
          return "applied " + contents;
        },
        [this](LogLevel level, absl::string_view message) {
          log_.push_back(absl::StrCat(LogLevelName(level), ": ", message));
        });
  }

  FakeScheduler scheduler_;
  std::string dir_;
  std::string path_;
  std::vector<std::string> applied_;
  std::vector<std::string> log_;
};

TEST_F(FileWatcherTest, AnUnchangedFileIsNeverReread) {
  auto watcher = Watch();
  scheduler_.AdvanceBy(kInterval * 5);
  EXPECT_THAT(applied_, IsEmpty());
  EXPECT_THAT(log_, IsEmpty());
}

TEST_F(FileWatcherTest, AChangeIsAppliedAtTheNextPoll) {
  auto watcher = Watch();
  Replace("v2");
  scheduler_.AdvanceBy(kInterval - absl::Seconds(1));
  EXPECT_THAT(applied_, IsEmpty());
  scheduler_.AdvanceBy(absl::Seconds(1));
  EXPECT_THAT(applied_, ElementsAre("v2"));
  EXPECT_THAT(log_, ElementsAre("info: --test_file: reloaded " + path_ + ": applied v2"));
  // Same size, rewritten in place: the modification time or inode tells.
  Replace("v3");
  scheduler_.AdvanceBy(kInterval);
  EXPECT_THAT(applied_, ElementsAre("v2", "v3"));
}

TEST_F(FileWatcherTest, ARefusedVersionWarnsOnceAndKeepsTheOldOne) {
  auto watcher = Watch();
  Replace("bad policy");
  scheduler_.AdvanceBy(kInterval * 3);
  EXPECT_THAT(applied_, IsEmpty());
  ASSERT_EQ(log_.size(), 1u);
  EXPECT_THAT(log_[0], StartsWith("warn: --test_file: " + path_ + ": bad contents"));
  EXPECT_THAT(log_[0], HasSubstr("keeping the version in force"));
  Replace("v4");
  scheduler_.AdvanceBy(kInterval);
  EXPECT_THAT(applied_, ElementsAre("v4"));
}

TEST_F(FileWatcherTest, AMissingOrUnreadableFileWarnsOnceAndRecovers) {
  auto watcher = Watch();
  std::filesystem::remove(path_);
  scheduler_.AdvanceBy(kInterval * 3);
  ASSERT_EQ(log_.size(), 1u);
  EXPECT_THAT(log_[0], StartsWith("warn: --test_file: " + path_));
  EXPECT_THAT(log_[0], HasSubstr("does not exist; keeping the version in force"));
  Write(path_, std::string(100, 'x'));  // over max_bytes
  scheduler_.AdvanceBy(kInterval * 2);
  ASSERT_EQ(log_.size(), 2u);
  EXPECT_THAT(log_[1], StartsWith("warn: --test_file: " + path_));
  Replace("v5");
  scheduler_.AdvanceBy(kInterval);
  EXPECT_THAT(applied_, ElementsAre("v5"));
}

TEST_F(FileWatcherTest, NothingRunsAfterTheWatcherIsGone) {
  auto watcher = Watch();
  watcher.reset();
  Replace("v6");
  scheduler_.AdvanceBy(kInterval * 3);
  EXPECT_THAT(applied_, IsEmpty());
  EXPECT_THAT(log_, IsEmpty());
}

}  // namespace
}  // namespace livestream_gateway
