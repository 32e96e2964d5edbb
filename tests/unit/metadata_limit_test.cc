#include "server/metadata_limit.h"

#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "server/error_details.h"

namespace livestream_gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;

// Owns the strings that a ClientMetadata (string_refs) points into.
class Metadata {
 public:
  Metadata& Add(std::string name, std::string value) {
    entries_.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  ClientMetadata View() const {
    ClientMetadata view;
    for (const auto& [name, value] : entries_) view.emplace(name, value);
    return view;
  }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

TEST(MetadataSizeTest, CountsNameValueAnd32BytesPerEntry) {
  EXPECT_EQ(MetadataSize(Metadata().View()), 0u);
  EXPECT_EQ(MetadataSize(Metadata().Add("a", "").View()), 33u);
  EXPECT_EQ(MetadataSize(Metadata().Add("user-agent", "grpc-c++/1.51.1").View()), 10u + 15 + 32);
  // Repeated names count each time.
  EXPECT_EQ(MetadataSize(Metadata().Add("x", "1").Add("x", "2").View()), 2u * 34);
}

struct LimitCase {
  std::string name;
  Metadata metadata;
  size_t limit;
  bool fits;
};

void PrintTo(const LimitCase& c, std::ostream* os) { *os << c.name; }

std::vector<LimitCase> LimitCases() {
  const size_t k16 = size_t{16} * 1024;
  Metadata many_just_fitting;
  Metadata many_one_over;
  // 64 entries of 256 counted bytes each: exactly 16 KiB.
  for (int i = 0; i < 64; ++i) {
    many_just_fitting.Add(absl::StrCat("x-pad-", 1000 + i), std::string(256 - 10 - 32, 'v'));
    many_one_over.Add(absl::StrCat("x-pad-", 1000 + i), std::string(256 - 10 - 32, 'v'));
  }
  many_one_over.Add("x", "");  // 33 more
  return {
      {"Nothing", Metadata(), k16, true},
      {"OneEntryExactlyAtTheLimit", Metadata().Add("x-big", std::string(k16 - 5 - 32, 'v')), k16,
       true},
      {"OneEntryOneByteOver", Metadata().Add("x-big", std::string(k16 - 5 - 32 + 1, 'v')), k16,
       false},
      {"ManyEntriesExactlyAtTheLimit", many_just_fitting, k16, true},
      {"ManyEntriesOneOver", many_one_over, k16, false},
      {"LargestCallerTokenAtTheSmallestLimit",
       Metadata()
           .Add("x-zoom-access-token", std::string(kMaxCallerTokenBytes, 't'))
           .Add("user-agent", "grpc-java-netty/1.60.0")
           .Add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
       kMinMaxMetadataBytes, true},
  };
}

class CheckMetadataSizeTest : public testing::TestWithParam<LimitCase> {};

TEST_P(CheckMetadataSizeTest, RefusesOnlyWhatExceedsTheLimit) {
  absl::Status status = CheckMetadataSize(GetParam().metadata.View(), GetParam().limit);
  if (GetParam().fits) {
    EXPECT_TRUE(status.ok()) << status;
    return;
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(status.message()),
              HasSubstr(absl::StrCat(MetadataSize(GetParam().metadata.View()),
                                     " bytes, over the server's limit of ", GetParam().limit)));
  std::optional<google::rpc::ErrorInfo> info = GetDetail<google::rpc::ErrorInfo>(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "METADATA_TOO_LARGE");
  EXPECT_EQ(info->domain(), kErrorDomain);
  EXPECT_THAT(info->metadata(), ElementsAre(Pair("limit", absl::StrCat(GetParam().limit))));
}

INSTANTIATE_TEST_SUITE_P(Limits, CheckMetadataSizeTest, testing::ValuesIn(LimitCases()),
                         [](const testing::TestParamInfo<LimitCase>& info) {
                           return info.param.name;
                         });

TEST(CheckMetadataSizeTest, MessageNeverQuotesAnEntry) {
  absl::Status status = CheckMetadataSize(
      Metadata().Add("x-zoom-access-token", std::string(20000, 's')).View(), size_t{16} * 1024);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("sss")));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("x-zoom-access-token")));
}

}  // namespace
}  // namespace livestream_gateway
