-- POST /posts with a ~700-byte JSON post (a new title per request), for the posts
-- write scenario. Reports through posts_report.lua's done().
local script_dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(script_dir .. "posts_report.lua")

wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
local body_text = string.rep("durable append through the ring ", 20)
local counter = 0

function request()
  counter = counter + 1
  local body = string.format('{"title":"bench post %d","author":"wrk","body":"%s"}', counter, body_text)
  return wrk.format(nil, "/posts", nil, body)
end
