#include "server/batch_validation.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "server/error_details.h"

namespace livestream_gateway {
namespace {

using ::testing::ElementsAreArray;
using ::zoom::livestream::v1::BatchUpdateStatusRequest;

constexpr char kUuid[] = "5d0e2a7c-1b3f-4c8e-9a6d-2f4b7c1e8a30";

BatchUpdateStatusRequest WithItems(int count) {
  BatchUpdateStatusRequest request;
  for (int i = 0; i < count; ++i) {
    request.add_requests()->set_webinar_id("99289110036");
  }
  return request;
}

struct Row {
  std::string name;
  BatchUpdateStatusRequest request;
  std::vector<std::string> fields;  // empty: valid
};

std::vector<Row> Rows() {
  std::vector<Row> rows;
  rows.push_back({"OneItem", WithItems(1), {}});
  rows.push_back({"AHundredItems", WithItems(kMaxBatchItems), {}});
  rows.push_back({"NoItems", WithItems(0), {"requests"}});
  rows.push_back({"AHundredAndOneItems", WithItems(kMaxBatchItems + 1), {"requests"}});
  // An item's own fields are the item's business: it fails alone.
  Row invalid_item{"AnInvalidItemIsNotTheBatchsFault", WithItems(2), {}};
  invalid_item.request.mutable_requests(1)->set_webinar_id("x");
  rows.push_back(invalid_item);
  Row item_flags{"ItemsMayNotSetBatchFields", WithItems(3), {}};
  item_flags.request.mutable_requests(0)->set_request_id(kUuid);
  item_flags.request.mutable_requests(2)->set_validate_only(true);
  item_flags.request.mutable_requests(2)->set_request_id(kUuid);
  item_flags.fields = {"requests[0].request_id", "requests[2].validate_only",
                       "requests[2].request_id"};
  rows.push_back(item_flags);
  Row batch_id{"TheBatchsRequestIdIsAUuid", WithItems(1), {"request_id"}};
  batch_id.request.set_request_id("retry-1");
  rows.push_back(batch_id);
  Row batch_uuid{"TheBatchMayHaveARequestId", WithItems(1), {}};
  batch_uuid.request.set_request_id(kUuid);
  batch_uuid.request.set_validate_only(true);
  rows.push_back(batch_uuid);
  Row both{"EveryViolationIsNamed", WithItems(0), {"requests", "request_id"}};
  both.request.set_request_id("x");
  rows.push_back(both);
  return rows;
}

class BatchValidationTest : public testing::TestWithParam<Row> {};

TEST_P(BatchValidationTest, NamesEveryBadFieldOfTheBatch) {
  const absl::Status status = ValidateBatchUpdateStatusRequest(GetParam().request);
  if (GetParam().fields.empty()) {
    EXPECT_TRUE(status.ok()) << status;
    return;
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  const std::optional<google::rpc::BadRequest> bad_request =
      GetDetail<google::rpc::BadRequest>(status);
  ASSERT_TRUE(bad_request.has_value());
  std::vector<std::string> fields;
  for (const auto& violation : bad_request->field_violations()) fields.push_back(violation.field());
  EXPECT_THAT(fields, ElementsAreArray(GetParam().fields));
  const std::optional<google::rpc::ErrorInfo> info = GetDetail<google::rpc::ErrorInfo>(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "INVALID_REQUEST");
}

INSTANTIATE_TEST_SUITE_P(Batches, BatchValidationTest, testing::ValuesIn(Rows()),
                         [](const testing::TestParamInfo<Row>& info) { return info.param.name; });

}  // namespace
}  // namespace livestream_gateway
