#include "server/listener_security.h"

#include <arpa/inet.h>
#include <grpc/grpc_security_constants.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "server/config_file.h"

namespace livestream_gateway {
namespace {

// A CA bundle may hold every public root (about 200 KiB); a key is a few KiB.
constexpr size_t kMaxCertificateFileBytes = size_t{1024} * 1024;
constexpr size_t kMaxKeyFileBytes = size_t{64} * 1024;

constexpr char kPemCertificate[] = "-----BEGIN CERTIFICATE-----";

// "-----BEGIN PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----",
// "-----BEGIN EC PRIVATE KEY-----": whatever OpenSSL writes.
bool HoldsPemPrivateKey(absl::string_view pem) {
  const size_t begin = pem.find("-----BEGIN ");
  return begin != absl::string_view::npos &&
         pem.find("PRIVATE KEY-----", begin) != absl::string_view::npos;
}

// The file's contents once it passed ReadConfigFile's checks and holds PEM
// of its kind.
absl::StatusOr<std::string> ReadPemFile(absl::string_view flag, const std::string& path,
                                        bool secret, std::vector<std::string>& warnings) {
  absl::StatusOr<ConfigFile> file = ReadConfigFile(
      flag, path,
      {.max_bytes = secret ? kMaxKeyFileBytes : kMaxCertificateFileBytes, .secret = secret});
  if (!file.ok()) return file.status();
  const bool holds_what_it_should = secret ? HoldsPemPrivateKey(file->contents)
                                           : absl::StrContains(file->contents, kPemCertificate);
  if (!holds_what_it_should) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": ", path, " holds no PEM ",
                     secret ? "private key (-----BEGIN ... PRIVATE KEY-----)"
                            : "certificate (-----BEGIN CERTIFICATE-----)"));
  }
  if (!file->warning.empty()) warnings.push_back(std::move(file->warning));
  return std::move(file->contents);
}

using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;
using Certificate = std::unique_ptr<X509, decltype(&X509_free)>;
using PrivateKey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

Bio MemoryBio(absl::string_view pem) {
  return Bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
}

// The first certificate of a PEM chain, or null. A null passphrase callback
// keeps OpenSSL from ever prompting on the terminal.
Certificate FirstCertificate(absl::string_view pem) {
  Bio bio = MemoryBio(pem);
  return Certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
}

std::string FormatAsn1Time(const ASN1_TIME* time) {
  std::tm tm = {};
  if (ASN1_TIME_to_tm(time, &tm) != 1) return "an unreadable time";
  return absl::FormatTime(absl::RFC3339_sec, absl::FromTM(tm, absl::UTCTimeZone()),
                          absl::UTCTimeZone());
}

}  // namespace

bool IsLoopbackListenAddress(absl::string_view listen) {
  // Reachable through the file system only, under its permissions.
  if (absl::StartsWith(listen, "unix:") || absl::StartsWith(listen, "unix-abstract:")) return true;
  const size_t colon = listen.rfind(':');
  if (colon == absl::string_view::npos) return false;
  absl::string_view host = listen.substr(0, colon);
  if (absl::ConsumePrefix(&host, "[") && !absl::ConsumeSuffix(&host, "]")) return false;
  if (host == "localhost") return true;
  const std::string text(host);
  in_addr v4 = {};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6 = {};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

absl::Status ValidateListenerSecurity(absl::string_view listen, const ListenerSecurity& security) {
  if (security.cert_file.empty() != security.key_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls_cert_file and --tls_key_file go together: set both for TLS, or neither");
  }
  if (!security.client_ca_file.empty() && !UsesTls(security)) {
    return absl::InvalidArgumentError(
        "--tls_client_ca_file (mTLS) needs --tls_cert_file and --tls_key_file: the server "
        "presents its own certificate too");
  }
  if (UsesTls(security) && security.refresh_interval < absl::Seconds(1)) {
    return absl::InvalidArgumentError("--tls_refresh_interval must be at least 1s");
  }
  if (!UsesTls(security) && !security.allow_plaintext_non_loopback &&
      !IsLoopbackListenAddress(listen)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--listen=", listen,
        " is not a loopback address and TLS is off: set --tls_cert_file and --tls_key_file "
        "(and --tls_client_ca_file for mTLS), or --allow_plaintext_non_loopback when a sidecar "
        "(service mesh) terminates TLS in front of this server"));
  }
  return absl::OkStatus();
}

absl::Status CheckKeyMatchesCertificate(absl::string_view cert_pem, absl::string_view key_pem) {
  Certificate certificate = FirstCertificate(cert_pem);
  if (certificate == nullptr) {
    return absl::InvalidArgumentError("--tls_cert_file: the certificate does not parse");
  }
  Bio bio = MemoryBio(key_pem);
  PrivateKey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        "--tls_key_file: the private key does not parse (an encrypted key is not supported)");
  }
  if (X509_check_private_key(certificate.get(), key.get()) != 1) {
    return absl::InvalidArgumentError(
        "--tls_key_file is not the private key of the certificate in --tls_cert_file");
  }
  return absl::OkStatus();
}

std::string CertificateValidityProblem(absl::string_view cert_pem, absl::Time now) {
  Certificate certificate = FirstCertificate(cert_pem);
  if (certificate == nullptr) return "does not parse";
  time_t at = absl::ToTimeT(now);
  const ASN1_TIME* not_after = X509_get0_notAfter(certificate.get());
  if (X509_cmp_time(not_after, &at) < 0) {
    return absl::StrCat("expired at ", FormatAsn1Time(not_after));
  }
  const ASN1_TIME* not_before = X509_get0_notBefore(certificate.get());
  if (X509_cmp_time(not_before, &at) > 0) {
    return absl::StrCat("is not valid before ", FormatAsn1Time(not_before));
  }
  return "";
}

absl::Status CheckListenerSecurityFiles(const ListenerSecurity& security,
                                        std::vector<std::string>& warnings) {
  if (!UsesTls(security)) return absl::OkStatus();
  absl::StatusOr<std::string> cert =
      ReadPemFile("tls_cert_file", security.cert_file, false, warnings);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadPemFile("tls_key_file", security.key_file, true, warnings);
  if (!key.ok()) return key.status();
  if (absl::Status status = CheckKeyMatchesCertificate(*cert, *key); !status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(status.message(), " (", security.cert_file, ", ", security.key_file, ")"));
  }
  if (std::string problem = CertificateValidityProblem(*cert, absl::Now()); !problem.empty()) {
    warnings.push_back(absl::StrCat("--tls_cert_file: ", security.cert_file, " ", problem,
                                    "; handshakes fail until it is replaced"));
  }
  if (security.client_ca_file.empty()) return absl::OkStatus();
  absl::StatusOr<std::string> ca =
      ReadPemFile("tls_client_ca_file", security.client_ca_file, false, warnings);
  if (!ca.ok()) return ca.status();
  if (FirstCertificate(*ca) == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls_client_ca_file: ", security.client_ca_file,
                     ": the first certificate does not parse"));
  }
  return absl::OkStatus();
}

std::string DescribeListenerSecurity(absl::string_view listen, const ListenerSecurity& security) {
  if (!security.client_ca_file.empty()) {
    return absl::StrCat("mTLS: client certificates required, verified against ",
                        security.client_ca_file, "; certificates reloaded every ",
                        absl::FormatDuration(security.refresh_interval));
  }
  if (UsesTls(security)) {
    return absl::StrCat("TLS (no client certificates); certificate reloaded every ",
                        absl::FormatDuration(security.refresh_interval));
  }
  if (IsLoopbackListenAddress(listen)) {
    return "plaintext (loopback only)";
  }
  return "plaintext (not loopback: --allow_plaintext_non_loopback; a sidecar must terminate TLS in "
         "front of this server)";
}

std::shared_ptr<grpc::ServerCredentials> ServerCredentialsFor(const ListenerSecurity& security) {
  if (!UsesTls(security)) return grpc::InsecureServerCredentials();
  const auto refresh_seconds =
      static_cast<unsigned int>(absl::ToInt64Seconds(security.refresh_interval));
  // The provider re-reads the files on its own thread and hands gRPC a new
  // key and chain only when both changed consistently; handshakes in
  // between keep the previous pair, and established connections are kept.
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      security.key_file, security.cert_file, security.client_ca_file, refresh_seconds);
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (!security.client_ca_file.empty()) {
    options.watch_root_certs();
    options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return grpc::experimental::TlsServerCredentials(options);
}

}  // namespace livestream_gateway
