-- wrk script for bench/loadtest.py: token auth, a mix of paths read from a file, and a JSON
-- summary line (requests/s, latency percentiles, errors, non-2xx answers) at the end.
--   BENCH_TOKEN=... BENCH_PATHS=paths.txt wrk -s bench/loadtest.lua http://127.0.0.1:PORT

local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do
  if line ~= "" then
    paths[#paths + 1] = line
  end
end
wrk.headers["Authorization"] = "Token " .. os.getenv("BENCH_TOKEN")
wrk.headers["Host"] = "127.0.0.1"

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("offset", thread_count * 7919)
  table.insert(threads, thread)
end

local counter = 0
non_2xx = 0

function init(args)
  counter = offset or 0
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non_2xx = non_2xx + 1
  end
end

function done(summary, latency, requests)
  local answered_non_2xx = 0
  for _, thread in ipairs(threads) do
    answered_non_2xx = answered_non_2xx + thread:get("non_2xx")
  end
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_s": %.3f, "requests_per_s": %.1f, "latency_ms": '
      .. '{"mean": %.2f, "p50": %.2f, "p95": %.2f, "p99": %.2f, "max": %.2f}, '
      .. '"non_2xx": %d, "socket_errors": {"connect": %d, "read": %d, "write": %d, '
      .. '"timeout": %d}, "paths": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency.mean / 1000, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    answered_non_2xx, errors.connect, errors.read, errors.write, errors.timeout, #paths
  ))
end
