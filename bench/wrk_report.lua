-- wrk script: request shape from the environment, one JSON summary line at the end.
-- BENCH_METHOD (GET), BENCH_BODY, BENCH_CONTENT_TYPE, BENCH_AUTHORIZATION, BENCH_TOKENS_FILE.
wrk.method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
if body and body ~= "" then wrk.body = body end
local content_type = os.getenv("BENCH_CONTENT_TYPE")
if content_type and content_type ~= "" then wrk.headers["Content-Type"] = content_type end
local authorization = os.getenv("BENCH_AUTHORIZATION")
if authorization and authorization ~= "" then wrk.headers["Authorization"] = authorization end

-- BENCH_TOKENS_FILE: one Authorization value per line, used in turn by every request,
-- so many users' tokens are spread over the connections.
local tokens_file = os.getenv("BENCH_TOKENS_FILE")
if tokens_file and tokens_file ~= "" then
  local tokens = {}
  for line in io.lines(tokens_file) do tokens[#tokens + 1] = line end
  local next_token = 0
  function request()
    next_token = next_token % #tokens + 1
    wrk.headers["Authorization"] = tokens[next_token]
    return wrk.format()
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_s": %.6f, "non_2xx": %d, "socket_errors": %d, '
      .. '"p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "mean_ms": %.3f, "max_ms": %.3f}\n',
    summary.requests, summary.duration / 1e6, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1e3, latency:percentile(95) / 1e3, latency:percentile(99) / 1e3,
    latency.mean / 1e3, latency.max / 1e3))
end
