#include "server/error_details.h"

#include <optional>
#include <string>

#include "absl/strings/cord.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"

namespace livestream_gateway {
namespace {

using ::testing::Pair;
using ::testing::UnorderedElementsAre;

TEST(DetailTypeUrlTest, UsesTypeGoogleapisPrefixAndFullName) {
  EXPECT_EQ(DetailTypeUrl(google::rpc::ErrorInfo()), "type.googleapis.com/google.rpc.ErrorInfo");
  EXPECT_EQ(DetailTypeUrl(google::rpc::BadRequest()), "type.googleapis.com/google.rpc.BadRequest");
  EXPECT_EQ(DetailTypeUrl(google::rpc::BadRequest::FieldViolation()),
            "type.googleapis.com/google.rpc.BadRequest.FieldViolation");
}

TEST(SetDetailTest, RoundTripsThroughGetDetail) {
  absl::Status status = absl::NotFoundError("gone");
  google::rpc::ResourceInfo info;
  info.set_resource_type("zoom.us/Webinar");
  info.set_resource_name("123");
  SetDetail(status, info);

  std::optional<google::rpc::ResourceInfo> read = GetDetail<google::rpc::ResourceInfo>(status);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->resource_type(), "zoom.us/Webinar");
  EXPECT_EQ(read->resource_name(), "123");
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "gone");
}

TEST(SetDetailTest, ReplacesDetailOfSameType) {
  absl::Status status = absl::InternalError("x");
  google::rpc::DebugInfo first;
  first.set_detail("first");
  google::rpc::DebugInfo second;
  second.set_detail("second");
  SetDetail(status, first);
  SetDetail(status, second);

  int payloads = 0;
  status.ForEachPayload([&payloads](absl::string_view, const absl::Cord&) { ++payloads; });
  EXPECT_EQ(payloads, 1);
  EXPECT_EQ(GetDetail<google::rpc::DebugInfo>(status)->detail(), "second");
}

TEST(SetDetailTest, KeepsDetailsOfDifferentTypes) {
  absl::Status status = absl::InternalError("x");
  SetDetail(status, google::rpc::DebugInfo());
  SetDetail(status, google::rpc::RequestInfo());
  EXPECT_TRUE(GetDetail<google::rpc::DebugInfo>(status).has_value());
  EXPECT_TRUE(GetDetail<google::rpc::RequestInfo>(status).has_value());
  EXPECT_FALSE(GetDetail<google::rpc::Help>(status).has_value());
}

TEST(SetDetailTest, IsNoOpOnOk) {
  absl::Status status;
  SetDetail(status, google::rpc::DebugInfo());
  EXPECT_TRUE(status.ok());
  EXPECT_FALSE(GetDetail<google::rpc::DebugInfo>(status).has_value());
}

TEST(GetDetailTest, RejectsUnparseablePayload) {
  absl::Status status = absl::InternalError("x");
  status.SetPayload(DetailTypeUrl(google::rpc::ErrorInfo()), absl::Cord("\xff\xff\xff"));
  EXPECT_FALSE(GetDetail<google::rpc::ErrorInfo>(status).has_value());
}

class MakeErrorTest : public testing::TestWithParam<absl::StatusCode> {};

TEST_P(MakeErrorTest, CarriesCodeMessageAndOneErrorInfo) {
  absl::Status status = MakeError(GetParam(), "something failed", ErrorReason::ZOOM_TIMEOUT,
                                  {{"webinarId", "123"}, {"k", "v"}});
  EXPECT_EQ(status.code(), GetParam());
  EXPECT_EQ(status.message(), "something failed");

  std::optional<google::rpc::ErrorInfo> info = GetDetail<google::rpc::ErrorInfo>(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "ZOOM_TIMEOUT");
  EXPECT_EQ(info->domain(), "zoom-livestream-gateway");
  EXPECT_THAT(info->metadata(), UnorderedElementsAre(Pair("webinarId", "123"), Pair("k", "v")));

  int payloads = 0;
  status.ForEachPayload([&payloads](absl::string_view, const absl::Cord&) { ++payloads; });
  EXPECT_EQ(payloads, 1);
}

INSTANTIATE_TEST_SUITE_P(
    AllErrorCodes, MakeErrorTest,
    testing::Values(absl::StatusCode::kCancelled, absl::StatusCode::kUnknown,
                    absl::StatusCode::kInvalidArgument, absl::StatusCode::kDeadlineExceeded,
                    absl::StatusCode::kNotFound, absl::StatusCode::kAlreadyExists,
                    absl::StatusCode::kPermissionDenied, absl::StatusCode::kResourceExhausted,
                    absl::StatusCode::kFailedPrecondition, absl::StatusCode::kAborted,
                    absl::StatusCode::kOutOfRange, absl::StatusCode::kUnimplemented,
                    absl::StatusCode::kInternal, absl::StatusCode::kUnavailable,
                    absl::StatusCode::kDataLoss, absl::StatusCode::kUnauthenticated));

TEST(MakeErrorTest, RepeatedMetadataKeyKeepsLastValue) {
  absl::Status status = MakeError(absl::StatusCode::kInternal, "m", ErrorReason::INTERNAL,
                                  {{"key", "first"}, {"key", "last"}});
  EXPECT_THAT(GetDetail<google::rpc::ErrorInfo>(status)->metadata(),
              UnorderedElementsAre(Pair("key", "last")));
}

TEST(MakeErrorTest, OkCodeGivesPlainOk) {
  absl::Status status = MakeError(absl::StatusCode::kOk, "ignored", ErrorReason::INTERNAL);
  EXPECT_TRUE(status.ok());
  EXPECT_FALSE(GetDetail<google::rpc::ErrorInfo>(status).has_value());
}

}  // namespace
}  // namespace livestream_gateway
