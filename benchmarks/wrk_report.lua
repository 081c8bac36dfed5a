-- wrk script for benchmarks/load.py: a request cap per thread, and a summary as JSON.
-- Argument (after "--"): the most responses one wrk thread may receive; 0 means no cap.

local cap = 0
local count = 0

function init(args)
  cap = tonumber(args[1]) or 0
end

function response(status, headers, body)
  count = count + 1
  if cap > 0 and count >= cap then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"duration_us":%d,"requests":%d,"bytes":%d,'
      .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
      .. '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"mean":%.1f,"max":%d}}\n',
    summary.duration, summary.requests, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max
  ))
end
