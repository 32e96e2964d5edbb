#ifndef LIVESTREAM_GATEWAY_TESTS_ZOOM_EMULATOR_EMULATOR_H_
#define LIVESTREAM_GATEWAY_TESTS_ZOOM_EMULATOR_EMULATOR_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/random/random.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"
#include "tests/zoom_emulator/faults.h"
#include "tests/zoom_emulator/http_message.h"
#include "tests/zoom_emulator/livestream_config.h"
#include "tests/zoom_emulator/request_match.h"

namespace zoom_emulator {

struct EmulatorOptions {
  // The static Bearer token the API accepts; empty accepts OAuth tokens only.
  std::string access_token = "emulator-token";
  std::string oauth_account_id = "emulator-account";
  std::string oauth_client_id = "emulator-client-id";
  std::string oauth_client_secret = "emulator-client-secret";
  absl::Duration oauth_expires_in = absl::Seconds(3600);
  // Oldest records are dropped beyond these (per log: API and OAuth), so
  // long load runs and large bodies keep memory bounded.
  size_t max_recorded_requests = 10000;
  size_t max_recorded_bytes = 64 * 1024 * 1024;
  std::function<absl::Time()> clock = [] { return absl::Now(); };
};

// What the transport does with one request.
struct Reply {
  HttpResponse response;
  absl::Duration delay = absl::ZeroDuration();  // answer (or reset) this much later
  bool reset = false;                           // close with a TCP RST instead of answering
  // Send the head, then a chunked body that never ends (fault injection).
  bool endless_body = false;
};

// The fake api.zoom.us: fixtures, OAuth, scripts, records and the control
// API, independent of sockets so that it is testable in-process. Not
// thread-safe; the event loop owns it.
class Emulator {
 public:
  explicit Emulator(EmulatorOptions options = {});

  Reply Handle(const HttpRequest& request);

  // The answer to a request that could not be parsed (`status` 4xx/5xx).
  HttpResponse ProtocolError(int status, absl::string_view message);

  void ConnectionOpened();
  void ConnectionClosed();

 private:
  enum class Kind { kWebinar, kMeeting };

  // "/v2/{webinars|meetings}/{id}/livestream[/status]"; the id is not checked.
  struct ApiTarget {
    enum class Resource { kConfig, kStatus };
    Kind kind;
    std::string id;
    Resource resource;
  };

  struct Fixture {
    std::optional<LivestreamConfig> livestream;  // unset: never configured
    bool started = false;
    bool streaming = false;
    google::protobuf::Struct settings;
  };

  struct ScriptedReply {
    int status = 200;
    std::string body;
    HttpHeaders headers;  // names as given
    absl::Duration delay = absl::ZeroDuration();
    bool reset = false;
    bool omit_tracking_id = false;
    RequestMatch match;  // the requests this answer is for
  };

  // A request body as understood from its Content-Type.
  struct ParsedBody {
    enum class Type { kNone, kJson, kMultipart, kUrlEncoded, kInvalid };
    Type type = Type::kNone;
    google::protobuf::Value json;
    std::vector<std::pair<std::string, std::string>> form;  // first value per name
  };

  // Recorded requests, oldest first.
  struct RecordLog {
    std::deque<std::pair<size_t, google::protobuf::Value>> entries;  // (approximate bytes, record)
    size_t bytes = 0;
    uint64_t dropped = 0;
  };

  static ParsedBody ParseBody(const HttpRequest& request);
  static std::optional<ApiTarget> MatchApiPath(absl::string_view path);
  HttpResponse HandleApi(const HttpRequest& request, const ParsedBody& body);
  HttpResponse HandleStatus(const ApiTarget& target, const ParsedBody& body);
  HttpResponse HandleConfig(const HttpRequest& request, const ApiTarget& target,
                            const ParsedBody& body);
  HttpResponse UnknownFixture(Kind kind, absl::string_view id, int webinar_status);
  HttpResponse HandleOAuth(const HttpRequest& request, const ParsedBody& body);
  HttpResponse HandleControl(const HttpRequest& request);

  HttpResponse SetScript(const HttpRequest& request, std::deque<ScriptedReply>* script);
  HttpResponse SetConfig(const HttpRequest& request);
  HttpResponse SetFaults(const HttpRequest& request);
  // An unscripted API request while fault injection is on.
  Reply HandleWithFault(const HttpRequest& request, const ParsedBody& body);
  HttpResponse PutFixture(const HttpRequest& request, Kind kind);
  HttpResponse GetFixtures(Kind kind, std::optional<absl::string_view> id);
  static google::protobuf::Struct FixtureJson(absl::string_view id, const Fixture& fixture);
  // GET, PUT and DELETE /_emulator/{webinars|meetings}/{id}/livestream.
  HttpResponse FixtureLivestream(const HttpRequest& request, Kind kind, absl::string_view id);
  HttpResponse GetRecords(const RecordLog& log);
  HttpResponse GetStats();
  HttpResponse ResetAll();

  // The first pending answer whose match covers `request`, if any.
  std::optional<Reply> TakeScripted(const HttpRequest& request, std::deque<ScriptedReply>* script);
  void Record(const HttpRequest& request, const ParsedBody& body, RecordLog* log);

  // Adds the tracking id (unless `omit_tracking_id`) and, for a body, the
  // JSON Content-Type, unless `response.headers` already has them.
  void AddDefaultHeaders(HttpResponse* response, bool omit_tracking_id = false);
  HttpResponse Json(int status, const google::protobuf::Struct& body);
  HttpResponse ZoomError(int status, int code, absl::string_view message);
  HttpResponse ValidationFailed(const FieldErrors& errors);
  HttpResponse NotRecognized();
  HttpResponse MethodNotAllowed(absl::string_view allow);
  std::string NextTrackingId();
  std::string NewToken();

  void SeedFixtures();
  std::map<std::string, Fixture>& Fixtures(Kind kind);

  EmulatorOptions options_;
  absl::BitGen rng_;
  uint64_t tracking_salt_;
  uint64_t tracking_counter_ = 0;

  std::map<std::string, Fixture> webinars_;
  std::map<std::string, Fixture> meetings_;
  absl::flat_hash_map<std::string, absl::Time> issued_tokens_;  // token -> expiry
  std::deque<ScriptedReply> api_script_;
  std::deque<ScriptedReply> oauth_script_;
  absl::Duration api_delay_ = absl::ZeroDuration();
  FaultInjector faults_;
  RecordLog api_records_;
  RecordLog oauth_records_;

  uint64_t connections_accepted_ = 0;
  uint64_t connections_open_ = 0;
  uint64_t api_requests_ = 0;
  uint64_t token_requests_ = 0;
};

}  // namespace zoom_emulator

#endif  // LIVESTREAM_GATEWAY_TESTS_ZOOM_EMULATOR_EMULATOR_H_
