-- Shared wrk done() hook: prints one machine-readable line that
-- bench/lib/measure.sh parses. Scenario scripts pull it in with
--   dofile(script_dir .. "report.lua")
-- and it can also be used on its own (wrk -s bench/lua/report.lua).
--
-- Fields: requests completed, test duration (µs), latency mean and p99 (µs),
-- socket errors (connect+read+write+timeout), non2xx = wrk's "status"
-- errors (responses with status >= 400), and latency p50 (µs).

-- The p-th percentile latency. wrk 4.1's own latency:percentile() returns 0 when its
-- rank lies outside the recorded [min, max] (seen with pipelining); then walk the
-- buckets (value, count) ourselves and rank within what they hold. The walk is the
-- exception because it is slow: each latency(i) call scans the histogram from its
-- start, so a full pass over tens of thousands of buckets takes about a second.
local function percentile(latency, p)
  local quick = latency:percentile(p)
  if quick > 0 then return quick end
  local n, total = #latency, 0
  for i = 1, n do
    local _, count = latency(i)
    total = total + count
  end
  local target, seen = total * p / 100, 0
  for i = 1, n do
    local value, count = latency(i)
    seen = seen + count
    if seen >= target then return value end
  end
  return 0
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d lat_avg_us=%.1f lat_p99_us=%d errors=%d non2xx=%d lat_p50_us=%d\n",
    summary.requests, summary.duration, latency.mean, percentile(latency, 99),
    e.connect + e.read + e.write + e.timeout, e.status, percentile(latency, 50)))
end
