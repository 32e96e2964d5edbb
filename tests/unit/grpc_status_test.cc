#include "server/grpc_status.h"

#include <string>
#include <vector>

#include "absl/strings/cord.h"
#include "gmock/gmock.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "server/error_details.h"

namespace livestream_gateway {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> DetailTypes(const google::rpc::Status& status) {
  std::vector<std::string> types;
  for (const google::protobuf::Any& any : status.details()) types.push_back(any.type_url());
  return types;
}

int CountErrorInfos(const google::rpc::Status& status) {
  int count = 0;
  for (const google::protobuf::Any& any : status.details()) {
    if (any.Is<google::rpc::ErrorInfo>()) ++count;
  }
  return count;
}

google::rpc::Status ParseDetails(const grpc::Status& status) {
  google::rpc::Status rpc_status;
  EXPECT_TRUE(rpc_status.ParseFromString(status.error_details()));
  return rpc_status;
}

TEST(ToGrpcStatusTest, OkIsPlainOk) {
  grpc::Status status = ToGrpcStatus(absl::OkStatus());
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.error_message(), "");
  EXPECT_EQ(status.error_details(), "");
}

struct CodePair {
  absl::StatusCode absl_code;
  grpc::StatusCode grpc_code;
};

std::vector<CodePair> ErrorCodePairs() {
  return {
      {absl::StatusCode::kCancelled, grpc::StatusCode::CANCELLED},
      {absl::StatusCode::kUnknown, grpc::StatusCode::UNKNOWN},
      {absl::StatusCode::kInvalidArgument, grpc::StatusCode::INVALID_ARGUMENT},
      {absl::StatusCode::kDeadlineExceeded, grpc::StatusCode::DEADLINE_EXCEEDED},
      {absl::StatusCode::kNotFound, grpc::StatusCode::NOT_FOUND},
      {absl::StatusCode::kAlreadyExists, grpc::StatusCode::ALREADY_EXISTS},
      {absl::StatusCode::kPermissionDenied, grpc::StatusCode::PERMISSION_DENIED},
      {absl::StatusCode::kResourceExhausted, grpc::StatusCode::RESOURCE_EXHAUSTED},
      {absl::StatusCode::kFailedPrecondition, grpc::StatusCode::FAILED_PRECONDITION},
      {absl::StatusCode::kAborted, grpc::StatusCode::ABORTED},
      {absl::StatusCode::kOutOfRange, grpc::StatusCode::OUT_OF_RANGE},
      {absl::StatusCode::kUnimplemented, grpc::StatusCode::UNIMPLEMENTED},
      {absl::StatusCode::kInternal, grpc::StatusCode::INTERNAL},
      {absl::StatusCode::kUnavailable, grpc::StatusCode::UNAVAILABLE},
      {absl::StatusCode::kDataLoss, grpc::StatusCode::DATA_LOSS},
      {absl::StatusCode::kUnauthenticated, grpc::StatusCode::UNAUTHENTICATED},
  };
}

std::vector<CodePair> AllCodePairs() {
  std::vector<CodePair> pairs = ErrorCodePairs();
  pairs.push_back({absl::StatusCode::kOk, grpc::StatusCode::OK});
  return pairs;
}

class CodeMappingTest : public testing::TestWithParam<CodePair> {};

TEST_P(CodeMappingTest, KeepsTheCode) {
  EXPECT_EQ(ToGrpcCode(GetParam().absl_code), GetParam().grpc_code);
}

INSTANTIATE_TEST_SUITE_P(AllCodes, CodeMappingTest, testing::ValuesIn(AllCodePairs()));

class RichStatusTest : public testing::TestWithParam<CodePair> {};

TEST_P(RichStatusTest, KeepsCodeMessageAndDetails) {
  absl::Status status = MakeError(GetParam().absl_code, "what went wrong: \xC3\xBC",
                                  ErrorReason::ZOOM_TIMEOUT, {{"webinarId", "42"}});
  google::rpc::BadRequest bad_request;
  bad_request.add_field_violations()->set_field("webinar_id");
  SetDetail(status, bad_request);

  grpc::Status grpc_status = ToGrpcStatus(status);
  EXPECT_EQ(grpc_status.error_code(), GetParam().grpc_code);
  EXPECT_EQ(grpc_status.error_message(), "what went wrong: \xC3\xBC");

  google::rpc::Status rpc_status = ParseDetails(grpc_status);
  EXPECT_EQ(rpc_status.code(), static_cast<int>(GetParam().grpc_code));
  EXPECT_EQ(rpc_status.message(), grpc_status.error_message());
  EXPECT_EQ(CountErrorInfos(rpc_status), 1);
  ASSERT_EQ(rpc_status.details_size(), 2);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(rpc_status.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "ZOOM_TIMEOUT");
  EXPECT_EQ(info.domain(), "zoom-livestream-gateway");
  EXPECT_EQ(info.metadata().at("webinarId"), "42");
  google::rpc::BadRequest read_bad_request;
  ASSERT_TRUE(rpc_status.details(1).UnpackTo(&read_bad_request));
  EXPECT_EQ(read_bad_request.field_violations(0).field(), "webinar_id");
}

INSTANTIATE_TEST_SUITE_P(ErrorCodes, RichStatusTest, testing::ValuesIn(ErrorCodePairs()));

TEST(CodeMappingTest, OutOfRangeCodesBecomeUnknown) {
  EXPECT_EQ(ToGrpcCode(static_cast<absl::StatusCode>(42)), grpc::StatusCode::UNKNOWN);
  EXPECT_EQ(ToGrpcCode(static_cast<absl::StatusCode>(-1)), grpc::StatusCode::UNKNOWN);

  grpc::Status status = ToGrpcStatus(absl::Status(static_cast<absl::StatusCode>(42), "odd"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNKNOWN);
  EXPECT_EQ(ParseDetails(status).code(), static_cast<int>(grpc::StatusCode::UNKNOWN));
}

absl::Status WithDetails(const std::vector<const google::protobuf::Message*>& details) {
  absl::Status status = absl::ResourceExhaustedError("slow down");
  for (const google::protobuf::Message* detail : details) SetDetail(status, *detail);
  return status;
}

TEST(ToGrpcStatusTest, PutsErrorInfoFirstThenSortsByTypeUrl) {
  google::rpc::ErrorInfo info;
  info.set_reason("ZOOM_RATE_LIMITED");
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(30);
  google::rpc::QuotaFailure quota;
  quota.add_violations()->set_subject("zoom.us/account");
  google::rpc::BadRequest bad_request;
  google::rpc::ResourceInfo resource;

  const absl::Status forward = WithDetails({&retry, &quota, &info, &bad_request, &resource});
  const absl::Status backward = WithDetails({&resource, &bad_request, &info, &quota, &retry});
  grpc::Status a = ToGrpcStatus(forward);
  grpc::Status b = ToGrpcStatus(backward);

  EXPECT_THAT(DetailTypes(ParseDetails(a)),
              ElementsAre("type.googleapis.com/google.rpc.ErrorInfo",
                          "type.googleapis.com/google.rpc.BadRequest",
                          "type.googleapis.com/google.rpc.QuotaFailure",
                          "type.googleapis.com/google.rpc.ResourceInfo",
                          "type.googleapis.com/google.rpc.RetryInfo"));
  EXPECT_EQ(a.error_details(), b.error_details());
}

// A batch item's error is the same google.rpc.Status a call's trailer holds.
TEST(ToRpcStatusTest, IsWhatTheTrailerCarries) {
  google::rpc::ErrorInfo info;
  info.set_reason("ZOOM_WEBINAR_NOT_FOUND");
  google::rpc::ResourceInfo resource;
  resource.set_resource_name("123");
  const absl::Status status = WithDetails({&resource, &info});
  const google::rpc::Status rpc_status = ToRpcStatus(status);
  EXPECT_EQ(rpc_status.code(), static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED));
  EXPECT_EQ(rpc_status.message(), "slow down");
  EXPECT_EQ(rpc_status.SerializeAsString(), ToGrpcStatus(status).error_details());
  EXPECT_EQ(ToRpcStatus(absl::OkStatus()).ByteSizeLong(), 0u);
}

TEST(ToGrpcStatusTest, AddsErrorInfoWhenMissing) {
  absl::Status status = absl::InternalError("bug");
  SetDetail(status, google::rpc::DebugInfo());
  google::rpc::Status rpc_status = ParseDetails(ToGrpcStatus(status));

  EXPECT_EQ(CountErrorInfos(rpc_status), 1);
  ASSERT_EQ(rpc_status.details_size(), 2);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(rpc_status.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "INTERNAL");
  EXPECT_EQ(info.domain(), "zoom-livestream-gateway");
  EXPECT_TRUE(rpc_status.details(1).Is<google::rpc::DebugInfo>());
}

TEST(ToGrpcStatusTest, AddedErrorInfoHasAnErrorReasonAndKeepsTheCode) {
  const grpc::Status status = ToGrpcStatus(absl::UnavailableError("bug"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(ParseDetails(status).details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "INTERNAL");
}

TEST(ToGrpcStatusTest, DropsPayloadsThatAreNotDetails) {
  absl::Status status =
      MakeError(absl::StatusCode::kUnavailable, "down", ErrorReason::ZOOM_UNAVAILABLE);
  status.SetPayload("example.com/bookkeeping", absl::Cord("3"));
  google::rpc::Status rpc_status = ParseDetails(ToGrpcStatus(status));
  EXPECT_THAT(DetailTypes(rpc_status), ElementsAre("type.googleapis.com/google.rpc.ErrorInfo"));
}

}  // namespace
}  // namespace livestream_gateway
