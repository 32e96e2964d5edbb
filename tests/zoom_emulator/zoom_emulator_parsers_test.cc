// In-process, table-driven tests of the emulator's pure pieces: HTTP head
// parsing, form data, JSON limits, UTF-8, listen addresses, and the
// clock-dependent token expiry.

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string>
#include <variant>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/zoom_emulator/emulator.h"
#include "tests/zoom_emulator/form_data.h"
#include "tests/zoom_emulator/http_message.h"
#include "tests/zoom_emulator/json.h"
#include "tests/zoom_emulator/listen_address.h"

namespace zoom_emulator {
namespace {

// ---------------------------------------------------------------- HTTP head

struct HeadCase {
  std::string name;
  std::string head;
  int error_status;  // 0: parses
};

class RequestHeadTest : public ::testing::TestWithParam<HeadCase> {};

TEST_P(RequestHeadTest, ParsesOrRefusesWithStatus) {
  const auto result = ParseRequestHead(GetParam().head);
  if (GetParam().error_status == 0) {
    EXPECT_TRUE(std::holds_alternative<RequestHead>(result)) << std::get<HttpError>(result).message;
  } else {
    ASSERT_TRUE(std::holds_alternative<HttpError>(result));
    EXPECT_EQ(std::get<HttpError>(result).status, GetParam().error_status);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, RequestHeadTest,
    ::testing::Values(
        HeadCase{"Minimal11", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 0},
        HeadCase{"Http10WithoutHost", "GET / HTTP/1.0\r\n\r\n", 0},
        HeadCase{"PatchWithBody", "PATCH /v2/x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n",
                 0},
        HeadCase{"RepeatedEqualLengths",
                 "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", 0},
        HeadCase{"MaxBody",
                 absl::StrCat("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ", kMaxBodyBytes,
                              "\r\n\r\n"),
                 0},
        HeadCase{"Garbage", "GARBAGE\r\n\r\n", 400},
        HeadCase{"TwoSpaces", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        HeadCase{"AbsoluteForm", "GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        HeadCase{"MissingHost", "GET / HTTP/1.1\r\n\r\n", 400},
        HeadCase{"TwoHosts", "GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400},
        HeadCase{"Http2", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505},
        HeadCase{"BadVersion", "GET / HTTX/1.1\r\nHost: x\r\n\r\n", 400},
        HeadCase{"SpaceBeforeColon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400},
        HeadCase{"NoColon", "GET / HTTP/1.1\r\nHost: x\r\nnocolon\r\n\r\n", 400},
        HeadCase{"Folding", "GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n c\r\n\r\n", 400},
        HeadCase{"BareLf", "GET / HTTP/1.1\r\nHost: x\nA: b\r\n\r\n", 400},
        HeadCase{"ControlInValue", "GET / HTTP/1.1\r\nHost: x\r\nA: b\x01\r\n\r\n", 400},
        HeadCase{"NegativeLength", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400},
        HeadCase{"PlusLength", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +1\r\n\r\n", 400},
        HeadCase{"HugeLength",
                 "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n", 400},
        HeadCase{"ConflictingLengths",
                 "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                 400},
        HeadCase{"Chunked", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
                 411},
        HeadCase{"ChunkedAndLength",
                 "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: "
                 "3\r\n\r\n",
                 400},
        HeadCase{"TooLarge",
                 absl::StrCat("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ", kMaxBodyBytes + 1,
                              "\r\n\r\n"),
                 413},
        HeadCase{"UnknownExpectation", "POST / HTTP/1.1\r\nHost: x\r\nExpect: magic\r\n\r\n", 417}),
    [](const auto& info) { return info.param.name; });

TEST(RequestHeadTest, SplitsTargetAndLowerCasesHeaderNames) {
  const auto result = ParseRequestHead(
      "POST /oauth/token?grant_type=x HTTP/1.1\r\nHOST: h\r\nX-Two: a\r\nx-two: b\r\n"
      "Content-Length: 3\r\nExpect: 100-continue\r\n\r\n");
  ASSERT_TRUE(std::holds_alternative<RequestHead>(result));
  const auto& head = std::get<RequestHead>(result);
  EXPECT_EQ(head.method, "POST");
  EXPECT_EQ(head.path, "/oauth/token");
  EXPECT_EQ(head.query, "grant_type=x");
  EXPECT_EQ(head.content_length, 3u);
  EXPECT_TRUE(head.keep_alive);
  EXPECT_TRUE(head.expect_continue);
  EXPECT_EQ(JoinedHeader(head.headers, "x-two"), "a, b");
  EXPECT_EQ(JoinedHeader(head.headers, "host"), "h");
}

TEST(RequestHeadTest, KeepAliveFollowsVersionAndConnectionHeader) {
  const auto keep_alive = [](const std::string& head) {
    return std::get<RequestHead>(ParseRequestHead(head)).keep_alive;
  };
  EXPECT_TRUE(keep_alive("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_FALSE(keep_alive("GET / HTTP/1.1\r\nHost: x\r\nConnection: Close\r\n\r\n"));
  EXPECT_FALSE(keep_alive("GET / HTTP/1.0\r\n\r\n"));
  EXPECT_TRUE(keep_alive("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
}

TEST(FindHeadEndTest, FindsTheBlankLineFromAnOffset) {
  const std::string buffer = "GET / HTTP/1.1\r\nHost: x\r\n\r\nrest";
  EXPECT_EQ(FindHeadEnd(buffer), buffer.size() - 4);
  EXPECT_EQ(FindHeadEnd(buffer, 20), buffer.size() - 4);
  EXPECT_EQ(FindHeadEnd("GET / HTTP/1.1\r\nHost: x\r\n"), std::string::npos);
}

TEST(SerializeResponseTest, FramesBodiesAndOmitsThemWhereForbidden) {
  HttpResponse ok;
  ok.status = 200;
  ok.headers = {{"X-A", "b"}};
  ok.body = "{}";
  EXPECT_EQ(SerializeResponse(ok), "HTTP/1.1 200 OK\r\nX-A: b\r\nContent-Length: 2\r\n\r\n{}");
  EXPECT_EQ(SerializeResponse(ok, /*head_only=*/true),
            "HTTP/1.1 200 OK\r\nX-A: b\r\nContent-Length: 2\r\n\r\n");
  HttpResponse no_content;
  no_content.status = 204;
  no_content.body = "ignored";
  no_content.close = true;
  EXPECT_EQ(SerializeResponse(no_content), "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
}

// ---------------------------------------------------------------- form data

struct ParameterCase {
  std::string name;
  std::string input;
  bool ok;
  std::string value;
  std::string boundary;  // expected "boundary" parameter, if ok
};

class ParameterizedValueTest : public ::testing::TestWithParam<ParameterCase> {};

TEST_P(ParameterizedValueTest, Parses) {
  const auto result = ParseParameterizedValue(GetParam().input);
  ASSERT_EQ(result.ok(), GetParam().ok) << result.status();
  if (!result.ok()) return;
  EXPECT_EQ(result->value, GetParam().value);
  EXPECT_EQ(result->Parameter("boundary").value_or(""), GetParam().boundary);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParameterizedValueTest,
    ::testing::Values(ParameterCase{"Json", "application/json", true, "application/json", ""},
                      ParameterCase{"JsonCharset", "Application/JSON; charset=utf-8", true,
                                    "application/json", ""},
                      ParameterCase{"TokenBoundary", "multipart/form-data; boundary=abc", true,
                                    "multipart/form-data", "abc"},
                      ParameterCase{"QuotedBoundary", "multipart/form-data; BOUNDARY=\"a b\\\"c\"",
                                    true, "multipart/form-data", "a b\"c"},
                      ParameterCase{"TrailingSemicolon", "text/plain;", true, "text/plain", ""},
                      ParameterCase{"Empty", "", false, "", ""},
                      ParameterCase{"MissingSubtype", "text/", false, "", ""},
                      ParameterCase{"Unterminated", "multipart/form-data; boundary=\"abc", false,
                                    "", ""},
                      ParameterCase{"NoEquals", "multipart/form-data; boundary", false, "", ""},
                      ParameterCase{"Junk", "multipart/form-data boundary=x", false, "", ""}),
    [](const auto& info) { return info.param.name; });

struct MultipartCase {
  std::string name;
  std::string body;
  std::string boundary;
  bool ok;
  std::vector<std::pair<std::string, std::string>> parts;  // name, value
};

class MultipartTest : public ::testing::TestWithParam<MultipartCase> {};

TEST_P(MultipartTest, Parses) {
  const auto result = ParseMultipartFormData(GetParam().body, GetParam().boundary);
  ASSERT_EQ(result.ok(), GetParam().ok) << result.status();
  if (!result.ok()) return;
  std::vector<std::pair<std::string, std::string>> parts;
  for (const FormPart& part : *result) parts.emplace_back(part.name, part.value);
  EXPECT_EQ(parts, GetParam().parts);
}

INSTANTIATE_TEST_SUITE_P(
    Table, MultipartTest,
    ::testing::Values(
        MultipartCase{"CurlStyle",
                      "--XyZ\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\nstart\r\n"
                      "--XyZ\r\nContent-Disposition: form-data; name=\"settings\"\r\n"
                      "Content-Type: application/json\r\n\r\n{\"a\":1}\r\n--XyZ--\r\n",
                      "XyZ",
                      true,
                      {{"action", "start"}, {"settings", "{\"a\":1}"}}},
        MultipartCase{"PreambleEpilogueAndPadding",
                      "preamble\r\n--b \t\r\ncontent-disposition: FORM-DATA; name=x\r\n\r\n"
                      "line1\r\nline2\r\n--b--epilogue",
                      "b",
                      true,
                      {{"x", "line1\r\nline2"}}},
        MultipartCase{"EmptyValueAndNoParts",
                      "--b\r\nContent-Disposition: form-data; name=\"e\"\r\n\r\n\r\n--b--",
                      "b",
                      true,
                      {{"e", ""}}},
        MultipartCase{"CloseOnly", "--b--\r\n", "b", true, {}},
        MultipartCase{"BoundaryLookalikeInValue",
                      "--b\r\nContent-Disposition: form-data; name=\"v\"\r\n\r\n--bx\r\n--b--",
                      "b",
                      true,
                      {{"v", "--bx"}}},
        MultipartCase{"NoOpening", "garbage", "b", false, {}},
        MultipartCase{"NoClosing",
                      "--b\r\nContent-Disposition: form-data; name=\"v\"\r\n\r\nvalue",
                      "b",
                      false,
                      {}},
        MultipartCase{
            "NoDisposition", "--b\r\nContent-Type: text/plain\r\n\r\nv\r\n--b--", "b", false, {}},
        MultipartCase{"NoHeaders", "--b\r\n\r\nv\r\n--b--", "b", false, {}},
        MultipartCase{"NotFormData",
                      "--b\r\nContent-Disposition: attachment; name=\"v\"\r\n\r\nv\r\n--b--",
                      "b",
                      false,
                      {}},
        MultipartCase{
            "NoName", "--b\r\nContent-Disposition: form-data\r\n\r\nv\r\n--b--", "b", false, {}},
        MultipartCase{"UnterminatedPartHead",
                      "--b\r\nContent-Disposition: form-data; name=\"v\"\r\n--b--",
                      "b",
                      false,
                      {}},
        MultipartCase{"GarbageAfterBoundary", "--bjunk\r\n--b--", "b", false, {}},
        MultipartCase{"EmptyBoundary", "----\r\n", "", false, {}},
        MultipartCase{"LongBoundary", "--x--", std::string(71, 'x'), false, {}}),
    [](const auto& info) { return info.param.name; });

TEST(UrlEncodedTest, DecodesPlusAndPercentEscapes) {
  const auto result = ParseUrlEncoded("grant_type=account_credentials&account_id=a%2Bb+c&flag&&x=");
  ASSERT_TRUE(result.ok());
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"grant_type", "account_credentials"}, {"account_id", "a+b c"}, {"flag", ""}, {"x", ""}};
  EXPECT_EQ(*result, expected);
  EXPECT_FALSE(ParseUrlEncoded("a=%2").ok());
  EXPECT_FALSE(ParseUrlEncoded("a=%zz").ok());
}

// ---------------------------------------------------------------- JSON, UTF-8

TEST(JsonTest, RefusesDeepNestingAndTooManyValuesBeforeParsing) {
  const JsonLimits limits{.max_depth = 3, .max_values = 5};
  EXPECT_TRUE(ParseJson("[[[1]]]", limits).ok());
  EXPECT_FALSE(ParseJson("[[[[1]]]]", limits).ok());
  EXPECT_TRUE(ParseJson("[1,2,3,4]", limits).ok());
  EXPECT_FALSE(ParseJson("[1,2,3,4,5,6]", limits).ok());
  // Brackets and commas inside strings are text, not structure.
  EXPECT_TRUE(ParseJson(R"({"a":"[[[[,,,,,,]]]] \" [[[["})", limits).ok());
  // The default limits still refuse pathological nesting quickly.
  EXPECT_FALSE(ParseJson(std::string(100000, '[')).ok());
}

TEST(JsonTest, ParsesAnyValueAndRefusesGarbage) {
  EXPECT_EQ(ParseJson(R"({"a":[1,"x",true,null]})")->struct_value().fields().size(), 1u);
  EXPECT_TRUE(ParseJson("\"s\"")->has_string_value());
  EXPECT_FALSE(ParseJson("").ok());
  EXPECT_FALSE(ParseJson("{").ok());
  EXPECT_FALSE(ParseJson("{} x").ok());
  EXPECT_FALSE(ParseJson("{\"x\":\"\xff\"}").ok());
}

TEST(JsonTest, PrintsSortedKeysEscapesAndExactNumbers) {
  const auto value =
      ParseJson(R"({"message":"a\"b\\c\n\u0001é","code":124,"errors":[{"z":1.5,"a":-3}],)"
                R"("big":12345678901234,"tiny":1e-7,"t":true,"n":null})");
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(ToJson(*value), R"({"big":12345678901234,"code":124,"errors":[{"a":-3,"z":1.5}],)"
                            R"("message":"a\"b\\c\n\u0001é","n":null,"t":true,"tiny":1e-07})");
  // What is printed parses back to the same value.
  EXPECT_EQ(ToJson(*ParseJson(ToJson(*value))), ToJson(*value));
}

struct Utf8Case {
  std::string name;
  std::string text;
  int code_points;  // -1: invalid
  std::string sanitized;
};

class Utf8Test : public ::testing::TestWithParam<Utf8Case> {};

TEST_P(Utf8Test, CountsCodePointsAndSanitizes) {
  const auto count = Utf8CodePoints(GetParam().text);
  if (GetParam().code_points < 0) {
    EXPECT_FALSE(count.has_value());
  } else {
    ASSERT_TRUE(count.has_value());
    EXPECT_EQ(*count, static_cast<size_t>(GetParam().code_points));
  }
  EXPECT_EQ(SanitizeUtf8(GetParam().text), GetParam().sanitized);
}

INSTANTIATE_TEST_SUITE_P(
    Table, Utf8Test,
    ::testing::Values(Utf8Case{"Empty", "", 0, ""}, Utf8Case{"Ascii", "Jill", 4, "Jill"},
                      Utf8Case{"TwoByte", "\xC3\xA9t\xC3\xA9", 3, "\xC3\xA9t\xC3\xA9"},
                      Utf8Case{"Emoji", "\xF0\x9F\x8E\xA5", 1, "\xF0\x9F\x8E\xA5"},
                      Utf8Case{"StrayByte", "a\xFF", -1, "a\xEF\xBF\xBD"},
                      Utf8Case{"Overlong", "\xC0\xAF", -1, "\xEF\xBF\xBD\xEF\xBF\xBD"},
                      Utf8Case{"Surrogate", "\xED\xA0\x80", -1,
                               "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
                      Utf8Case{"Truncated", "\xE2\x82", -1, "\xEF\xBF\xBD\xEF\xBF\xBD"}),
    [](const auto& info) { return info.param.name; });

// ---------------------------------------------------------------- listen address

struct AddressCase {
  std::string name;
  std::string spec;
  bool ok;
  int family;
  int port;
};

class ListenAddressTest : public ::testing::TestWithParam<AddressCase> {};

TEST_P(ListenAddressTest, AcceptsOnlyLoopback) {
  const auto result = ParseLoopbackListenAddress(GetParam().spec);
  ASSERT_EQ(result.ok(), GetParam().ok) << result.status();
  if (!result.ok()) return;
  EXPECT_EQ(result->storage.ss_family, GetParam().family);
  const auto* v4 = reinterpret_cast<const sockaddr_in*>(&result->storage);
  const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&result->storage);
  EXPECT_EQ(ntohs(GetParam().family == AF_INET ? v4->sin_port : v6->sin6_port), GetParam().port);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ListenAddressTest,
    ::testing::Values(AddressCase{"Default", "127.0.0.1:0", true, AF_INET, 0},
                      AddressCase{"Other127", "127.1.2.3:8080", true, AF_INET, 8080},
                      AddressCase{"V6Loopback", "[::1]:65535", true, AF_INET6, 65535},
                      AddressCase{"AnyV4", "0.0.0.0:0", false, 0, 0},
                      AddressCase{"AnyV6", "[::]:0", false, 0, 0},
                      AddressCase{"PublicV4", "10.0.0.1:80", false, 0, 0},
                      AddressCase{"MappedV4", "[::ffff:127.0.0.1]:0", false, 0, 0},
                      AddressCase{"Hostname", "localhost:0", false, 0, 0},
                      AddressCase{"NoPort", "127.0.0.1", false, 0, 0},
                      AddressCase{"BadPort", "127.0.0.1:65536", false, 0, 0},
                      AddressCase{"SignedPort", "127.0.0.1:+1", false, 0, 0},
                      AddressCase{"UnbracketedV6", "::1:0", false, 0, 0}),
    [](const auto& info) { return info.param.name; });

// ---------------------------------------------------------------- token expiry

HttpRequest MakeRequest(std::string method, std::string target, HttpHeaders headers,
                        std::string body = "") {
  HttpRequest request;
  request.head.method = std::move(method);
  request.head.target = target;
  const size_t q = target.find('?');
  request.head.path = target.substr(0, q);
  if (q != std::string::npos) request.head.query = target.substr(q + 1);
  request.head.headers = std::move(headers);
  request.body = std::move(body);
  return request;
}

TEST(EmulatorTokenTest, IssuedTokensExpireOnTheClock) {
  absl::Time now = absl::FromUnixSeconds(1700000000);
  EmulatorOptions options;
  options.oauth_expires_in = absl::Seconds(60);
  options.clock = [&now] { return now; };
  Emulator emulator(options);

  const Reply issued = emulator.Handle(
      MakeRequest("POST", "/oauth/token?grant_type=account_credentials&account_id=emulator-account",
                  {{"authorization",
                    "Basic " + absl::Base64Escape("emulator-client-id:emulator-client-secret")}}));
  ASSERT_EQ(issued.response.status, 200) << issued.response.body;
  const auto body = ParseJson(issued.response.body);
  ASSERT_TRUE(body.ok());
  const std::string token = body->struct_value().fields().at("access_token").string_value();
  EXPECT_EQ(body->struct_value().fields().at("expires_in").number_value(), 60);

  const auto call = [&] {
    return emulator.Handle(
        MakeRequest("PATCH", "/v2/webinars/99289110036/livestream/status",
                    {{"authorization", "Bearer " + token}, {"content-type", "application/json"}},
                    R"({"action":"stop"})"));
  };
  EXPECT_EQ(call().response.status, 204);
  now += absl::Seconds(59);
  EXPECT_EQ(call().response.status, 204);
  now += absl::Seconds(1);
  const Reply expired = call();
  EXPECT_EQ(expired.response.status, 401);
  EXPECT_NE(expired.response.body.find("Access token is expired."), std::string::npos);
}

TEST(EmulatorTokenTest, EmptyStaticTokenAcceptsIssuedTokensOnly) {
  EmulatorOptions options;
  options.access_token = "";
  Emulator emulator(options);
  const Reply reply = emulator.Handle(
      MakeRequest("PATCH", "/v2/webinars/99289110036/livestream/status",
                  {{"authorization", "Bearer "}, {"content-type", "application/json"}}, "{}"));
  EXPECT_EQ(reply.response.status, 401);
}

TEST(EmulatorRecordTest, ByteBudgetEvictsOldestRecords) {
  EmulatorOptions options;
  options.max_recorded_bytes = 5000;
  Emulator emulator(options);
  const std::string big_name(1000, 'n');
  for (int i = 0; i < 5; ++i) {
    emulator.Handle(MakeRequest("PATCH", "/v2/webinars/1/livestream/status",
                                {{"content-type", "application/json"}},
                                absl::StrCat(R"({"i":)", i, R"(,"pad":")", big_name, R"("})")));
  }
  const Reply reply = emulator.Handle(MakeRequest("GET", "/_emulator/requests", {}));
  const auto records = ParseJson(reply.response.body, {.max_depth = 32, .max_values = 100000});
  ASSERT_TRUE(records.ok());
  const auto& fields = records->struct_value().fields();
  const auto& list = fields.at("requests").list_value();
  // Each record weighs about 2 KiB (raw body counted twice), so two fit.
  ASSERT_EQ(list.values_size(), 2);
  EXPECT_EQ(list.values(1)
                .struct_value()
                .fields()
                .at("json")
                .struct_value()
                .fields()
                .at("i")
                .number_value(),
            4);
  EXPECT_EQ(fields.at("dropped").number_value(), 3);
}

}  // namespace
}  // namespace zoom_emulator
