#include "server/idempotency/outcome_codec.h"

#include <string>
#include <vector>

#include "absl/strings/cord.h"
#include "gtest/gtest.h"

namespace livestream_gateway::idempotency {
namespace {

Outcome ErrorWithDetails() {
  Outcome outcome;
  outcome.status = absl::ResourceExhaustedError("no slot before the deadline");
  outcome.status.SetPayload("type.googleapis.com/google.rpc.ErrorInfo",
                            absl::Cord(std::string("\x0a\x03\x00\xff", 4)));
  outcome.status.SetPayload("type.googleapis.com/google.rpc.RetryInfo", absl::Cord("r"));
  return outcome;
}

TEST(OutcomeCodecTest, RoundTripsWhatTheStoreHolds) {
  const std::vector<Outcome> outcomes = {
      Outcome{},
      Outcome{.status = absl::OkStatus(), .response = std::string("\x08\x01\x00", 3)},
      ErrorWithDetails(),
      Outcome{.status = absl::UnauthenticatedError("")},
  };
  for (const Outcome& outcome : outcomes) {
    absl::StatusOr<Outcome> decoded = DecodeOutcome(EncodeOutcome(outcome), 4096);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(decoded->status, outcome.status);
    EXPECT_EQ(decoded->response, outcome.response);
  }
}

TEST(OutcomeCodecTest, RefusesWhatItWouldNotWrite) {
  const std::string good = EncodeOutcome(ErrorWithDetails());
  std::vector<std::string> bad = {
      "",
      std::string(1, '\x02'),                       // another version
      good.substr(0, good.size() - 1),              // cut short
      good + "x",                                   // trailing bytes
      std::string("\x01\x11", 2) + good.substr(2),  // code 17
  };
  // A length that runs past the end.
  std::string long_message = good;
  long_message[2] = '\x7f';
  bad.push_back(long_message);
  // OK with a message.
  std::string ok_with_message = EncodeOutcome(Outcome{});
  ok_with_message[2] = '\x01';
  ok_with_message.insert(6, "x");
  bad.push_back(ok_with_message);
  for (const std::string& bytes : bad) {
    EXPECT_FALSE(DecodeOutcome(bytes, 4096).ok()) << bytes.size();
  }
}

TEST(OutcomeCodecTest, RefusesAnOutcomeOverTheBound) {
  const Outcome big{.status = absl::OkStatus(), .response = std::string(5000, 'x')};
  absl::StatusOr<Outcome> decoded = DecodeOutcome(EncodeOutcome(big), 4096);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(DecodeOutcome(EncodeOutcome(big), 8192).ok());
}

}  // namespace
}  // namespace livestream_gateway::idempotency
