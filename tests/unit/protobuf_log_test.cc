#include "server/logging/protobuf_log.h"

#include <google/protobuf/stubs/logging.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "zoom/livestream/v1/livestream_service.pb.h"

namespace livestream_gateway {
namespace {

using ::testing::MatchesRegex;

TEST(ProtobufLogTest, ProtobufsOwnLinesGoThroughTheLogger) {
  RouteProtobufLogsToLogger();
  ::testing::internal::CaptureStderr();
  // webinar_id (field 1, a proto3 string) holding a byte that is not UTF-8:
  // protobuf refuses it and says so at level ERROR.
  zoom::livestream::v1::UpdateStatusRequest request;
  const bool parsed = request.ParseFromString(std::string("\x0a\x01\xff", 3));
  const std::string out = ::testing::internal::GetCapturedStderr();
  google::protobuf::SetLogHandler(nullptr);
  EXPECT_FALSE(parsed);
  EXPECT_THAT(out, MatchesRegex("time=[^ ]+ level=error msg=\"String field "
                                "'zoom\\.livestream\\.v1\\.UpdateStatusRequest\\.webinar_id' "
                                "contains invalid UTF-8 data[^\"]*\" component=protobuf "
                                "source=[^ ]+\\.cc:[0-9]+\n"));
}

}  // namespace
}  // namespace livestream_gateway
