-- wrk script for npm run bench: optional list of paths to cycle through (after `--`), and one JSON line with
-- the figures the bench reports (wrk's own text summary rounds and omits timeouts' share).
local paths = {}
local counter = 0

function init(args)
  for i = 1, #args do paths[i] = args[i] end
end

function request()
  if #paths == 0 then return wrk.request() end
  counter = counter + 1
  return wrk.format(nil, paths[(counter % #paths) + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"non_2xx":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"timeouts":%d,"mean_us":%.1f,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(99), latency.max))
end
