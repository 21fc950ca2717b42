-- wrk script for the soak scenario (bench/scenarios/soak.sh), one mode per run:
--   wrk ... -s soak.lua URL -- close   every request asks for "Connection: close", so
--                                     every request is a new connection (churn)
--   wrk ... -s soak.lua URL -- 8       8 pipelined requests per write
-- No done() hook: the soak reads wrk's own summary (a percentile walk over a
-- histogram stretched by the stalled-upstream phase would take minutes).
local req

function init(args)
  local mode = args[1]
  if mode == "close" then
    wrk.headers["Connection"] = "close"
  end
  local one = wrk.format(nil, nil, nil, nil)
  req = string.rep(one, tonumber(mode) or 1)
end

function request()
  return req
end
