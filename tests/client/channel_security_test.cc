// TLS, mTLS and bearer tokens in the C++ client library, against the fake
// server listening with certificates made by the openssl CLI.

#include "client/cpp/channel_security.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "client/cpp/livestream_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/client/fake_livestream_server.h"
#include "tests/tls/test_pki.h"

namespace livestream_client {
namespace {

using ::livestream_client::testing::FakeLiveStreamServer;
using ::livestream_client::testing::FakeReply;
using ::livestream_testing::kSpiffeCaller;
using ::livestream_testing::TestPki;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

UpdateStatusRequest Start() {
  UpdateStatusRequest request;
  request.set_webinar_id("99289110036");
  request.set_action(zoom::livestream::v1::LIVE_STREAM_ACTION_START);
  return request;
}

class ChannelSecurityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string pattern = (std::filesystem::temp_directory_path() / "client-tls-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = new std::string(pattern);
    pki_ = new TestPki(*dir_);
    const absl::Status made = pki_->MakeStandardSet();
    ASSERT_TRUE(made.ok()) << made;
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete pki_;
    delete dir_;
  }

  // Server credentials from the PKI; with `require_client_certificate`,
  // clients must present one signed by "ca".
  static std::shared_ptr<grpc::ServerCredentials> ServerTls(bool require_client_certificate) {
    return testing::TlsServerCredentialsFromFiles(
        pki_->cert("server"), pki_->key("server"),
        require_client_certificate ? pki_->cert("ca") : "");
  }

  static absl::Status CallWith(const FakeLiveStreamServer& server, const TlsFiles& files,
                               ClientOptions options = {}) {
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
        MakeTlsCredentials(files);
    if (!credentials.ok()) return credentials.status();
    LiveStreamClient client(MakeChannel(server.target(), {.credentials = *credentials,
                                                          .service_config_json = std::nullopt}),
                            std::move(options));
    return client.UpdateStatus(Start(), absl::Seconds(10)).status();
  }

  std::string WriteFile(const std::string& name, const std::string& contents) {
    std::string path = *dir_ + "/" + name;
    std::ofstream(path) << contents;
    return path;
  }

  static std::string* dir_;
  static TestPki* pki_;
};

std::string* ChannelSecurityTest::dir_ = nullptr;
TestPki* ChannelSecurityTest::pki_ = nullptr;

TEST_F(ChannelSecurityTest, TlsCallTrustsTheGivenCaOnly) {
  FakeLiveStreamServer server(ServerTls(false));
  server.SetReplies({FakeReply::Ok("trk-tls")});
  EXPECT_TRUE(CallWith(server, {.ca_file = pki_->cert("ca")}).ok());
  EXPECT_EQ(CallWith(server, {.ca_file = pki_->cert("other-ca")}).code(),
            absl::StatusCode::kUnavailable);
  // gRPC's default roots do not include the test CA.
  EXPECT_EQ(CallWith(server, {}).code(), absl::StatusCode::kUnavailable);
}

TEST_F(ChannelSecurityTest, MtlsPresentsTheClientCertificate) {
  FakeLiveStreamServer server(ServerTls(true));
  EXPECT_TRUE(CallWith(server, {.ca_file = pki_->cert("ca"),
                                .cert_file = pki_->cert("client"),
                                .key_file = pki_->key("client")})
                  .ok());
  EXPECT_TRUE(CallWith(server, {.ca_file = pki_->cert("ca"),
                                .cert_file = pki_->cert("spiffe-client"),
                                .key_file = pki_->key("spiffe-client")})
                  .ok());
  const std::vector<testing::ReceivedCall> calls = server.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_THAT(calls[0].peer_identity, Contains("caller"));
  EXPECT_THAT(calls[1].peer_identity, Contains(kSpiffeCaller));

  EXPECT_EQ(CallWith(server, {.ca_file = pki_->cert("ca")}).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(CallWith(server, {.ca_file = pki_->cert("ca"),
                              .cert_file = pki_->cert("rogue-client"),
                              .key_file = pki_->key("rogue-client")})
                .code(),
            absl::StatusCode::kUnavailable);
}

TEST_F(ChannelSecurityTest, BearerTokenTravelsAsAuthorizationMetadata) {
  FakeLiveStreamServer server(ServerTls(false));
  ASSERT_TRUE(CallWith(server, {.ca_file = pki_->cert("ca")}, {.bearer_token = "tok-123"}).ok());
  ASSERT_TRUE(CallWith(server, {.ca_file = pki_->cert("ca")}).ok());

  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      MakeTlsCredentials({.ca_file = pki_->cert("ca")});
  ASSERT_TRUE(credentials.ok());
  LiveStreamClient client(MakeChannel(server.target(), {.credentials = *credentials,
                                                        .service_config_json = std::nullopt}),
                          {.bearer_token = "tok-async"});
  absl::Notification done;
  client.UpdateStatusAsync(Start(), absl::Seconds(10),
                           [&](const absl::StatusOr<UpdateStatusResponse>& response) {
                             EXPECT_TRUE(response.ok()) << response.status();
                             done.Notify();
                           });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(30)));

  const std::vector<testing::ReceivedCall> calls = server.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_THAT(calls[0].authorization, ElementsAre("Bearer tok-123"));
  EXPECT_THAT(calls[1].authorization, IsEmpty());
  EXPECT_THAT(calls[2].authorization, ElementsAre("Bearer tok-async"));
}

TEST_F(ChannelSecurityTest, UnreadableFilesFailAtOnceNamingTheFile) {
  const std::string absent = *dir_ + "/absent.crt";
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      MakeTlsCredentials({.ca_file = absent});
  EXPECT_EQ(credentials.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(credentials.status().message(), HasSubstr(absent));

  credentials = MakeTlsCredentials({.cert_file = pki_->cert("client")});
  EXPECT_THAT(credentials.status().message(), HasSubstr("go together"));
  credentials = MakeTlsCredentials({.ca_file = WriteFile("empty.crt", "")});
  EXPECT_THAT(credentials.status().message(), HasSubstr("is empty"));
  credentials = MakeTlsCredentials({.ca_file = *dir_});
  EXPECT_EQ(credentials.status().code(), absl::StatusCode::kInvalidArgument);
}

struct TokenCase {
  std::string name;
  std::string contents;
  std::string token;  // empty: refused
};

void PrintTo(const TokenCase& c, std::ostream* os) { *os << c.name; }

class BearerTokenFileTest : public ChannelSecurityTest,
                            public ::testing::WithParamInterface<TokenCase> {};

TEST_P(BearerTokenFileTest, ReadsOneTokenOrRefusesWithoutQuotingIt) {
  const std::string path = WriteFile("token-" + GetParam().name, GetParam().contents);
  absl::StatusOr<std::string> token = ReadBearerTokenFile(path);
  if (GetParam().token.empty()) {
    ASSERT_FALSE(token.ok());
    EXPECT_EQ(token.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(token.status().message(), AllOf(HasSubstr(path), Not(HasSubstr("s3cret"))));
  } else {
    ASSERT_TRUE(token.ok()) << token.status();
    EXPECT_EQ(*token, GetParam().token);
  }
}

INSTANTIATE_TEST_SUITE_P(Contents, BearerTokenFileTest,
                         ::testing::Values(TokenCase{"Plain", "s3cret.token-1", "s3cret.token-1"},
                                           TokenCase{"FinalNewline", "s3cret\n", "s3cret"},
                                           TokenCase{"SurroundingSpace", "  s3cret \r\n", "s3cret"},
                                           TokenCase{"Empty", "", ""},
                                           TokenCase{"OnlyWhitespace", " \n\t", ""},
                                           TokenCase{"TwoLines", "s3cret\nmore", ""},
                                           TokenCase{"InnerSpace", "s3cret more", ""},
                                           TokenCase{"ControlCharacter", "s3cret\x1b[2J", ""},
                                           TokenCase{"NonAscii", "s3cret\xc3\xa9", ""}),
                         [](const ::testing::TestParamInfo<TokenCase>& info) {
                           return info.param.name;
                         });

TEST_F(ChannelSecurityTest, MissingTokenFileIsRefused) {
  absl::StatusOr<std::string> token = ReadBearerTokenFile(*dir_ + "/absent.token");
  EXPECT_EQ(token.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(token.status().message(), HasSubstr("absent.token"));
}

}  // namespace
}  // namespace livestream_client
