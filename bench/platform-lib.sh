# Sourced by the whole-platform benchmarks (session-bench.sh, memory-bench.sh, usage-bench.sh): checks the tools
# and that the ports are free, starts ./parley up on its own data folder and PostgreSQL port (BENCH_PG_PORT,
# default 54339), waits until the services named in READY_PORTS answer, and stops it all on exit (the launcher's
# output is kept as ${TMPDIR:-/tmp}/<NAME>-last.log). Sets WORK, PG_PORT, BASE, PID; defines pct.
#
#   NAME=memory-bench READY_PORTS="8081 8084" source bench/platform-lib.sh

PG_PORT=${BENCH_PG_PORT:-54339}
BASE=http://127.0.0.1:8080
for tool in java curl psql; do command -v "$tool" >/dev/null || { echo "bench: $tool not found" >&2; exit 1; }; done
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in 8080 8081 8082 8083 8084 8085 "$PG_PORT"; do
  port_open "$p" && { echo "bench: port $p is in use: stop the running platform first" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/parley-$NAME.XXXXXX")
export PARLEY_HOME=$WORK/home PARLEY_PG_PORT=$PG_PORT
PID=
cleanup() {
  [[ -n "$PID" ]] && { kill -TERM "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; }
  cp "$WORK/parley.log" "${TMPDIR:-/tmp}/$NAME-last.log" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "==> starting the platform (./parley up, PostgreSQL on $PG_PORT)" >&2
# The platform's per-user limits (60 generations a minute) would refuse a benchmark's one user almost at once: off.
PARLEY_JAVA_OPTS="${PARLEY_JAVA_OPTS:-"-Xmx512m -XX:+UseParallelGC"} -Dparley.rate-limit.enabled=false" ./parley up </dev/null >"$WORK/parley.log" 2>&1 &
PID=$!
for _ in $(seq 1 240); do
  ready=1
  for p in $READY_PORTS; do curl -sf -o /dev/null "http://127.0.0.1:$p/q/health/ready" || ready=0; done
  [[ $ready == 1 ]] && curl -sf -o /dev/null "$BASE/.well-known/jwks.json" && break
  kill -0 "$PID" 2>/dev/null || { tail -40 "$WORK/parley.log" >&2; exit 1; }
  sleep 0.5
done

# pct P < numbers: the P-th percentile (nearest rank), two decimals
pct() { sort -n | awk -v p="$1" '{a[NR]=$1} END {if (NR==0) {print "n/a"; exit} i=int(NR*p/100+0.999); if (i<1) i=1; printf "%.2f", a[i]}'; }
