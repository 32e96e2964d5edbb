"""deploy/, the Dockerfile and livestream_server agree (manifests.py), and
each check catches the mistake it is for.

Run by ctest (tests/deploy/CMakeLists.txt):
  LIVESTREAM_SERVER_BIN=build/server/livestream_server python3 tests/deploy/manifests_test.py
"""

import copy
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import manifests  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def server_binary():
    return os.environ.get("LIVESTREAM_SERVER_BIN",
                          os.path.join(ROOT, "build", "server", "livestream_server"))


class RepositoryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.repo = manifests.load_repository(ROOT)
        cls.flags = manifests.server_flags(server_binary())

    def test_every_manifest_parses(self):
        self.assertIn("deploy/envoy/envoy.yaml", self.repo["manifests"])
        self.assertGreaterEqual(len(self.repo["manifests"]), 12)
        self.assertEqual(manifests.check_parses(self.repo), [])

    def test_every_flag_used_is_a_server_flag(self):
        self.assertEqual(manifests.check_flags_exist(self.repo, self.flags), [])

    def test_each_check_passes(self):
        for check in manifests.CHECKS:
            with self.subTest(check=check.__name__):
                self.assertEqual(check(self.repo), [])

    def test_shipped_retry_settings(self):
        vs = manifests.one(self.repo, "VirtualService")
        self.assertEqual(vs["spec"]["http"][0]["retries"],
                         {"attempts": 2, "retryOn": "connect-failure,refused-stream"})
        routes = list(manifests.envoy_routes(self.repo))
        self.assertEqual([r["route"]["retry_policy"] for r in routes],
                         [{"retry_on": "connect-failure,refused-stream", "num_retries": 2}])


def broken(repo, mutate):
    """A deep copy of `repo` with `mutate` applied."""
    copied = copy.deepcopy(repo)
    mutate(copied)
    return copied


def container(repo):
    return manifests.container(repo)


def pod(repo):
    return manifests.one(repo, "Deployment")["spec"]["template"]["spec"]


def set_arg(repo, name, value):
    args = container(repo)["args"]
    args[:] = [a for a in args if not a.startswith(f"--{name}=") and a != f"--{name}"]
    if value is not None:
        args.append(f"--{name}={value}" if value != "" else f"--{name}")


# (name, mutation, check, expected words in a problem)
MUTATIONS = [
    ("UnknownFlag", lambda r: set_arg(r, "no_such_flag", "1"), "flags", "--no_such_flag"),
    ("ListenPortMismatch", lambda r: set_arg(r, "listen", "0.0.0.0:8081"), manifests.check_ports,
     "containerPort grpc"),
    ("ProbeOnWrongPort", lambda r: container(r)["readinessProbe"]["grpc"].update(port=9090),
     manifests.check_ports, "readinessProbe port"),
    ("NoAppProtocol",
     lambda r: manifests.one(r, "Service")["spec"]["ports"][0].pop("appProtocol"),
     manifests.check_ports, "appProtocol"),
    ("ReadinessOnServer", lambda r: container(r)["readinessProbe"]["grpc"].update(service=""),
     manifests.check_health_names, "readinessProbe service"),
    ("LivenessUnknownService",
     lambda r: container(r)["livenessProbe"]["grpc"].update(service="zoom.Other"),
     manifests.check_health_names, "livenessProbe service"),
    ("ServerRenamedHealth", lambda r: r.update(served_health_service="other.Service"),
     manifests.check_health_names, "registers health"),
    ("ShortTermination", lambda r: pod(r).update(terminationGracePeriodSeconds=25),
     manifests.check_grace, "terminationGracePeriodSeconds"),
    ("DefaultShutdownGrace", lambda r: set_arg(r, "shutdown_grace", None),
     manifests.check_grace, "must set --shutdown_grace"),
    ("LongShutdownGrace", lambda r: set_arg(r, "shutdown_grace", "1m"), manifests.check_grace,
     "terminationGracePeriodSeconds"),
    ("SecretModeOpen",
     lambda r: pod(r)["volumes"][0]["secret"].update(defaultMode=0o444),
     manifests.check_secrets, "defaultMode"),
    ("SecretFileElsewhere",
     lambda r: set_arg(r, "zoom_client_secret_file", "/etc/zoom/client_secret"),
     manifests.check_secrets, "no volumeMount"),
    ("SecretItemMissing",
     lambda r: pod(r)["volumes"][0]["secret"]["items"][0].update(path="secret"),
     manifests.check_secrets, "no item"),
    ("EnvKeyMissing",
     lambda r: container(r)["env"][0]["valueFrom"]["secretKeyRef"].update(key="nope"),
     manifests.check_secrets, "no key nope"),
    ("RootUser", lambda r: r.update(dockerfile=r["dockerfile"].replace("USER 10001:10001",
                                                                        "USER root")),
     manifests.check_security, "runtime user"),
    ("WritableRoot",
     lambda r: container(r)["securityContext"].update(readOnlyRootFilesystem=False),
     manifests.check_security, "writable"),
    ("NoLimits", lambda r: container(r)["resources"].pop("limits"), manifests.check_security,
     "limits"),
    ("BuildTreeInContext", lambda r: r["dockerignore"].remove("build"),
     manifests.check_dockerignore, "build"),
    ("TooManyReplicasForZoom",
     lambda r: manifests.one(r, "HorizontalPodAutoscaler")["spec"].update(maxReplicas=12),
     manifests.check_scaling, "exceeds Zoom"),
    ("ShorterServerIdle", lambda r: set_arg(r, "max_connection_idle", "2m"),
     manifests.check_idle_timeouts, "DestinationRule idleTimeout 300s"),
    ("EnvoyUpstreamIdle",
     lambda r: next(manifests.envoy_clusters(r))["typed_extension_protocol_options"][
         "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"][
         "common_http_protocol_options"].update(idle_timeout="1h"),
     manifests.check_idle_timeouts, "Envoy idle_timeout 1h"),
    ("DefaultRateLimit", lambda r: set_arg(r, "zoom_rate_limit_qps", None),
     manifests.check_scaling, "must set --zoom_rate_limit_qps"),
    ("MeshRetriesUnavailable",
     lambda r: manifests.one(r, "VirtualService")["spec"]["http"][0]["retries"].update(
         retryOn="connect-failure,unavailable"),
     manifests.check_retries, "unavailable"),
    ("MeshDefaultRetries",
     lambda r: manifests.one(r, "VirtualService")["spec"]["http"][0].pop("retries"),
     manifests.check_retries, "default retries"),
    ("EnvoyRetries5xx",
     lambda r: next(manifests.envoy_routes(r))["route"]["retry_policy"].update(
         retry_on="5xx,reset"),
     manifests.check_retries, "Envoy route retries"),
    ("NginxRetriesTimeout",
     lambda r: r.update(nginx=r["nginx"].replace("grpc_next_upstream error;",
                                                 "grpc_next_upstream error timeout;")),
     manifests.check_retries, "timeout"),
    ("PermissivePeerAuthentication",
     lambda r: manifests.one(r, "PeerAuthentication")["spec"]["mtls"].update(mode="PERMISSIVE"),
     manifests.check_mesh_security, "STRICT"),
]


class MutationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.repo = manifests.load_repository(ROOT)
        cls.flags = manifests.server_flags(server_binary())

    def test_each_mistake_is_caught(self):
        for name, mutate, check, words in MUTATIONS:
            with self.subTest(name=name):
                repo = broken(self.repo, mutate)
                if check == "flags":
                    problems = manifests.check_flags_exist(repo, self.flags)
                else:
                    problems = check(repo)
                self.assertTrue(any(words in p for p in problems),
                                f"{name}: {problems} does not mention {words!r}")


class DurationTest(unittest.TestCase):
    def test_absl_durations(self):
        for text, seconds in [("20s", 20), ("5m", 300), ("1h30m", 5400), ("250ms", 0.25)]:
            with self.subTest(text=text):
                self.assertAlmostEqual(manifests.duration_seconds(text), seconds)
        with self.assertRaises(ValueError):
            manifests.duration_seconds("20")


if __name__ == "__main__":
    unittest.main()
