-- wrk script of bench/registry.sh: the method and Accept header come from the
-- environment (WRK_METHOD, default GET; WRK_ACCEPT, optional); at the end one
-- JSON line "WRKJSON {...}" gives requests/s, latency percentiles in
-- microseconds and the error counts, for the script to parse.
wrk.method = os.getenv("WRK_METHOD") or "GET"
local accept = os.getenv("WRK_ACCEPT")
if accept and accept ~= "" then
  wrk.headers["Accept"] = accept
end
-- WRK_AUTH: an Authorization header value (mamori's Basic credentials).
local auth = os.getenv("WRK_AUTH")
if auth and auth ~= "" then
  wrk.headers["Authorization"] = auth
end

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'WRKJSON {"requests":%d,"seconds":%.3f,"rps":%.1f,"bytes":%d,' ..
      '"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d},' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.requests, seconds, summary.requests / seconds, summary.bytes,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
