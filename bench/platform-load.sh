#!/usr/bin/env bash
# Whole-platform load through the ingress (./parley up, embedded PostgreSQL, parley/echo so no provider is involved):
# stateful turns per second and p50/p90/p99 per turn at 16 and 64 concurrent users with memory context retrieval and
# usage metering on, the cost of each hop measured on its own, and each service's RSS and startup time. Needs java
# 17+, curl and psql. Writes bench/platform-results-<date>.md.
#
#   bench/platform-load.sh              LEVELS=16,64 SECONDS_PER_LEVEL=30 by default
set -euo pipefail
cd "$(dirname "$0")/.."

LEVELS=${LEVELS:-16,64}
SECONDS_PER_LEVEL=${SECONDS_PER_LEVEL:-30}
NAME=platform-load READY_PORTS="8081 8082 8083 8084 8085"
source bench/platform-lib.sh

ready=$(grep -o 'ready in [0-9.]* s' "$WORK/parley.log" | head -1)
out="bench/platform-results-$(date -u +%Y-%m-%d-%H%M).md"
{
  echo "# Whole-platform load, $(date -u +%Y-%m-%d) ($(nproc) cores, $(java -version 2>&1 | head -1))"
  echo
  echo "\`./parley up\` on this machine: $ready (the launcher's measure: PostgreSQL, five JVMs, the ingress)."
  echo "Services run with PARLEY_JAVA_OPTS=\"${PARLEY_JAVA_OPTS:--Xmx512m -XX:+UseParallelGC}\"; the load generator shares the machine."
  echo
  java bench/PlatformLoad.java "$BASE" "$PARLEY_HOME" "$LEVELS" "$SECONDS_PER_LEVEL"
} >"$out"
cat "$out"
echo "==> written to $out" >&2
