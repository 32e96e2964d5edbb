#ifndef LIVESTREAM_GATEWAY_SERVER_METRICS_REGISTRY_H_
#define LIVESTREAM_GATEWAY_SERVER_METRICS_REGISTRY_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "server/metrics/exposition.h"

namespace livestream_gateway::metrics {

// The metric values themselves are lock-free: recording one is a relaxed
// atomic operation or two, so the RPC and upstream hot paths never wait for
// a scrape or for each other. Label lookup takes a lock, so resolve children
// once (per known label value) and keep the pointer; a child lives as long
// as its registry.

// A count that only goes up.
class Counter {
 public:
  void Increment(uint64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down (calls in flight, open connections).
class Gauge {
 public:
  void Increment() { value_.fetch_add(1, std::memory_order_relaxed); }
  void Decrement() { value_.fetch_sub(1, std::memory_order_relaxed); }
  void Set(int64_t value) { value_.store(value, std::memory_order_relaxed); }
  int64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// Observations counted into fixed buckets: bucket i counts values <= bounds[i]
// (upper bounds, ascending), one more bucket counts the rest (+Inf).
class Histogram {
 public:
  struct Snapshot {
    // Cumulative, one per bound plus +Inf: monotonic by construction even
    // while observations land during the read.
    std::vector<uint64_t> cumulative;
    double sum = 0;
  };

  explicit Histogram(const std::vector<double>* bounds);

  void Observe(double value);
  Snapshot Read() const;

 private:
  const std::vector<double>* const bounds_;
  const std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<double> sum_{0};
};

// Latency buckets in seconds: a call to Zoom takes 50 ms to seconds; one
// refused at the edge takes microseconds.
const std::vector<double>& LatencyBuckets();

class Family {
 public:
  virtual ~Family() = default;
  virtual MetricFamily Collect() const = 0;
};

// A metric family's children, one per combination of label values, created
// on first use and reported in label-value order (stable across scrapes).
template <typename Child>
class LabeledFamily final : public Family {
 public:
  LabeledFamily(std::string name, std::string help, MetricType type,
                std::vector<std::string> label_names, std::function<std::unique_ptr<Child>()> make,
                std::function<void(const Child&, const Labels&, std::vector<Sample>&)> sample)
      : name_(std::move(name)),
        help_(std::move(help)),
        type_(type),
        label_names_(std::move(label_names)),
        make_(std::move(make)),
        sample_(std::move(sample)) {}

  // Takes a lock: call it when setting up, not per event. The number of
  // values must match the family's label names.
  Child& WithLabels(const std::vector<std::string>& values);

  MetricFamily Collect() const override;

 private:
  const std::string name_;
  const std::string help_;
  const MetricType type_;
  const std::vector<std::string> label_names_;
  const std::function<std::unique_ptr<Child>()> make_;
  const std::function<void(const Child&, const Labels&, std::vector<Sample>&)> sample_;
  mutable absl::Mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Child>> children_ ABSL_GUARDED_BY(mu_);
};

using CounterFamily = LabeledFamily<Counter>;
using GaugeFamily = LabeledFamily<Gauge>;
using HistogramFamily = LabeledFamily<Histogram>;

// The metrics of a process, in registration order. Register at start-up;
// Collect() may run on any thread at any time after.
class Registry {
 public:
  // Names must be valid (exposition.h) and unique; a mistake aborts, as it
  // is a programming error.
  CounterFamily& AddCounter(std::string name, std::string help,
                            std::vector<std::string> label_names = {});
  GaugeFamily& AddGauge(std::string name, std::string help,
                        std::vector<std::string> label_names = {});
  // `bounds` ascending and finite.
  HistogramFamily& AddHistogram(std::string name, std::string help,
                                std::vector<std::string> label_names, std::vector<double> bounds);
  // Families computed at scrape time (e.g. read from /proc), reported after
  // the registered ones.
  void AddCollector(std::function<std::vector<MetricFamily>()> collector);

  std::vector<MetricFamily> Collect() const;
  // Collect() in the text exposition format.
  std::string Render() const { return WriteExposition(Collect()); }

 private:
  void CheckNames(const std::string& name, const std::vector<std::string>& label_names)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<Family>> families_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> names_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<const std::vector<double>>> bounds_ ABSL_GUARDED_BY(mu_);
  std::vector<std::function<std::vector<MetricFamily>()>> collectors_ ABSL_GUARDED_BY(mu_);
};

}  // namespace livestream_gateway::metrics

#endif  // LIVESTREAM_GATEWAY_SERVER_METRICS_REGISTRY_H_
