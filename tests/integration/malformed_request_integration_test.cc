// Bytes that are no UpdateStatusRequest, sent raw with a generic stub: each
// gets INVALID_ARGUMENT with exactly one ErrorInfo (MALFORMED_REQUEST) and a
// request-log line, and nothing reaches Zoom.

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/log_lines.h"
#include "tests/integration/rich_status.h"
#include "tests/integration/test_harness.h"

namespace livestream_gateway::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using ::zoom::livestream::v1::UpdateStatusResponse;

constexpr char kMethod[] = "/zoom.livestream.v1.LiveStreamService/UpdateStatus";

struct RawCall {
  grpc::Status status;
  grpc::ByteBuffer response;
};

// One unary call whose request is `bytes` exactly as given.
RawCall CallRaw(const Server& server, const std::string& bytes) {
  auto channel = grpc::CreateChannel(server.target(), grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  grpc::Slice slice(bytes);
  const grpc::ByteBuffer request(&slice, 1);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  RawCall call;
  absl::Notification done;
  stub.UnaryCall(&context, kMethod, grpc::StubOptions(), &request, &call.response,
                 [&](grpc::Status status) {
                   call.status = std::move(status);
                   done.Notify();
                 });
  done.WaitForNotification();
  return call;
}

// The request-log records of UpdateStatus calls so far (none while a line
// of the log does not parse).
std::vector<LogRecord> RequestLogLines(Server& server) {
  absl::StatusOr<std::vector<LogRecord>> records =
      ParseLogLines(server.process().Stderr(), /*json=*/false);
  std::vector<LogRecord> rpcs;
  if (!records.ok()) return rpcs;
  for (LogRecord& rpc : WithMessage(*records, "rpc")) {
    if (rpc.at("method") == kMethod) rpcs.push_back(std::move(rpc));
  }
  return rpcs;
}

class MalformedRequestTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto emulator = Emulator::Start();
    ASSERT_TRUE(emulator.ok()) << emulator.status();
    emulator_ = emulator->release();
    auto server = Server::Start(emulator_->base_url());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = server->release();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete emulator_;
  }
  void SetUp() override {
    ASSERT_EQ(
        HttpCall("POST", absl::StrCat("http://127.0.0.1:", emulator_->port(), "/_emulator/reset"))
            .status,
        200);
  }

  static Emulator* emulator_;
  static Server* server_;
};

Emulator* MalformedRequestTest::emulator_ = nullptr;
Server* MalformedRequestTest::server_ = nullptr;

struct MalformedCase {
  std::string name;
  std::string bytes;
};

void PrintTo(const MalformedCase& value, std::ostream* os) { *os << value.name; }

class MalformedBytesTest : public MalformedRequestTest,
                           public ::testing::WithParamInterface<MalformedCase> {};

TEST_P(MalformedBytesTest, IsInvalidArgumentWithOneErrorInfoAndNothingUpstream) {
  const size_t lines_before = RequestLogLines(*server_).size();
  RawCall call = CallRaw(*server_, GetParam().bytes);

  ASSERT_EQ(call.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << call.status.error_message();
  EXPECT_THAT(call.status.error_message(), StartsWith("malformed UpdateStatusRequest"));
  EXPECT_EQ(CountDetails(call.status, "google.rpc.ErrorInfo"), 1);
  auto info = Detail<google::rpc::ErrorInfo>(call.status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "MALFORMED_REQUEST");
  EXPECT_EQ(info->domain(), "zoom-livestream-gateway");
  EXPECT_EQ(DetailsOf(call.status).code(), grpc::StatusCode::INVALID_ARGUMENT);

  std::vector<LogRecord> lines;
  ASSERT_TRUE(WaitFor([&] {
    lines = RequestLogLines(*server_);
    return lines.size() > lines_before;
  })) << server_->process().Stderr();
  EXPECT_EQ(lines.back().at("target"), "-");
  EXPECT_EQ(lines.back().at("outcome"), "INVALID_ARGUMENT");
  EXPECT_EQ(lines.back().at("reason"), "MALFORMED_REQUEST");

  EXPECT_TRUE(emulator_->Requests().empty());
  EXPECT_EQ(StatsField(*emulator_, "api_requests"), 0);
}

// webinar_id "1" (field 1, length-delimited), then `rest`.
std::string Webinar1(const std::string& rest) {
  return "\x0A\x01"
         "1" +
         rest;
}

INSTANTIATE_TEST_SUITE_P(
    Encodings, MalformedBytesTest,
    ::testing::Values(
        MalformedCase{"Garbage", "\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF"},
        MalformedCase{"Text", "this is not a protobuf"},
        // action (field 3, varint) whose value never ends.
        MalformedCase{"TruncatedVarint", Webinar1("\x18\x80")},
        // A tag whose varint never ends.
        MalformedCase{"TruncatedTag", "\x80"},
        // webinar_id claims 5 bytes, 1 follows.
        MalformedCase{"LengthPastEnd",
                      "\x0A\x05"
                      "1"},
        // webinar_id (declared string) sent as a varint: protobuf would keep
        // it as an unknown field and the request would read as "no target".
        MalformedCase{"WrongWireTypeForKnownField", "\x08\x01\x18\x01"},
        // display_name (field 2 of settings) sent as a fixed32.
        MalformedCase{"WrongWireTypeInSettings", Webinar1("\x22\x05\x15\x41\x42\x43\x44")},
        // Wire type 7 does not exist.
        MalformedCase{"InvalidWireType", Webinar1("\x1F")},
        // An end-group tag without a start group.
        MalformedCase{"UnmatchedEndGroup", Webinar1("\x2C")},
        // Field number 0 is reserved.
        MalformedCase{"FieldNumberZero", Webinar1(std::string("\x00\x01", 2))},
        // settings.display_name = C3 28 (a lead byte without continuation).
        MalformedCase{"InvalidUtf8InDisplayName", Webinar1("\x22\x04\x12\x02\xC3\x28")},
        // settings.display_name = ED A0 80 (a UTF-16 surrogate).
        MalformedCase{"SurrogateInDisplayName", Webinar1("\x22\x05\x12\x03\xED\xA0\x80")},
        MalformedCase{"InvalidUtf8InWebinarId", "\x0A\x02\xC3\x28\x18\x01"}),
    [](const ::testing::TestParamInfo<MalformedCase>& info) { return info.param.name; });

TEST_F(MalformedRequestTest, WellFormedRawBytesStillSucceed) {
  RawCall call = CallRaw(*server_, StartRequest().SerializeAsString());
  ASSERT_TRUE(call.status.ok()) << call.status.error_message();
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(call.response.Dump(&slices).ok());
  std::string bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  UpdateStatusResponse response;
  ASSERT_TRUE(response.ParseFromString(bytes));
  EXPECT_THAT(response.tracking_id(), StartsWith("v=2.0;"));
  EXPECT_EQ(emulator_->Requests().size(), 1u);
}

TEST_F(MalformedRequestTest, UnknownFieldsAreAcceptedForNewerClients) {
  // Field 99 (varint) is not in this server's schema.
  RawCall call = CallRaw(*server_, StartRequest().SerializeAsString() + "\x98\x06\x01");
  EXPECT_TRUE(call.status.ok()) << call.status.error_message();
}

TEST_F(MalformedRequestTest, AnEmptyMessageIsValidProtobufAndFailsValidation) {
  RawCall call = CallRaw(*server_, "");
  ASSERT_EQ(call.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(call.status), "INVALID_REQUEST");
  EXPECT_TRUE(emulator_->Requests().empty());
}

TEST_F(MalformedRequestTest, ServerStaysHealthyAfterMalformedRequests) {
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(CallRaw(*server_, "\xFF\xFF").status.error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  UpdateStatusResponse response;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  grpc::Status status = server_->NewStub()->UpdateStatus(&context, StartRequest(), &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

}  // namespace
}  // namespace livestream_gateway::testing
