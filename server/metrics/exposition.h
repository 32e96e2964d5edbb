#ifndef LIVESTREAM_GATEWAY_SERVER_METRICS_EXPOSITION_H_
#define LIVESTREAM_GATEWAY_SERVER_METRICS_EXPOSITION_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace livestream_gateway::metrics {

// The Prometheus text exposition format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/).
inline constexpr absl::string_view kExpositionContentType =
    "text/plain; version=0.0.4; charset=utf-8";

enum class MetricType { kCounter, kGauge, kHistogram };

using Labels = std::vector<std::pair<std::string, std::string>>;

// One line: the family's name plus `suffix` ("_bucket", "_sum", "_count" or
// nothing), its labels in this order, and the value.
struct Sample {
  std::string suffix;
  Labels labels;
  double value = 0;
};

// One metric family as scraped: HELP and TYPE, then its samples as given.
struct MetricFamily {
  std::string name;
  std::string help;
  MetricType type = MetricType::kCounter;
  std::vector<Sample> samples;
};

// A sample value or an `le` bound: the fewest digits that read back as the
// same double, as a plain decimal from 1e-6 to 1e15 ("0.0005", "3",
// "1700000000.5") and in the shorter form beyond ("1e+21", "1e-07"); or
// "+Inf", "-Inf", "NaN".
std::string FormatValue(double value);

// A label value between double quotes: backslash, double quote and line feed
// escaped as \\, \" and \n.
std::string EscapeLabelValue(absl::string_view value);

// HELP text: backslash and line feed escaped (quotes stay as they are).
std::string EscapeHelp(absl::string_view help);

// The families in the order given, each as "# HELP", "# TYPE" and its samples,
// every line ending in "\n". Names and label names must already be valid
// (the registry checks them).
std::string WriteExposition(const std::vector<MetricFamily>& families);

// Whether `name` is a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) or, with
// `label`, a valid label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting "__").
bool IsValidMetricName(absl::string_view name);
bool IsValidLabelName(absl::string_view name);

}  // namespace livestream_gateway::metrics

#endif  // LIVESTREAM_GATEWAY_SERVER_METRICS_EXPOSITION_H_
