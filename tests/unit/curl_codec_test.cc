#include "server/zoom/curl_codec.h"

#include <curl/curl.h>
#include <openssl/ssl.h>

#include <cstdint>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace livestream_gateway::curl_codec {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

// --- ValidateRequest ---

struct ValidationCase {
  std::string name;
  HttpRequest request;
  absl::StatusCode code;
  std::string message;  // exact; empty when OK
};
void PrintTo(const ValidationCase& c, std::ostream* os) { *os << c.name; }

class ValidateRequestTest : public ::testing::TestWithParam<ValidationCase> {};

TEST_P(ValidateRequestTest, AcceptsOnlyWhatCanBeSent) {
  const absl::Status status = ValidateRequest(GetParam().request);
  EXPECT_EQ(status.code(), GetParam().code) << status;
  EXPECT_EQ(status.message(), GetParam().message);
}

// `a`, a NUL, then `b`.
std::string WithNul(absl::string_view a, absl::string_view b) {
  return absl::StrCat(a, absl::string_view("\0", 1), b);
}

INSTANTIATE_TEST_SUITE_P(
    Requests, ValidateRequestTest,
    ::testing::Values(
        ValidationCase{"Get", {"GET", "http://h/x", {}, ""}, absl::StatusCode::kOk, ""},
        ValidationCase{"HttpsAnyCase",
                       {"PATCH", "HTTPS://h/x", {{"Authorization", "Bearer t"}}, "{}"},
                       absl::StatusCode::kOk,
                       ""},
        ValidationCase{"TokenMethod", {"M-SEARCH", "http://h", {}, ""}, absl::StatusCode::kOk, ""},
        ValidationCase{"EmptyHeaderValue",
                       {"GET", "http://h", {{"X-Empty", ""}}, ""},
                       absl::StatusCode::kOk,
                       ""},
        ValidationCase{"EmptyMethod",
                       {"", "http://h", {}, ""},
                       absl::StatusCode::kInvalidArgument,
                       "HTTP transport: invalid request method"},
        ValidationCase{"MethodWithSpace",
                       {"GET /evil", "http://h", {}, ""},
                       absl::StatusCode::kInvalidArgument,
                       "HTTP transport: invalid request method"},
        ValidationCase{"MethodWithLineBreak",
                       {"GET\r\n", "http://h", {}, ""},
                       absl::StatusCode::kInvalidArgument,
                       "HTTP transport: invalid request method"},
        ValidationCase{"FtpUrl",
                       {"GET", "ftp://h/x", {}, ""},
                       absl::StatusCode::kInvalidArgument,
                       "HTTP transport: URL must be http:// or https://"},
        ValidationCase{"NoScheme",
                       {"GET", "h/x", {}, ""},
                       absl::StatusCode::kInvalidArgument,
                       "HTTP transport: URL must be http:// or https://"},
        ValidationCase{"UrlWithLineBreak",
                       {"GET", "http://h/x\r\nX-Evil: 1", {}, ""},
                       absl::StatusCode::kInvalidArgument,
                       "HTTP transport: URL must be http:// or https://"},
        ValidationCase{"UrlWithNul",
                       {"GET", WithNul("http://h/x", "y"), {}, ""},
                       absl::StatusCode::kInvalidArgument,
                       "HTTP transport: URL must be http:// or https://"},
        ValidationCase{"HeaderNameNotAToken",
                       {"GET", "http://h", {{"Bad Name", "v"}}, ""},
                       absl::StatusCode::kInvalidArgument,
                       "HTTP transport: invalid header name in request"},
        ValidationCase{"HeaderValueWithCrLf",
                       {"GET", "http://h", {{"Authorization", "s3cr3t\r\nX-Evil: 1"}}, ""},
                       absl::StatusCode::kInvalidArgument,
                       "HTTP transport: invalid header Authorization in request"},
        ValidationCase{"HeaderValueWithLf",
                       {"GET", "http://h", {{"X-A", "a\nb"}}, ""},
                       absl::StatusCode::kInvalidArgument,
                       "HTTP transport: invalid header X-A in request"},
        ValidationCase{"HeaderValueWithNul",
                       {"GET", "http://h", {{"X-A", WithNul("a", "b")}}, ""},
                       absl::StatusCode::kInvalidArgument,
                       "HTTP transport: invalid header X-A in request"}),
    [](const auto& info) { return info.param.name; });

// --- HeaderList ---

struct HeaderListCase {
  std::string name;
  HttpHeaders headers;
  std::string lines;  // exact bytes, NULs included
};
void PrintTo(const HeaderListCase& c, std::ostream* os) { *os << c.name; }

class HeaderListTest : public ::testing::TestWithParam<HeaderListCase> {};

std::string Lines(std::initializer_list<absl::string_view> lines) {
  std::string out;
  for (absl::string_view line : lines) {
    absl::StrAppend(&out, line);
    out.push_back('\0');
  }
  return out;
}

// The nodes libcurl walks, as strings.
std::vector<std::string> Walk(HeaderList& list) {
  std::vector<std::string> out;
  for (const curl_slist* node = list.head(); node != nullptr; node = node->next) {
    out.emplace_back(node->data);
  }
  return out;
}

TEST_P(HeaderListTest, BuildsTheLinesAndLinksThem) {
  HeaderList list;
  list.Assign(GetParam().headers);
  EXPECT_EQ(list.lines(), GetParam().lines);
  std::vector<std::string> expected;
  for (absl::string_view line : absl::StrSplit(GetParam().lines, '\0', absl::SkipEmpty())) {
    expected.emplace_back(line);
  }
  EXPECT_EQ(Walk(list), expected);
}

INSTANTIATE_TEST_SUITE_P(
    Headers, HeaderListTest,
    ::testing::Values(
        HeaderListCase{"None", {}, Lines({"Expect:", "Content-Type:", "Accept:"})},
        HeaderListCase{
            "ValuesAndAnEmptyOne",
            {{"Authorization", "Bearer t"}, {"X-Empty", ""}},
            Lines({"Authorization: Bearer t", "X-Empty;", "Expect:", "Content-Type:", "Accept:"})},
        HeaderListCase{"OwnContentTypeAndAcceptAnyCase",
                       {{"content-type", "application/json"}, {"ACCEPT", "*/*"}},
                       Lines({"content-type: application/json", "ACCEPT: */*", "Expect:"})},
        HeaderListCase{"AllThreeOwn",
                       {{"Expect", "x"}, {"Content-Type", "y"}, {"Accept", "z"}},
                       Lines({"Expect: x", "Content-Type: y", "Accept: z"})},
        HeaderListCase{"RepeatedNamesKeepOrder",
                       {{"X-A", "1"}, {"X-A", "2"}},
                       Lines({"X-A: 1", "X-A: 2", "Expect:", "Content-Type:", "Accept:"})}),
    [](const auto& info) { return info.param.name; });

TEST(HeaderListTest, ReassignReplacesTheListAndClearEmptiesIt) {
  HeaderList list;
  list.Assign({{"X-Long", std::string(4096, 'a')}, {"X-B", "b"}, {"X-C", "c"}});
  list.Assign({{"X-D", "d"}});
  EXPECT_EQ(list.lines(), Lines({"X-D: d", "Expect:", "Content-Type:", "Accept:"}));
  EXPECT_THAT(Walk(list), ElementsAre("X-D: d", "Expect:", "Content-Type:", "Accept:"));
  list.Clear();
  EXPECT_EQ(list.lines(), "");
  EXPECT_EQ(list.head(), nullptr);
}

// --- MethodOf ---

struct MethodCase {
  std::string name;
  HttpRequest request;
  Method::Kind kind;
  const char* custom;  // null: the kind's own method
};
void PrintTo(const MethodCase& c, std::ostream* os) { *os << c.name; }

class MethodOfTest : public ::testing::TestWithParam<MethodCase> {};

TEST_P(MethodOfTest, ChoosesLibcurlsOptions) {
  const Method method = MethodOf(GetParam().request);
  EXPECT_EQ(method.kind, GetParam().kind);
  if (GetParam().custom == nullptr) {
    EXPECT_EQ(method.custom, nullptr);
  } else {
    ASSERT_NE(method.custom, nullptr);
    EXPECT_STREQ(method.custom, GetParam().custom);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Methods, MethodOfTest,
    ::testing::Values(
        MethodCase{"Get", {"GET", "http://h", {}, ""}, Method::Kind::kNoBody, nullptr},
        MethodCase{"GetWithBody", {"GET", "http://h", {}, "q"}, Method::Kind::kWithBody, "GET"},
        MethodCase{"Head", {"HEAD", "http://h", {}, ""}, Method::Kind::kHead, nullptr},
        MethodCase{"HeadWithBody", {"HEAD", "http://h", {}, "q"}, Method::Kind::kHead, nullptr},
        MethodCase{"Post", {"POST", "http://h", {}, "{}"}, Method::Kind::kWithBody, nullptr},
        MethodCase{"PostEmpty", {"POST", "http://h", {}, ""}, Method::Kind::kWithBody, nullptr},
        MethodCase{"PutEmpty", {"PUT", "http://h", {}, ""}, Method::Kind::kWithBody, "PUT"},
        MethodCase{"Patch", {"PATCH", "http://h", {}, "{}"}, Method::Kind::kWithBody, "PATCH"},
        MethodCase{"Delete", {"DELETE", "http://h", {}, ""}, Method::Kind::kNoBody, "DELETE"},
        MethodCase{
            "DeleteWithBody", {"DELETE", "http://h", {}, "x"}, Method::Kind::kWithBody, "DELETE"},
        MethodCase{
            "LowerCaseIsItsOwnMethod", {"get", "http://h", {}, ""}, Method::Kind::kNoBody, "get"}),
    [](const auto& info) { return info.param.name; });

// --- TimeoutMs and TimedOutAtDeadline ---

struct TimeoutCase {
  std::string name;
  absl::Duration until_deadline;  // InfiniteDuration: an infinite deadline
  long timeout_ms;                // NOLINT(google-runtime-int): libcurl's type
};
void PrintTo(const TimeoutCase& c, std::ostream* os) { *os << c.name; }

class TimeoutMsTest : public ::testing::TestWithParam<TimeoutCase> {};

TEST_P(TimeoutMsTest, RoundsUpAndClamps) {
  const absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  const absl::Time deadline = GetParam().until_deadline == absl::InfiniteDuration()
                                  ? absl::InfiniteFuture()
                                  : now + GetParam().until_deadline;
  EXPECT_EQ(TimeoutMs(deadline, now), GetParam().timeout_ms);
}

INSTANTIATE_TEST_SUITE_P(Deadlines, TimeoutMsTest,
                         ::testing::Values(TimeoutCase{"Infinite", absl::InfiniteDuration(), 0},
                                           TimeoutCase{"WholeMillis", absl::Milliseconds(250), 250},
                                           TimeoutCase{"FractionRoundsUp", absl::Microseconds(1001),
                                                       2},
                                           TimeoutCase{"UnderOneMilli", absl::Microseconds(1), 1},
                                           TimeoutCase{"Now", absl::ZeroDuration(), 1},
                                           TimeoutCase{"Past", absl::Seconds(-5), 1},
                                           TimeoutCase{"Far", absl::Hours(24 * 100),
                                                       std::numeric_limits<int32_t>::max()}),
                         [](const auto& info) { return info.param.name; });

TEST(TimedOutAtDeadlineTest, AllowsTwoMillisecondsOfSkew) {
  const absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  EXPECT_TRUE(TimedOutAtDeadline(now - absl::Seconds(1), now));
  EXPECT_TRUE(TimedOutAtDeadline(now, now));
  EXPECT_TRUE(TimedOutAtDeadline(now + absl::Milliseconds(2), now));
  EXPECT_FALSE(TimedOutAtDeadline(now + absl::Milliseconds(3), now));
  EXPECT_FALSE(TimedOutAtDeadline(absl::InfiniteFuture(), now));
}

// --- ResponseReader ---

bool Feed(ResponseReader& reader, std::initializer_list<absl::string_view> lines) {
  for (absl::string_view line : lines) {
    if (!reader.OnHeaderLine(line)) return false;
  }
  return true;
}

TEST(ResponseReaderTest, KeepsTheFinalHeadersLowerCasedAndTrimmed) {
  ResponseReader reader;
  ASSERT_TRUE(Feed(reader, {"HTTP/1.1 100 Continue\r\n", "X-Early: 1\r\n", "\r\n",
                            "HTTP/1.1 200 OK\r\n", "Content-Type:  application/json \r\n",
                            "X-Empty:\r\n", "not a header\r\n", "X-Bare: v\n", "\r\n"}));
  EXPECT_TRUE(reader.headers_complete());
  EXPECT_FALSE(reader.header_overflow());
  EXPECT_THAT(reader.response().headers, ElementsAre(Pair("content-type", "application/json"),
                                                     Pair("x-empty", ""), Pair("x-bare", "v")));
  EXPECT_EQ(reader.header_bytes(), 124u);  // every line, 1xx included
}

TEST(ResponseReaderTest, JoinsFoldedLines) {
  ResponseReader reader;
  ASSERT_TRUE(Feed(reader, {"HTTP/1.1 200 OK\r\n", " ignored: before any header\r\n", "X-F: a\r\n",
                            "  b \r\n", "\tc\r\n", "X-E:\r\n", " v\r\n", " \r\n", "\r\n"}));
  EXPECT_THAT(reader.response().headers, ElementsAre(Pair("x-f", "a b c"), Pair("x-e", "v")));
}

TEST(ResponseReaderTest, HeadersAreIncompleteUntilTheBlankLine) {
  ResponseReader reader;
  ASSERT_TRUE(Feed(reader, {"HTTP/1.1 200 OK\r\n", "X-A: 1\r\n"}));
  EXPECT_FALSE(reader.headers_complete());
  ASSERT_TRUE(Feed(reader, {"\r\n"}));
  EXPECT_TRUE(reader.headers_complete());
  // A later status line (after a 1xx) starts over.
  ASSERT_TRUE(Feed(reader, {"HTTP/1.1 200 OK\r\n"}));
  EXPECT_FALSE(reader.headers_complete());
  EXPECT_TRUE(reader.response().headers.empty());
}

TEST(ResponseReaderTest, HeaderBlockIsCappedAcrossLines) {
  ResponseReader reader;
  const std::string status = "HTTP/1.1 200 OK\r\n";
  std::string filler = "X-Big: ";
  filler.append(kMaxHeaderBytes - status.size() - filler.size() - 2, 'a');
  filler.append("\r\n");
  ASSERT_TRUE(Feed(reader, {status, filler}));
  EXPECT_EQ(reader.header_bytes(), kMaxHeaderBytes);
  EXPECT_FALSE(reader.header_overflow());
  EXPECT_FALSE(reader.OnHeaderLine("\n"));
  EXPECT_TRUE(reader.header_overflow());
}

TEST(ResponseReaderTest, BodyIsKeptUpToTheCapAndThenTruncated) {
  ResponseReader reader;
  const std::string half(kMaxBodyBytes / 2, 'x');
  EXPECT_TRUE(reader.OnBody(half));
  EXPECT_TRUE(reader.OnBody(half));
  EXPECT_EQ(reader.response().body.size(), kMaxBodyBytes);
  EXPECT_FALSE(reader.response().body_truncated);
  EXPECT_FALSE(reader.OnBody("y"));
  EXPECT_TRUE(reader.response().body_truncated);
  EXPECT_EQ(reader.response().body, half + half);
}

TEST(ResponseReaderTest, APieceStraddlingTheCapKeepsWhatFits) {
  ResponseReader reader;
  EXPECT_TRUE(reader.OnBody(std::string(kMaxBodyBytes - 3, 'x')));
  EXPECT_FALSE(reader.OnBody("abcdef"));
  EXPECT_TRUE(reader.response().body_truncated);
  EXPECT_EQ(reader.response().body.size(), kMaxBodyBytes);
  EXPECT_EQ(reader.response().body.substr(kMaxBodyBytes - 3), "abc");
}

// --- TransferStatus and CurlError ---

struct TransferCase {
  std::string name;
  TransferEnd end;
  absl::StatusCode code;
  std::string message;  // exact
};
void PrintTo(const TransferCase& c, std::ostream* os) { *os << c.name; }

class TransferStatusTest : public ::testing::TestWithParam<TransferCase> {};

TEST_P(TransferStatusTest, JudgesTheEnd) {
  const absl::Status status = TransferStatus(GetParam().end);
  EXPECT_EQ(status.code(), GetParam().code) << status;
  EXPECT_EQ(status.message(), GetParam().message);
}

std::string Strerror(CURLcode code) { return curl_easy_strerror(code); }

INSTANTIATE_TEST_SUITE_P(
    Ends, TransferStatusTest,
    ::testing::Values(
        TransferCase{
            "Answer", {.code = CURLE_OK, .headers_complete = true}, absl::StatusCode::kOk, ""},
        TransferCase{"TruncatedBodyIsAnAnswer",
                     {.code = CURLE_WRITE_ERROR, .headers_complete = true, .body_truncated = true},
                     absl::StatusCode::kOk,
                     ""},
        TransferCase{"OversizedHeaders",
                     {.code = CURLE_WRITE_ERROR, .header_overflow = true, .detail = "x"},
                     absl::StatusCode::kUnavailable,
                     "HTTP transport: response headers exceed 65536 bytes"},
        TransferCase{"ClosedInsideTheHeaders",
                     {.code = CURLE_OK, .headers_complete = false},
                     absl::StatusCode::kUnavailable,
                     "HTTP transport: connection closed before the response headers ended"},
        TransferCase{"WriteErrorWithoutTruncation",
                     {.code = CURLE_WRITE_ERROR, .headers_complete = true},
                     absl::StatusCode::kUnavailable,
                     "HTTP transport: " + Strerror(CURLE_WRITE_ERROR)},
        TransferCase{
            "TimeoutAtTheDeadline",
            {.code = CURLE_OPERATION_TIMEDOUT, .at_deadline = true, .detail = "after 5 ms"},
            absl::StatusCode::kDeadlineExceeded,
            "HTTP transport: deadline exceeded (after 5 ms)"},
        TransferCase{"ConnectTimeoutBeforeTheDeadline",
                     {.code = CURLE_OPERATION_TIMEDOUT, .at_deadline = false, .detail = "connect"},
                     absl::StatusCode::kUnavailable,
                     "HTTP transport: " + Strerror(CURLE_OPERATION_TIMEDOUT) + " (connect)"},
        TransferCase{
            "Refused",
            {.code = CURLE_COULDNT_CONNECT, .detail = "Connection refused"},
            absl::StatusCode::kUnavailable,
            "HTTP transport: " + Strerror(CURLE_COULDNT_CONNECT) + " (Connection refused)"},
        TransferCase{"EmptyDetailIsLeftOut",
                     {.code = CURLE_GOT_NOTHING, .detail = ""},
                     absl::StatusCode::kUnavailable,
                     "HTTP transport: " + Strerror(CURLE_GOT_NOTHING)},
        TransferCase{"MalformedUrl",
                     {.code = CURLE_URL_MALFORMAT},
                     absl::StatusCode::kInvalidArgument,
                     "HTTP transport: " + Strerror(CURLE_URL_MALFORMAT)}),
    [](const auto& info) { return info.param.name; });

TEST(CurlErrorTest, MapsOnlyAMalformedUrlToInvalidArgument) {
  EXPECT_EQ(CurlError(CURLE_URL_MALFORMAT, nullptr).code(), absl::StatusCode::kInvalidArgument);
  for (CURLcode code : {CURLE_UNSUPPORTED_PROTOCOL, CURLE_COULDNT_RESOLVE_HOST,
                        CURLE_SSL_CONNECT_ERROR, CURLE_RECV_ERROR, CURLE_OUT_OF_MEMORY}) {
    EXPECT_EQ(CurlError(code, nullptr).code(), absl::StatusCode::kUnavailable) << code;
  }
  EXPECT_EQ(CurlError(CURLE_RECV_ERROR, "reset").message(),
            "HTTP transport: " + Strerror(CURLE_RECV_ERROR) + " (reset)");
}

// --- DeliveryOf ---

struct DeliveryCase {
  std::string name;
  TransferProgress progress;
  Delivery delivery;
};
void PrintTo(const DeliveryCase& c, std::ostream* os) { *os << c.name; }

class DeliveryOfTest : public ::testing::TestWithParam<DeliveryCase> {};

TEST_P(DeliveryOfTest, IsMaybeOnceAByteLeftOrCameBack) {
  EXPECT_EQ(DeliveryOf(GetParam().progress), GetParam().delivery);
}

INSTANTIATE_TEST_SUITE_P(
    Progress, DeliveryOfTest,
    ::testing::Values(
        DeliveryCase{"NeverRan", {.ran = false}, Delivery::kNotDelivered},
        DeliveryCase{"NeverRanIgnoresCounts",
                     {.ran = false, .response_header_bytes = 5, .request_bytes = 5},
                     Delivery::kNotDelivered},
        DeliveryCase{"RanButNothingMoved", {.ran = true}, Delivery::kNotDelivered},
        DeliveryCase{
            "RequestWritten", {.ran = true, .request_bytes = 1}, Delivery::kMaybeDelivered},
        DeliveryCase{"BodyUploaded", {.ran = true, .upload_bytes = 1}, Delivery::kMaybeDelivered},
        DeliveryCase{
            "AnswerStarted", {.ran = true, .response_header_bytes = 1}, Delivery::kMaybeDelivered}),
    [](const auto& info) { return info.param.name; });

}  // namespace
TEST(ReleaseIdleTlsBuffersTest, LetsOpenSslFreeTheBuffersOfIdleConnections) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  ASSERT_NE(ctx, nullptr);
  const long mode_before = SSL_CTX_get_mode(ctx);  // NOLINT(google-runtime-int): OpenSSL's type
  ASSERT_EQ(mode_before & SSL_MODE_RELEASE_BUFFERS, 0);

  EXPECT_EQ(ReleaseIdleTlsBuffers(nullptr, ctx, nullptr), CURLE_OK);

  EXPECT_NE(SSL_CTX_get_mode(ctx) & SSL_MODE_RELEASE_BUFFERS, 0);
  // The modes libcurl set stay.
  EXPECT_EQ(SSL_CTX_get_mode(ctx) & mode_before, mode_before);
  SSL_CTX_free(ctx);
}

}  // namespace livestream_gateway::curl_codec
