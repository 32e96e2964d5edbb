#!/usr/bin/env bash
# Measures what the gateway adds on top of gRPC and of its upstream, on
# loopback, in one run. See docs/performance.md for what each stage means.
#
#   bench/run.sh            full run: bench/results/<date>-<commit>.json, PNG
#                           charts next to it, and a regenerated
#                           docs/performance.md
#   bench/run.sh --smoke    short CI run (about a minute once built): every
#                           stage with small counts, results in a temp dir,
#                           non-zero exit if a stage could not run (targets
#                           are not enforced)
#   bench/run.sh --profile  full run plus a `perf record` of the server under
#                           load (perf report saved next to the results)
#   --wait-idle=SECONDS     first wait up to SECONDS for the 1-minute load
#                           average to fall below 0.5 (a shared machine)
#   --priority              run the bench at nice -10 (needs root), so other
#                           work on a shared machine disturbs it less
#
# Environment: BUILD_DIR (default <repo>/build-bench, configured Release),
# RESULTS_DIR (default bench/results; smoke: a temp dir), KEEP_WORK=1 keeps
# the temp dir (logs, raw outputs).
#
# All load goes to 127.0.0.1. Every process the script starts is stopped on
# exit; every wait is bounded.

set -uo pipefail

MODE=full
PROFILE=0
WAIT_IDLE=0
PRIORITY=0
for arg in "$@"; do
  case "$arg" in
    --smoke) MODE=smoke ;;
    --profile) PROFILE=1 ;;
    --wait-idle=*) WAIT_IDLE=${arg#--wait-idle=} ;;
    --priority) PRIORITY=1 ;;
    -h | --help)
      sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "unknown argument: $arg (try --help)" >&2
      exit 2
      ;;
  esac
done

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$REPO/build-bench}"
PY=/usr/bin/python3
SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO=sudo

# ---------------------------------------------------------------- parameters
if [[ $MODE == smoke ]]; then
  RUNS=1               # repetitions per throughput point (median is kept)
  DURATION=1           # seconds per throughput run
  LAT_CALLS=1000       # per path and vCPU state, over all rounds
  LAT_ROUNDS=2         # paths alternate round by round
  LAT_WARMUP=100       # per round
  BURSTS=(200)
  CONN_CALLS=2000
else
  RUNS=3
  DURATION=5
  LAT_CALLS=10000
  LAT_ROUNDS=5
  LAT_WARMUP=200
  BURSTS=(2000 10000)
  CONN_CALLS=100000
fi
CONCURRENCIES=(1 16 64 256)
# h2load connections x streams per connection for each concurrency.
declare -A H2_C=([1]=1 [16]=2 [64]=4 [256]=8)
declare -A H2_M=([1]=1 [16]=8 [64]=16 [256]=32)
WRK_CONNECTIONS=32
# Upstream connection pool of the gateway in the throughput runs; the bursts
# need one connection per in-flight call (Little's law: 10,000 calls x 1 s).
POOL_SIZE="${POOL_SIZE:-}"
BURST_POOL=12000
BURST_DELAY_MS=1000
WEBINAR_ID=99289110036
# The emulator's documented fixed credential; nginx ignores it. Not a secret.
TOKEN=emulator-token
RPC_PATH=/zoom.livestream.v1.LiveStreamService/UpdateStatus

WORK="$(mktemp -d /tmp/livestream-bench.XXXXXX)"
DATA="$WORK/data"
LOGS="$WORK/logs"
mkdir -p "$DATA" "$LOGS"
STAGES="$DATA/stages.jsonl"
: >"$STAGES"

# ------------------------------------------------------------ process control
declare -a STARTED_PIDS=()

cleanup() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do
    stop_pid "$pid"
  done
  if [[ "${KEEP_WORK:-0}" == 1 ]]; then
    echo "work dir kept: $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# stop_pid PID: TERM, then KILL after 10 s.
stop_pid() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}

# wait_port_file FILE PID: prints the port once FILE holds one (30 s bound).
wait_port_file() {
  local file=$1 pid=$2 i
  for ((i = 0; i < 300; i++)); do
    if [[ -s $file ]]; then
      cat "$file"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# stage_result NAME OK(true|false) NOTE
stage_result() {
  local note=${3//\"/\'}
  printf '{"stage":"%s","ok":%s,"note":"%s"}\n' "$1" "$2" "$note" >>"$STAGES"
  if [[ $2 == true ]]; then log "stage $1: ok $note"; else log "stage $1: FAILED $note"; fi
}

# cpu_seconds PID: utime+stime of a process (fields after the comm field).
cpu_seconds() {
  local stat rest
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || {
    echo 0
    return
  }
  rest=${stat##*) }
  awk -v tck="$(getconf CLK_TCK)" '{ printf "%.3f\n", ($12 + $13) / tck }' <<<"$rest"
}

# ctx_switches PID: voluntary + involuntary context switches summed over the
# process's current threads (threads that exited meanwhile are not counted).
ctx_switches() {
  cat /proc/"$1"/task/*/status 2>/dev/null |
    awk '/^(voluntary|nonvoluntary)_ctxt_switches:/ { n += $2 } END { print n + 0 }'
}

# ------------------------------------------------------------- dependencies
install_packages() {
  local wanted=(nginx-light wrk nghttp2-client gnuplot-nox curl python3 cmake ninja-build g++
    pkg-config libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
    libcurl4-openssl-dev libgtest-dev libgmock-dev libicu-dev libmicrohttpd-dev
    golang-github-gogo-googleapis-dev grpc-proto)
  [[ $PROFILE == 1 ]] && wanted+=(linux-perf valgrind)
  local missing=() p
  for p in "${wanted[@]}"; do
    [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) == "install ok installed" ]] || missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    $SUDO apt-get update -qq &&
      $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" \
        >"$LOGS/apt.log" 2>&1 || {
      echo "apt-get install failed; see $LOGS/apt.log" >&2
      KEEP_WORK=1
      exit 1
    }
  fi
}

# ------------------------------------------------------------------- build
build() {
  if [[ ! -f $BUILD_DIR/CMakeCache.txt ]]; then
    log "configuring $BUILD_DIR (Release)"
    cmake -S "$REPO" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >"$LOGS/configure.log" 2>&1 ||
      {
        stage_result build false "cmake configure failed (see logs/configure.log)"
        return 1
      }
  fi
  local build_type
  build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt")
  [[ $build_type == Release ]] || log "warning: $BUILD_DIR is a '$build_type' build, not Release"
  BUILD_TYPE=$build_type
  local t failed=()
  for t in bench_reference_server bench_prototype_server bench_latency_client livestream_server \
    zoom_emulator; do
    log "building $t"
    cmake --build "$BUILD_DIR" -j2 --target "$t" >>"$LOGS/build.log" 2>&1 || failed+=("$t")
  done
  SERVER_BIN="$BUILD_DIR/server/livestream_server"
  EMULATOR_BIN="$BUILD_DIR/tests/zoom_emulator/zoom_emulator"
  REF_BIN="$BUILD_DIR/bench/bench_reference_server"
  PROTO_BIN="$BUILD_DIR/bench/bench_prototype_server"
  CLIENT_BIN="$BUILD_DIR/bench/bench_latency_client"
  if ((${#failed[@]})); then
    # Stages whose binaries exist still run; the others fail on their own.
    stage_result build false "could not build: ${failed[*]} (see logs/build.log)"
  else
    stage_result build true "$build_type"
  fi
  [[ -x $CLIENT_BIN && -x $REF_BIN ]]
}

# ---------------------------------------------------------------- processes
NGINX_PID=""
NGINX_PORT=""
start_nginx() {
  local dir="$WORK/nginx"
  mkdir -p "$dir/logs" "$dir/tmp"
  NGINX_PORT=$($PY - <<'EOF'
import random, socket
# Below the ephemeral range (32768-60999) so a burst's client ports never
# collide with the listener.
for port in random.sample(range(20000, 32000), 200):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    break
EOF
  )
  [[ -n $NGINX_PORT ]] || return 1
  cat >"$dir/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
worker_rlimit_nofile 65536;
events { worker_connections 30000; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  # The default (1000 in 1.22) would close pooled connections every 1000
  # requests and count them as new upstream connections.
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  server {
    listen 127.0.0.1:$NGINX_PORT backlog=4096;
    location ~ ^/v2/(webinars|meetings)/[^/]+/livestream/status\$ {
      if (\$request_method != PATCH) { return 405; }
      return 204;
    }
    location = /nginx_status { stub_status; }
    location / { return 404; }
  }
}
EOF
  nginx -t -q -p "$dir" -e "$dir/logs/error.log" -c "$dir/nginx.conf" >"$LOGS/nginx-t.log" 2>&1 || return 1
  nginx -p "$dir" -e "$dir/logs/error.log" -c "$dir/nginx.conf" >"$LOGS/nginx.log" 2>&1 &
  NGINX_PID=$!
  STARTED_PIDS+=("$NGINX_PID")
  local i
  for ((i = 0; i < 100; i++)); do
    curl -s --max-time 2 -o /dev/null "http://127.0.0.1:$NGINX_PORT/nginx_status" && return 0
    kill -0 "$NGINX_PID" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

nginx_worker_pid() { ps --ppid "$NGINX_PID" -o pid= | head -1 | tr -d ' '; }

# nginx_counters: "accepts requests" from stub_status. The query itself is
# one accepted connection and one request: deltas between two snapshots
# include exactly one of each.
nginx_counters() {
  curl -s --max-time 10 "http://127.0.0.1:$NGINX_PORT/nginx_status" | awk 'NR == 3 { print $1, $3 }'
}
nginx_requests() { nginx_counters | cut -d' ' -f2; }

# start_gateway NAME UPSTREAM_BASE_URL POOL: sets GW_PID and GW_PORT.
GW_PID=""
GW_PORT=""
start_gateway() {
  local name=$1 base=$2 pool=$3
  local args=(--listen=127.0.0.1:0 "--port_file=$WORK/$name.port" "--zoom_api_base_url=$base"
    "--zoom_max_connections=$pool" --zoom_body_encoding=multipart --zoom_timeout=10s)
  [[ $HAS_RATE_FLAG == 1 ]] && args+=(--zoom_rate_limit_qps=0)
  # For the report: the throughput instance's flags, without per-run paths.
  [[ $name == gw-nginx ]] && GW_FLAGS="${args[*]:3}"
  rm -f "$WORK/$name.port"
  ZOOM_ACCESS_TOKEN=$TOKEN "$SERVER_BIN" "${args[@]}" >"$LOGS/$name.out" 2>"$LOGS/$name.err" &
  GW_PID=$!
  STARTED_PIDS+=("$GW_PID")
  GW_PORT=$(wait_port_file "$WORK/$name.port" "$GW_PID") || {
    log "gateway $name did not start (see logs/$name.err)"
    return 1
  }
}

# The prototype's design on this machine, sending the gateway's captured
# request to the same nginx.
PROTO_PID=""
PROTO_PORT=""
start_prototype() {
  "$PROTO_BIN" --listen=127.0.0.1:0 "--port_file=$WORK/proto.port" \
    "--url=http://127.0.0.1:$NGINX_PORT/v2/webinars/$WEBINAR_ID/livestream/status" \
    "--body_file=$WORK/capture/body.bin" "--headers_file=$WORK/capture/headers.txt" \
    "--max_connections=$POOL_SIZE" >"$LOGS/proto.out" 2>"$LOGS/proto.err" &
  PROTO_PID=$!
  STARTED_PIDS+=("$PROTO_PID")
  PROTO_PORT=$(wait_port_file "$WORK/proto.port" "$PROTO_PID")
}

REF_PID=""
REF_PORT=""
start_reference() {
  "$REF_BIN" --listen=127.0.0.1:0 "--port_file=$WORK/ref.port" >"$LOGS/ref.out" 2>"$LOGS/ref.err" &
  REF_PID=$!
  STARTED_PIDS+=("$REF_PID")
  REF_PORT=$(wait_port_file "$WORK/ref.port" "$REF_PID")
}

EMU_PID=""
EMU_PORT=""
start_emulator() {
  "$EMULATOR_BIN" --listen=127.0.0.1:0 "--port_file=$WORK/emu.port" --quiet \
    >"$LOGS/emulator.out" 2>"$LOGS/emulator.err" &
  EMU_PID=$!
  STARTED_PIDS+=("$EMU_PID")
  EMU_PORT=$(wait_port_file "$WORK/emu.port" "$EMU_PID")
}

emulator_connections() {
  curl -s --max-time 10 "http://127.0.0.1:$EMU_PORT/_emulator/stats" |
    $PY -c 'import json,sys; print(json.load(sys.stdin)["connections_accepted"])'
}

# ------------------------------------------------------------------ helpers
# verify_grpc_frame PORT LABEL: h2load counts any HTTP 200 as a success, so
# the exact frame it sends must be shown to give grpc-status 0.
verify_grpc_frame() {
  local port=$1 label=$2
  timeout -k 5 20 nghttp -v -H 'content-type: application/grpc' -H 'te: trailers' \
    -d "$WORK/frame.bin" "http://127.0.0.1:$port$RPC_PATH" >"$LOGS/nghttp-$label.log" 2>&1
  grep -aq 'grpc-status: 0$' "$LOGS/nghttp-$label.log"
}

# h2load_run LABEL PORT CONCURRENCY DURATION PID [NGINX]: one measured run,
# prints a JSON line.
h2load_run() {
  local label=$1 port=$2 conc=$3 dur=$4 pid=$5 with_nginx=${6:-0}
  local c=${H2_C[$conc]} m=${H2_M[$conc]}
  local cpu0 cpu1 ncpu0=0 ncpu1=0 nreq0=0 nreq1=0 worker="" out
  [[ $with_nginx == 1 ]] && {
    worker=$(nginx_worker_pid)
    nreq0=$(nginx_requests)
    ncpu0=$(cpu_seconds "$worker")
  }
  cpu0=$(cpu_seconds "$pid")
  local cs0 cs1
  cs0=$(ctx_switches "$pid")
  out=$(timeout -k 5 $((dur + 60)) h2load -D "$dur" -c "$c" -m "$m" -t 1 \
    -H 'content-type: application/grpc' -H 'te: trailers' -d "$WORK/frame.bin" \
    "http://127.0.0.1:$port$RPC_PATH" 2>&1)
  local rc=$?
  cpu1=$(cpu_seconds "$pid")
  cs1=$(ctx_switches "$pid")
  [[ $with_nginx == 1 ]] && {
    nreq1=$(nginx_requests)
    ncpu1=$(cpu_seconds "$worker")
  }
  echo "$out" >>"$LOGS/h2load-$label.log"
  awk -v label="$label" -v conc="$conc" -v c="$c" -v m="$m" -v rc="$rc" -v cpu="$cpu0 $cpu1" \
    -v ncpu="$ncpu0 $ncpu1" -v nreq="$nreq0 $nreq1" -v with_nginx="$with_nginx" \
    -v cs="$((cs1 - cs0))" '
    /^finished in/ { gsub(/s,/, "", $3); secs = $3; rps = $4 }
    /^requests:/ { done = $6; ok = $8; failed = $10; errored = $12; timeout = $14 }
    /^status codes:/ { s2xx = $3 }
    END {
      split(cpu, cp, " "); split(ncpu, np, " "); split(nreq, nr, " ")
      cpu_s = cp[2] - cp[1]
      printf "{\"target\":\"%s\",\"concurrency\":%d,\"h2load_c\":%d,\"h2load_m\":%d,\"rc\":%d,", label, conc, c, m, rc
      printf "\"seconds\":%s,\"rps\":%s,\"done\":%d,\"succeeded\":%d,\"failed\":%d,\"errored\":%d,\"timeout\":%d,\"http_2xx\":%d,", secs + 0, rps + 0, done, ok, failed, errored, timeout, s2xx
      printf "\"server_cpu_s\":%.3f,\"server_cpu_us_per_req\":%.2f,", cpu_s, (done > 0 ? cpu_s * 1e6 / done : 0)
      printf "\"server_ctx_switches_per_req\":%.2f", (done > 0 ? cs / done : 0)
      if (with_nginx == 1) {
        ncpu_s = np[2] - np[1]
        printf ",\"nginx_cpu_us_per_req\":%.2f,\"upstream_requests\":%d", (done > 0 ? ncpu_s * 1e6 / done : 0), nr[2] - nr[1] - 1
      }
      printf "}\n"
    }' <<<"$out"
}

# ------------------------------------------------------------------ stages
stage_capture() {
  # The exact request the gateway sends, for wrk and the libcurl baseline.
  local cap="$WORK/capture"
  mkdir -p "$cap"
  $PY "$REPO/bench/capture_upstream.py" --port_file="$WORK/capture.port" --out_dir="$cap" \
    --timeout=60 2>"$LOGS/capture.err" &
  local cap_pid=$!
  STARTED_PIDS+=("$cap_pid")
  local cap_port
  cap_port=$(wait_port_file "$WORK/capture.port" "$cap_pid") || {
    stage_result capture false "capture listener did not start"
    return 1
  }
  start_gateway gw-capture "http://127.0.0.1:$cap_port/v2" 4 || {
    stage_result capture false "gateway did not start"
    return 1
  }
  local out
  out=$(timeout -k 5 60 "$CLIENT_BIN" --mode=grpc --target="127.0.0.1:$GW_PORT" --calls=1 \
    --warmup=0 --webinar_id=$WEBINAR_ID 2>>"$LOGS/client.err")
  local rc=$?
  stop_pid "$GW_PID"
  stop_pid "$cap_pid"
  if [[ $rc -ne 0 || ! -s $cap/body.bin ]]; then
    stage_result capture false "no request captured: $out"
    return 1
  fi
  stage_result capture true "$(cat "$cap/request_line.txt"), $(stat -c %s "$cap/body.bin")-byte body"
}

stage_direct_wrk() {
  local lua="$WORK/patch.lua" i
  cat >"$lua" <<EOF
local function slurp(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end
wrk.method = "PATCH"
wrk.body = slurp("$WORK/capture/body.bin")
for line in io.lines("$WORK/capture/headers.txt") do
  local name, value = line:match("^([^:]+):%s*(.-)%s*$")
  if name then wrk.headers[name] = value end
end
EOF
  local url="http://127.0.0.1:$NGINX_PORT/v2/webinars/$WEBINAR_ID/livestream/status"
  for ((i = 1; i <= RUNS; i++)); do
    local out
    out=$(timeout -k 5 $((DURATION + 60)) wrk -t1 -c$WRK_CONNECTIONS -d"${DURATION}s" -s "$lua" "$url" 2>&1)
    echo "$out" >>"$LOGS/wrk.log"
    awk -v run="$i" '
      /Requests\/sec:/ { rps = $2 }
      /requests in/ { total = $1 }
      /Non-2xx or 3xx responses:/ { bad = $5 }
      /Socket errors:/ { errs = $0 }
      END { printf "{\"run\":%d,\"rps\":%s,\"requests\":%d,\"non_2xx\":%d,\"socket_errors\":\"%s\"}\n", run, rps + 0, total, bad, errs }
    ' <<<"$out" >>"$DATA/wrk.jsonl"
  done
  if ! $PY - "$DATA/wrk.jsonl" <<'EOF'; then
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(0 if runs and all(r["rps"] > 0 and r["non_2xx"] == 0 and not r["socket_errors"] for r in runs) else 1)
EOF
    stage_result wrk false "wrk failed or got non-2xx (see logs/wrk.log)"
    return 1
  fi
  stage_result wrk true "$(tail -1 "$DATA/wrk.jsonl")"
}

# throughput_series LABEL PORT PID WITH_NGINX
throughput_series() {
  local label=$1 port=$2 pid=$3 with_nginx=$4 conc i
  # Unmeasured warm-up: connections, pools and caches.
  h2load_run "$label-warmup" "$port" 64 1 "$pid" "$with_nginx" >/dev/null
  for conc in "${CONCURRENCIES[@]}"; do
    for ((i = 1; i <= RUNS; i++)); do
      h2load_run "$label" "$port" "$conc" "$DURATION" "$pid" "$with_nginx" >>"$DATA/throughput.jsonl"
    done
  done
}

check_throughput() {
  $PY - "$DATA/throughput.jsonl" "$1" <<'EOF'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if json.loads(l)["target"] == sys.argv[2]]
bad = [r for r in runs if r["rc"] != 0 or r["done"] == 0 or r["failed"] or r["errored"]
       or r["http_2xx"] != r["done"]
       # Every successful gRPC call must have reached nginx: catches calls
       # the gateway refused locally (h2load sees only HTTP 200).
       or ("upstream_requests" in r and r["upstream_requests"] < r["done"])]
if not runs or bad:
    print(json.dumps(bad[:1]))
    sys.exit(1)
EOF
}

# measure_throughput LABEL PORT PID WITH_NGINX: the stage LABEL_throughput
# for a server that is listening on PORT.
measure_throughput() {
  local label=$1 port=$2 pid=$3 with_nginx=$4 bad
  if ! verify_grpc_frame "$port" "$label"; then
    stage_result "${label}_throughput" false \
      "the frame does not give grpc-status 0 (see logs/nghttp-$label.log)"
    return 1
  fi
  throughput_series "$label" "$port" "$pid" "$with_nginx"
  if ! bad=$(check_throughput "$label"); then
    stage_result "${label}_throughput" false "failed runs: $bad"
    return 1
  fi
  stage_result "${label}_throughput" true \
    "$(grep -c "\"target\":\"$label\"" "$DATA/throughput.jsonl") runs"
}

stage_gateway_throughput() {
  start_gateway gw-nginx "http://127.0.0.1:$NGINX_PORT/v2" "$POOL_SIZE" || {
    stage_result gateway_throughput false "gateway did not start"
    return 1
  }
  GW_NGINX_PID=$GW_PID
  GW_NGINX_PORT=$GW_PORT
  measure_throughput gateway "$GW_PORT" "$GW_PID" 1 || return 1
  if [[ $PROFILE == 1 ]]; then profile_gateway; fi
}

# perf_start NAME PID SECONDS / perf_report NAME: a cpu-clock profile with
# DWARF call graphs (Debian's libraries have no frame pointers), summarised
# into <results>/<stamp>-perf-NAME.txt.
PERF_PID=""
perf_start() {
  perf record -e cpu-clock -F 499 --call-graph dwarf,16384 -p "$2" -o "$WORK/perf-$1.data" \
    -- sleep "$3" >"$LOGS/perf-$1.log" 2>&1 &
  PERF_PID=$!
  STARTED_PIDS+=("$PERF_PID")
  sleep 1  # perf attaches asynchronously; the first second is not the load's
}
perf_report() {
  wait "$PERF_PID"
  local in="$WORK/perf-$1.data" out="$RESULTS_DIR/$STAMP-perf-$1.txt"
  mkdir -p "$RESULTS_DIR"
  {
    echo "# perf record -e cpu-clock --call-graph dwarf of livestream_server: $1"
    echo "## by thread"
    perf report -i "$in" --no-children --sort comm --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$'
    echo "## by library"
    perf report -i "$in" --no-children --sort dso --stdio -g none --percent-limit 0.3 2>/dev/null |
      grep -v '^#' | grep -v '^$'
    echo "## self time by symbol (>= 0.5 %; unnamed addresses are in stripped Debian libraries)"
    perf report -i "$in" --no-children --sort dso,sym --stdio -g none --percent-limit 0.5 2>/dev/null |
      grep -v '^#' | grep -v '^$'
    echo "## inclusive time of named user-space functions (>= 2 %)"
    perf report -i "$in" --children --sort sym --stdio -g none --percent-limit 2 2>/dev/null |
      grep -v '^#' | grep -v '^$' | grep -v '\[k\]' | grep -v '\] 0x0000' | cut -c1-220
  } >"$out"
}

profile_gateway() {
  log "profiling the gateway at concurrency 64 with perf"
  perf_start throughput-c64 "$GW_NGINX_PID" $((DURATION + 2))
  h2load_run gateway-profile "$GW_NGINX_PORT" 64 "$DURATION" "$GW_NGINX_PID" 1 >"$DATA/profile-run.json"
  perf_report throughput-c64
}

stage_reference_throughput() {
  start_reference || {
    stage_result reference_throughput false "reference server did not start"
    return 1
  }
  measure_throughput reference "$REF_PORT" "$REF_PID" 0
}

stage_prototype_throughput() {
  start_prototype || {
    PROTO_PORT=""
    stage_result prototype_throughput false "prototype server did not start"
    return 1
  }
  measure_throughput prototype "$PROTO_PORT" "$PROTO_PID" 1
}

# latency_round PATH AWAKE ROUND CLIENT_ARGS...: one round of sequential calls
# on one path; the samples go to a file per path and vCPU state, pooled over
# the rounds by report.py.
latency_round() {
  local path=$1 awake=$2 round=$3 out
  shift 3
  out=$(timeout -k 5 300 "$CLIENT_BIN" "$@" --calls=$((LAT_CALLS / LAT_ROUNDS)) \
    --warmup=$LAT_WARMUP --max_seconds=120 \
    --samples_file="$DATA/latency-$path-$awake.samples" 2>>"$LOGS/client.err")
  local rc=$?
  echo "{\"path\":\"$path\",\"awake\":$awake,\"round\":$round,\"result\":${out:-null}}" \
    >>"$DATA/latency.jsonl"
  return $rc
}

# An idle vCPU of these VMs takes hundreds of µs to wake up, which every hop
# of a sequential call pays. SCHED_IDLE spinners keep the vCPUs running but
# yield at once to any other thread, so the second set of rounds measures the
# paths without that penalty (as on a machine busy with other work).
BUSY_PIDS=()
start_busy_loops() {
  local i
  for ((i = 0; i < $(nproc); i++)); do
    chrt --idle 0 sh -c 'while :; do :; done' &
    BUSY_PIDS+=($!)
    STARTED_PIDS+=($!)
  done
}
stop_busy_loops() {
  local pid
  for pid in "${BUSY_PIDS[@]}"; do stop_pid "$pid"; done
  BUSY_PIDS=()
}

stage_latency() {
  local ok=true awake round
  local direct=(--mode=curl
    --url="http://127.0.0.1:$NGINX_PORT/v2/webinars/$WEBINAR_ID/livestream/status"
    --body_file="$WORK/capture/body.bin" --headers_file="$WORK/capture/headers.txt")
  [[ -n ${GW_NGINX_PORT:-} && -n $PROTO_PORT && -n $REF_PORT ]] || ok=false
  for awake in 0 1; do
    ((awake)) && start_busy_loops
    # Round by round, so that the machine's drift hits every path alike.
    for ((round = 1; round <= LAT_ROUNDS; round++)); do
      if [[ -n ${GW_NGINX_PORT:-} ]]; then
        latency_round gateway $awake $round --mode=grpc --target="127.0.0.1:$GW_NGINX_PORT" \
          --webinar_id=$WEBINAR_ID || ok=false
      fi
      if [[ -n $PROTO_PORT ]]; then
        latency_round prototype $awake $round --mode=grpc --target="127.0.0.1:$PROTO_PORT" \
          --webinar_id=$WEBINAR_ID || ok=false
      fi
      latency_round direct_curl $awake $round "${direct[@]}" || ok=false
      if [[ -n $REF_PORT ]]; then
        latency_round grpc_only $awake $round --mode=grpc --target="127.0.0.1:$REF_PORT" || ok=false
      fi
    done
    ((awake)) && stop_busy_loops
  done
  local n
  n=$(cat "$DATA"/latency-*.samples 2>/dev/null | wc -l)
  if [[ $ok == true ]]; then
    stage_result latency true "$LAT_CALLS calls per path, idle and with vCPUs kept awake ($n samples)"
  else
    stage_result latency false "a latency round failed or stopped early (see data/latency.jsonl)"
    return 1
  fi
}

# burst_case CALLS: fresh gateway against the delayed emulator, one cold and
# one warm burst, emulator connections counted around each.
burst_case() {
  local calls=$1 round out c0 c1 rc=0
  start_gateway "gw-burst-$calls" "http://127.0.0.1:$EMU_PORT/v2" "$BURST_POOL" || return 1
  local rounds=(cold warm)
  # perf slows the server down: the profile gets its own, unreported round.
  [[ $PROFILE == 1 && $calls == "${BURSTS[-1]}" ]] && rounds+=(profiled)
  for round in "${rounds[@]}"; do
    local profiling=0
    if [[ $round == profiled ]]; then
      profiling=1
      perf_start "burst-$calls" "$GW_PID" 12
    fi
    c0=$(emulator_connections) || c0=-1
    out=$(timeout -k 5 120 "$CLIENT_BIN" --mode=burst --target="127.0.0.1:$GW_PORT" --calls="$calls" \
      --rounds=1 --channels=8 --deadline_s=30 --sample_pid="$GW_PID" --webinar_id=$WEBINAR_ID \
      2>>"$LOGS/client.err") || rc=1
    c1=$(emulator_connections) || c1=-1
    [[ $profiling == 1 ]] && perf_report "burst-$calls"
    [[ -n $out ]] || out='{"ok":0}'
    echo "{\"calls\":$calls,\"round\":\"$round\",\"upstream_connections_opened\":$((c1 - c0 - 1)),\"result\":$out}" \
      >>"$DATA/bursts.jsonl"
    sleep 0.2
  done
  stop_pid "$GW_PID"
  return $rc
}

# heap_profile CALLS: the gateway under valgrind massif while CALLS slow calls
# are in flight; the peak snapshot's allocation tree shows who holds memory.
heap_profile() {
  local calls=$1 out="$RESULTS_DIR/$STAMP-massif-burst-$1.txt"
  log "heap profile (valgrind massif) of a $calls-call burst"
  rm -f "$WORK/gw-massif.port"
  local extra=()
  [[ $HAS_RATE_FLAG == 1 ]] && extra+=(--zoom_rate_limit_qps=0)
  # The synonym lets massif replace tcmalloc's malloc as it does glibc's.
  ZOOM_ACCESS_TOKEN=$TOKEN valgrind --tool=massif --threshold=1 --depth=30 \
    --soname-synonyms='somalloc=*tcmalloc*' --massif-out-file="$WORK/massif.out" "$SERVER_BIN" --listen=127.0.0.1:0 \
    "--port_file=$WORK/gw-massif.port" "--zoom_api_base_url=http://127.0.0.1:$EMU_PORT/v2" \
    "--zoom_max_connections=$BURST_POOL" --log_requests=false \
    "${extra[@]}" 2>"$LOGS/gw-massif.err" &
  local pid=$!
  STARTED_PIDS+=("$pid")
  local port
  port=$(wait_port_file "$WORK/gw-massif.port" "$pid") || {
    log "massif: gateway did not start"
    stop_pid "$pid"
    return 0
  }
  timeout -k 5 300 "$CLIENT_BIN" --mode=burst --target="127.0.0.1:$port" --calls="$calls" \
    --rounds=2 --deadline_s=120 >"$LOGS/massif-burst.out" 2>>"$LOGS/client.err"
  stop_pid "$pid"
  mkdir -p "$RESULTS_DIR"
  {
    echo "# valgrind massif of livestream_server, $calls calls in flight (2 bursts, 1 s upstream)"
    echo "# peak snapshot; sizes are heap bytes (not RSS)"
    ms_print "$WORK/massif.out" | $PY -c '
import re, sys
text = sys.stdin.read()
peak = re.search(r"(\d+) \(peak\)", text).group(1)
lines = text.splitlines()
start = next(i for i, l in enumerate(lines) if re.match(r"\s*" + peak + r"\s+[\d,]+\s+[\d,]+", l))
out = [lines[start]]
for line in lines[start + 1:]:
    if line.startswith("---") and len(out) > 3:
        break
    # The first three levels of the allocation tree are enough to name owners.
    if re.match(r"^(\d|->|\| ->|\|   ->)", line):
        out.append(line[:240])
print("\n".join(out))
' 
  } >"$out"
}

stage_bursts() {
  [[ -x $EMULATOR_BIN ]] && start_emulator || {
    stage_result bursts false "emulator did not start (see logs/emulator.err)"
    return 1
  }
  local code
  code=$(curl -s -o "$LOGS/emulator-config.out" -w '%{http_code}' --max-time 10 -X POST \
    -H 'content-type: application/json' -d "{\"delay_ms\":$BURST_DELAY_MS}" \
    "http://127.0.0.1:$EMU_PORT/_emulator/config")
  if [[ $code != 2* ]] || ! emulator_connections >/dev/null; then
    stage_result bursts false "emulator control API failed (config HTTP $code)"
    return 1
  fi
  local ok=true n
  # 10 calls first: the thread count must not grow with the load.
  for n in 10 "${BURSTS[@]}"; do
    log "burst of $n calls (cold, then warm)"
    burst_case "$n" || ok=false
  done
  if [[ $PROFILE == 1 ]]; then heap_profile "${BURSTS[0]}"; fi
  stop_pid "$EMU_PID"
  if [[ $ok == true ]]; then
    stage_result bursts true "10 ${BURSTS[*]} calls, ${BURST_DELAY_MS} ms upstream"
  else
    stage_result bursts false "a burst had failed calls (see data/bursts.jsonl)"
    return 1
  fi
}

stage_connections() {
  start_gateway gw-connections "http://127.0.0.1:$NGINX_PORT/v2" "$POOL_SIZE" || {
    stage_result connections false "gateway did not start"
    return 1
  }
  local a0 a1 r0 r1 out rc
  read -r a0 r0 < <(nginx_counters)
  # 256 in flight, more than the pool: the excess must queue, not dial.
  out=$(timeout -k 5 600 h2load -n "$CONN_CALLS" -c 8 -m 32 -t 1 -H 'content-type: application/grpc' \
    -H 'te: trailers' -d "$WORK/frame.bin" "http://127.0.0.1:$GW_PORT$RPC_PATH" 2>&1)
  rc=$?
  read -r a1 r1 < <(nginx_counters)
  echo "$out" >"$LOGS/h2load-connections.log"
  stop_pid "$GW_PID"
  local succeeded
  succeeded=$(awk '/^requests:/ { print $8 }' <<<"$out")
  # Each nginx_status query is itself one accepted connection and request.
  local opened=$((a1 - a0 - 1)) upstream=$((r1 - r0 - 1))
  printf '{"calls":%d,"succeeded":%d,"upstream_requests":%d,"upstream_connections_opened":%d,"pool_size":%d,"in_flight":256}\n' \
    "$CONN_CALLS" "${succeeded:-0}" "$upstream" "$opened" "$POOL_SIZE" >"$DATA/connections.json"
  if [[ $rc -ne 0 || ${succeeded:-0} -ne $CONN_CALLS || $upstream -lt $CONN_CALLS ]]; then
    stage_result connections false "h2load rc=$rc, $succeeded/$CONN_CALLS succeeded, $upstream upstream requests"
    return 1
  fi
  stage_result connections true "$opened connections for $CONN_CALLS calls (pool $POOL_SIZE)"
}

machine_info() {
  local commit dirty
  commit=$(git -C "$REPO" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
  # The run's own outputs (new files under bench/results, the regenerated
  # docs/performance.md) do not count.
  dirty=$([[ -n $(git -C "$REPO" status --porcelain --untracked-files=no -- . \
    ':(exclude)docs/performance.md' 2>/dev/null) ]] && echo true || echo false)
  $PY - "$DATA/machine.json" <<EOF
import json, os, platform, subprocess, sys
def run(cmd):
    try:
        out = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=10)
        return (out.stdout + out.stderr).strip().splitlines()[0]
    except Exception:
        return "unknown"
cpu = "unknown"
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip()
        break
mem_kib = int(open("/proc/meminfo").readline().split()[1])
info = {
  "nproc": os.cpu_count(), "cpu_model": cpu, "mem_gib": round(mem_kib / 2**20, 1),
  "kernel": platform.release(), "os": run(". /etc/os-release && echo \$PRETTY_NAME"),
  "loadavg_at_start": "$LOADAVG_START", "loadavg_at_end": open("/proc/loadavg").read().split()[:3],
  "commit": "$commit", "dirty_worktree": $( [[ $dirty == true ]] && echo True || echo False ),
  "build_type": "${BUILD_TYPE:-unknown}", "mode": "$MODE", "pool_size": int("${POOL_SIZE:-0}" or 0),
  "gateway_flags": "${GW_FLAGS:-}", "log_requests": "default (on, stderr to a file)",
  "burst_pool": $BURST_POOL, "burst_delay_ms": $BURST_DELAY_MS, "niceness": $NICENESS,
  "versions": {
    "gcc": run("g++ --version"), "grpc": run("pkg-config --modversion grpc++"),
    "protobuf": run("pkg-config --modversion protobuf"), "libcurl": run("curl-config --version"),
    "nginx": run("nginx -v"), "h2load": run("h2load --version"), "wrk": run("wrk -v"),
    "kernel": platform.version(),
  },
  "load_tools": {"h2load": "-t 1, c x m per concurrency: 1=1x1 16=2x8 64=4x16 256=8x32",
                 "wrk": "-t1 -c$WRK_CONNECTIONS", "runs_per_point": $RUNS, "seconds_per_run": $DURATION},
}
json.dump(info, open(sys.argv[1], "w"), indent=1)
EOF
}

# --------------------------------------------------------------------- main
if ((WAIT_IDLE > 0)); then
  for ((waited = 0; waited < WAIT_IDLE; waited += 5)); do
    awk '{ exit !($1 < 0.5) }' /proc/loadavg && break
    ((waited % 60 == 0)) && log "waiting for an idle machine (load $(cut -d' ' -f1 /proc/loadavg))"
    sleep 5
  done
fi
NICENESS=$(nice)
if [[ $PRIORITY == 1 ]]; then
  # Every process started below inherits it.
  renice -n -10 -p $$ >/dev/null 2>&1 || log "warning: cannot raise the bench's priority"
  NICENESS=$(nice)
fi
START_TS=$(date +%s)
LOADAVG_START=$(cut -d' ' -f1-3 /proc/loadavg)
install_packages
# The 10,000-call burst holds 10,000 upstream sockets in the gateway and in
# the emulator.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if [[ $(ulimit -n) != unlimited && $(ulimit -n) -lt 12000 ]]; then
  log "warning: open-file limit $(ulimit -n) may be too low for the 10,000-call burst"
fi

COMMIT=$(git -C "$REPO" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
STAMP="$(date -u +%Y-%m-%d)-$COMMIT"
if [[ $MODE == smoke ]]; then
  # Outside $WORK so the smoke results survive the cleanup.
  RESULTS_DIR="${RESULTS_DIR:-$(mktemp -d /tmp/livestream-bench-smoke.XXXXXX)}"
else
  RESULTS_DIR="${RESULTS_DIR:-$REPO/bench/results}"
fi
HAS_RATE_FLAG=0
BUILD_TYPE=unknown
GW_FLAGS=""

if build; then
  if [[ ! -x $SERVER_BIN ]]; then SERVER_BIN=/nonexistent/livestream_server; fi
  # Read once into a variable: `| grep -q` would end the pipe early and, with
  # pipefail, turn a match into a failure.
  SERVER_HELP=$("$SERVER_BIN" --helpfull 2>&1)
  # Client-side rate limiting (Zoom's 30 requests/s) would cap every run.
  if grep -q -- '--zoom_rate_limit_qps' <<<"$SERVER_HELP"; then HAS_RATE_FLAG=1; fi
  if [[ -z $POOL_SIZE ]]; then
    # The shipped default, so the bench measures what users run. The server
    # is the only place it is written (server/defaults.h): no fallback copy.
    POOL_SIZE=$(grep -A2 -- '--zoom_max_connections' <<<"$SERVER_HELP" |
      sed -n 's/.*default: "\{0,1\}\([0-9]*\)"\{0,1\};.*/\1/p' | head -1)
    [[ -n $POOL_SIZE ]] ||
      stage_result pool_size false "no default of --zoom_max_connections in $SERVER_BIN --helpfull"
  fi
  "$CLIENT_BIN" --mode=frame --out="$WORK/frame.bin" --webinar_id=$WEBINAR_ID

  if start_nginx; then
    stage_result nginx true "port $NGINX_PORT"
    stage_capture || true
    if [[ -s $WORK/capture/body.bin ]]; then
      stage_direct_wrk || true
    else
      stage_result wrk false "skipped: no captured request"
    fi
    stage_gateway_throughput || true
    if [[ -s $WORK/capture/body.bin ]]; then
      stage_prototype_throughput || true
    else
      stage_result prototype_throughput false "skipped: no captured request"
    fi
    stage_reference_throughput || true
    if [[ -s $WORK/capture/body.bin ]]; then
      stage_latency || true
    else
      stage_result latency false "skipped: no captured request"
    fi
    stage_connections || true
  else
    stage_result nginx false "nginx did not start (see $LOGS)"
  fi
  [[ -n $REF_PID ]] && stop_pid "$REF_PID"
  [[ -n $PROTO_PID ]] && stop_pid "$PROTO_PID"
  [[ -n ${GW_NGINX_PID:-} ]] && stop_pid "$GW_NGINX_PID"
  stage_bursts || true
fi
[[ -n $NGINX_PID ]] && stop_pid "$NGINX_PID"

machine_info
mkdir -p "$RESULTS_DIR"
report_args=(--data="$DATA" --results_dir="$RESULTS_DIR" --stamp="$STAMP" --mode="$MODE")
[[ $MODE == full ]] && report_args+=(--doc="$REPO/docs/performance.md" --repo="$REPO")
$PY "$REPO/bench/report.py" "${report_args[@]}" || stage_result report false "report.py failed"

FAILED=$($PY -c 'import json,sys; print(" ".join(s["stage"] for s in map(json.loads, open(sys.argv[1])) if not s["ok"]))' "$STAGES")
echo
echo "bench ($MODE) finished in $(($(date +%s) - START_TS)) s; results in $RESULTS_DIR"
if [[ -n $FAILED ]]; then
  echo "FAILED stages: $FAILED (logs: $LOGS)"
  KEEP_WORK=1
  exit 1
fi
echo "all stages ran"
