#!/usr/bin/env bash
# Parley gateway benchmark: the mock upstream, the whole platform (./parley up) with access-key authentication and
# the usage outbox on, wrk for throughput, bench/LoadGen.java for latency at a fixed rate. See bench/README.md.
#
#   bench/run.sh                  the full run (about 10 minutes)
#   BENCH_QUICK=1 bench/run.sh    a quick run (3–4 minutes) to check that everything works
#
# Prints a Markdown results table at the end and writes it to bench/results-<date>.md.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD

quick=${BENCH_QUICK:-0}
q() { if [[ "$quick" == 1 ]]; then echo "$2"; else echo "$1"; fi; }
DURATION=${BENCH_DURATION:-$(q 20 5)}            # seconds of each measured wrk run
WARMUP=${BENCH_WARMUP:-$(q 10 3)}                # seconds of wrk warm-up before each measured run
RATE=${BENCH_RATE:-200}                          # requests/s of the fixed-rate (latency) runs
RATE_DURATION=${BENCH_RATE_DURATION:-$(q 30 8)}  # measured seconds of each fixed-rate run
RATE_WARMUP=${BENCH_RATE_WARMUP:-$(q 5 3)}       # uncounted seconds before each fixed-rate run
CONNECTIONS=${BENCH_CONNECTIONS:-"32 64"}        # wrk connection counts
BIG=$(tr ' ' '\n' <<<"$CONNECTIONS" | sort -n | tail -n 1)   # CPU per request is measured in this non-stream run
SETTLE=${BENCH_SETTLE:-$(q 10 3)}                # quiet seconds after the gateway's JIT warm-up
THREADS=${BENCH_THREADS:-2}                      # wrk threads
MOCK_PORT=${BENCH_MOCK_PORT:-18999}
MOCK_INSTANCES=${BENCH_MOCK_INSTANCES:-1}        # mock event loops
MODEL=${BENCH_MODEL:-bench/mock-model}           # the model name sent to the gateway: <provider>/<model>
MOCK_MODEL=${MODEL#*/}                           # ... and the one sent to the mock directly
JVM_OPTS=${BENCH_JVM_OPTS:-"-Xmx512m -XX:+UseParallelGC"}
EXTRA_OPTS=${BENCH_EXTRA_OPTS:-}                 # more -D flags for the services (split on spaces)
READY_TIMEOUT=${BENCH_READY_TIMEOUT:-180}
LIB=${BENCH_LIB:-llm-gateway-service/target/quarkus-app/lib/main}

GATEWAY=http://127.0.0.1:8083
AUTH=http://127.0.0.1:8081
MOCK=http://127.0.0.1:$MOCK_PORT
CHAT_PATH=/v1/chat/completions

say() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

for tool in java javac wrk curl; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found (wrk: apt-get install wrk; java/javac: a JDK 17+)"
done

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$MOCK_PORT" 8080 8081 8082 8083 8084 8085; do
  port_open "$p" && die "port $p is already in use: stop the running platform (./parley up) or mock first"
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/parley-bench.XXXXXX")
export PARLEY_HOME=$WORK/home
MOCK_PID=
PARLEY_PID=
SAMPLER_PID=
REDIS_PID=

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n "$SAMPLER_PID" ]]; then kill "$SAMPLER_PID" 2>/dev/null || true; fi
  if [[ -n "$REDIS_PID" ]]; then kill "$REDIS_PID" 2>/dev/null || true; fi
  if [[ -n "$PARLEY_PID" ]] && kill -0 "$PARLEY_PID" 2>/dev/null; then
    say "stopping the platform (SIGTERM to the launcher, pid $PARLEY_PID)"
    kill -TERM "$PARLEY_PID" 2>/dev/null || true
    for _ in $(seq 1 90); do kill -0 "$PARLEY_PID" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$PARLEY_PID" 2>/dev/null; then
      echo "bench: the launcher did not stop in 45 s; killing it (its services may be left running)" >&2
      kill -KILL "$PARLEY_PID" 2>/dev/null || true
    fi
  fi
  if [[ -n "$MOCK_PID" ]] && kill -0 "$MOCK_PID" 2>/dev/null; then
    kill -TERM "$MOCK_PID" 2>/dev/null || true
    wait "$MOCK_PID" 2>/dev/null || true
  fi
  if [[ -d "$PARLEY_HOME/logs" ]]; then cp -r "$PARLEY_HOME/logs" "$WORK/service-logs" 2>/dev/null || true; fi
  if [[ "${BENCH_KEEP_HOME:-0}" != 1 ]]; then rm -rf "$PARLEY_HOME"; fi
  echo "bench: logs and raw outputs are in $WORK" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- a. build if needed ---------------------------------------------------------------------------------------------
if [[ ! -f llm-gateway-service/target/quarkus-app/quarkus-run.jar ]]; then
  say "building (./mvnw -B -q package -DskipTests)"
  ./mvnw -B -q package -DskipTests </dev/null
fi
[[ -d "$LIB" ]] || die "$LIB is missing (the gateway's build holds Vert.x, which the mock upstream needs)"
say "compiling bench/MockUpstream.java and bench/LoadGen.java"
mkdir -p "$WORK/classes"
javac -nowarn -d "$WORK/classes" -cp "$LIB/*" bench/MockUpstream.java bench/LoadGen.java
CP="$WORK/classes:$LIB/*"

# ---- request bodies -------------------------------------------------------------------------------------------------
body() { # model stream
  printf '{"model":"%s",%s"messages":[{"role":"user","content":"Say hello"}]}' "$1" "$([[ $2 == 1 ]] && echo '"stream":true,')"
}
body "$MOCK_MODEL" 0 >"$WORK/direct.json"
body "$MOCK_MODEL" 1 >"$WORK/direct-stream.json"
body "$MODEL" 0 >"$WORK/gateway.json"
body "$MODEL" 1 >"$WORK/gateway-stream.json"

# ---- b. the mock upstream -------------------------------------------------------------------------------------------
say "starting the mock upstream on $MOCK ($MOCK_INSTANCES event loop(s))"
java -XX:+UseSerialGC -Xmx128m -cp "$CP" MockUpstream "$MOCK_PORT" --instances "$MOCK_INSTANCES" \
  </dev/null >"$WORK/mock.log" 2>&1 &
MOCK_PID=$!
for _ in $(seq 1 100); do port_open "$MOCK_PORT" && break; kill -0 "$MOCK_PID" 2>/dev/null || break; sleep 0.2; done
port_open "$MOCK_PORT" || { cat "$WORK/mock.log" >&2; die "the mock upstream did not start"; }

# ---- c. the platform ------------------------------------------------------------------------------------------------
OPTS="$JVM_OPTS -Dparley.gateway.providers.bench.type=openai_compatible"
OPTS+=" -Dparley.gateway.providers.bench.base-url=$MOCK/v1"
OPTS+=" -Dparley.gateway.providers.bench.api-key=sk-bench-operator-key"
OPTS+=" -Dparley.egress.allow-loopback=true"
# One user at thousands of calls a second: the platform's per-user limits (60 generations a minute by default) would
# refuse nearly every call. Off by default; BENCH_API_LIMITS=1 keeps them on with limits far above the load, so every
# call takes a bucket and none is refused: the difference between the two runs is the limiter's cost.
if [[ "${BENCH_API_LIMITS:-0}" == 1 ]]; then
  OPTS+=" -Dparley.rate-limit.user-requests-per-minute=2000000000 -Dparley.rate-limit.user-generations-per-minute=2000000000"
else
  OPTS+=" -Dparley.rate-limit.enabled=false"
fi
# usage-service is a skeleton until its issue lands: the mock takes the usage events (202) so the outbox drains
# while the benchmark runs, as in production (set BENCH_USAGE_SINK=0 to let it answer 404 and the backlog grow).
[[ "${BENCH_USAGE_SINK:-1}" == 1 ]] && OPTS+=" -Dparley.usage.url=$MOCK"
# BENCH_RATE_LIMIT=local|redis: a default limit for every user, far above what the benchmark reaches, so each call
# goes through the rate-limit check (prompt token estimate, sliding windows) without ever being refused; "redis"
# counts in a redis-server started here (redis-server on the PATH, else the binary inside the embedded-redis jar).
case "${BENCH_RATE_LIMIT:-0}" in
  0) ;;
  local|redis)
    OPTS+=" -Dparley.gateway.rate-limits.default.requests-per-minute=1000000000"
    OPTS+=" -Dparley.gateway.rate-limits.default.tokens-per-minute=1000000000000"
    if [[ "$BENCH_RATE_LIMIT" == redis ]]; then
      REDIS_PORT=${BENCH_REDIS_PORT:-16379}
      REDIS_BIN=$(command -v redis-server || true)
      if [[ -z "$REDIS_BIN" ]]; then
        jar=$(ls "$HOME"/.m2/repository/com/github/codemonstur/embedded-redis/*/embedded-redis-*.jar 2>/dev/null | tail -n 1)
        [[ -n "$jar" ]] || die "BENCH_RATE_LIMIT=redis needs redis-server or the embedded-redis jar (run the tests once)"
        (cd "$WORK" && unzip -o -q "$jar" redis-server-6.2.6-v5-linux-amd64 && chmod +x redis-server-6.2.6-v5-linux-amd64)
        REDIS_BIN=$WORK/redis-server-6.2.6-v5-linux-amd64
      fi
      "$REDIS_BIN" --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
        </dev/null >"$WORK/redis.log" 2>&1 &
      REDIS_PID=$!
      OPTS+=" -Dparley.gateway.rate-limits.redis-url=redis://127.0.0.1:$REDIS_PORT"
    fi ;;
  *) die "BENCH_RATE_LIMIT must be 0, local or redis" ;;
esac
[[ -n "$EXTRA_OPTS" ]] && OPTS+=" $EXTRA_OPTS"
say "starting the platform: ./parley up (PARLEY_HOME=$PARLEY_HOME)"
echo "PARLEY_JAVA_OPTS=$OPTS" >&2
PARLEY_JAVA_OPTS="$OPTS" PARLEY_STARTUP_TIMEOUT=${PARLEY_STARTUP_TIMEOUT:-$READY_TIMEOUT} \
  ./parley up </dev/null >"$WORK/parley.log" 2>&1 &
PARLEY_PID=$!
start=$SECONDS
until curl -sf -o /dev/null "$GATEWAY/q/health/ready" && curl -sf -o /dev/null "$AUTH/q/health/ready"; do
  if ! kill -0 "$PARLEY_PID" 2>/dev/null; then
    tail -n 40 "$WORK/parley.log" >&2
    PARLEY_PID=
    die "the launcher exited before the gateway was ready (log: $WORK/parley.log)"
  fi
  if (( SECONDS - start > READY_TIMEOUT )); then
    tail -n 40 "$WORK/parley.log" >&2
    die "the gateway was not ready after $READY_TIMEOUT s"
  fi
  sleep 1
done
echo "ready after $((SECONDS - start)) s" >&2

# The gateway process: a child of the launcher running from llm-gateway-service/target/quarkus-app.
GW_PID=
for _ in $(seq 1 20); do
  for p in $(pgrep -P "$PARLEY_PID" || true); do
    if [[ "$(readlink "/proc/$p/cwd" 2>/dev/null)" == */llm-gateway-service/target/quarkus-app ]] \
        || tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q 'llm-gateway-service'; then
      GW_PID=$p
    fi
  done
  [[ -n "$GW_PID" ]] && break
  sleep 0.5
done
[[ -n "$GW_PID" ]] || die "cannot find the llm-gateway-service process among the launcher's children"
echo "gateway pid $GW_PID" >&2

# ---- d. a user and an access key ------------------------------------------------------------------------------------
json_field() { # name < json
  if command -v jq >/dev/null 2>&1; then jq -r --arg f "$1" '.[$f] // empty'; else sed -n "s/.*\"$1\" *: *\"\([^\"]*\)\".*/\1/p"; fi
}
user="bench-$(date +%s)-$RANDOM"
password="bench-$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
say "registering $user and creating an access key"
code=$(curl -s -o "$WORK/register.json" -w '%{http_code}' -X POST "$AUTH/api/v1/auth/register" \
  -H 'Content-Type: application/json' -d "{\"username\":\"$user\",\"password\":\"$password\"}")
[[ "$code" == 201 || "$code" == 200 ]] || { cat "$WORK/register.json" >&2; die "register answered $code"; }
token=$(json_field access_token <"$WORK/register.json")
[[ -n "$token" ]] || { cat "$WORK/register.json" >&2; die "no access_token in the register answer"; }
code=$(curl -s -o "$WORK/access-key.json" -w '%{http_code}' -X POST "$AUTH/api/v1/access-keys" \
  -H 'Content-Type: application/json' -H "Authorization: Bearer $token" -d '{"name":"bench"}')
[[ "$code" == 201 || "$code" == 200 ]] || { cat "$WORK/access-key.json" >&2; die "creating the access key answered $code"; }
BENCH_KEY=$(json_field key <"$WORK/access-key.json")
[[ "$BENCH_KEY" == pk-* ]] || { cat "$WORK/access-key.json" >&2; die "no pk-… key in the access-key answer"; }
export BENCH_KEY
rm -f "$WORK/register.json" "$WORK/access-key.json"   # no secrets left behind in the logs folder

# ---- e. sanity ------------------------------------------------------------------------------------------------------
sanity() { # name url body-file stream auth(0|1)
  local out="$WORK/sanity-$1.txt" code
  local -a args=(-s -N -o "$out" -w '%{http_code}' -X POST "$2" -H 'Content-Type: application/json' --data-binary "@$3")
  [[ "$5" == 1 ]] && args+=(-H "Authorization: Bearer $BENCH_KEY")
  code=$(curl "${args[@]}") || true
  if [[ "$code" != 200 ]] || { [[ "$4" == 1 ]] && ! grep -q '^data: \[DONE\]' "$out"; }; then
    echo "--- $1: HTTP $code, body:" >&2; cat "$out" >&2; echo >&2
    die "sanity check '$1' failed"
  fi
  echo "$1: 200, $(wc -c <"$out") bytes" >&2
}
say "sanity checks"
sanity direct "$MOCK$CHAT_PATH" "$WORK/direct.json" 0 0
sanity direct-stream "$MOCK$CHAT_PATH" "$WORK/direct-stream.json" 1 0
sanity gateway "$GATEWAY$CHAT_PATH" "$WORK/gateway.json" 0 1
sanity gateway-stream "$GATEWAY$CHAT_PATH" "$WORK/gateway-stream.json" 1 1

# ---- process statistics ---------------------------------------------------------------------------------------------
CLK_TCK=$(getconf CLK_TCK)
stat_fields() { # pid -> fields from "state" on (utime is [11], stime [12], cutime [13], cstime [14])
  local s
  s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  echo "${s##*) }"
}
ticks() { # pid [children]: utime+stime (+cutime+cstime)
  local -a f
  read -r -a f <<<"$(stat_fields "$1")" || true
  [[ ${#f[@]} -gt 14 ]] || { echo 0; return; }
  if [[ "${2:-}" == children ]]; then echo $((f[11] + f[12] + f[13] + f[14])); else echo $((f[11] + f[12])); fi
}
platform_ticks() { # the launcher, the five services, PostgreSQL (postmaster incl. exited backends, and live backends)
  local total pm p
  total=$(ticks "$PARLEY_PID")
  for p in $(pgrep -P "$PARLEY_PID" || true); do total=$((total + $(ticks "$p"))); done
  for pm in $POSTMASTERS; do
    total=$((total + $(ticks "$pm" children)))
    for p in $(pgrep -P "$pm" || true); do total=$((total + $(ticks "$p"))); done
  done
  echo "$total"
}
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

POSTMASTERS=
for pm in $(pgrep -f -- "$PARLEY_HOME/pgdata" || true); do
  [[ "$(cat "/proc/$pm/comm" 2>/dev/null)" == postgres* ]] && POSTMASTERS+=" $pm"
done
[[ -n "$POSTMASTERS" ]] || echo "bench: PostgreSQL's postmaster not found: 'all Parley processes' CPU leaves it out" >&2
RSS_IDLE=$(rss_kb "$GW_PID")
echo "gateway RSS idle: $((RSS_IDLE / 1024)) MiB" >&2

# ---- f. measurements ------------------------------------------------------------------------------------------------
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }

declare -A WRK
run_wrk() { # target(direct|gateway) stream(0|1) connections
  local target=$1 stream=$2 c=$3 url model key name line
  if [[ "$target" == direct ]]; then url=$MOCK$CHAT_PATH model=$MOCK_MODEL key=; else url=$GATEWAY$CHAT_PATH model=$MODEL key=$BENCH_KEY; fi
  name="wrk-$target-$([[ $stream == 1 ]] && echo stream || echo nonstream)-c$c"
  say "$name: ${WARMUP} s warm-up + ${DURATION} s"
  BENCH_KEY=$key BENCH_MODEL=$model BENCH_STREAM=$stream wrk -t"$THREADS" -c"$c" -d"${WARMUP}s" --timeout 5s -s bench/chat.lua "$url" \
    >"$WORK/$name-warmup.txt" 2>&1 || true
  if [[ "$target/$stream/$c" == "gateway/0/$BIG" ]]; then CPU_GW_BEFORE=$(ticks "$GW_PID"); CPU_ALL_BEFORE=$(platform_ticks); fi
  BENCH_KEY=$key BENCH_MODEL=$model BENCH_STREAM=$stream wrk -t"$THREADS" -c"$c" -d"${DURATION}s" --timeout 5s --latency -s bench/chat.lua "$url" \
    >"$WORK/$name.txt" 2>&1 || true
  if [[ "$target/$stream/$c" == "gateway/0/$BIG" ]]; then CPU_GW_AFTER=$(ticks "$GW_PID"); CPU_ALL_AFTER=$(platform_ticks); fi
  line=$(grep '^WRK_RESULT' "$WORK/$name.txt" || true)
  [[ -n "$line" ]] || { cat "$WORK/$name.txt" >&2; die "$name printed no result"; }
  echo "$line" >&2
  WRK[$target/$stream/$c]=$line
}

declare -A LG
run_loadgen() { # target stream(0|1) [rate duration warmup]: a measured run, or (with the last three) a warm-up
  local target=$1 stream=$2 rate=${3:-$RATE} duration=${4:-$RATE_DURATION} warmup=${5:-$RATE_WARMUP} url bodyf name line
  local -a extra=()
  if [[ "$target" == direct ]]; then url=$MOCK$CHAT_PATH bodyf=$WORK/direct; else url=$GATEWAY$CHAT_PATH bodyf=$WORK/gateway; extra+=(-H "Authorization: Bearer $BENCH_KEY"); fi
  if [[ "$stream" == 1 ]]; then bodyf+=-stream.json; extra+=(--ttfb); else bodyf+=.json; fi
  name="loadgen-$target-$([[ $stream == 1 ]] && echo stream-ttfb || echo nonstream)"
  [[ -n "${3:-}" ]] && name+=-jit-warmup
  say "$name: $rate req/s, ${warmup} s warm-up + ${duration} s"
  java -XX:+UseSerialGC -Xms64m -Xmx64m -cp "$WORK/classes" LoadGen fixed-rate --url "$url" --body-file "$bodyf" \
    --rate "$rate" --duration "$duration" --warmup "$warmup" --connections 32 --label "$name" "${extra[@]}" \
    >"$WORK/$name.txt" 2>&1 || true
  line=$(grep '^LOADGEN' "$WORK/$name.txt" || true)
  [[ -n "$line" ]] || { cat "$WORK/$name.txt" >&2; die "$name printed no result"; }
  sed -n '2,5p' "$WORK/$name.txt" >&2
  LG[$target/$stream]=$line
}

# Latency first, on a quiet machine, after a JIT warm-up: the mock at a fixed 1000 req/s, the gateway with wrk at full
# load for BENCH_JIT_SECONDS per mode. Measured here: after 30 s of load the gateway's p50 at 200 req/s was still
# 2.9 ms (C2 still compiling); after 60 s more it was 0.95 ms, so a short warm-up measures the JIT, not the gateway.
JIT_SECONDS=${BENCH_JIT_SECONDS:-$(q 45 10)}
for stream in 0 1; do run_loadgen direct "$stream" 1000 "$WARMUP" 0; done
for stream in 0 1; do
  say "gateway JIT warm-up ($([[ $stream == 1 ]] && echo stream || echo non-stream)): wrk for $JIT_SECONDS s"
  BENCH_KEY=$BENCH_KEY BENCH_MODEL=$MODEL BENCH_STREAM=$stream wrk -t"$THREADS" -c32 -d"${JIT_SECONDS}s" --timeout 5s -s bench/chat.lua \
    "$GATEWAY$CHAT_PATH" >"$WORK/jit-warmup-$stream.txt" 2>&1 || true
done
say "letting the gateway settle for $SETTLE s"
sleep "$SETTLE"
run_loadgen direct 0
run_loadgen gateway 0
run_loadgen direct 1
run_loadgen gateway 1

for stream in 0 1; do
  for c in $CONNECTIONS; do run_wrk direct "$stream" "$c"; done
done

( max=0
  while kill -0 "$GW_PID" 2>/dev/null; do
    r=$(rss_kb "$GW_PID"); r=${r:-0}
    if (( r > max )); then max=$r; echo "$max" >"$WORK/rss-max"; fi
    sleep 0.5
  done ) &
SAMPLER_PID=$!
for stream in 0 1; do
  for c in $CONNECTIONS; do run_wrk gateway "$stream" "$c"; done
done
kill "$SAMPLER_PID" 2>/dev/null || true
wait "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=
RSS_LOAD=$(cat "$WORK/rss-max" 2>/dev/null || echo 0)
RSS_AFTER=$(rss_kb "$GW_PID")

# ---- the report -----------------------------------------------------------------------------------------------------
calc() { awk "BEGIN { v = $1; printf \"%.3f\", v }" 2>/dev/null || echo n/a; }
num() { [[ "$1" =~ ^-?[0-9]+(\.[0-9]+)?$ ]]; }
diff_ms() { if num "$1" && num "$2"; then calc "$1 - $2"; else echo n/a; fi; }
ok() { if num "$1" && awk "BEGIN { exit !($1 $2) }"; then echo yes; else echo "**no**"; fi; }
mode_name() { [[ "$1" == 1 ]] && echo stream || echo non-stream; }

git_rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ -n "$(git status --porcelain 2>/dev/null | grep -v '^??' || true)" ]] && git_rev+=" + uncommitted changes"
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem_gib=$(awk '/^MemTotal/ {printf "%.0f", $2 / 1048576}' /proc/meminfo)
java_version=$(java -version 2>&1 | head -n 1)

report=$WORK/report.md
{
  echo "## Gateway benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- machine: $(nproc) cores ($cpu_model), ${mem_gib} GiB, Linux $(uname -r); load generators, mock and platform on the same machine"
  echo "- code: $git_rev; $java_version; services: \`$JVM_OPTS\`"
  echo "- wrk -t$THREADS: ${DURATION} s measured after ${WARMUP} s warm-up; LoadGen: $RATE req/s, ${RATE_DURATION} s after ${RATE_WARMUP} s warm-up"
  echo "- gateway: \`POST /v1/chat/completions\`, model \`$MODEL\`, \`Authorization: Bearer pk-…\` (access key), usage outbox on"
  echo "- rate limits: ${BENCH_RATE_LIMIT:-0} (0: none configured; local: in-process windows; redis: windows in redis-server); budget check on (mock usage-service allows)"
  echo
  echo "### Throughput (wrk, closed loop; latency to the end of the response)"
  echo
  echo "| target | mode | connections | req/s | p50 ms | p90 ms | p99 ms | non-2xx | socket errors |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
  for target in direct gateway; do
    for stream in 0 1; do
      for c in $CONNECTIONS; do
        l=${WRK[$target/$stream/$c]}
        errs=$(( $(field "$l" errors_connect) + $(field "$l" errors_read) + $(field "$l" errors_write) + $(field "$l" errors_timeout) ))
        echo "| $([[ $target == direct ]] && echo 'mock directly' || echo gateway) | $(mode_name "$stream") | $c | $(field "$l" rps) | $(field "$l" p50_ms) | $(field "$l" p90_ms) | $(field "$l" p99_ms) | $(field "$l" non2xx) | $errs |"
      done
    done
  done
  echo
  echo "### Latency at a fixed $RATE req/s (LoadGen, open loop, from each request's scheduled time)"
  echo
  echo "| measurement | mock p50 | gateway p50 | **overhead p50** | mock p99 | gateway p99 | **overhead p99** | gateway p99.9 | gateway errors | LoadGen send lag p99, mock / gateway run |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for stream in 0 1; do
    d=${LG[direct/$stream]} g=${LG[gateway/$stream]}
    what=$([[ $stream == 1 ]] && echo 'stream, time to first byte (ms)' || echo 'non-stream, whole response (ms)')
    gerr=$(( $(field "$g" errors) + $(field "$g" non2xx) + $(field "$g" bad_stream) + $(field "$g" unfinished) ))
    echo "| $what | $(field "$d" p50_ms) | $(field "$g" p50_ms) | **$(diff_ms "$(field "$g" p50_ms)" "$(field "$d" p50_ms)")** | $(field "$d" p99_ms) | $(field "$g" p99_ms) | **$(diff_ms "$(field "$g" p99_ms)" "$(field "$d" p99_ms)")** | $(field "$g" p999_ms) | $gerr | $(field "$d" lag_p99_ms) / $(field "$g" lag_p99_ms) |"
  done
  echo
  echo "### Gateway resources"
  echo
  big=$BIG
  reqs=$(field "${WRK[gateway/0/$big]}" requests)
  cpu_gw=n/a cpu_all=n/a
  if [[ -n "${CPU_GW_BEFORE:-}" && "${reqs:-0}" -gt 0 ]]; then
    cpu_gw=$(calc "($CPU_GW_AFTER - $CPU_GW_BEFORE) * 1000 / $CLK_TCK / $reqs")
    cpu_all=$(calc "($CPU_ALL_AFTER - $CPU_ALL_BEFORE) * 1000 / $CLK_TCK / $reqs")
  fi
  echo "| what | value |"
  echo "|---|---:|"
  echo "| CPU time per request, gateway process (wrk non-stream, $big connections, $reqs requests) | $cpu_gw ms |"
  echo "| CPU time per request, all Parley processes (launcher, 5 services, PostgreSQL) | $cpu_all ms |"
  echo "| RSS idle (after start-up and the sanity requests) | $((RSS_IDLE / 1024)) MiB |"
  echo "| RSS under load (max, sampled every 0.5 s during the gateway wrk runs) | $((RSS_LOAD / 1024)) MiB |"
  echo "| RSS after the runs | $((RSS_AFTER / 1024)) MiB |"
  echo
  echo "Outbox rows were not counted in the database; every 2xx answer above wrote one usage event."
  echo
  echo "### Targets"
  echo
  best=0
  for c in $CONNECTIONS; do
    r=$(field "${WRK[gateway/0/$c]}" rps); r=${r%.*}
    if (( r > best )); then best=$r; fi
  done
  o50=$(diff_ms "$(field "${LG[gateway/0]}" p50_ms)" "$(field "${LG[direct/0]}" p50_ms)")
  o99=$(diff_ms "$(field "${LG[gateway/0]}" p99_ms)" "$(field "${LG[direct/0]}" p99_ms)")
  t50=$(diff_ms "$(field "${LG[gateway/1]}" p50_ms)" "$(field "${LG[direct/1]}" p50_ms)")
  echo "| target | measured | met |"
  echo "|---|---:|:---:|"
  echo "| ≥ 10,000 req/s non-stream through the gateway | $best req/s | $(ok "$best" '>= 10000') |"
  echo "| p50 overhead ≤ 1 ms at $RATE req/s | $o50 ms | $(ok "$o50" '<= 1') |"
  echo "| p99 overhead ≤ 5 ms at $RATE req/s | $o99 ms | $(ok "$o99" '<= 5') |"
  echo "| streaming time-to-first-byte overhead ≤ 2 ms (p50) at $RATE req/s | $t50 ms | $(ok "$t50" '<= 2') |"
} >"$report"

out=bench/results-$(date '+%Y-%m-%d-%H%M').md
cp "$report" "$out"
echo
cat "$report"
echo
echo "written to $out" >&2
