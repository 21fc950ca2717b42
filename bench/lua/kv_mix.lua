-- wrk script for the kv scenario (seed 002's autocannon-go workload, made fixed):
-- every write is a batch of 10 pipelined requests on one connection,
--   GET GET GET GET POST GET GET GET GET POST
-- each on a fresh random key in [0, 1,000,000). A POST stores (last value read) + 1,
-- where "last value read" is the most recent numeric GET body this wrk thread saw
-- (with pipelining the POST leaves before the GET just before it is answered). So
-- the mix is exactly 80 % GET / 20 % POST: one POST for every four GETs, as in the
-- seed's "about one in four". Run with -c20 (20 connections x 10 in flight).
-- Requests are built by plain concatenation (not wrk.format, which builds a table
-- per request): the load generator is the bottleneck here, and a slower one makes
-- the server handle smaller batches, which shows up as more CPU per request.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local last = 0
local random = math.random
local tail = " HTTP/1.1\r\nHost: kv\r\n\r\n"

function init(args)
  math.randomseed(os.time() + (tonumber(args[1]) or 0))
end

local function get()
  return "GET /" .. random(0, 999999) .. tail
end

local function post()
  local v = tostring(last + 1)
  return "POST /" .. random(0, 999999) .. " HTTP/1.1\r\nHost: kv\r\nContent-Length: " .. #v .. "\r\n\r\n" .. v
end

function request()
  return get() .. get() .. get() .. get() .. post() .. get() .. get() .. get() .. get() .. post()
end

function response(status, headers, body)
  local v = tonumber(body)
  if v then last = v end
end
