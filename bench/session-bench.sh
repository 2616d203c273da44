#!/usr/bin/env bash
# session-service benchmark: a session with a 10,000-message chain and a user with 10,000 sessions, on the whole
# platform (./parley up, embedded PostgreSQL). Measures
#   - the history query of the deepest message (PostgreSQL execution time of the recursive CTE, and the whole
#     GET /api/v1/messages/{id}/history over HTTP, 10,000 messages of JSON),
#   - a page of the session list (20 sessions of 10,000; SQL and HTTP),
#   - the time a turn takes through session-service against calling the gateway directly, both with parley/echo
#     (so the difference is the session layer: storing, context building, the extra hop).
# Needs java 17+, curl and psql (apt-get install postgresql-client). Writes bench/session-results-<date>.md.
#
#   bench/session-bench.sh                      RUNS=50 TURNS=200 by default
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-50}
TURNS=${TURNS:-200}
NAME=session-bench READY_PORTS="8081 8082 8083"
source bench/platform-lib.sh

user="bench$RANDOM"
tok=$(curl -sS -X POST "$BASE/api/v1/auth/register" -H 'Content-Type: application/json' \
  -d "{\"username\":\"$user\",\"password\":\"correct-horse-battery\"}" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
uid=$(curl -sS "$BASE/api/v1/users/me" -H "Authorization: Bearer $tok" | sed -E 's/.*"id":"([^"]+)".*/\1/')
[[ "$uid" =~ ^[0-9a-f-]{36}$ ]] || { echo "bench: could not register a user ($uid)" >&2; tail -40 "$WORK/parley.log" >&2; exit 1; }
deep=$(curl -sS -X POST "$BASE/api/v1/sessions" -H 'Content-Type: application/json' -H "Authorization: Bearer $tok" \
  -d '{"title":"deep","model":"parley/echo","memory_mode":"DISABLED"}' | sed -E 's/.*"id":"([^"]+)".*/\1/')
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d parley_session)

echo "==> generating 10,000 messages in one chain and 10,000 sessions" >&2
"${PSQL[@]}" <<SQL
insert into messages (id, session_id, user_id, parent_message_id, role, content, status, depth, created_at)
select md5('$deep' || i)::uuid, '$deep', '$uid', case when i = 0 then null else md5('$deep' || (i - 1))::uuid end,
       case when i % 2 = 0 then 'user' else 'assistant' end,
       'message ' || i || ': the quick brown fox jumps over the lazy dog, again and again', 'complete', i,
       now() + i * interval '1 millisecond'
from generate_series(0, 9999) i;
update sessions set active_leaf_id = md5('$deep' || 9999)::uuid where id = '$deep';
insert into sessions (id, user_id, title, memory_mode, llm_params, metadata, created_at, updated_at)
select gen_random_uuid(), '$uid', 'Session ' || i, 'AUTO', '{}', '{}', now() - i * interval '1 second', now()
from generate_series(1, 10000) i;
analyze;
SQL
leaf=$("${PSQL[@]}" -Atc "select md5('$deep' || 9999)::uuid")

# p50 and p99 of numbers on stdin (milliseconds)
# p50 / p99 in one string (this script's tables); replaces platform-lib.sh's pct
pct() { sort -n | awk '{a[NR]=$1} END {p50=a[int((NR+1)*0.5)]; i=int(NR*0.99+0.5); if(i<1)i=1; printf "%.2f / %.2f", p50, a[i]}'; }
sqltime() { for _ in $(seq 1 "$RUNS"); do "${PSQL[@]}" -Atc "explain (analyze, timing off) $1" | sed -nE 's/^Execution Time: ([0-9.]+) ms/\1/p'; done | pct; }
httptime() { for _ in $(seq 1 "$RUNS"); do curl -s -o /dev/null -w '%{time_total}\n' "$@" | awk '{print $1*1000}'; done | pct; }

echo "==> measuring" >&2
cte="with recursive chain(id, parent_message_id) as (select id, parent_message_id from messages where id = '$leaf' and session_id = '$deep' union all select m.id, m.parent_message_id from messages m join chain c on m.id = c.parent_message_id) select m.* from messages m join chain c on m.id = c.id order by m.depth"
hist_sql=$(sqltime "$cte")
hist_http=$(httptime "$BASE/api/v1/messages/$leaf/history" -H "Authorization: Bearer $tok")
page_sql=$(sqltime "select * from sessions where user_id = '$uid' order by created_at desc, id desc limit 21")
page_http=$(httptime "$BASE/api/v1/sessions?limit=20" -H "Authorization: Bearer $tok")
cursor=$(curl -sS "$BASE/api/v1/sessions?limit=20" -H "Authorization: Bearer $tok" | sed -E 's/.*"next_cursor":"([^"]+)".*/\1/')
page2_http=$(httptime "$BASE/api/v1/sessions?limit=20&cursor=$cursor" -H "Authorization: Bearer $tok")

# Turns: each measured turn goes to a session of its own (created beforehand), so the gateway is sent exactly what the
# direct call sends (system prompt + question) and the difference is the session layer alone.
new_session() { curl -sS -X POST "$BASE/api/v1/sessions" -H 'Content-Type: application/json' -H "Authorization: Bearer $tok" \
  -d '{"model":"parley/echo","memory_mode":"DISABLED","system_prompt":"Be brief.","title":"t"}' | sed -E 's/.*"id":"([^"]+)".*/\1/'; }
for _ in $(seq 1 30); do   # warm-up of both paths
  curl -s -o /dev/null -X POST "$BASE/api/v1/sessions/$(new_session)/messages" -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $tok" -d '{"content":"warm up"}'
  curl -s -o /dev/null -X POST "$BASE/v1/chat/completions" -H 'Content-Type: application/json' -H "Authorization: Bearer $tok" \
    -d '{"model":"parley/echo","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"warm up"}]}'
done
sessions_for_turns=()
for _ in $(seq 1 "$TURNS"); do sessions_for_turns+=("$(new_session)"); done
turn_ms=$(for s in "${sessions_for_turns[@]}"; do
  curl -s -o /dev/null -w '%{time_total}\n' -X POST "$BASE/api/v1/sessions/$s/messages" -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $tok" -d '{"content":"What is the capital of France?"}' | awk '{print $1*1000}'; done | pct)
direct_ms=$(for _ in $(seq 1 "$TURNS"); do
  curl -s -o /dev/null -w '%{time_total}\n' -X POST "$BASE/v1/chat/completions" -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $tok" \
    -d '{"model":"parley/echo","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"What is the capital of France?"}]}' \
    | awk '{print $1*1000}'; done | pct)

out=bench/session-results-$(date '+%Y-%m-%d-%H%M').md
{
  echo "## session-service benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- machine: $(nproc) cores, Linux $(uname -r); everything on one machine; code $(git rev-parse --short HEAD)"
  echo "- $RUNS runs per query (${TURNS} per turn measurement), p50 / p99 in ms; curl's time_total over the ingress"
  echo
  echo "| measurement | p50 / p99 ms |"
  echo "|---|---:|"
  echo "| history of the deepest of 10,000 chained messages: PostgreSQL execution (recursive CTE) | $hist_sql |"
  echo "| the same over HTTP (\`GET /api/v1/messages/{id}/history\`, 10,000 messages of JSON) | $hist_http |"
  echo "| a page of 20 of a user's 10,000 sessions: PostgreSQL execution | $page_sql |"
  echo "| the same over HTTP, first page / a later page (cursor) | $page_http / $page2_http |"
  echo "| a turn through session-service (parley/echo, memory DISABLED, a new session each: no history) | $turn_ms |"
  echo "| the same question straight to the gateway | $direct_ms |"
} | tee "$out"
echo "written to $out" >&2
