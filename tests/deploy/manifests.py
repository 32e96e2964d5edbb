"""Checks that deploy/, the Dockerfile and the server agree.

Each check takes parsed files and returns a list of problems (strings); an
empty list means the check passed. manifests_test.py runs them on the
repository and on broken copies. Nothing here needs a container runtime or a
cluster.
"""

import os
import re
import shlex
import subprocess

import yaml

HEALTH_SERVICE = "zoom.livestream.v1.LiveStreamService"
# The names grpc.health.v1 answers for: the service, and "" for the server.
HEALTH_NAMES = {HEALTH_SERVICE, ""}
# Retry conditions under which the request never reached the server, so a
# retry sends nothing more to Zoom (docs/operations.md, "Retry amplification").
SAFE_ENVOY_RETRY_ON = {"connect-failure", "refused-stream"}
SAFE_NGINX_NEXT_UPSTREAM = {"error", "off"}
# Zoom Pro's per-account rate for "Light" APIs (docs/resilience.md).
ZOOM_ACCOUNT_QPS = 30.0


def server_flags(server_binary):
    """The flag names `livestream_server --helpfull` lists."""
    result = subprocess.run([server_binary, "--helpfull"], capture_output=True, text=True,
                            check=False, timeout=60)
    names = set(re.findall(r"^\s+--([A-Za-z0-9_]+) \(", result.stdout + result.stderr,
                           re.MULTILINE))
    if not names:
        raise RuntimeError(f"{server_binary} --helpfull listed no flags")
    return names


def load_repository(root):
    """Every file the checks read, parsed."""
    manifests = {}
    for directory, _, files in os.walk(os.path.join(root, "deploy")):
        for name in sorted(files):
            if name.endswith((".yaml", ".yml")):
                path = os.path.join(directory, name)
                with open(path, encoding="utf-8") as f:
                    manifests[os.path.relpath(path, root)] = [
                        doc for doc in yaml.safe_load_all(f) if doc is not None]
    with open(os.path.join(root, "Dockerfile"), encoding="utf-8") as f:
        dockerfile = f.read()
    with open(os.path.join(root, ".dockerignore"), encoding="utf-8") as f:
        dockerignore = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    with open(os.path.join(root, "deploy/nginx/livestream-grpc.conf"), encoding="utf-8") as f:
        nginx = f.read()
    with open(os.path.join(root, "server/gateway_server.cc"), encoding="utf-8") as f:
        served = re.search(r'kServiceName\[\] = "([^"]+)"', f.read())
    return {
        "manifests": manifests,
        "dockerfile": dockerfile,
        "dockerignore": dockerignore,
        "nginx": nginx,
        "served_health_service": served.group(1) if served else None,
    }


def documents(repo, kind):
    return [doc for docs in repo["manifests"].values() for doc in docs
            if isinstance(doc, dict) and doc.get("kind") == kind]


def one(repo, kind):
    found = documents(repo, kind)
    if len(found) != 1:
        raise AssertionError(f"expected one {kind} under deploy/, found {len(found)}")
    return found[0]


def container(repo):
    return one(repo, "Deployment")["spec"]["template"]["spec"]["containers"][0]


def parse_flags(args):
    """{name: value} of `--name=value` and `--name` (value None) arguments."""
    flags = {}
    for arg in args:
        if arg.startswith("--"):
            name, _, value = arg[2:].partition("=")
            flags[name] = value if "=" in arg else None
    return flags


def duration_seconds(text):
    """An absl duration ("20s", "5m", "1h30m", "250ms") in seconds."""
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001, "us": 1e-6, "ns": 1e-9}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|us|ns|h|m|s)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"not a duration: {text}")
    return sum(float(n) * units[u] for n, u in parts)


def port_of(address):
    return int(address.rsplit(":", 1)[1])


def dockerfile_stages(dockerfile):
    """[(base image, [instruction lines])] per stage, continuations joined."""
    text = re.sub(r"\\\n", " ", dockerfile)
    stages = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction = line.split(None, 1)[0].upper()
        if instruction == "FROM":
            stages.append((line.split()[1], []))
        elif stages:
            stages[-1][1].append(line)
    return stages


def dockerfile_exec_args(line):
    """The arguments of a JSON-form CMD, ENTRYPOINT or HEALTHCHECK CMD."""
    match = re.search(r"\[(.*)\]\s*$", line)
    if not match:
        return shlex.split(line)[1:]
    return yaml.safe_load("[" + match.group(1) + "]")


def check_parses(repo):
    problems = []
    for path, docs in repo["manifests"].items():
        if not docs:
            problems.append(f"{path}: no YAML document")
        for doc in docs:
            if not isinstance(doc, dict):
                problems.append(f"{path}: a document is not a mapping")
            elif "static_resources" not in doc and not ("apiVersion" in doc and "kind" in doc):
                problems.append(f"{path}: a document has no apiVersion/kind")
    return problems


def check_flags_exist(repo, flags):
    problems = []
    used = {"deploy/kubernetes Deployment": container(repo).get("args", [])}
    for _, lines in dockerfile_stages(repo["dockerfile"])[-1:]:
        for line in lines:
            if line.split()[0].upper() in ("CMD", "ENTRYPOINT"):
                used.setdefault("Dockerfile", []).extend(dockerfile_exec_args(line))
    for where, args in used.items():
        for name in parse_flags(args):
            if name not in flags and not (name.startswith("no") and name[2:] in flags):
                problems.append(f"{where}: --{name} is not a livestream_server flag")
    return problems


def check_ports(repo):
    problems = []
    c = container(repo)
    flags = parse_flags(c.get("args", []))
    ports = {p.get("name"): p["containerPort"] for p in c.get("ports", [])}
    if "listen" not in flags or port_of(flags["listen"]) != ports.get("grpc"):
        problems.append(f"--listen={flags.get('listen')} does not match containerPort grpc "
                        f"({ports.get('grpc')})")
    if "metrics_listen" in flags and port_of(flags["metrics_listen"]) != ports.get("metrics"):
        problems.append(f"--metrics_listen={flags['metrics_listen']} does not match "
                        f"containerPort metrics ({ports.get('metrics')})")
    for probe in ("readinessProbe", "livenessProbe"):
        grpc = c.get(probe, {}).get("grpc")
        if grpc is None:
            problems.append(f"{probe} is not a native gRPC probe")
        elif grpc.get("port") != ports.get("grpc"):
            problems.append(f"{probe} port {grpc.get('port')} is not the gRPC port")
    service = one(repo, "Service")
    grpc_ports = [p for p in service["spec"]["ports"]
                  if p.get("targetPort") in ("grpc", ports.get("grpc"))]
    if not grpc_ports:
        problems.append("the Service has no port for the gRPC port")
    for p in grpc_ports:
        if p.get("appProtocol") != "grpc":
            problems.append(f"Service port {p.get('name')} lacks appProtocol: grpc")
    # The image's defaults agree with the Deployment.
    final = dockerfile_stages(repo["dockerfile"])[-1][1]
    exposed = {int(p.split("/")[0]) for line in final if line.upper().startswith("EXPOSE")
               for p in line.split()[1:]}
    cmd = parse_flags([a for line in final if line.upper().startswith("CMD")
                       for a in dockerfile_exec_args(line)])
    for flag in ("listen", "metrics_listen"):
        if flag in cmd and port_of(cmd[flag]) not in exposed:
            problems.append(f"Dockerfile: --{flag}={cmd[flag]} is not EXPOSEd")
        if flag in cmd and flag in flags and port_of(cmd[flag]) != port_of(flags[flag]):
            problems.append(f"Dockerfile and Deployment disagree on --{flag}'s port")
    return problems


def check_health_names(repo):
    problems = []
    served = repo["served_health_service"]
    if served != HEALTH_SERVICE:
        problems.append(f"the server registers health for {served}, not {HEALTH_SERVICE}")
    c = container(repo)
    readiness = c.get("readinessProbe", {}).get("grpc", {}).get("service", "")
    liveness = c.get("livenessProbe", {}).get("grpc", {}).get("service", "")
    # Readiness must follow the service, which turns NOT_SERVING on SIGTERM.
    if readiness != HEALTH_SERVICE:
        problems.append(f"readinessProbe service '{readiness}' is not '{HEALTH_SERVICE}'")
    if liveness not in HEALTH_NAMES:
        problems.append(f"livenessProbe service '{liveness}' is not a health name of the server")
    for route_config in envoy_clusters(repo):
        for check in route_config.get("health_checks", []):
            name = check.get("grpc_health_check", {}).get("service_name", "")
            if name not in HEALTH_NAMES:
                problems.append(f"Envoy health check service '{name}' is not served")
    for _, lines in dockerfile_stages(repo["dockerfile"])[-1:]:
        for line in lines:
            if line.upper().startswith("HEALTHCHECK"):
                args = dockerfile_exec_args(line)
                service = [a.split("=", 1)[1] for a in args if a.startswith("-service=")]
                if not service or service[0] not in HEALTH_NAMES:
                    problems.append(f"Dockerfile HEALTHCHECK service {service} is not served")
    return problems


def check_grace(repo):
    problems = []
    spec = one(repo, "Deployment")["spec"]["template"]["spec"]
    c = container(repo)
    flags = parse_flags(c.get("args", []))
    # Set in the manifest, not left to the server's default: the grace
    # periods below are sized from it, and a copy of the default here would
    # go stale when it changes.
    if not flags.get("shutdown_grace"):
        return ["the Deployment must set --shutdown_grace: terminationGracePeriodSeconds "
                "is sized from it"]
    grace = duration_seconds(flags["shutdown_grace"])
    pre_stop = c.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds", 0)
    termination = spec.get("terminationGracePeriodSeconds", 30)
    if not termination > grace + pre_stop:
        problems.append(f"terminationGracePeriodSeconds {termination} is not above preStop "
                        f"{pre_stop}s + --shutdown_grace {grace:g}s")
    proxy = yaml.safe_load(one(repo, "Deployment")["spec"]["template"]["metadata"]
                           .get("annotations", {}).get("proxy.istio.io/config", "") or "{}")
    drain = proxy.get("terminationDrainDuration")
    if drain is not None and not grace + pre_stop <= duration_seconds(drain) < termination:
        problems.append(f"Istio terminationDrainDuration {drain} must cover preStop + "
                        f"--shutdown_grace and end before terminationGracePeriodSeconds")
    return problems


def check_secrets(repo):
    problems = []
    spec = one(repo, "Deployment")["spec"]["template"]["spec"]
    c = container(repo)
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    mounts = c.get("volumeMounts", [])
    secrets = {s["metadata"]["name"]: s for s in documents(repo, "Secret")}
    for name, value in parse_flags(c.get("args", [])).items():
        if not name.endswith("_file") or not value:
            continue
        mount = next((m for m in mounts if value.startswith(m["mountPath"].rstrip("/") + "/")),
                     None)
        if mount is None:
            problems.append(f"--{name}={value} is under no volumeMount")
            continue
        secret = volumes.get(mount["name"], {}).get("secret")
        if secret is None:
            problems.append(f"--{name}: volume {mount['name']} is not a Secret")
            continue
        if secret.get("defaultMode") != 0o400:
            problems.append(f"--{name}: Secret volume defaultMode is not 0400")
        if not mount.get("readOnly"):
            problems.append(f"--{name}: the Secret is not mounted readOnly")
        relative = value[len(mount["mountPath"].rstrip("/")) + 1:]
        items = secret.get("items")
        keys = [i["key"] for i in items if i["path"] == relative] if items else [relative]
        example = secrets.get(secret.get("secretName"))
        if not keys:
            problems.append(f"--{name}: no item of Secret {secret.get('secretName')} is "
                            f"mounted at {relative}")
        elif example is None:
            problems.append(f"--{name}: no Secret {secret.get('secretName')} under deploy/")
        elif keys[0] not in {**example.get("data", {}), **example.get("stringData", {})}:
            problems.append(f"--{name}: Secret {secret.get('secretName')} has no key {keys[0]}")
    for env in c.get("env", []):
        ref = env.get("valueFrom", {}).get("secretKeyRef")
        if ref:
            example = secrets.get(ref["name"], {})
            if ref["key"] not in {**example.get("data", {}), **example.get("stringData", {})}:
                problems.append(f"env {env['name']}: Secret {ref['name']} has no key {ref['key']}")
    return problems


def check_security(repo):
    problems = []
    spec = one(repo, "Deployment")["spec"]["template"]["spec"]
    c = container(repo)
    pod = spec.get("securityContext", {})
    own = c.get("securityContext", {})
    if not pod.get("runAsNonRoot") or pod.get("runAsUser", 0) == 0:
        problems.append("the pod does not run as a non-root user")
    if not own.get("readOnlyRootFilesystem"):
        problems.append("the container's root filesystem is writable")
    if own.get("allowPrivilegeEscalation", True):
        problems.append("the container allows privilege escalation")
    if "ALL" not in own.get("capabilities", {}).get("drop", []):
        problems.append("the container keeps Linux capabilities")
    resources = c.get("resources", {})
    for kind in ("requests", "limits"):
        if not {"cpu", "memory"} <= set(resources.get(kind, {})):
            problems.append(f"the container has no cpu and memory {kind}")
    stages = dockerfile_stages(repo["dockerfile"])
    users = [line.split()[1] for line in stages[-1][1] if line.upper().startswith("USER ")]
    if not users or users[-1].split(":")[0] in ("0", "root"):
        problems.append(f"the Dockerfile's runtime user is {users[-1] if users else 'root'}")
    elif str(pod.get("runAsUser")) != users[-1].split(":")[0]:
        problems.append("the pod's runAsUser is not the image's USER")
    if not stages[-1][0].startswith("debian:12"):
        problems.append(f"the runtime stage is {stages[-1][0]}, not Debian 12")
    build = " ".join(stages[0][1])
    if not stages[0][0].startswith("debian:12") or "scripts/setup.sh" not in build \
            or "scripts/build.sh" not in build:
        problems.append("the build stage does not use Debian 12, scripts/setup.sh and "
                        "scripts/build.sh")
    return problems


def check_dockerignore(repo):
    # A local build tree in the context would be copied over the image's own
    # (and its CMakeCache.txt names this machine's paths).
    missing = {".git", "build", "build-*", "bazel-*"} - set(repo["dockerignore"])
    return [f".dockerignore does not exclude {sorted(missing)}"] if missing else []


def check_scaling(repo):
    problems = []
    deployment = one(repo, "Deployment")
    labels = deployment["spec"]["selector"]["matchLabels"]
    pdb = one(repo, "PodDisruptionBudget")
    if pdb["spec"]["selector"].get("matchLabels") != labels:
        problems.append("the PodDisruptionBudget selects other pods than the Deployment")
    hpa = one(repo, "HorizontalPodAutoscaler")
    if hpa["spec"]["scaleTargetRef"].get("name") != deployment["metadata"]["name"]:
        problems.append("the HorizontalPodAutoscaler scales another Deployment")
    qps = parse_flags(container(repo).get("args", [])).get("zoom_rate_limit_qps")
    if not qps:  # as --shutdown_grace in check_grace
        return problems + ["the Deployment must set --zoom_rate_limit_qps: maxReplicas is "
                           "sized from it"]
    qps = float(qps)
    if hpa["spec"]["maxReplicas"] * qps > ZOOM_ACCOUNT_QPS:
        problems.append(f"maxReplicas {hpa['spec']['maxReplicas']} x --zoom_rate_limit_qps "
                        f"{qps:g} exceeds Zoom's {ZOOM_ACCOUNT_QPS:g} requests/s per account")
    return problems


def check_idle_timeouts(repo):
    """The proxies close idle connections to and from the server when the
    server does (the Deployment's --max_connection_idle)."""
    idle = parse_flags(container(repo).get("args", [])).get("max_connection_idle")
    if not idle:  # as --shutdown_grace in check_grace
        return ["the Deployment must set --max_connection_idle: the proxies' idle timeouts "
                "match it"]
    timeouts = [("DestinationRule idleTimeout",
                 rule["spec"].get("trafficPolicy", {}).get("connectionPool", {})
                 .get("http", {}).get("idleTimeout"))
                for rule in documents(repo, "DestinationRule")]

    def walk(node):
        if isinstance(node, dict):
            if "common_http_protocol_options" in node:
                yield node["common_http_protocol_options"].get("idle_timeout")
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)

    for doc in repo["manifests"].get("deploy/envoy/envoy.yaml", []):
        timeouts += [("Envoy idle_timeout", t) for t in walk(doc)]
    return [f"{where} {timeout} is not --max_connection_idle ({idle})"
            for where, timeout in timeouts
            if timeout is None or duration_seconds(timeout) != duration_seconds(idle)]


def envoy_clusters(repo):
    for doc in repo["manifests"].get("deploy/envoy/envoy.yaml", []):
        yield from doc.get("static_resources", {}).get("clusters", [])


def envoy_routes(repo):
    def walk(node):
        if isinstance(node, dict):
            if "route" in node and "match" in node:
                yield node
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)
    yield from walk(repo["manifests"].get("deploy/envoy/envoy.yaml", []))


def check_retries(repo):
    problems = []
    istio = documents(repo, "VirtualService")
    if not istio:
        problems.append("no VirtualService sets the mesh's retries (Istio's default retries "
                        "UNAVAILABLE)")
    for vs in istio:
        for route in vs["spec"].get("http", []):
            retries = route.get("retries")
            if retries is None:
                problems.append(f"VirtualService route {route.get('name')} leaves Istio's "
                                "default retries (which retry UNAVAILABLE)")
                continue
            unsafe = set(str(retries.get("retryOn", "")).split(",")) - SAFE_ENVOY_RETRY_ON - {""}
            if retries.get("attempts", 0) > 0 and (unsafe or not retries.get("retryOn")):
                problems.append(f"VirtualService retries on {sorted(unsafe) or 'Istio defaults'},"
                                " which may have reached Zoom")
    routes = list(envoy_routes(repo))
    if not routes:
        problems.append("deploy/envoy/envoy.yaml has no route")
    for route in routes:
        policy = route["route"].get("retry_policy")
        if policy is None:
            problems.append("an Envoy route has no retry_policy")
            continue
        unsafe = set(policy.get("retry_on", "").split(",")) - SAFE_ENVOY_RETRY_ON - {""}
        if unsafe or policy.get("retriable_status_codes"):
            problems.append(f"an Envoy route retries on {sorted(unsafe)}, which may have "
                            "reached Zoom")
    next_upstream = re.findall(r"^\s*grpc_next_upstream\s+([^;]*);", repo["nginx"], re.MULTILINE)
    if not next_upstream:
        problems.append("nginx: no grpc_next_upstream (its default retries on timeout)")
    for value in next_upstream:
        unsafe = set(value.split()) - SAFE_NGINX_NEXT_UPSTREAM
        if unsafe:
            problems.append(f"nginx: grpc_next_upstream {sorted(unsafe)} may repeat a call")
    return problems


def check_mesh_security(repo):
    problems = []
    modes = [p["spec"].get("mtls", {}).get("mode") for p in documents(repo, "PeerAuthentication")]
    if modes != ["STRICT"]:
        problems.append(f"PeerAuthentication modes {modes}, expected one STRICT")
    if not documents(repo, "AuthorizationPolicy"):
        problems.append("no AuthorizationPolicy")
    for rule in documents(repo, "DestinationRule"):
        if rule["spec"].get("trafficPolicy", {}).get("tls", {}).get("mode") != "ISTIO_MUTUAL":
            problems.append("the DestinationRule does not use ISTIO_MUTUAL")
    return problems


CHECKS = [check_parses, check_ports, check_health_names, check_grace, check_secrets,
          check_security, check_dockerignore, check_scaling, check_retries, check_mesh_security,
          check_idle_timeouts]


def all_problems(repo, flags):
    problems = check_flags_exist(repo, flags)
    for check in CHECKS:
        problems += check(repo)
    return problems
