#include "server/metrics/gateway_metrics.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/metrics/process_metrics.h"
#include "server/version.h"

namespace livestream_gateway::metrics {
namespace {

constexpr std::array<absl::string_view, 3> kHttpMethodNames = {"PATCH", "POST", "other"};
constexpr std::array<absl::string_view, 7> kOutcomeNames = {
    "1xx", "2xx", "3xx", "4xx", "5xx", "other", "transport_error"};
constexpr size_t kTransportError = 6;

size_t HttpMethodIndex(absl::string_view method) {
  if (method == "PATCH") return 0;
  if (method == "POST") return 1;
  return 2;
}

size_t OutcomeIndex(int status_code) {
  if (status_code < 100 || status_code > 599) return 5;
  return static_cast<size_t>(status_code / 100 - 1);
}

std::string Name(absl::string_view suffix) { return absl::StrCat(kPrefix, suffix); }

Counter& Unlabeled(Registry& registry, absl::string_view suffix, std::string help) {
  return registry.AddCounter(Name(suffix), std::move(help)).WithLabels({});
}

}  // namespace

absl::string_view HttpStatusClass(int status_code) {
  return kOutcomeNames[OutcomeIndex(status_code)];
}

RpcMetrics::RpcMetrics(std::string method, CounterFamily& calls, Histogram& latency,
                       Gauge& in_flight)
    : method_(std::move(method)), calls_(calls), latency_(latency), in_flight_(in_flight) {
  // OK is there from the first scrape, so that rates and ratios over it work
  // before the first call; other codes appear when they first happen.
  by_code_.At(0, calls_, [this] { return std::vector<std::string>{method_, "OK"}; });
}

void RpcMetrics::Finished(absl::StatusCode code, absl::Duration latency) {
  auto index = static_cast<size_t>(code);
  if (index >= kCodes) index = static_cast<size_t>(absl::StatusCode::kUnknown);
  by_code_
      .At(index, calls_,
          [this, index] {
            return std::vector<std::string>{
                method_, absl::StatusCodeToString(static_cast<absl::StatusCode>(index))};
          })
      .Increment();
  latency_.Observe(absl::ToDoubleSeconds(latency));
  in_flight_.Decrement();
}

GatewayMetrics::GatewayMetrics()
    : rpcs_(registry_.AddCounter(Name("rpcs_total"),
                                 "gRPC calls finished, by full method name and status code.",
                                 {"method", "code"})),
      rpc_latency_(registry_.AddHistogram(
          Name("rpc_duration_seconds"),
          "Time from a call's arrival to its status, in seconds, by full method name.", {"method"},
          LatencyBuckets())),
      rpcs_in_flight_(registry_.AddGauge(Name("rpcs_in_flight"),
                                         "gRPC calls started and not yet finished, by method.",
                                         {"method"})),
      upstream_requests_(registry_.AddCounter(
          Name("upstream_requests_total"),
          "HTTP exchanges with Zoom (API and OAuth) that went on the wire, by HTTP method and "
          "outcome: the status class (2xx, 4xx, 5xx, ...) or transport_error (no HTTP answer).",
          {"method", "status_class"})),
      attempts_(Unlabeled(registry_, "upstream_attempts_total",
                          "Attempts of Zoom API calls, first attempts and retries, whether or not "
                          "the rate limit let them go out.")),
      retries_(Unlabeled(registry_, "upstream_retries_total",
                         "Attempts of Zoom API calls that were retries (after 429, 502, 503, "
                         "504 or a connection failure).")),
      rate_limit_waits_(Unlabeled(registry_, "rate_limit_waits_total",
                                  "Calls that queued for a slot of the client-side rate limit.")),
      rate_limit_refusals_(
          Unlabeled(registry_, "rate_limit_refusals_total",
                    "Calls refused by the client-side rate limit (RESOURCE_EXHAUSTED): no "
                    "slot before their deadline.")),
      rate_limit_fallbacks_(
          Unlabeled(registry_, "rate_limit_fallbacks_total",
                    "Times this replica could not use Redis for the account's shared rate limit "
                    "and fell back to its local share (--redis_fallback_share).")),
      rate_limit_fallback_(registry_
                               .AddGauge(Name("rate_limit_fallback"),
                                         "1 while this replica limits its calls to Zoom on its "
                                         "own (Redis cannot be asked), else 0.")
                               .WithLabels({})),
      token_fetches_(Unlabeled(registry_, "token_fetches_total",
                               "OAuth token requests completed, successful or not.")),
      token_fetch_failures_(Unlabeled(registry_, "token_fetch_failures_total",
                                      "OAuth token requests that brought no token.")),
      dry_runs_(
          Unlabeled(registry_, "dry_runs_total",
                    "validate_only calls that passed admission: nothing sent to Zoom but a read.")),
      request_id_replays_(Unlabeled(registry_, "request_id_replays_total",
                                    "Calls answered with the outcome of the first call of their "
                                    "request_id, without calling Zoom.")),
      open_connections_(registry_
                            .AddGauge(Name("upstream_open_connections"),
                                      "Sockets open to Zoom (API and OAuth), pooled ones included.")
                            .WithLabels({})) {
  registry_
      .AddGauge(Name("build_info"), "Always 1; the version label names the running build.",
                {"version"})
      .WithLabels({std::string(kVersion)})
      .Set(1);
  // The usual first series of the upstream counter, as for the RPC counter.
  upstream_by_outcome_.At(0 * kOutcomes + 1, upstream_requests_, [] {
    return std::vector<std::string>{"PATCH", "2xx"};
  });
  registry_.AddCollector(&CollectProcessMetrics);
}

RpcMetrics& GatewayMetrics::Method(const std::string& method) {
  absl::MutexLock lock(&mu_);
  methods_.push_back(std::unique_ptr<RpcMetrics>(new RpcMetrics(
      method, rpcs_, rpc_latency_.WithLabels({method}), rpcs_in_flight_.WithLabels({method}))));
  return *methods_.back();
}

void GatewayMetrics::CountUpstream(absl::string_view method, size_t outcome) {
  const size_t method_index = HttpMethodIndex(method);
  upstream_by_outcome_
      .At(method_index * kOutcomes + outcome, upstream_requests_,
          [method_index, outcome] {
            return std::vector<std::string>{std::string(kHttpMethodNames[method_index]),
                                            std::string(kOutcomeNames[outcome])};
          })
      .Increment();
}

void GatewayMetrics::OnHttpResponse(absl::string_view method, int status_code) {
  CountUpstream(method, OutcomeIndex(status_code));
}

void GatewayMetrics::OnHttpTransportError(absl::string_view method) {
  CountUpstream(method, kTransportError);
}

void GatewayMetrics::OnAttempt(bool retry) {
  attempts_.Increment();
  if (retry) retries_.Increment();
}

void GatewayMetrics::OnTokenFetch(bool ok) {
  token_fetches_.Increment();
  if (!ok) token_fetch_failures_.Increment();
}

}  // namespace livestream_gateway::metrics
