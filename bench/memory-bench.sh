#!/usr/bin/env bash
# memory-service benchmark on the whole platform (./parley up, embedded PostgreSQL): a user with 10,000 memories.
# Measures
#   - writing a memory through the ingress (POST /api/v1/memories: validation, the local embedding, the insert),
#   - context retrieval for a prompt (POST /internal/v1/context with the service token, as session-service calls it):
#     the ranking alone (Server-Timing "rank": the snapshot check, the full-text query, scoring 10,000 vectors, loading
#     the winners) and the query's local embedding (Server-Timing "embed"), and the whole call over HTTP,
#   - one local embedding of a short text (the "embed" share above; also POST /v1/embeddings through the gateway).
# The first WRITES memories are written through the API (each embedded by the model); the rest are copies made with
# SQL (new ids and contents, the same vectors), since the ranking's cost depends on how many vectors it scores, not on
# what they hold. Needs java 17+, curl and psql. Writes bench/memory-results-<date>.md.
#
#   bench/memory-bench.sh               WRITES=500 TOTAL=10000 RUNS=300 by default
set -euo pipefail
cd "$(dirname "$0")/.."

WRITES=${WRITES:-500}
TOTAL=${TOTAL:-10000}
RUNS=${RUNS:-300}
NAME=memory-bench READY_PORTS="8081 8084"
source bench/platform-lib.sh

user="bench$RANDOM"
tok=$(curl -sS -X POST "$BASE/api/v1/auth/register" -H 'Content-Type: application/json' \
  -d "{\"username\":\"$user\",\"password\":\"correct-horse-battery\"}" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
uid=$(curl -sS "$BASE/api/v1/users/me" -H "Authorization: Bearer $tok" | sed -E 's/.*"id":"([^"]+)".*/\1/')
[[ "$uid" =~ ^[0-9a-f-]{36}$ ]] || { echo "bench: could not register a user ($uid)" >&2; tail -40 "$WORK/parley.log" >&2; exit 1; }
secret=$(grep '^session-service=' "$PARLEY_HOME/secrets/service-clients.properties" | cut -d= -f2-)
stok=$(curl -sS -X POST http://127.0.0.1:8081/internal/v1/service-tokens -H 'Content-Type: application/json' \
  -d "{\"client_id\":\"session-service\",\"client_secret\":\"$secret\"}" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')

subjects=(tea coffee Lyon Paris cats dogs running cycling Rust Java jazz opera peanuts shellfish trains planes
  gardening chess sushi pasta daughter son mortgage salary Volvo bicycle piano guitar yoga climbing)
verbs=("likes" "dislikes" "is allergic to" "talks often about" "wants to learn more about" "has plans involving"
  "asked for advice on" "keeps notes about")


echo "==> writing $WRITES memories through the API (each embedded by the local model)" >&2
: >"$WORK/write.ms"
for i in $(seq 1 "$WRITES"); do
  s=${subjects[$((RANDOM % ${#subjects[@]}))]}; v=${verbs[$((RANDOM % ${#verbs[@]}))]}
  curl -sS -o /dev/null -w '%{time_total}\n' -X POST "$BASE/api/v1/memories" -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $tok" -d "{\"content\":\"The user $v $s (note $i)\",\"importance\":0.$((RANDOM % 10))}" \
    | awk '{printf "%.3f\n", $1*1000}' >>"$WORK/write.ms"
done
copies=$(( (TOTAL - WRITES + WRITES - 1) / WRITES ))
echo "==> copying them with SQL up to $TOTAL memories" >&2
psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d parley_memory <<SQL
insert into memories (id, user_id, scope, type, content, keywords, importance, source, related_message_ids, created_at,
                      updated_at, embedding, embedding_model)
select gen_random_uuid(), user_id, scope, type, content || ' / copy ' || k, keywords, importance, source, related_message_ids,
       created_at - k * interval '1 hour', updated_at - k * interval '1 hour', embedding, embedding_model
from memories, generate_series(1, $copies) k
where user_id = '$uid'
limit $((TOTAL - WRITES));
analyze memories;
SQL
count=$(psql -X -At -h 127.0.0.1 -p "$PG_PORT" -U postgres -d parley_memory -c "select count(*) from memories where user_id = '$uid'")
echo "==> $count memories; $RUNS context retrievals" >&2

queries=("what does the user like to drink" "plan a trip by train" "dinner ideas without peanuts" "music the user enjoys"
  "sports the user does" "which programming language" "family members" "money and housing" "hobbies at home")
: >"$WORK/ctx.rank"; : >"$WORK/ctx.embed"; : >"$WORK/ctx.total"
for i in $(seq 1 "$RUNS"); do
  q=${queries[$((i % ${#queries[@]}))]}
  curl -sS -D "$WORK/h" -o /dev/null -w '%{time_total}\n' -X POST http://127.0.0.1:8084/internal/v1/context \
    -H 'Content-Type: application/json' -H "Authorization: Bearer $stok" \
    -d "{\"user_id\":\"$uid\",\"session_id\":null,\"query\":\"$q\",\"token_budget\":1000}" \
    | awk '{printf "%.3f\n", $1*1000}' >>"$WORK/ctx.total"
  tr -d '\r' <"$WORK/h" | sed -nE 's/^[Ss]erver-[Tt]iming: embed;dur=([0-9.]+), rank;dur=([0-9.]+)$/\1 \2/p' >"$WORK/st"
  awk '{print $1}' "$WORK/st" >>"$WORK/ctx.embed"; awk '{print $2}' "$WORK/st" >>"$WORK/ctx.rank"
done
# the first tenth is warm-up (JIT, the user's snapshot being loaded once)
warm=$((RUNS / 10))
tail -n +$((warm + 1)) "$WORK/ctx.rank" >"$WORK/r"; tail -n +$((warm + 1)) "$WORK/ctx.embed" >"$WORK/e"; tail -n +$((warm + 1)) "$WORK/ctx.total" >"$WORK/t"
key=$(curl -sS -X POST "$BASE/api/v1/access-keys" -H 'Content-Type: application/json' -H "Authorization: Bearer $tok" \
  -d '{"name":"bench"}' | sed -E 's/.*"key":"([^"]+)".*/\1/')
: >"$WORK/gw.ms"
for i in $(seq 1 100); do
  curl -sS -o /dev/null -w '%{time_total}\n' -X POST "$BASE/v1/embeddings" -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $key" -d "{\"model\":\"parley/all-minilm-l6-v2\",\"input\":\"the user likes green tea $i\"}" \
    | awk '{printf "%.3f\n", $1*1000}' >>"$WORK/gw.ms"
done

out=bench/memory-results-$(date -u +%Y-%m-%d-%H%M).md
{
  echo "# memory-service benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); services with \`${PARLEY_JAVA_OPTS:-"-Xmx512m -XX:+UseParallelGC"}\`."
  echo "$count memories of one user ($WRITES written through the API, the rest SQL copies); $RUNS context retrievals"
  echo "($warm warm-up dropped), 100 embeddings through the gateway. p50 / p99 in ms:"
  echo
  echo "| measurement | p50 | p99 |"
  echo "|---|---:|---:|"
  echo "| write one memory (POST /api/v1/memories via the ingress, embedding included) | $(pct 50 <"$WORK/write.ms") | $(pct 99 <"$WORK/write.ms") |"
  echo "| context: ranking $count memories (Server-Timing rank, embedding excluded) | $(pct 50 <"$WORK/r") | $(pct 99 <"$WORK/r") |"
  echo "| context: the query's local embedding (Server-Timing embed) | $(pct 50 <"$WORK/e") | $(pct 99 <"$WORK/e") |"
  echo "| context: the whole call over HTTP | $(pct 50 <"$WORK/t") | $(pct 99 <"$WORK/t") |"
  echo "| one embedding through the gateway (POST /v1/embeddings via the ingress, access key) | $(pct 50 <"$WORK/gw.ms") | $(pct 99 <"$WORK/gw.ms") |"
} >"$out"
cat "$out"
echo "==> wrote $out" >&2
