-- wrk script: stop after a fixed number of responses (first script argument, else
-- $REQUEST_COUNT, else 20000), so sequential runs (-t1 -c1) compare equal work.
-- The -d duration is only an upper bound. Reports through report.lua's done().
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local target, seen = 20000, 0

function init(args)
  target = tonumber(args[1]) or tonumber(os.getenv("REQUEST_COUNT")) or target
end

function response(status, headers, body)
  seen = seen + 1
  if seen >= target then wrk.thread:stop() end
end
