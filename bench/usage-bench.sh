#!/usr/bin/env bash
# usage-service benchmark on the whole platform (./parley up, embedded PostgreSQL):
#   - a data generator writes ROWS usage events with SQL (5,000 users, 20 models, the last 12 months; one heavy user
#     with 1% of all rows, in the current month) and builds the daily rollups and spend totals from them, as ingest
#     keeps them;
#   - one user's month (the heavy user's cost estimation by day, through the ingress with their token),
#   - all users grouped by model for a month (an admin's cost estimation with user_id=all),
#   - the same two as SQL execution times (EXPLAIN ANALYZE of the statements the service runs),
#   - ingest: bench/UsageIngestLoad.java posting batches of new events with a service token (events/s stored).
# Needs java 17+, curl and psql. Writes bench/usage-results-<date>.md.
#
#   bench/usage-bench.sh            ROWS=10000000 RUNS=100 INGEST_SECONDS=20 by default
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-10000000}
RUNS=${RUNS:-100}
INGEST_SECONDS=${INGEST_SECONDS:-20}
export PARLEY_ADMIN_USERNAME=benchadmin PARLEY_ADMIN_PASSWORD=correct-horse-battery-admin
NAME=usage-bench READY_PORTS="8081 8085"
source bench/platform-lib.sh

login() { curl -sS -X POST "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"$2\"}" \
  | sed -E 's/.*"access_token":"([^"]+)".*/\1/'; }
user="bench$RANDOM"
curl -sS -o /dev/null -X POST "$BASE/api/v1/auth/register" -H 'Content-Type: application/json' \
  -d "{\"username\":\"$user\",\"password\":\"correct-horse-battery\"}"
tok=$(login "$user" correct-horse-battery)
atok=$(login benchadmin correct-horse-battery-admin)
uid=$(curl -sS "$BASE/api/v1/users/me" -H "Authorization: Bearer $tok" | sed -E 's/.*"id":"([^"]+)".*/\1/')
[[ "$uid" =~ ^[0-9a-f-]{36}$ ]] || { echo "bench: could not register a user ($uid)" >&2; exit 1; }
secret=$(grep '^llm-gateway-service=' "$PARLEY_HOME/secrets/service-clients.properties" | cut -d= -f2-)
stok=$(curl -sS -X POST http://127.0.0.1:8081/internal/v1/service-tokens -H 'Content-Type: application/json' \
  -d "{\"client_id\":\"llm-gateway-service\",\"client_secret\":\"$secret\"}" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d parley_usage)

month_start=$(date -u +%Y-%m-01)
heavy=$((ROWS / 100))
echo "==> generating $ROWS usage events ($heavy for one user in $month_start's month) and their rollups" >&2
t0=$(date +%s)
"${PSQL[@]}" <<SQL
set synchronous_commit = off;
insert into usage_events (request_id, occurred_at, user_id, access_key_id, session_id, message_id, provider, model, deployment,
  prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, cache_write_tokens, images, latency_ms, ttft_ms, status,
  streamed, cost_usd, price_id)
select gen_random_uuid(),
       case when i < $heavy then timestamptz '$month_start' + (random() * (now() - timestamptz '$month_start'))
            else now() - random() * interval '365 days' end,
       case when i < $heavy then '$uid'::uuid else md5('u' || (i % 5000))::uuid end,
       null, md5('s' || (i % 200000))::uuid, gen_random_uuid(), 'openai', 'model-' || (i % 20), 'openai/model-' || (i % 20),
       100 + (i % 4000), 10 + (i % 800), 0, 0, 0, 0, 200 + (i % 3000), null,
       case when i % 50 = 0 then 'error' else 'success' end, i % 3 = 0,
       ((100 + (i % 4000)) * 0.15 + (10 + (i % 800)) * 0.6) / 1000000.0, null
from generate_series(0, $ROWS - 1) i;
insert into usage_daily (user_id, day, provider, model, requests, errors, prompt_tokens, completion_tokens, cached_tokens,
  reasoning_tokens, cache_write_tokens, images, cost_usd, unpriced, latency_ms_sum, latency_buckets)
select user_id, (occurred_at at time zone 'UTC')::date, provider, model, count(*), count(*) filter (where status <> 'success'),
       sum(prompt_tokens), sum(completion_tokens), 0, 0, 0, 0, sum(cost_usd), 0, sum(latency_ms),
       array[count(*) filter (where latency_ms <= 100), count(*) filter (where latency_ms > 100 and latency_ms <= 250),
             count(*) filter (where latency_ms > 250 and latency_ms <= 500), count(*) filter (where latency_ms > 500 and latency_ms <= 1000),
             count(*) filter (where latency_ms > 1000 and latency_ms <= 2000), count(*) filter (where latency_ms > 2000 and latency_ms <= 4000),
             0, 0, 0, 0, 0, 0]::bigint[]
from usage_events group by 1, 2, 3, 4;
insert into usage_daily_all (day, provider, model, requests, errors, prompt_tokens, completion_tokens, cached_tokens,
  reasoning_tokens, cache_write_tokens, images, cost_usd, unpriced, latency_ms_sum, latency_buckets)
select day, provider, model, sum(requests), sum(errors), sum(prompt_tokens), sum(completion_tokens), 0, 0, 0, 0, sum(cost_usd), 0,
       sum(latency_ms_sum), array[0,0,0,0,0,0,0,0,0,0,0,0]::bigint[]
from usage_daily group by 1, 2, 3;
analyze;
SQL
gen=$(( $(date +%s) - t0 ))
count=$("${PSQL[@]}" -At -c "select count(*) from usage_events")
rollups=$("${PSQL[@]}" -At -c "select count(*) from usage_daily")
echo "==> $count events, $rollups per-user rollup rows, generated in $gen s; measuring" >&2

to=$(date -u -d "$month_start +1 month" +%Y-%m-%d)
: >"$WORK/user.ms"; : >"$WORK/all.ms"
# one warm-up call each (JIT, connection pools, PostgreSQL's cache), not measured
curl -sS -o /dev/null "$BASE/api/v1/usage/cost-estimation?from=$month_start&to=$to&group_by=day" -H "Authorization: Bearer $tok"
curl -sS -o /dev/null "$BASE/api/v1/usage/cost-estimation?from=$month_start&to=$to&group_by=model&user_id=all" -H "Authorization: Bearer $atok"
for i in $(seq 1 "$RUNS"); do
  curl -sS -o /dev/null -w '%{time_total}\n' "$BASE/api/v1/usage/cost-estimation?from=$month_start&to=$to&group_by=day" \
    -H "Authorization: Bearer $tok" | awk '{printf "%.3f\n", $1*1000}' >>"$WORK/user.ms"
  curl -sS -o /dev/null -w '%{time_total}\n' "$BASE/api/v1/usage/cost-estimation?from=$month_start&to=$to&group_by=model&user_id=all" \
    -H "Authorization: Bearer $atok" | awk '{printf "%.3f\n", $1*1000}' >>"$WORK/all.ms"
done
sample=$(curl -sS "$BASE/api/v1/usage/cost-estimation?from=$month_start&to=$to&group_by=day" -H "Authorization: Bearer $tok" | head -c 200)
sql_user=$("${PSQL[@]}" -At -c "explain (analyze, format json) select to_char(day, 'YYYY-MM-DD'), requests, cost_usd from usage_daily where user_id = '$uid' and day >= '$month_start' and day < '$to'" \
  | sed -nE 's/.*"Execution Time": ([0-9.]+).*/\1/p')
sql_all=$("${PSQL[@]}" -At -c "explain (analyze, format json) select provider || '/' || model, sum(requests), sum(cost_usd) from usage_daily_all where day >= '$month_start' and day < '$to' group by 1" \
  | sed -nE 's/.*"Execution Time": ([0-9.]+).*/\1/p')
sql_scan=$("${PSQL[@]}" -At -c "explain (analyze, format json) select model, count(*), sum(cost_usd) from usage_events where occurred_at >= '$month_start' and occurred_at < '$to' group by 1" \
  | sed -nE 's/.*"Execution Time": ([0-9.]+).*/\1/p')

echo "==> ingest for $INGEST_SECONDS s" >&2
# a fresh service token: the one above has expired while the data was generated (they live 5 minutes)
stok=$(curl -sS -X POST http://127.0.0.1:8081/internal/v1/service-tokens -H 'Content-Type: application/json' \
  -d "{\"client_id\":\"llm-gateway-service\",\"client_secret\":\"$secret\"}" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
java bench/UsageIngestLoad.java http://127.0.0.1:8085 "$stok" "$INGEST_SECONDS" 4 500 >"$WORK/ingest.out" 2>&1 || true
grep -v '^events stored' "$WORK/ingest.out" | head -3 >&2 || true
ingest=$(grep '^events stored' "$WORK/ingest.out" || echo "the load generator failed: $(head -c 300 "$WORK/ingest.out")")

out=bench/usage-results-$(date -u +%Y-%m-%d-%H%M).md
{
  echo "# usage-service benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); services with \`${PARLEY_JAVA_OPTS:-"-Xmx512m -XX:+UseParallelGC"}\`."
  echo "$count usage events ($heavy for one user this month), $rollups per-user daily rollup rows; generated with SQL in $gen s."
  echo
  echo "| measurement | p50 ms | p99 ms |"
  echo "|---|---:|---:|"
  echo "| one user's month by day (cost estimation through the ingress, $RUNS runs) | $(pct 50 <"$WORK/user.ms") | $(pct 99 <"$WORK/user.ms") |"
  echo "| all users grouped by model for a month (admin, user_id=all) | $(pct 50 <"$WORK/all.ms") | $(pct 99 <"$WORK/all.ms") |"
  echo
  echo "PostgreSQL execution: one user's month from the rollups $sql_user ms; all users by model for the month from the"
  echo "rollups $sql_all ms; the same month by model scanned from the raw events (what the rollups avoid) $sql_scan ms."
  echo
  echo "Ingest (4 senders, batches of 500 new events, service token, straight to usage-service): $ingest"
  echo
  echo "Sample answer: \`$sample…\`"
} >"$out"
cat "$out"
echo "==> wrote $out" >&2
