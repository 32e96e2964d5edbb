#include "tests/zoom_emulator/emulator.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tests/zoom_emulator/form_data.h"
#include "tests/zoom_emulator/json.h"

namespace zoom_emulator {
namespace {

using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::Value;

constexpr absl::string_view kJsonContentType = "application/json;charset=UTF-8";
constexpr absl::string_view kTrackingHeader = "x-zm-trackingid";
constexpr absl::string_view kScope = "meeting:write:admin webinar:write:admin";
constexpr size_t kMaxDisplayNameCodePoints = 50;
constexpr double kMaxScriptDelayMs = 3600 * 1000;
// Bounds on what the control API can make the emulator hold.
constexpr size_t kMaxPendingScripted = 100000;
constexpr size_t kMaxFixtures = 100000;

// Control bodies (scripts of many answers) may be larger than API bodies but
// stay bounded; see JsonLimits.
constexpr JsonLimits kControlJsonLimits{.max_depth = 32, .max_values = 20000};

// Zoom ids are int64 in the path.
bool IsNumericId(absl::string_view id) {
  int64_t unused;
  return !id.empty() && id.size() <= 19 &&
         std::all_of(id.begin(), id.end(), [](char c) { return absl::ascii_isdigit(c); }) &&
         absl::SimpleAtoi(id, &unused);
}

bool IsIntegral(const Value& v, double lo, double hi) {
  return v.kind_case() == Value::kNumberValue && std::isfinite(v.number_value()) &&
         std::floor(v.number_value()) == v.number_value() && v.number_value() >= lo &&
         v.number_value() <= hi;
}

bool IsHeaderName(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) &&
        absl::string_view("!#$%&'*+-.^_`|~").find(c) == absl::string_view::npos) {
      return false;
    }
  }
  return true;
}

bool IsSafeHeaderValue(absl::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && u != '\t') || u == 0x7F) return false;
  }
  return true;
}

const Value* FindField(const Struct& s, absl::string_view name) {
  const auto it = s.fields().find(std::string(name));
  return it == s.fields().end() ? nullptr : &it->second;
}

const std::string* FindForm(const std::vector<std::pair<std::string, std::string>>& form,
                            absl::string_view name) {
  for (const auto& [key, value] : form) {
    if (key == name) return &value;
  }
  return nullptr;
}

void Set(Struct* s, absl::string_view key, Value v) {
  (*s->mutable_fields())[std::string(key)] = std::move(v);
}

// A control body: a JSON object, or an empty body read as {}.
std::optional<Struct> ControlBody(const HttpRequest& request) {
  if (absl::StripAsciiWhitespace(request.body).empty()) return Struct();
  auto value = ParseJson(request.body, kControlJsonLimits);
  if (!value.ok() || value->kind_case() != Value::kStructValue) return std::nullopt;
  return value->struct_value();
}

// What every seeded fixture (and `livestream_configured: true` without a
// `livestream`) is configured with, so that starting its stream works
// without a configure step, as the tests and examples of every client do.
LivestreamConfig SeededLivestream(absl::string_view id) {
  LivestreamConfig config;
  config.stream_url = "rtmp://live.emulator.example/live";
  config.stream_key = absl::StrCat("emulator-stream-key-", id);
  config.page_url = absl::StrCat("https://emulator.example/live/", id);
  config.resolution = "720p";
  return config;
}

}  // namespace

std::optional<Emulator::ApiTarget> Emulator::MatchApiPath(absl::string_view path) {
  std::vector<absl::string_view> parts = absl::StrSplit(path, '/');
  if (parts.size() < 5 || parts.size() > 6 || !parts[0].empty() || parts[1] != "v2" ||
      parts[4] != "livestream" || (parts.size() == 6 && parts[5] != "status")) {
    return std::nullopt;
  }
  if (parts[2] != "webinars" && parts[2] != "meetings") return std::nullopt;
  return ApiTarget{parts[2] == "webinars" ? Kind::kWebinar : Kind::kMeeting, std::string(parts[3]),
                   parts.size() == 6 ? ApiTarget::Resource::kStatus : ApiTarget::Resource::kConfig};
}

Emulator::Emulator(EmulatorOptions options)
    : options_(std::move(options)), tracking_salt_(absl::Uniform<uint64_t>(rng_)) {
  SeedFixtures();
}

void Emulator::SeedFixtures() {
  webinars_.clear();
  meetings_.clear();
  const auto seed = [](absl::string_view id, bool configured, bool started) {
    Fixture f;
    if (configured) f.livestream = SeededLivestream(id);
    f.started = started;
    return f;
  };
  webinars_["99289110036"] = seed("99289110036", true, true);
  webinars_["99289110037"] = seed("99289110037", false, true);
  webinars_["99289110038"] = seed("99289110038", true, false);
  meetings_["85746065"] = seed("85746065", true, true);
}

std::map<std::string, Emulator::Fixture>& Emulator::Fixtures(Kind kind) {
  return kind == Kind::kWebinar ? webinars_ : meetings_;
}

void Emulator::ConnectionOpened() {
  ++connections_accepted_;
  ++connections_open_;
}

void Emulator::ConnectionClosed() { --connections_open_; }

Reply Emulator::Handle(const HttpRequest& request) {
  const RequestHead& head = request.head;
  if (absl::StartsWith(head.path, "/_emulator/")) return Reply{HandleControl(request)};

  if (head.path == "/oauth/token") {
    if (head.method != "POST") return Reply{MethodNotAllowed("POST")};
    const ParsedBody body = ParseBody(request);
    ++token_requests_;
    Record(request, body, &oauth_records_);
    if (auto scripted = TakeScripted(request, &oauth_script_)) return *std::move(scripted);
    return Reply{HandleOAuth(request, body)};
  }

  // Every PATCH under /v2/ is an API request (unknown paths get Zoom's 2300),
  // and so is GET of a live stream configuration.
  const auto target = MatchApiPath(head.path);
  const bool config_get =
      head.method == "GET" && target && target->resource == ApiTarget::Resource::kConfig;
  if ((head.method != "PATCH" && !config_get) || !absl::StartsWith(head.path, "/v2/")) {
    if (target) {
      return Reply{MethodNotAllowed(target->resource == ApiTarget::Resource::kConfig ? "GET, PATCH"
                                                                                     : "PATCH")};
    }
    return Reply{NotRecognized()};
  }
  const ParsedBody body = ParseBody(request);
  ++api_requests_;
  Record(request, body, &api_records_);
  if (auto scripted = TakeScripted(request, &api_script_)) return *std::move(scripted);
  if (faults_.Applies(head.method, head.path)) return HandleWithFault(request, body);
  return Reply{HandleApi(request, body), api_delay_};
}

Emulator::ParsedBody Emulator::ParseBody(const HttpRequest& request) {
  ParsedBody out;
  const std::string content_type = JoinedHeader(request.head.headers, "content-type");
  if (content_type.empty()) {
    out.type = request.body.empty() ? ParsedBody::Type::kNone : ParsedBody::Type::kInvalid;
    return out;
  }
  out.type = ParsedBody::Type::kInvalid;
  const auto media = ParseParameterizedValue(content_type);
  if (!media.ok()) return out;
  if (media->value == "application/json") {
    auto json = ParseJson(request.body);
    if (!json.ok()) return out;
    out.json = *std::move(json);
    out.type = ParsedBody::Type::kJson;
  } else if (media->value == "multipart/form-data") {
    const auto boundary = media->Parameter("boundary");
    if (!boundary) return out;
    auto parts = ParseMultipartFormData(request.body, *boundary);
    if (!parts.ok()) return out;
    for (FormPart& part : *parts) {
      if (!FindForm(out.form, part.name)) out.form.emplace_back(part.name, std::move(part.value));
    }
    out.type = ParsedBody::Type::kMultipart;
  } else if (media->value == "application/x-www-form-urlencoded") {
    auto pairs = ParseUrlEncoded(request.body);
    if (!pairs.ok()) return out;
    for (auto& [name, value] : *pairs) {
      if (!FindForm(out.form, name)) out.form.emplace_back(name, std::move(value));
    }
    out.type = ParsedBody::Type::kUrlEncoded;
  }
  return out;
}

HttpResponse Emulator::HandleApi(const HttpRequest& request, const ParsedBody& body) {
  const auto target = MatchApiPath(request.head.path);
  if (!target) return NotRecognized();
  const absl::string_view noun = target->kind == Kind::kWebinar ? "Webinar" : "Meeting";

  // Authentication comes first, as on Zoom: without a token nothing else is
  // revealed.
  const std::string authorization = JoinedHeader(request.head.headers, "authorization");
  absl::string_view token = authorization;
  bool bearer = false;
  if (token.size() > 7 && absl::EqualsIgnoreCase(token.substr(0, 7), "bearer ")) {
    token = absl::StripAsciiWhitespace(token.substr(7));
    bearer = !token.empty();
  }
  if (!bearer) return ZoomError(401, 124, "Invalid access token.");
  if (options_.access_token.empty() || token != options_.access_token) {
    const auto it = issued_tokens_.find(token);
    if (it == issued_tokens_.end()) return ZoomError(401, 124, "Invalid access token.");
    if (it->second <= options_.clock()) return ZoomError(401, 124, "Access token is expired.");
  }

  if (!IsNumericId(target->id)) return ZoomError(400, 300, absl::StrCat("Invalid ", noun, " Id."));
  if (target->resource == ApiTarget::Resource::kConfig) return HandleConfig(request, *target, body);
  return HandleStatus(*target, body);
}

HttpResponse Emulator::UnknownFixture(Kind kind, absl::string_view id, int webinar_status) {
  if (kind == Kind::kWebinar) {
    return ZoomError(webinar_status, 3001, absl::StrCat("Webinar does not exist: ", id, "."));
  }
  return ZoomError(404, 3001, absl::StrCat("Meeting does not exist: ", id, "."));
}

HttpResponse Emulator::HandleConfig(const HttpRequest& request, const ApiTarget& target,
                                    const ParsedBody& body) {
  auto& fixtures = Fixtures(target.kind);
  if (request.head.method == "GET") {
    const auto it = fixtures.find(target.id);
    if (it == fixtures.end()) return UnknownFixture(target.kind, target.id, 400);
    return Json(200, LivestreamConfigJson(it->second.livestream));
  }
  // Zoom documents only application/json for this PATCH, unlike the status
  // endpoint that its Postman collection drives with multipart.
  if (body.type != ParsedBody::Type::kJson || !body.json.has_struct_value()) {
    return ZoomError(400, 300, "Request Body should be a valid JSON object.");
  }
  FieldErrors parse_errors;
  LivestreamConfig config = ParseLivestreamConfig(body.json.struct_value(), &parse_errors);
  if (!parse_errors.empty()) return ValidationFailed(parse_errors);
  const auto it = fixtures.find(target.id);
  if (it == fixtures.end()) return UnknownFixture(target.kind, target.id, 400);
  // Zoom requires all three fields on every PATCH, so each one replaces the
  // whole configuration (an omitted resolution is cleared).
  it->second.livestream = std::move(config);
  HttpResponse response;
  response.status = 204;
  AddDefaultHeaders(&response);
  return response;
}

HttpResponse Emulator::HandleStatus(const ApiTarget& target, const ParsedBody& body) {
  const bool webinar = target.kind == Kind::kWebinar;
  const absl::string_view noun = webinar ? "Webinar" : "Meeting";
  const absl::string_view lower_noun = webinar ? "webinar" : "meeting";
  std::optional<Value> action;
  std::optional<Value> settings;
  if (body.type == ParsedBody::Type::kJson && body.json.has_struct_value()) {
    if (const Value* v = FindField(body.json.struct_value(), "action")) action = *v;
    if (const Value* v = FindField(body.json.struct_value(), "settings")) settings = *v;
  } else if (body.type == ParsedBody::Type::kMultipart) {
    if (const std::string* v = FindForm(body.form, "action")) action = StringValue(*v);
    if (const std::string* v = FindForm(body.form, "settings")) {
      // The settings part holds JSON text; text that is not JSON is kept as
      // a string so that validation reports the field.
      auto parsed = ParseJson(*v);
      settings = parsed.ok() ? *std::move(parsed) : StringValue(*v);
    }
  } else {
    return ZoomError(400, 300, "Request Body should be a valid JSON object.");
  }

  FieldErrors errors;
  if (action && (!action->has_string_value() ||
                 (action->string_value() != "start" && action->string_value() != "stop"))) {
    errors.push_back({"action", "Invalid value. Allowed values: start, stop."});
  }
  if (settings) {
    if (!settings->has_struct_value()) {
      errors.push_back({"settings", "Must be a JSON object."});
    } else {
      if (const Value* v = FindField(settings->struct_value(), "display_name")) {
        const auto length =
            v->has_string_value() ? Utf8CodePoints(v->string_value()) : std::nullopt;
        if (!length || *length < 1 || *length > kMaxDisplayNameCodePoints) {
          errors.push_back({"settings.display_name", "Must be a string of 1 to 50 characters."});
        }
      }
      if (const Value* v = FindField(settings->struct_value(), "active_speaker_name")) {
        if (!v->has_bool_value()) {
          errors.push_back({"settings.active_speaker_name", "Must be a boolean."});
        }
      }
    }
  }
  if (!errors.empty()) return ValidationFailed(errors);

  auto& fixtures = Fixtures(target.kind);
  const auto it = fixtures.find(target.id);
  if (it == fixtures.end()) return UnknownFixture(target.kind, target.id, 400);
  Fixture& fixture = it->second;
  if (!fixture.livestream) {
    return ZoomError(400, 3000,
                     absl::StrCat("The current ", lower_noun,
                                  " is not configured with a custom streaming service."));
  }
  const bool start = action && action->string_value() == "start";
  if (start && !fixture.started) {
    return ZoomError(400, 200, absl::StrCat(noun, " ", target.id, " has not started."));
  }

  if (settings) {
    for (const auto& [key, value] : settings->struct_value().fields()) {
      (*fixture.settings.mutable_fields())[key] = value;
    }
  }
  if (action) fixture.streaming = start;
  HttpResponse response;
  response.status = 204;
  AddDefaultHeaders(&response);
  return response;
}

HttpResponse Emulator::HandleOAuth(const HttpRequest& request, const ParsedBody& body) {
  // Parameters may come in the query (Zoom's documented form) or in a
  // urlencoded body (Rivet's); the query wins when both name one.
  std::vector<std::pair<std::string, std::string>> params;
  if (auto query = ParseUrlEncoded(request.head.query); query.ok()) params = *std::move(query);
  if (body.type == ParsedBody::Type::kUrlEncoded) {
    for (const auto& [name, value] : body.form) {
      if (!FindForm(params, name)) params.emplace_back(name, value);
    }
  }
  const auto oauth_error = [this](int status, absl::string_view reason, absl::string_view error) {
    Struct s;
    Set(&s, "reason", StringValue(reason));
    Set(&s, "error", StringValue(error));
    return Json(status, s);
  };

  const std::string authorization = JoinedHeader(request.head.headers, "authorization");
  absl::string_view credentials = authorization;
  std::string decoded;
  const bool basic =
      credentials.size() > 6 && absl::EqualsIgnoreCase(credentials.substr(0, 6), "basic ") &&
      absl::Base64Unescape(absl::StripAsciiWhitespace(credentials.substr(6)), &decoded);
  if (!basic ||
      decoded != absl::StrCat(options_.oauth_client_id, ":", options_.oauth_client_secret)) {
    return oauth_error(401, "Invalid client_id or client_secret", "invalid_client");
  }
  const std::string* grant_type = FindForm(params, "grant_type");
  if (!grant_type || *grant_type != "account_credentials") {
    return oauth_error(400, "unsupported grant type", "unsupported_grant_type");
  }
  const std::string* account_id = FindForm(params, "account_id");
  if (!account_id || *account_id != options_.oauth_account_id) {
    return oauth_error(400, "Invalid account id", "invalid_request");
  }

  std::string token = NewToken();
  issued_tokens_[token] = options_.clock() + options_.oauth_expires_in;
  Struct s;
  Set(&s, "access_token", StringValue(token));
  Set(&s, "token_type", StringValue("bearer"));
  Set(&s, "expires_in", NumberValue(absl::ToInt64Seconds(options_.oauth_expires_in)));
  Set(&s, "scope", StringValue(kScope));
  return Json(200, s);
}

HttpResponse Emulator::HandleControl(const HttpRequest& request) {
  const absl::string_view method = request.head.method;
  absl::string_view route = request.head.path;
  absl::ConsumePrefix(&route, "/_emulator/");
  const auto only = [&](absl::string_view allowed) { return method == allowed; };

  if (route == "script") {
    return only("POST") ? SetScript(request, &api_script_) : MethodNotAllowed("POST");
  }
  if (route == "oauth/script") {
    return only("POST") ? SetScript(request, &oauth_script_) : MethodNotAllowed("POST");
  }
  if (route == "config") {
    if (method == "GET") {
      Struct s;
      Set(&s, "delay_ms", NumberValue(absl::ToInt64Milliseconds(api_delay_)));
      return Json(200, s);
    }
    return only("POST") ? SetConfig(request) : MethodNotAllowed("GET, POST");
  }
  if (route == "faults") {
    if (method == "GET") return Json(200, faults_.Json());
    return only("POST") ? SetFaults(request) : MethodNotAllowed("GET, POST");
  }
  if (route == "tokens/revoke") {
    if (!only("POST")) return MethodNotAllowed("POST");
    Struct s;
    Set(&s, "revoked", NumberValue(static_cast<double>(issued_tokens_.size())));
    issued_tokens_.clear();
    return Json(200, s);
  }
  for (const Kind kind : {Kind::kWebinar, Kind::kMeeting}) {
    const absl::string_view collection = kind == Kind::kWebinar ? "webinars" : "meetings";
    absl::string_view rest = route;
    if (!absl::ConsumePrefix(&rest, collection)) continue;
    if (rest.empty()) {
      if (method == "GET") return GetFixtures(kind, std::nullopt);
      return only("POST") ? PutFixture(request, kind) : MethodNotAllowed("GET, POST");
    }
    if (!absl::ConsumePrefix(&rest, "/") || rest.empty()) continue;
    if (rest.find('/') == absl::string_view::npos) {
      return only("GET") ? GetFixtures(kind, rest) : MethodNotAllowed("GET");
    }
    if (absl::ConsumeSuffix(&rest, "/livestream") && !rest.empty() &&
        rest.find('/') == absl::string_view::npos) {
      return FixtureLivestream(request, kind, rest);
    }
  }
  if (route == "requests") {
    return only("GET") ? GetRecords(api_records_) : MethodNotAllowed("GET");
  }
  if (route == "oauth/requests") {
    return only("GET") ? GetRecords(oauth_records_) : MethodNotAllowed("GET");
  }
  if (route == "stats") return only("GET") ? GetStats() : MethodNotAllowed("GET");
  if (route == "reset") return only("POST") ? ResetAll() : MethodNotAllowed("POST");
  return NotRecognized();
}

HttpResponse Emulator::SetScript(const HttpRequest& request, std::deque<ScriptedReply>* script) {
  const auto body = ControlBody(request);
  if (!body) return ZoomError(400, 300, "Request Body should be a valid JSON object.");
  const Value* responses = FindField(*body, "responses");
  if (!responses || !responses->has_list_value()) {
    return ValidationFailed({{"responses", "Must be an array of responses."}});
  }
  std::vector<ScriptedReply> parsed;
  FieldErrors errors;
  for (int i = 0; i < responses->list_value().values_size(); ++i) {
    const Value& item = responses->list_value().values(i);
    const std::string prefix = absl::StrCat("responses[", i, "]");
    if (!item.has_struct_value()) {
      errors.push_back({prefix, "Must be an object."});
      continue;
    }
    ScriptedReply reply;
    for (const auto& [key, v] : item.struct_value().fields()) {
      const std::string field = absl::StrCat(prefix, ".", SanitizeUtf8(key));
      if (key == "status") {
        if (IsIntegral(v, 200, 599)) {
          reply.status = static_cast<int>(v.number_value());
        } else {
          errors.push_back({field, "Must be an integer from 200 to 599."});
        }
      } else if (key == "body" || key == "body_base64") {
        // JSON strings are UTF-8; base64 carries any bytes.
        const bool base64 = key == "body_base64";
        std::string bytes;
        if (base64 && item.struct_value().fields().contains("body")) {
          errors.push_back({field, "Give body or body_base64, not both."});
        } else if (!v.has_string_value() ||
                   (base64 && !absl::Base64Unescape(v.string_value(), &bytes))) {
          errors.push_back({field, base64 ? "Must be a base64 string." : "Must be a string."});
        } else if (base64) {
          reply.body = std::move(bytes);
        } else {
          reply.body = v.string_value();
        }
      } else if (key == "headers" || key == "headers_base64") {
        const bool base64 = key == "headers_base64";
        if (!v.has_struct_value()) {
          errors.push_back({field, "Must be an object of strings."});
          continue;
        }
        for (const auto& [name, value] : v.struct_value().fields()) {
          const std::string lower = absl::AsciiStrToLower(name);
          std::string bytes;
          bool decoded = value.has_string_value();
          if (decoded && base64) {
            decoded = absl::Base64Unescape(value.string_value(), &bytes);
          } else if (decoded) {
            bytes = value.string_value();
          }
          if (!IsHeaderName(name) || !decoded || !IsSafeHeaderValue(bytes)) {
            errors.push_back({absl::StrCat(field, ".", SanitizeUtf8(name)),
                              base64 ? "Must be a valid header name with a base64 value."
                                     : "Must be a valid header name with a string value."});
          } else if (lower == "content-length" || lower == "transfer-encoding") {
            errors.push_back(
                {absl::StrCat(field, ".", name), "Message framing is set by the emulator."});
          } else {
            reply.headers.emplace_back(name, std::move(bytes));
          }
        }
      } else if (key == "delay_ms") {
        if (IsIntegral(v, 0, kMaxScriptDelayMs)) {
          reply.delay = absl::Milliseconds(v.number_value());
        } else {
          errors.push_back({field, "Must be an integer from 0 to 3600000."});
        }
      } else if (key == "match") {
        reply.match = ParseRequestMatch(v, field, &errors);
      } else if (key == "reset" || key == "omit_tracking_id") {
        if (!v.has_bool_value()) {
          errors.push_back({field, "Must be a boolean."});
        } else {
          (key == "reset" ? reply.reset : reply.omit_tracking_id) = v.bool_value();
        }
      } else {
        errors.push_back({field, "Unknown field."});
      }
    }
    parsed.push_back(std::move(reply));
  }
  if (errors.empty() && script->size() + parsed.size() > kMaxPendingScripted) {
    errors.push_back(
        {"responses", absl::StrCat("At most ", kMaxPendingScripted, " responses may be pending.")});
  }
  if (!errors.empty()) return ValidationFailed(errors);
  for (ScriptedReply& reply : parsed) script->push_back(std::move(reply));
  Struct s;
  Set(&s, "pending", NumberValue(static_cast<double>(script->size())));
  return Json(200, s);
}

HttpResponse Emulator::SetConfig(const HttpRequest& request) {
  const auto body = ControlBody(request);
  if (!body) return ZoomError(400, 300, "Request Body should be a valid JSON object.");
  FieldErrors errors;
  absl::Duration delay = api_delay_;
  for (const auto& [key, v] : body->fields()) {
    if (key != "delay_ms") {
      errors.push_back({SanitizeUtf8(key), "Unknown field."});
    } else if (!IsIntegral(v, 0, kMaxScriptDelayMs)) {
      errors.push_back({key, "Must be an integer from 0 to 3600000."});
    } else {
      delay = absl::Milliseconds(v.number_value());
    }
  }
  if (!errors.empty()) return ValidationFailed(errors);
  api_delay_ = delay;
  Struct s;
  Set(&s, "delay_ms", NumberValue(absl::ToInt64Milliseconds(api_delay_)));
  return Json(200, s);
}

HttpResponse Emulator::SetFaults(const HttpRequest& request) {
  const auto body = ControlBody(request);
  if (!body) return ZoomError(400, 300, "Request Body should be a valid JSON object.");
  FieldErrors parse_errors;
  const FaultConfig config = ParseFaultConfig(*body, &parse_errors);
  if (!parse_errors.empty()) return ValidationFailed(parse_errors);
  faults_.Configure(config);
  return Json(200, faults_.Json());
}

Reply Emulator::HandleWithFault(const HttpRequest& request, const ParsedBody& body) {
  const FaultDraw draw = faults_.Next();
  Reply reply;
  reply.delay = api_delay_;
  HttpResponse& response = reply.response;
  switch (draw.fault) {
    case Fault::kNone:
      response = HandleApi(request, body);
      break;
    case Fault::kSlow:
      response = HandleApi(request, body);
      reply.delay += draw.delay;
      break;
    case Fault::kRateLimited:
      response = ZoomError(429, 429,
                           "You have reached the maximum per-second rate limit for this API. "
                           "Try again later.");
      response.headers.emplace_back("Retry-After", absl::StrCat(faults_.config().retry_after_s));
      break;
    case Fault::kServerError:
      response = ZoomError(draw.status, draw.status, ReasonPhrase(draw.status));
      break;
    case Fault::kReset:
      reply.reset = true;
      break;
    case Fault::kEndlessBody:
      response.status = 200;
      response.headers.emplace_back("Content-Type", std::string(kJsonContentType));
      AddDefaultHeaders(&response);
      reply.endless_body = true;
      break;
    case Fault::kOversizedBody: {
      constexpr absl::string_view kPrefix = R"({"code":500,"message":")";
      constexpr absl::string_view kSuffix = R"("})";
      const size_t size = faults_.config().oversized_body_bytes;
      const size_t filler =
          size > kPrefix.size() + kSuffix.size() ? size - kPrefix.size() - kSuffix.size() : 0;
      response.status = 500;
      response.body = absl::StrCat(kPrefix, std::string(filler, 'x'), kSuffix);
      AddDefaultHeaders(&response);
      break;
    }
  }
  return reply;
}

Struct Emulator::FixtureJson(absl::string_view id, const Fixture& fixture) {
  Struct s;
  Set(&s, "id", StringValue(id));
  Set(&s, "livestream_configured", BoolValue(fixture.livestream.has_value()));
  if (fixture.livestream) {
    Set(&s, "livestream", StructValue(LivestreamConfigJson(fixture.livestream)));
  }
  Set(&s, "started", BoolValue(fixture.started));
  Set(&s, "streaming", BoolValue(fixture.streaming));
  Set(&s, "settings", StructValue(fixture.settings));
  return s;
}

HttpResponse Emulator::PutFixture(const HttpRequest& request, Kind kind) {
  const auto body = ControlBody(request);
  if (!body) return ZoomError(400, 300, "Request Body should be a valid JSON object.");
  FieldErrors errors;
  std::string id;
  Fixture fixture;
  bool configured = false;
  std::optional<LivestreamConfig> livestream;
  for (const auto& [key, v] : body->fields()) {
    if (key == "id") {
      if (v.has_string_value() && IsNumericId(v.string_value())) {
        id = v.string_value();
      } else if (IsIntegral(v, 0, 9007199254740991.0)) {
        id = absl::StrCat(static_cast<int64_t>(v.number_value()));
      } else {
        errors.push_back({key, "Must be a numeric id (string or integer)."});
      }
    } else if (key == "livestream_configured" || key == "started" || key == "streaming") {
      if (!v.has_bool_value()) {
        errors.push_back({key, "Must be a boolean."});
      } else if (key == "livestream_configured") {
        configured = v.bool_value();
      } else if (key == "started") {
        fixture.started = v.bool_value();
      } else {
        fixture.streaming = v.bool_value();
      }
    } else if (key == "livestream") {
      if (!v.has_struct_value()) {
        errors.push_back({key, "Must be an object."});
        continue;
      }
      FieldErrors config_errors;
      livestream = ParseLivestreamConfig(v.struct_value(), &config_errors);
      for (auto& [field, message] : config_errors) {
        errors.push_back({absl::StrCat(key, ".", field), message});
      }
    } else if (key == "settings") {
      if (v.has_struct_value()) {
        fixture.settings = v.struct_value();
      } else {
        errors.push_back({key, "Must be an object."});
      }
    } else {
      errors.push_back({SanitizeUtf8(key), "Unknown field."});
    }
  }
  if (livestream && body->fields().contains("livestream_configured") && !configured) {
    errors.push_back({"livestream_configured", "Must be true (or omitted) with livestream."});
  }
  if (id.empty() && errors.empty()) errors.push_back({"id", "Required."});
  if (errors.empty() && Fixtures(kind).size() >= kMaxFixtures && !Fixtures(kind).contains(id)) {
    errors.push_back({"id", absl::StrCat("At most ", kMaxFixtures, " fixtures per kind.")});
  }
  if (!errors.empty()) return ValidationFailed(errors);
  if (livestream) {
    fixture.livestream = std::move(livestream);
  } else if (configured) {
    fixture.livestream = SeededLivestream(id);
  }
  Fixtures(kind)[id] = fixture;
  return Json(200, FixtureJson(id, fixture));
}

HttpResponse Emulator::GetFixtures(Kind kind, std::optional<absl::string_view> id) {
  const auto& fixtures = Fixtures(kind);
  if (id) {
    const auto it = fixtures.find(std::string(*id));
    if (it == fixtures.end()) return UnknownFixture(kind, SanitizeUtf8(*id), 404);
    return Json(200, FixtureJson(it->first, it->second));
  }
  Value list;
  for (const auto& [key, fixture] : fixtures) {
    *list.mutable_list_value()->add_values() = StructValue(FixtureJson(key, fixture));
  }
  Struct s;
  Set(&s, kind == Kind::kWebinar ? "webinars" : "meetings", std::move(list));
  return Json(200, s);
}

HttpResponse Emulator::FixtureLivestream(const HttpRequest& request, Kind kind,
                                         absl::string_view id) {
  const absl::string_view method = request.head.method;
  if (method != "GET" && method != "PUT" && method != "DELETE") {
    return MethodNotAllowed("GET, PUT, DELETE");
  }
  auto& fixtures = Fixtures(kind);
  const auto it = fixtures.find(std::string(id));
  if (it == fixtures.end()) return UnknownFixture(kind, SanitizeUtf8(id), 404);
  Fixture& fixture = it->second;
  if (method == "PUT") {
    const auto body = ControlBody(request);
    if (!body) return ZoomError(400, 300, "Request Body should be a valid JSON object.");
    FieldErrors parse_errors;
    LivestreamConfig config = ParseLivestreamConfig(*body, &parse_errors);
    if (!parse_errors.empty()) return ValidationFailed(parse_errors);
    fixture.livestream = std::move(config);
  } else if (method == "DELETE") {
    fixture.livestream.reset();
  }
  return Json(200, FixtureJson(it->first, fixture));
}

HttpResponse Emulator::GetRecords(const RecordLog& log) {
  Value list;
  list.mutable_list_value();  // an empty list, not null
  for (const auto& [bytes, record] : log.entries) *list.mutable_list_value()->add_values() = record;
  Struct s;
  Set(&s, "requests", std::move(list));
  if (log.dropped > 0) Set(&s, "dropped", NumberValue(static_cast<double>(log.dropped)));
  return Json(200, s);
}

HttpResponse Emulator::GetStats() {
  Struct s;
  Set(&s, "connections_accepted", NumberValue(static_cast<double>(connections_accepted_)));
  Set(&s, "connections_open", NumberValue(static_cast<double>(connections_open_)));
  Set(&s, "api_requests", NumberValue(static_cast<double>(api_requests_)));
  Set(&s, "token_requests", NumberValue(static_cast<double>(token_requests_)));
  return Json(200, s);
}

HttpResponse Emulator::ResetAll() {
  api_script_.clear();
  oauth_script_.clear();
  api_records_ = RecordLog();
  oauth_records_ = RecordLog();
  api_delay_ = absl::ZeroDuration();
  faults_.Configure(FaultConfig());
  connections_accepted_ = 0;
  api_requests_ = 0;
  token_requests_ = 0;
  issued_tokens_.clear();
  SeedFixtures();
  return Json(200, Struct());
}

std::optional<Reply> Emulator::TakeScripted(const HttpRequest& request,
                                            std::deque<ScriptedReply>* script) {
  const auto matching = std::find_if(script->begin(), script->end(), [&](const ScriptedReply& r) {
    return r.match.Matches(request.head.method, request.head.path);
  });
  if (matching == script->end()) return std::nullopt;
  ScriptedReply scripted = std::move(*matching);
  script->erase(matching);
  Reply reply;
  reply.delay = scripted.delay;
  reply.reset = scripted.reset;
  HttpResponse& response = reply.response;
  response.status = scripted.status;
  response.body = std::move(scripted.body);
  // Scripted headers win over the defaults, whatever their spelling.
  for (auto& [name, value] : scripted.headers) {
    if (absl::EqualsIgnoreCase(name, "connection")) {
      response.close = absl::StrContains(absl::AsciiStrToLower(value), "close");
      continue;
    }
    response.headers.emplace_back(std::move(name), std::move(value));
  }
  AddDefaultHeaders(&response, scripted.omit_tracking_id);
  return reply;
}

void Emulator::Record(const HttpRequest& request, const ParsedBody& body, RecordLog* log) {
  Struct record;
  size_t bytes = request.head.target.size() + 2 * request.body.size();
  Set(&record, "method", StringValue(request.head.method));
  Set(&record, "path", StringValue(request.head.path));
  // When it arrived, so that tests can count requests per second across
  // several clients (e.g. replicas sharing one rate limit).
  Set(&record, "received_ms",
      NumberValue(absl::ToDoubleMilliseconds(options_.clock() - absl::UnixEpoch())));
  if (!request.head.query.empty()) Set(&record, "query", StringValue(request.head.query));
  Struct headers;
  for (const auto& [name, value] : request.head.headers) {
    bytes += name.size() + value.size();
    if (headers.fields().contains(name)) continue;
    Set(&headers, name, StringValue(JoinedHeader(request.head.headers, name)));
  }
  Set(&record, "headers", StructValue(std::move(headers)));
  Set(&record, "body", StringValue(request.body));
  if (body.type == ParsedBody::Type::kMultipart || body.type == ParsedBody::Type::kUrlEncoded) {
    Struct form;
    for (const auto& [name, value] : body.form) Set(&form, SanitizeUtf8(name), StringValue(value));
    Set(&record, "form", StructValue(std::move(form)));
  } else if (body.type == ParsedBody::Type::kJson) {
    Set(&record, "json", body.json);
  }
  log->entries.emplace_back(bytes, StructValue(std::move(record)));
  log->bytes += bytes;
  while (!log->entries.empty() && (log->entries.size() > options_.max_recorded_requests ||
                                   log->bytes > options_.max_recorded_bytes)) {
    log->bytes -= log->entries.front().first;
    log->entries.pop_front();
    ++log->dropped;
  }
}

void Emulator::AddDefaultHeaders(HttpResponse* response, bool omit_tracking_id) {
  const auto has = [&](absl::string_view name) {
    for (const auto& [key, value] : response->headers) {
      if (absl::EqualsIgnoreCase(key, name)) return true;
    }
    return false;
  };
  if (!omit_tracking_id && !has(kTrackingHeader)) {
    response->headers.emplace_back(std::string(kTrackingHeader), NextTrackingId());
  }
  if (!response->body.empty() && !has("content-type")) {
    response->headers.emplace_back("Content-Type", std::string(kJsonContentType));
  }
}

HttpResponse Emulator::Json(int status, const Struct& body) {
  HttpResponse response;
  response.status = status;
  response.body = ToJson(body);
  AddDefaultHeaders(&response);
  return response;
}

HttpResponse Emulator::ZoomError(int status, int code, absl::string_view message) {
  Struct s;
  Set(&s, "code", NumberValue(code));
  Set(&s, "message", StringValue(message));
  return Json(status, s);
}

HttpResponse Emulator::ValidationFailed(const FieldErrors& errors) {
  Struct s;
  Set(&s, "code", NumberValue(300));
  Set(&s, "message", StringValue("Validation Failed."));
  Value list;
  for (const auto& [field, message] : errors) {
    Struct e;
    Set(&e, "field", StringValue(field));
    Set(&e, "message", StringValue(message));
    *list.mutable_list_value()->add_values() = StructValue(std::move(e));
  }
  Set(&s, "errors", std::move(list));
  return Json(400, s);
}

HttpResponse Emulator::NotRecognized() {
  return ZoomError(404, 2300, "This API endpoint is not recognized.");
}

HttpResponse Emulator::MethodNotAllowed(absl::string_view allow) {
  HttpResponse response;
  response.status = 405;
  response.headers.emplace_back("Allow", std::string(allow));
  AddDefaultHeaders(&response);
  return response;
}

HttpResponse Emulator::ProtocolError(int status, absl::string_view message) {
  HttpResponse response = ZoomError(status, 300, message);
  response.close = true;
  return response;
}

std::string Emulator::NextTrackingId() {
  // The second half is splitmix64's finalizer over a counter: a bijection, so
  // ids never repeat within a process; the first half makes them look random.
  uint64_t x = tracking_salt_ + tracking_counter_++;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return absl::StrFormat("v=2.0;clid=us01;rid=WEB_%016x%016x", absl::Uniform<uint64_t>(rng_), x);
}

std::string Emulator::NewToken() {
  return absl::StrFormat("emu.%016x%016x%016x", absl::Uniform<uint64_t>(rng_),
                         absl::Uniform<uint64_t>(rng_), absl::Uniform<uint64_t>(rng_));
}

}  // namespace zoom_emulator
