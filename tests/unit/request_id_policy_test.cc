#include "server/request_id_policy.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/cord.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "server/error_details.h"
#include "zoom/livestream/v1/livestream_service.pb.h"

namespace livestream_gateway {
namespace {

struct Row {
  std::string name;
  absl::Status status;
  bool remembered;
};

absl::Status Error(absl::StatusCode code, ErrorReason reason,
                   std::vector<std::pair<std::string, std::string>> metadata) {
  return MakeError(code, "failed", reason, std::move(metadata));
}

std::vector<Row> Rows() {
  using absl::StatusCode;
  std::vector<Row> rows = {
      {"Ok", absl::OkStatus(), true},
      {"ZoomRefused",
       Error(StatusCode::kNotFound, ErrorReason::ZOOM_WEBINAR_NOT_FOUND, {{"attempts", "1"}}),
       true},
      {"Invalid", Error(StatusCode::kInvalidArgument, ErrorReason::INVALID_REQUEST, {}), true},
      {"UnavailableMaybeDelivered",
       Error(StatusCode::kUnavailable, ErrorReason::ZOOM_UNAVAILABLE, {{"delivered", "maybe"}}),
       true},
      {"ZoomsOwnRateLimit",
       Error(StatusCode::kResourceExhausted, ErrorReason::ZOOM_RATE_LIMITED,
             {{"limitedBy", "zoom"}}),
       true},
      {"NoErrorInfo", absl::UnavailableError("bare"), true},
      {"InternalNotDelivered",
       Error(StatusCode::kInternal, ErrorReason::INTERNAL, {{"delivered", "no"}}), true},
      {"GatewayRateLimit",
       Error(StatusCode::kResourceExhausted, ErrorReason::ZOOM_RATE_LIMITED,
             {{"limitedBy", "gateway"}}),
       false},
  };
  const std::vector<std::pair<std::string, StatusCode>> retryable = {
      {"Unavailable", StatusCode::kUnavailable},
      {"ResourceExhausted", StatusCode::kResourceExhausted},
      {"DeadlineExceeded", StatusCode::kDeadlineExceeded},
      {"Aborted", StatusCode::kAborted},
      {"Cancelled", StatusCode::kCancelled},
  };
  for (const auto& [name, code] : retryable) {
    rows.push_back({name + "NotDelivered",
                    Error(code, ErrorReason::ZOOM_UNAVAILABLE, {{"delivered", "no"}}), false});
  }
  return rows;
}

class RememberOutcomeTest : public testing::TestWithParam<Row> {};

TEST_P(RememberOutcomeTest, ForgetsOnlyRetryableFailuresThatReachedNothing) {
  EXPECT_EQ(RememberOutcome(idempotency::Outcome{.status = GetParam().status, .response = ""}),
            GetParam().remembered);
}

INSTANTIATE_TEST_SUITE_P(Outcomes, RememberOutcomeTest, testing::ValuesIn(Rows()),
                         [](const testing::TestParamInfo<Row>& info) { return info.param.name; });

// A batch's results as the batch store's policy sees them: the items'
// errors as google.rpc.Status, the edge's ToRpcStatus.
idempotency::Outcome BatchOutcome(const std::vector<std::optional<absl::Status>>& items) {
  zoom::livestream::v1::BatchUpdateStatusResponse response;
  for (const std::optional<absl::Status>& item : items) {
    zoom::livestream::v1::BatchUpdateStatusResult* result = response.add_results();
    if (!item.has_value()) {
      result->mutable_response()->set_tracking_id("t");
      continue;
    }
    google::rpc::Status* error = result->mutable_error();
    error->set_code(static_cast<int>(item->code()));
    error->set_message(std::string(item->message()));
    item->ForEachPayload([error](absl::string_view type_url, const absl::Cord& value) {
      google::protobuf::Any* any = error->add_details();
      any->set_type_url(std::string(type_url));
      any->set_value(std::string(value));
    });
  }
  return idempotency::Outcome{.status = absl::OkStatus(), .response = response.SerializeAsString()};
}

TEST(RememberBatchOutcomeTest, ForgetsOnlyABatchWhoseEveryItemWouldBeForgotten) {
  const absl::Status not_sent =
      Error(absl::StatusCode::kUnavailable, ErrorReason::ZOOM_UNAVAILABLE, {{"delivered", "no"}});
  const absl::Status gateway_limited =
      Error(absl::StatusCode::kResourceExhausted, ErrorReason::ZOOM_RATE_LIMITED,
            {{"limitedBy", "gateway"}});
  const absl::Status refused =
      Error(absl::StatusCode::kNotFound, ErrorReason::ZOOM_WEBINAR_NOT_FOUND, {});
  EXPECT_FALSE(RememberBatchOutcome(BatchOutcome({not_sent, gateway_limited})));
  EXPECT_TRUE(RememberBatchOutcome(BatchOutcome({not_sent, std::nullopt})));
  EXPECT_TRUE(RememberBatchOutcome(BatchOutcome({not_sent, refused})));
  EXPECT_TRUE(RememberBatchOutcome(BatchOutcome({std::nullopt})));
  // A refusal of the whole batch follows the single-call rule.
  EXPECT_FALSE(RememberBatchOutcome(idempotency::Outcome{.status = not_sent, .response = ""}));
  EXPECT_TRUE(RememberBatchOutcome(idempotency::Outcome{.status = refused, .response = ""}));
}

TEST(RequestKeyOfTest, LowerCasesTheIdOnly) {
  const idempotency::RequestKey key =
      RequestKeyOf("Alice", "/m/M", "7F9C24E5-2B1D-4A8E-9C3F-0D6B5E4A1C2F");
  EXPECT_EQ(key.principal, "Alice");
  EXPECT_EQ(key.method, "/m/M");
  EXPECT_EQ(key.request_id, "7f9c24e5-2b1d-4a8e-9c3f-0d6b5e4a1c2f");
}

TEST(RequestIdErrorsTest, CarryTheirReasonAndOneErrorInfo) {
  const absl::Status reused = RequestIdReusedError();
  EXPECT_EQ(reused.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(GetDetail<google::rpc::ErrorInfo>(reused).has_value());
  EXPECT_EQ(GetDetail<google::rpc::ErrorInfo>(reused)->reason(), "REQUEST_ID_REUSED");
  const std::optional<google::rpc::BadRequest> bad = GetDetail<google::rpc::BadRequest>(reused);
  ASSERT_TRUE(bad.has_value());
  ASSERT_EQ(bad->field_violations_size(), 1);
  EXPECT_EQ(bad->field_violations(0).field(), "request_id");

  const absl::Status full = RequestIdStoreFullError();
  EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted);
  ASSERT_TRUE(GetDetail<google::rpc::ErrorInfo>(full).has_value());
  EXPECT_EQ(GetDetail<google::rpc::ErrorInfo>(full)->reason(), "REQUEST_ID_STORE_FULL");
}

}  // namespace
}  // namespace livestream_gateway
