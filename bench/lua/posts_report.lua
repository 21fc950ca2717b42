-- wrk done() hook for the posts scenario: the BENCH line of report.lua, with the p50
-- and p99 from wrk's own latency:percentile(). report.lua walks the histogram bucket by bucket
-- in Lua (a workaround for pipelined runs), which takes tens of seconds once latencies
-- reach seconds, as they do at 10,000 connections; posts runs are not pipelined.

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d lat_avg_us=%.1f lat_p99_us=%d errors=%d non2xx=%d lat_p50_us=%d\n",
    summary.requests, summary.duration, latency.mean, latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status, latency:percentile(50)))
end
