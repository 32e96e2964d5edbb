#include "server/metrics/registry.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "absl/algorithm/container.h"
#include "server/logging/logger.h"

namespace livestream_gateway::metrics {
namespace {

// A programmer's error in the metric definitions: the line says which, then
// the process stops before serving anything wrong.
[[noreturn]] void Fail(const std::string& name, const char* problem) {
  Log(LogLevel::kError, "metrics registry misuse", {{"metric", name}, {"problem", problem}});
  std::abort();
}

Labels Zip(const std::vector<std::string>& names, const std::vector<std::string>& values) {
  Labels labels;
  labels.reserve(names.size() + 1);
  for (size_t i = 0; i < names.size(); ++i) labels.emplace_back(names[i], values[i]);
  return labels;
}

}  // namespace

Histogram::Histogram(const std::vector<double>* bounds)
    : bounds_(bounds), counts_(new std::atomic<uint64_t>[bounds->size() + 1]) {
  for (size_t i = 0; i <= bounds_->size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double value) {
  // The first bound >= value; past the end is the +Inf bucket.
  const size_t bucket = static_cast<size_t>(
      std::lower_bound(bounds_->begin(), bounds_->end(), value) - bounds_->begin());
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot snapshot;
  snapshot.cumulative.reserve(bounds_->size() + 1);
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_->size(); ++i) {
    total += counts_[i].load(std::memory_order_relaxed);
    snapshot.cumulative.push_back(total);
  }
  snapshot.sum = sum_.load(std::memory_order_relaxed);
  return snapshot;
}

const std::vector<double>& LatencyBuckets() {
  static const auto* const buckets = new std::vector<double>{
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  return *buckets;
}

template <typename Child>
Child& LabeledFamily<Child>::WithLabels(const std::vector<std::string>& values) {
  if (values.size() != label_names_.size()) Fail(name_, "wrong number of label values");
  absl::MutexLock lock(&mu_);
  std::unique_ptr<Child>& child = children_[values];
  if (child == nullptr) child = make_();
  return *child;
}

template <typename Child>
MetricFamily LabeledFamily<Child>::Collect() const {
  MetricFamily family{.name = name_, .help = help_, .type = type_, .samples = {}};
  absl::MutexLock lock(&mu_);
  for (const auto& [values, child] : children_) {
    sample_(*child, Zip(label_names_, values), family.samples);
  }
  return family;
}

template class LabeledFamily<Counter>;
template class LabeledFamily<Gauge>;
template class LabeledFamily<Histogram>;

void Registry::CheckNames(const std::string& name, const std::vector<std::string>& label_names) {
  if (!IsValidMetricName(name)) Fail(name, "invalid metric name");
  if (absl::c_linear_search(names_, name)) Fail(name, "registered twice");
  for (const std::string& label : label_names) {
    if (!IsValidLabelName(label) || label == "le") Fail(name, "invalid label name");
  }
  names_.push_back(name);
}

CounterFamily& Registry::AddCounter(std::string name, std::string help,
                                    std::vector<std::string> label_names) {
  absl::MutexLock lock(&mu_);
  CheckNames(name, label_names);
  auto family = std::make_unique<CounterFamily>(
      std::move(name), std::move(help), MetricType::kCounter, std::move(label_names),
      [] { return std::make_unique<Counter>(); },
      [](const Counter& counter, const Labels& labels, std::vector<Sample>& out) {
        out.push_back(Sample{"", labels, static_cast<double>(counter.Value())});
      });
  CounterFamily& result = *family;
  families_.push_back(std::move(family));
  return result;
}

GaugeFamily& Registry::AddGauge(std::string name, std::string help,
                                std::vector<std::string> label_names) {
  absl::MutexLock lock(&mu_);
  CheckNames(name, label_names);
  auto family = std::make_unique<GaugeFamily>(
      std::move(name), std::move(help), MetricType::kGauge, std::move(label_names),
      [] { return std::make_unique<Gauge>(); },
      [](const Gauge& gauge, const Labels& labels, std::vector<Sample>& out) {
        out.push_back(Sample{"", labels, static_cast<double>(gauge.Value())});
      });
  GaugeFamily& result = *family;
  families_.push_back(std::move(family));
  return result;
}

HistogramFamily& Registry::AddHistogram(std::string name, std::string help,
                                        std::vector<std::string> label_names,
                                        std::vector<double> bounds) {
  absl::MutexLock lock(&mu_);
  CheckNames(name, label_names);
  if (bounds.empty() || !absl::c_is_sorted(bounds) ||
      std::adjacent_find(bounds.begin(), bounds.end()) != bounds.end() ||
      !absl::c_all_of(bounds, [](double bound) { return std::isfinite(bound); })) {
    Fail(name, "histogram bounds must be finite, ascending and distinct");
  }
  bounds_.push_back(std::make_unique<const std::vector<double>>(std::move(bounds)));
  const std::vector<double>* kept = bounds_.back().get();
  auto family = std::make_unique<HistogramFamily>(
      std::move(name), std::move(help), MetricType::kHistogram, std::move(label_names),
      [kept] { return std::make_unique<Histogram>(kept); },
      [kept](const Histogram& histogram, const Labels& labels, std::vector<Sample>& out) {
        const Histogram::Snapshot snapshot = histogram.Read();
        for (size_t i = 0; i < snapshot.cumulative.size(); ++i) {
          Labels with_le = labels;
          with_le.emplace_back("le", i < kept->size() ? FormatValue((*kept)[i]) : "+Inf");
          out.push_back(
              Sample{"_bucket", std::move(with_le), static_cast<double>(snapshot.cumulative[i])});
        }
        out.push_back(Sample{"_sum", labels, snapshot.sum});
        out.push_back(Sample{"_count", labels, static_cast<double>(snapshot.cumulative.back())});
      });
  HistogramFamily& result = *family;
  families_.push_back(std::move(family));
  return result;
}

void Registry::AddCollector(std::function<std::vector<MetricFamily>()> collector) {
  absl::MutexLock lock(&mu_);
  collectors_.push_back(std::move(collector));
}

std::vector<MetricFamily> Registry::Collect() const {
  absl::MutexLock lock(&mu_);
  std::vector<MetricFamily> out;
  out.reserve(families_.size());
  for (const auto& family : families_) out.push_back(family->Collect());
  for (const auto& collector : collectors_) {
    for (MetricFamily& family : collector()) out.push_back(std::move(family));
  }
  return out;
}

}  // namespace livestream_gateway::metrics
