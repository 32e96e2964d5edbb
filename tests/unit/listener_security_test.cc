#include "server/listener_security.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace livestream_gateway {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

struct AddressCase {
  std::string listen;
  bool loopback;
};

class LoopbackTest : public ::testing::TestWithParam<AddressCase> {};

TEST_P(LoopbackTest, Classifies) {
  EXPECT_EQ(IsLoopbackListenAddress(GetParam().listen), GetParam().loopback) << GetParam().listen;
}

INSTANTIATE_TEST_SUITE_P(
    Addresses, LoopbackTest,
    ::testing::Values(
        AddressCase{"127.0.0.1:50051", true}, AddressCase{"127.0.0.1:0", true},
        AddressCase{"127.10.20.30:50051", true}, AddressCase{"localhost:50051", true},
        AddressCase{"[::1]:50051", true}, AddressCase{"[::ffff:127.0.0.1]:50051", true},
        AddressCase{"unix:/run/gateway.sock", true}, AddressCase{"unix-abstract:gateway", true},
        AddressCase{"0.0.0.0:50051", false}, AddressCase{"[::]:50051", false},
        AddressCase{":50051", false}, AddressCase{"10.0.0.7:50051", false},
        AddressCase{"128.0.0.1:50051", false}, AddressCase{"[::2]:50051", false},
        AddressCase{"[::ffff:10.0.0.1]:50051", false}, AddressCase{"gateway.internal:50051", false},
        AddressCase{"localhost.example.com:50051", false}, AddressCase{"[::1:50051", false},
        AddressCase{"127.0.0.1", false}, AddressCase{"", false}));

ListenerSecurity Tls() { return {.cert_file = "server.crt", .key_file = "server.key"}; }

struct RuleCase {
  std::string name;
  std::string listen;
  ListenerSecurity security;
  std::string error;  // empty: valid
};

class ValidateListenerSecurityTest : public ::testing::TestWithParam<RuleCase> {};

TEST_P(ValidateListenerSecurityTest, AppliesTheRules) {
  const absl::Status status = ValidateListenerSecurity(GetParam().listen, GetParam().security);
  if (GetParam().error.empty()) {
    EXPECT_TRUE(status.ok()) << status;
  } else {
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(status.message()), HasSubstr(GetParam().error));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rules, ValidateListenerSecurityTest,
    ::testing::Values(
        RuleCase{"PlaintextOnLoopback", "127.0.0.1:50051", {}, ""},
        RuleCase{"PlaintextOnAnyAddress", "0.0.0.0:50051", {}, "--allow_plaintext_non_loopback"},
        RuleCase{"PlaintextOnAnyV6", "[::]:50051", {}, "is not a loopback address and TLS is off"},
        RuleCase{"PlaintextOnAHostName", "gateway.internal:50051", {}, "--tls_cert_file"},
        RuleCase{"PlaintextAllowedForASidecar",
                 "0.0.0.0:50051",
                 {.allow_plaintext_non_loopback = true},
                 ""},
        RuleCase{"TlsOnAnyAddress", "0.0.0.0:50051", Tls(), ""},
        RuleCase{"MtlsOnAnyAddress",
                 "0.0.0.0:50051",
                 {.cert_file = "s.crt", .key_file = "s.key", .client_ca_file = "ca.crt"},
                 ""},
        RuleCase{"CertWithoutKey", "127.0.0.1:0", {.cert_file = "s.crt"}, "go together"},
        RuleCase{"KeyWithoutCert", "127.0.0.1:0", {.key_file = "s.key"}, "go together"},
        RuleCase{"ClientCaWithoutCert",
                 "127.0.0.1:0",
                 {.client_ca_file = "ca.crt"},
                 "--tls_client_ca_file (mTLS) needs --tls_cert_file"},
        RuleCase{"RefreshTooShort",
                 "127.0.0.1:0",
                 {.cert_file = "s.crt",
                  .key_file = "s.key",
                  .refresh_interval = absl::Milliseconds(500)},
                 "--tls_refresh_interval"}),
    [](const auto& info) { return info.param.name; });

TEST(DescribeListenerSecurityTest, NamesTheMode) {
  EXPECT_EQ(DescribeListenerSecurity("127.0.0.1:50051", {}), "plaintext (loopback only)");
  EXPECT_EQ(DescribeListenerSecurity("0.0.0.0:50051", {.allow_plaintext_non_loopback = true}),
            "plaintext (not loopback: --allow_plaintext_non_loopback; a sidecar must terminate "
            "TLS in front of this server)");
  EXPECT_EQ(DescribeListenerSecurity("0.0.0.0:50051", Tls()),
            "TLS (no client certificates); certificate reloaded every 1m");
  EXPECT_EQ(DescribeListenerSecurity(
                "0.0.0.0:50051",
                {.cert_file = "s.crt", .key_file = "s.key", .client_ca_file = "/etc/ca.crt"}),
            "mTLS: client certificates required, verified against /etc/ca.crt; certificates "
            "reloaded every 1m");
}

// Test vectors made once with the openssl CLI: a self-signed P-256
// certificate valid from 2026-12-03 06:46:26 UTC to 2126-11-09 06:46:26 UTC,
// its key (PKCS#8 and the traditional EC form), and an unrelated key. Throwaway
// keys that protect nothing.
constexpr char kCertificate[] = R"(-----BEGIN CERTIFICATE-----
MIIBlDCCATqgAwIBAgIUMh7akGzF4tXpd5DKgaQDELFOCSMwCgYIKoZIzj0EAwIw
FjEUMBIGA1UEAwwLdGVzdC1zZXJ2ZXIwIBcNMjYxMjAzMDY0NjI2WhgPMjEyNjEx
MDkwNjQ2MjZaMBYxFDASBgNVBAMMC3Rlc3Qtc2VydmVyMFkwEwYHKoZIzj0CAQYI
KoZIzj0DAQcDQgAEvJgXr0vImOizi4M/Hrd7sLq3C5iv3KZZwMYn4EB2ThrZ2/6P
zr6r8tsazrgPs7cITiyQGsUewIGB2gD48AP47KNkMGIwHQYDVR0OBBYEFM5Q2BgZ
kyJhlgRhMGUp4u74aWT8MB8GA1UdIwQYMBaAFM5Q2BgZkyJhlgRhMGUp4u74aWT8
MA8GA1UdEwEB/wQFMAMBAf8wDwYDVR0RBAgwBocEfwAAATAKBggqhkjOPQQDAgNI
ADBFAiATjkTttwEkss/z7zybR65zU9upeHez6ikkim1bVZnIMgIhAPbnMnNrBJKo
2qDXkkaVhsLPcEr8RxaI32tp0Yvcj0Yo
-----END CERTIFICATE-----
)";
constexpr char kKey[] = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgqrnUeykT5+zrODF3
4Mvn7QnpUUBYNNUa5svar5pJ7MahRANCAAS8mBevS8iY6LOLgz8et3uwurcLmK/c
plnAxifgQHZOGtnb/o/Ovqvy2xrOuA+ztwhOLJAaxR7AgYHaAPjwA/js
-----END PRIVATE KEY-----
)";
constexpr char kEcKey[] = R"(-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIKq51HspE+fs6zgxd+DL5+0J6VFAWDTVGubL2q+aSezGoAoGCCqGSM49
AwEHoUQDQgAEvJgXr0vImOizi4M/Hrd7sLq3C5iv3KZZwMYn4EB2ThrZ2/6Pzr6r
8tsazrgPs7cITiyQGsUewIGB2gD48AP47A==
-----END EC PRIVATE KEY-----
)";
constexpr char kOtherKey[] = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgMiUHEGtGdIsH1HCB
3ux93sCFWOlHVUMZFdrZvKV8/zmhRANCAAS+/Xr/5jPgy9mbhNtqb9urUMjBfLV+
SuFyjBpJBznE+kBKeXjgDieQd6oT0QlvzdgBDpjxgsWAYEZaa8zbRN8Z
-----END PRIVATE KEY-----
)";

TEST(CheckKeyMatchesCertificateTest, AcceptsTheCertificatesKeyInEitherForm) {
  EXPECT_TRUE(CheckKeyMatchesCertificate(kCertificate, kKey).ok());
  EXPECT_TRUE(CheckKeyMatchesCertificate(kCertificate, kEcKey).ok());
  // A chain: the leaf comes first.
  EXPECT_TRUE(CheckKeyMatchesCertificate(absl::StrCat(kCertificate, kCertificate), kKey).ok());
}

TEST(CheckKeyMatchesCertificateTest, RefusesAnotherKeyOrUnparsablePem) {
  absl::Status status = CheckKeyMatchesCertificate(kCertificate, kOtherKey);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              AllOf(HasSubstr("--tls_key_file is not the private key of the certificate"),
                    Not(HasSubstr("MIGH"))));
  status = CheckKeyMatchesCertificate(
      "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", kKey);
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("--tls_cert_file: the certificate does not parse"));
  status = CheckKeyMatchesCertificate(
      kCertificate, "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n");
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("--tls_key_file: the private key does not parse"));
}

TEST(CertificateValidityProblemTest, NamesExpiryAndNotYetValid) {
  EXPECT_EQ(CertificateValidityProblem(
                kCertificate, absl::FromCivil(absl::CivilSecond(2050, 1, 1), absl::UTCTimeZone())),
            "");
  EXPECT_EQ(CertificateValidityProblem(
                kCertificate, absl::FromCivil(absl::CivilSecond(2200, 1, 1), absl::UTCTimeZone())),
            "expired at 2126-11-09T06:46:26+00:00");
  EXPECT_EQ(CertificateValidityProblem(
                kCertificate, absl::FromCivil(absl::CivilSecond(2020, 1, 1), absl::UTCTimeZone())),
            "is not valid before 2026-12-03T06:46:26+00:00");
}

class CheckFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "tls-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& contents, mode_t mode = 0600) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << contents;
    chmod(path.c_str(), mode);
    return path;
  }

  absl::Status Check(const ListenerSecurity& security) {
    warnings_.clear();
    return CheckListenerSecurityFiles(security, warnings_);
  }

  std::string dir_;
  std::vector<std::string> warnings_;
};

TEST_F(CheckFilesTest, PlaintextReadsNothing) { EXPECT_TRUE(Check({}).ok()); }

TEST_F(CheckFilesTest, AcceptsPemFiles) {
  const std::string cert = Write("s.crt", kCertificate);
  EXPECT_TRUE(Check({.cert_file = cert, .key_file = Write("s.key", kKey)}).ok());
  EXPECT_TRUE(Check({.cert_file = cert,
                     .key_file = Write("ec.key", kEcKey),
                     .client_ca_file = Write("ca.crt", kCertificate)})
                  .ok());
  EXPECT_THAT(warnings_, IsEmpty());
}

TEST_F(CheckFilesTest, RefusesAMissingFileNamingTheFlag) {
  const std::string cert = Write("s.crt", kCertificate);
  const std::string key = Write("s.key", kKey);
  absl::Status status = Check({.cert_file = dir_ + "/absent.crt", .key_file = key});
  EXPECT_THAT(std::string(status.message()),
              AllOf(HasSubstr("--tls_cert_file"), HasSubstr("does not exist")));
  status = Check({.cert_file = cert, .key_file = dir_ + "/absent.key"});
  EXPECT_THAT(std::string(status.message()), HasSubstr("--tls_key_file"));
  status = Check({.cert_file = cert, .key_file = key, .client_ca_file = dir_});
  EXPECT_THAT(std::string(status.message()),
              AllOf(HasSubstr("--tls_client_ca_file"), HasSubstr("is a directory")));
}

TEST_F(CheckFilesTest, RefusesFilesWithoutPemOfTheirKind) {
  const std::string cert = Write("s.crt", kCertificate);
  const std::string key = Write("s.key", kKey);
  // A key where the certificate belongs, and the reverse: the classic swap.
  absl::Status status = Check({.cert_file = key, .key_file = cert});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              AllOf(HasSubstr("--tls_cert_file"), HasSubstr("holds no PEM certificate"),
                    Not(HasSubstr("MIIE"))));
  status = Check({.cert_file = cert, .key_file = Write("der.key", "0\x82\x04\xbe")});
  EXPECT_THAT(std::string(status.message()),
              AllOf(HasSubstr("--tls_key_file"), HasSubstr("holds no PEM private key")));
  status = Check({.cert_file = cert, .key_file = key, .client_ca_file = Write("ca.txt", "ca")});
  EXPECT_THAT(std::string(status.message()), HasSubstr("--tls_client_ca_file"));
}

TEST_F(CheckFilesTest, RefusesAKeyOfAnotherCertificateNamingBothFiles) {
  const std::string cert = Write("s.crt", kCertificate);
  const std::string key = Write("other.key", kOtherKey);
  const absl::Status status = Check({.cert_file = cert, .key_file = key});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              AllOf(HasSubstr("is not the private key"), HasSubstr(cert), HasSubstr(key)));
}

TEST_F(CheckFilesTest, RefusesAClientCaThatDoesNotParse) {
  const absl::Status status =
      Check({.cert_file = Write("s.crt", kCertificate),
             .key_file = Write("s.key", kKey),
             .client_ca_file = Write(
                 "ca.crt", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")});
  EXPECT_THAT(std::string(status.message()),
              AllOf(HasSubstr("--tls_client_ca_file"), HasSubstr("does not parse")));
}

TEST_F(CheckFilesTest, WarnsWhenOthersCanReadTheKeyOnly) {
  const std::string cert = Write("s.crt", kCertificate, 0644);
  const std::string key = Write("s.key", kKey, 0640);
  ASSERT_TRUE(Check({.cert_file = cert,
                     .key_file = key,
                     .client_ca_file = Write("ca.crt", kCertificate, 0644)})
                  .ok());
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_THAT(warnings_[0],
              AllOf(HasSubstr("--tls_key_file"), HasSubstr("0640"), Not(HasSubstr("MIIE"))));
}

}  // namespace
}  // namespace livestream_gateway
