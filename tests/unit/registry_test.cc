#include "server/metrics/registry.h"

#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace livestream_gateway::metrics {
namespace {

TEST(RegistryTest, RendersFamiliesInRegistrationOrderAndChildrenInLabelOrder) {
  Registry registry;
  CounterFamily& calls = registry.AddCounter("calls_total", "Calls.", {"method", "code"});
  Gauge& in_flight = registry.AddGauge("in_flight", "In flight.").WithLabels({});
  calls.WithLabels({"b", "OK"}).Increment(2);
  calls.WithLabels({"a", "UNKNOWN"}).Increment();
  calls.WithLabels({"a", "OK"});
  in_flight.Increment();
  in_flight.Increment();
  in_flight.Decrement();
  EXPECT_EQ(registry.Render(),
            "# HELP calls_total Calls.\n"
            "# TYPE calls_total counter\n"
            "calls_total{method=\"a\",code=\"OK\"} 0\n"
            "calls_total{method=\"a\",code=\"UNKNOWN\"} 1\n"
            "calls_total{method=\"b\",code=\"OK\"} 2\n"
            "# HELP in_flight In flight.\n"
            "# TYPE in_flight gauge\n"
            "in_flight 1\n");
}

TEST(RegistryTest, WithLabelsReturnsTheSameChildEveryTime) {
  Registry registry;
  CounterFamily& family = registry.AddCounter("x_total", "X.", {"k"});
  EXPECT_EQ(&family.WithLabels({"v"}), &family.WithLabels({"v"}));
  EXPECT_NE(&family.WithLabels({"v"}), &family.WithLabels({"w"}));
}

TEST(RegistryTest, HistogramBucketsAreCumulativeAndABoundIsInclusive) {
  Registry registry;
  Histogram& latency =
      registry.AddHistogram("latency_seconds", "Latency.", {"method"}, {0.25, 1}).WithLabels({"m"});
  latency.Observe(0.125);
  latency.Observe(0.25);  // le="0.25" includes 0.25
  latency.Observe(0.5);
  latency.Observe(7);
  EXPECT_EQ(registry.Render(),
            "# HELP latency_seconds Latency.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{method=\"m\",le=\"0.25\"} 2\n"
            "latency_seconds_bucket{method=\"m\",le=\"1\"} 3\n"
            "latency_seconds_bucket{method=\"m\",le=\"+Inf\"} 4\n"
            "latency_seconds_sum{method=\"m\"} 7.875\n"
            "latency_seconds_count{method=\"m\"} 4\n");
}

TEST(RegistryTest, CollectorsComeAfterTheRegisteredFamilies) {
  Registry registry;
  registry.AddCollector([] {
    return std::vector<MetricFamily>{{"late", "Late.", MetricType::kGauge, {{"", {}, 5}}}};
  });
  registry.AddCounter("early_total", "Early.").WithLabels({}).Increment();
  EXPECT_EQ(registry.Render(),
            "# HELP early_total Early.\n# TYPE early_total counter\nearly_total 1\n"
            "# HELP late Late.\n# TYPE late gauge\nlate 5\n");
}

TEST(RegistryTest, ConcurrentRecordingLosesNothing) {
  Registry registry;
  Counter& counter = registry.AddCounter("n_total", "N.").WithLabels({});
  Gauge& gauge = registry.AddGauge("g", "G.").WithLabels({});
  Histogram& histogram = registry.AddHistogram("h", "H.", {}, {1}).WithLabels({});
  constexpr int kThreads = 4;
  constexpr int kEach = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        counter.Increment();
        gauge.Increment();
        histogram.Observe(0.5);
        gauge.Decrement();
        // Scrapes run alongside.
        if (i % 5000 == 0) (void)registry.Render();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(counter.Value(), uint64_t{kThreads * kEach});
  EXPECT_EQ(gauge.Value(), 0);
  const Histogram::Snapshot snapshot = histogram.Read();
  EXPECT_EQ(snapshot.cumulative.back(), uint64_t{kThreads * kEach});
  EXPECT_DOUBLE_EQ(snapshot.sum, 0.5 * kThreads * kEach);
}

TEST(RegistryDeathTest, RejectsInvalidOrDuplicateNames) {
  EXPECT_DEATH(Registry().AddCounter("bad-name", "x"), "invalid metric name");
  EXPECT_DEATH(Registry().AddCounter("ok", "x", {"le-"}), "invalid label name");
  EXPECT_DEATH(Registry().AddHistogram("h", "x", {"le"}, {1}), "invalid label name");
  EXPECT_DEATH(Registry().AddHistogram("h", "x", {}, {1, 1}), "bounds");
  EXPECT_DEATH(
      {
        Registry registry;
        registry.AddGauge("twice", "x");
        registry.AddGauge("twice", "x");
      },
      "registered twice");
  EXPECT_DEATH(Registry().AddCounter("c", "x", {"a"}).WithLabels({}), "label values");
}

}  // namespace
}  // namespace livestream_gateway::metrics
