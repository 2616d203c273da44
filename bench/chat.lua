-- wrk script: OpenAI chat completions, non-streaming, or streaming with BENCH_STREAM=1 ("stream":true; wrk reads each
-- event stream to its end).
--   BENCH_MODEL=bench/mock-model BENCH_KEY=pk-... [BENCH_STREAM=1] wrk -t2 -c32 -d20s -s bench/chat.lua http://127.0.0.1:8083/v1/chat/completions
-- The model may also be given after "--" (wrk ... -s bench/chat.lua URL -- mock-model). BENCH_KEY unset or empty:
-- no Authorization header (the mock upstream needs none). done() prints one parsable WRK_RESULT line.
local stream = os.getenv("BENCH_STREAM") == "1"

local function configure(model)
  model = (model or "mock-model"):gsub('[\\"]', "")
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Accept"] = stream and "text/event-stream" or "application/json"
  local key = os.getenv("BENCH_KEY")
  if key ~= nil and key ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. key
  end
  wrk.body = '{"model":"' .. model .. '",'
    .. (stream and '"stream":true,' or "")
    .. '"messages":[{"role":"user","content":"Say hello"}]}'
end

configure(os.getenv("BENCH_MODEL"))

function init(args)
  if args[1] ~= nil and args[1] ~= "" then
    configure(args[1])
  end
end

function done(summary, latency, requests)
  local s = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "WRK_RESULT stream=%s requests=%d duration_s=%.2f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f "
      .. "mean_ms=%.3f non2xx=%d errors_connect=%d errors_read=%d errors_write=%d errors_timeout=%d\n",
    tostring(stream), summary.requests, s, summary.requests / s,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000, e.status, e.connect, e.read, e.write, e.timeout))
end
