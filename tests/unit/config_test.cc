#include "server/config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage_config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/logging/logger.h"
#include "tests/unit/scoped_env.h"

ABSL_DECLARE_FLAG(std::string, listen);
ABSL_DECLARE_FLAG(std::string, redis_url);
ABSL_DECLARE_FLAG(std::string, redis_password_file);

namespace livestream_gateway {
namespace {

using ::livestream_gateway::testing::ScopedEnv;
using ::testing::HasSubstr;
using ::testing::Not;

Config Valid() {
  Config config;
  config.zoom_access_token = "token";
  return config;
}

TEST(ConfigTest, DefaultsWithATokenAreValid) { EXPECT_TRUE(ValidateConfig(Valid()).ok()); }

TEST(ConfigTest, MetricsAreOffByDefault) { EXPECT_EQ(Config().metrics_listen, ""); }

struct BadConfig {
  std::string name;
  void (*mutate)(Config&);
  std::string message;
};

class ValidateConfigTest : public ::testing::TestWithParam<BadConfig> {};

TEST_P(ValidateConfigTest, RejectsWithAMessageNamingTheSetting) {
  Config config = Valid();
  GetParam().mutate(config);
  absl::Status status = ValidateConfig(config);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Rules, ValidateConfigTest,
    ::testing::Values(
        BadConfig{"NoToken", [](Config& c) { c.zoom_access_token.clear(); }, "ZOOM_ACCESS_TOKEN"},
        BadConfig{"ListenPortOutOfRange", [](Config& c) { c.listen = "127.0.0.1:99999"; },
                  "--listen: '127.0.0.1:99999' is not host:port with a port within 0..65535"},
        BadConfig{"ListenWithoutPort", [](Config& c) { c.listen = "127.0.0.1"; }, "--listen"},
        BadConfig{"MetricsAddressWithoutPort", [](Config& c) { c.metrics_listen = "127.0.0.1"; },
                  "--metrics_listen"},
        BadConfig{"MetricsPortOutOfRange", [](Config& c) { c.metrics_listen = "0.0.0.0:70000"; },
                  "--metrics_listen"},
        BadConfig{"MetricsPortFileWithoutMetrics",
                  [](Config& c) { c.metrics_port_file = "/tmp/port"; }, "--metrics_listen"},
        BadConfig{"MultiLineToken", [](Config& c) { c.zoom_access_token = "a\nb"; }, "single line"},
        BadConfig{"SpaceInToken", [](Config& c) { c.zoom_access_token = "a b"; },
                  "ZOOM_ACCESS_TOKEN or --zoom_access_token_file"},
        BadConfig{"TabInToken", [](Config& c) { c.zoom_access_token = "a\tb"; }, "printable ASCII"},
        BadConfig{"NulInToken", [](Config& c) { c.zoom_access_token = std::string("a\0b", 3); },
                  "printable ASCII"},
        BadConfig{"DeleteInToken", [](Config& c) { c.zoom_access_token = "a\x7f"; },
                  "printable ASCII"},
        BadConfig{"EscapeInToken", [](Config& c) { c.zoom_access_token = "a\x1b[2Jb"; },
                  "printable ASCII"},
        BadConfig{"NoBreakSpaceInToken", [](Config& c) { c.zoom_access_token = "a\u00a0b"; },
                  "printable ASCII"},
        BadConfig{"SpaceInClientSecret",
                  [](Config& c) {
                    c.zoom_access_token.clear();
                    c.zoom_account_id = "acct";
                    c.zoom_client_id = "id";
                    c.zoom_client_secret = "a b";
                  },
                  "printable ASCII"},
        BadConfig{"ControlCharacterInAccountId",
                  [](Config& c) {
                    c.zoom_access_token.clear();
                    c.zoom_account_id = "ac\bct";
                    c.zoom_client_id = "id";
                    c.zoom_client_secret = "s";
                  },
                  "ZOOM_ACCOUNT_ID"},
        BadConfig{"SpaceInClientId",
                  [](Config& c) {
                    c.zoom_access_token.clear();
                    c.zoom_account_id = "acct";
                    c.zoom_client_id = "i d";
                    c.zoom_client_secret = "s";
                  },
                  "ZOOM_CLIENT_ID"},
        BadConfig{"NotHttp", [](Config& c) { c.zoom_api_base_url = "ftp://x"; },
                  "--zoom_api_base_url"},
        BadConfig{"ZeroTimeout", [](Config& c) { c.zoom_timeout = absl::ZeroDuration(); },
                  "--zoom_timeout"},
        BadConfig{"ZeroConnectTimeout",
                  [](Config& c) { c.zoom_connect_timeout = absl::ZeroDuration(); },
                  "--zoom_connect_timeout"},
        BadConfig{"NoConnections", [](Config& c) { c.zoom_max_connections = 0; },
                  "--zoom_max_connections"},
        BadConfig{"NegativeGrace", [](Config& c) { c.shutdown_grace = absl::Seconds(-1); },
                  "--shutdown_grace"},
        BadConfig{"EmptyListen", [](Config& c) { c.listen.clear(); }, "--listen"},
        BadConfig{"NegativeConnectionAge",
                  [](Config& c) { c.connections.max_connection_age = absl::Seconds(-1); },
                  "--max_connection_age"},
        BadConfig{"PlaintextOffLoopback", [](Config& c) { c.listen = "0.0.0.0:50051"; },
                  "--allow_plaintext_non_loopback"},
        BadConfig{"TlsKeyWithoutCert", [](Config& c) { c.listener_security.key_file = "k"; },
                  "--tls_cert_file and --tls_key_file go together"},
        BadConfig{"MetadataLimitBelowACallerToken",
                  [](Config& c) { c.max_metadata_bytes = 12 * 1024 - 1; },
                  "--max_metadata_bytes must be within 12288..1048576"},
        BadConfig{"MetadataLimitZero", [](Config& c) { c.max_metadata_bytes = 0; },
                  "--max_metadata_bytes"},
        BadConfig{"MetadataLimitOverOneMiB",
                  [](Config& c) { c.max_metadata_bytes = 1024 * 1024 + 1; },
                  "--max_metadata_bytes"},
        BadConfig{"PartialOAuth",
                  [](Config& c) {
                    c.zoom_access_token.clear();
                    c.zoom_account_id = "acct";
                    c.zoom_client_id = "id";
                  },
                  "missing: ZOOM_CLIENT_SECRET"},
        BadConfig{"StaticTokenAndOAuth",
                  [](Config& c) {
                    c.zoom_account_id = "acct";
                    c.zoom_client_id = "id";
                    c.zoom_client_secret = "s";
                  },
                  "choose one"},
        BadConfig{"MultiLineClientSecret",
                  [](Config& c) {
                    c.zoom_access_token.clear();
                    c.zoom_account_id = "acct";
                    c.zoom_client_id = "id";
                    c.zoom_client_secret = "a\nb";
                  },
                  "single line"},
        BadConfig{"OAuthUrlNotHttp",
                  [](Config& c) {
                    c.zoom_access_token.clear();
                    c.zoom_account_id = "acct";
                    c.zoom_client_id = "id";
                    c.zoom_client_secret = "s";
                    c.zoom_oauth_url = "zoom.us/oauth/token";
                  },
                  "--zoom_oauth_url"},
        BadConfig{"NegativeQps", [](Config& c) { c.zoom_rate_limit_qps = -1; },
                  "--zoom_rate_limit_qps"},
        BadConfig{"NanQps", [](Config& c) { c.zoom_rate_limit_qps = std::nan(""); },
                  "--zoom_rate_limit_qps"},
        BadConfig{"ZeroBurst", [](Config& c) { c.zoom_rate_limit_burst = 0; },
                  "--zoom_rate_limit_burst"},
        BadConfig{"NegativePauseCap",
                  [](Config& c) { c.zoom_max_retry_after_pause = absl::Seconds(-1); },
                  "--zoom_max_retry_after_pause"},
        BadConfig{"PauseCapOverADay",
                  [](Config& c) { c.zoom_max_retry_after_pause = absl::Hours(25); },
                  "--zoom_max_retry_after_pause"},
        BadConfig{"ZeroAttempts", [](Config& c) { c.zoom_max_attempts = 0; },
                  "--zoom_max_attempts"},
        BadConfig{"TooManyAttempts", [](Config& c) { c.zoom_max_attempts = 11; },
                  "--zoom_max_attempts"},
        // Identities nobody checks would suggest a protection that is not there.
        BadConfig{"BearerTokensWithoutPolicy",
                  [](Config& c) {
                    c.authz_bearer_tokens = std::make_shared<const BearerTokens>(
                        *BearerTokens::Parse("sha256:" + std::string(64, 'a') + " a"));
                  },
                  "--authz_bearer_tokens_file needs --authz_policy_file"},
        BadConfig{"TrustedForwardedCertWithoutPolicy",
                  [](Config& c) { c.trust_forwarded_client_cert = true; },
                  "--trust_forwarded_client_cert needs --authz_policy_file"},
        BadConfig{"RedisTimeoutTooShort",
                  [](Config& c) { c.redis_timeout = absl::Milliseconds(5); }, "--redis_timeout"},
        BadConfig{"RedisTimeoutTooLong", [](Config& c) { c.redis_timeout = absl::Seconds(11); },
                  "--redis_timeout"},
        BadConfig{"FallbackShareZero", [](Config& c) { c.redis_fallback_share = 0; },
                  "--redis_fallback_share must be within (0, 1]"},
        BadConfig{"FallbackShareAboveOne", [](Config& c) { c.redis_fallback_share = 1.5; },
                  "--redis_fallback_share"},
        BadConfig{"FallbackShareNaN", [](Config& c) { c.redis_fallback_share = std::nan(""); },
                  "--redis_fallback_share"},
        BadConfig{"ReloadIntervalTooShort",
                  [](Config& c) { c.authz_reload_interval = absl::Milliseconds(1); },
                  "--authz_reload_interval"},
        BadConfig{"ReloadIntervalTooLong",
                  [](Config& c) { c.authz_reload_interval = absl::Hours(2); },
                  "--authz_reload_interval"}),
    [](const ::testing::TestParamInfo<BadConfig>& info) { return info.param.name; });

TEST(ConfigTest, ErrorsNeverQuoteTheToken) {
  Config config = Valid();
  config.zoom_access_token = "secret\nvalue";
  absl::Status status = ValidateConfig(config);
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()), ::testing::Not(HasSubstr("secret")));
}

TEST(ConfigTest, MetadataLimitsWithinTheRangeAreValid) {
  for (int limit : {12 * 1024, 16 * 1024, 1024 * 1024}) {
    Config config = Valid();
    config.max_metadata_bytes = limit;
    EXPECT_TRUE(ValidateConfig(config).ok()) << limit << ": " << ValidateConfig(config);
  }
}

TEST(ConfigTest, ErrorsNeverQuoteATokenWithASpace) {
  Config config = Valid();
  config.zoom_access_token = "s3cret value";
  absl::Status status = ValidateConfig(config);
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()), ::testing::Not(HasSubstr("s3cret")));
}

struct GoodConfig {
  std::string name;
  void (*mutate)(Config&);
};

class AcceptedConfigTest : public ::testing::TestWithParam<GoodConfig> {};

TEST_P(AcceptedConfigTest, IsValid) {
  Config config = Valid();
  GetParam().mutate(config);
  EXPECT_TRUE(ValidateConfig(config).ok()) << ValidateConfig(config);
}

INSTANTIATE_TEST_SUITE_P(
    Credentials, AcceptedConfigTest,
    ::testing::Values(GoodConfig{"StaticToken", [](Config&) {}},
                      GoodConfig{"OAuth",
                                 [](Config& c) {
                                   c.zoom_access_token.clear();
                                   c.zoom_account_id = "acct";
                                   c.zoom_client_id = "id";
                                   c.zoom_client_secret = "s";
                                 }},
                      GoodConfig{"CallerTokensOnly",
                                 [](Config& c) {
                                   c.zoom_access_token.clear();
                                   c.allow_caller_token = true;
                                 }},
                      GoodConfig{"CallerTokensBesideAStaticToken",
                                 [](Config& c) { c.allow_caller_token = true; }},
                      GoodConfig{"RateLimitOff", [](Config& c) { c.zoom_rate_limit_qps = 0; }},
                      GoodConfig{"FractionalRate", [](Config& c) { c.zoom_rate_limit_qps = 0.5; }},
                      GoodConfig{"NoRetries", [](Config& c) { c.zoom_max_attempts = 1; }},
                      GoodConfig{"Metrics",
                                 [](Config& c) {
                                   c.metrics_listen = "[::]:9464";
                                   c.metrics_port_file = "/tmp/port";
                                 }},
                      GoodConfig{"AuthzWithEveryPrincipalSource",
                                 [](Config& c) {
                                   c.authz_policy = std::make_shared<const AuthzPolicy>();
                                   c.authz_bearer_tokens =
                                       std::make_shared<const BearerTokens>(*BearerTokens::Parse(
                                           "sha256:" + std::string(64, 'a') + " a"));
                                   c.trust_forwarded_client_cert = true;
                                 }},
                      // A JWT: base64url segments and dots.
                      GoodConfig{"JwtToken",
                                 [](Config& c) {
                                   c.zoom_access_token =
                                       "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0."
                                       "abc-_DEF~+/=";
                                 }}),
    [](const ::testing::TestParamInfo<GoodConfig>& info) { return info.param.name; });

TEST(ConfigTest, TheRetryAfterPauseCapTakesZeroToADay) {
  Config config = Valid();
  EXPECT_EQ(config.zoom_max_retry_after_pause, absl::Seconds(60));
  for (const absl::Duration cap : {absl::ZeroDuration(), absl::Seconds(1), absl::Hours(24)}) {
    config.zoom_max_retry_after_pause = cap;
    EXPECT_TRUE(ValidateConfig(config).ok()) << cap;
  }
}

TEST(ConfigTest, OAuthIsUsedWhenItsCredentialsAreSet) {
  Config config = Valid();
  EXPECT_FALSE(UsesOAuth(config));
  config.zoom_access_token.clear();
  config.zoom_account_id = "acct";
  config.zoom_client_id = "id";
  config.zoom_client_secret = "s";
  EXPECT_TRUE(UsesOAuth(config));
}

TEST(ConfigTest, ErrorsNeverQuoteTheClientSecret) {
  Config config = Valid();
  config.zoom_access_token.clear();
  config.zoom_account_id = "acct";
  config.zoom_client_id = "id";
  config.zoom_client_secret = "cl1ent-secret\nvalue";
  absl::Status status = ValidateConfig(config);
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()), ::testing::Not(HasSubstr("cl1ent")));
}

// A server started without flags runs as Config{} (and the libraries' option
// structs) describe: both start from server/defaults.h, and the settings the
// flags spell out as words (encoding, log format) must name the same values.
TEST(ConfigTest, TheFlagsDefaultToConfigsDefaults) {
  const ScopedEnv token("ZOOM_ACCESS_TOKEN", "token");
  const ScopedEnv account("ZOOM_ACCOUNT_ID", nullptr);
  const ScopedEnv client("ZOOM_CLIENT_ID", nullptr);
  const ScopedEnv secret("ZOOM_CLIENT_SECRET", nullptr);
  const absl::StatusOr<Config> flags = ConfigFromFlagsAndEnv();
  ASSERT_TRUE(flags.ok()) << flags.status();
  const Config defaults;
  EXPECT_EQ(flags->listen, defaults.listen);
  EXPECT_EQ(flags->metrics_listen, defaults.metrics_listen);
  EXPECT_EQ(flags->listener_security.refresh_interval, defaults.listener_security.refresh_interval);
  EXPECT_EQ(flags->listener_security.allow_plaintext_non_loopback,
            defaults.listener_security.allow_plaintext_non_loopback);
  EXPECT_EQ(flags->zoom_api_base_url, defaults.zoom_api_base_url);
  EXPECT_EQ(flags->zoom_oauth_url, defaults.zoom_oauth_url);
  EXPECT_EQ(flags->allow_caller_token, defaults.allow_caller_token);
  EXPECT_EQ(flags->zoom_rate_limit_qps, defaults.zoom_rate_limit_qps);
  EXPECT_EQ(flags->zoom_rate_limit_burst, defaults.zoom_rate_limit_burst);
  EXPECT_EQ(flags->zoom_max_retry_after_pause, defaults.zoom_max_retry_after_pause);
  EXPECT_EQ(flags->zoom_max_attempts, defaults.zoom_max_attempts);
  EXPECT_EQ(flags->zoom_body_encoding, defaults.zoom_body_encoding);
  EXPECT_EQ(flags->zoom_timeout, defaults.zoom_timeout);
  EXPECT_EQ(flags->zoom_max_connections, defaults.zoom_max_connections);
  EXPECT_EQ(flags->zoom_connect_timeout, defaults.zoom_connect_timeout);
  EXPECT_EQ(flags->zoom_ca_file, defaults.zoom_ca_file);
  EXPECT_EQ(flags->shutdown_grace, defaults.shutdown_grace);
  EXPECT_EQ(flags->connections.max_connection_age, defaults.connections.max_connection_age);
  EXPECT_EQ(flags->connections.max_connection_age_grace,
            defaults.connections.max_connection_age_grace);
  EXPECT_EQ(flags->connections.max_connection_idle, defaults.connections.max_connection_idle);
  EXPECT_EQ(flags->connections.keepalive_time, defaults.connections.keepalive_time);
  EXPECT_EQ(flags->connections.keepalive_timeout, defaults.connections.keepalive_timeout);
  EXPECT_EQ(flags->connections.keepalive_min_ping_interval,
            defaults.connections.keepalive_min_ping_interval);
  EXPECT_EQ(flags->max_metadata_bytes, defaults.max_metadata_bytes);
  EXPECT_EQ(flags->log_requests, defaults.log_requests);
  EXPECT_EQ(flags->trust_forwarded_client_cert, defaults.trust_forwarded_client_cert);
  EXPECT_EQ(flags->authz_reload_interval, defaults.authz_reload_interval);
  EXPECT_FALSE(flags->redis.has_value());
  EXPECT_EQ(flags->redis_timeout, defaults.redis_timeout);
  EXPECT_EQ(flags->redis_fallback_share, defaults.redis_fallback_share);
  // The logger writes logfmt until main() has read --log_format.
  const absl::StatusOr<LogFormat> log_format = LogFormatFromFlags();
  ASSERT_TRUE(log_format.ok()) << log_format.status();
  EXPECT_EQ(*log_format, CurrentLogFormat());
}

// The password comes from the URL or from --redis_password_file, never
// both, and no error quotes it (or the URL that holds it).
TEST(ConfigTest, RedisSettingsComeFromTheFlagsAndNoErrorQuotesThePassword) {
  const ScopedEnv token("ZOOM_ACCESS_TOKEN", "token");
  const ScopedEnv account("ZOOM_ACCOUNT_ID", nullptr);
  const ScopedEnv client("ZOOM_CLIENT_ID", nullptr);
  const ScopedEnv secret("ZOOM_CLIENT_SECRET", nullptr);
  absl::FlagSaver saver;
  char dir_template[] = "/tmp/config-test-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string password_file = std::string(dir_template) + "/redis-password";
  {
    std::ofstream out(password_file);
    out << "from-the-file-5309\n";
  }
  chmod(password_file.c_str(), 0600);

  absl::SetFlag(&FLAGS_redis_url, "redis://:in-the-url-8675@cache:6380/2");
  absl::StatusOr<Config> config = ConfigFromFlagsAndEnv();
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_TRUE(config->redis.has_value());
  EXPECT_EQ(config->redis->host, "cache");
  EXPECT_EQ(config->redis->port, 6380);
  EXPECT_EQ(config->redis->db, 2);
  EXPECT_EQ(config->redis->password, "in-the-url-8675");

  absl::SetFlag(&FLAGS_redis_password_file, password_file);
  config = ConfigFromFlagsAndEnv();
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("give one"));
  EXPECT_THAT(std::string(config.status().message()), Not(HasSubstr("in-the-url-8675")));
  EXPECT_THAT(std::string(config.status().message()), Not(HasSubstr("from-the-file-5309")));

  absl::SetFlag(&FLAGS_redis_url, "redis://cache");
  config = ConfigFromFlagsAndEnv();
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->redis->password, "from-the-file-5309");

  absl::SetFlag(&FLAGS_redis_url, "rediss://:in-the-url-8675@cache");
  config = ConfigFromFlagsAndEnv();
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("TLS"));
  EXPECT_THAT(std::string(config.status().message()), Not(HasSubstr("in-the-url-8675")));

  absl::SetFlag(&FLAGS_redis_url, "");
  config = ConfigFromFlagsAndEnv();
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()),
              HasSubstr("--redis_password_file needs --redis_url"));
  unlink(password_file.c_str());
  rmdir(dir_template);
}

TEST(ServerFlagsUsageConfigTest, HelpListsTheFlagsOfTheServerDirectory) {
  // Spelled however this build names sources, like every flag's file.
  const std::string config_cc = absl::GetFlagReflectionHandle(FLAGS_listen).Filename();
  ASSERT_THAT(config_cc, ::testing::EndsWith("server/config.cc"));
  const std::string server_dir = config_cc.substr(0, config_cc.rfind('/') + 1);
  const std::string parent =
      server_dir.substr(0, server_dir.size() - std::string("server/").size());
  const absl::FlagsUsageConfig usage = ServerFlagsUsageConfig();
  const struct {
    std::string file;
    bool listed;
  } cases[] = {
      {config_cc, true},
      {server_dir + "tls.cc", true},
      {server_dir + "zoom/retrying_client.cc", true},
      {parent + "server_tools/main.cc", false},
      {parent + "tests/zoom_emulator/main.cc", false},
      {"build/abseil-cpp/absl/flags/parse.cc", false},
      {"absl/flags/internal/usage.cc", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(usage.contains_help_flags(c.file), c.listed) << c.file;
    EXPECT_EQ(usage.contains_helpshort_flags(c.file), c.listed) << c.file;
    EXPECT_EQ(usage.contains_helppackage_flags(c.file), c.listed) << c.file;
  }
}

}  // namespace
}  // namespace livestream_gateway
