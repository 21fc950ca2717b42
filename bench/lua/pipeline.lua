-- wrk script: HTTP/1.1 pipelining of GET / (or wrk.path), N requests per write.
-- Depth: first script argument (wrk ... -- 16), else $PIPELINE_DEPTH, else 16.
-- wrk counts the requests in the string returned by request(), so every
-- response is still counted (and timed) individually.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local req

function init(args)
  local depth = tonumber(args[1]) or tonumber(os.getenv("PIPELINE_DEPTH")) or 16
  local one = wrk.format(nil, nil, nil, nil)
  req = string.rep(one, depth)
end

function request()
  return req
end
