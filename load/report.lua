-- wrk counts every 3xx as a success, and a signed-in page that redirects to the sign-in form
-- is a failure here: count every status from 300 up ourselves, in each thread, and sum in done().
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  not_ok = 0
end

function response(status, headers, body)
  if status >= 300 then
    not_ok = not_ok + 1
  end
end

-- One line for load/run.py to parse; latencies in microseconds.
function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("not_ok")
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %.0f, "p99_us": %.0f, "not_ok": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), bad,
    e.connect + e.read + e.write + e.timeout))
end
