-- wrk script for the JSON API: each request carries the next of the API tokens listed
-- (one per line) in the file WB_TOKENS, so that the measurement meets the server and not
-- the limit of 600 requests a minute per token; GETs spread over the paths in WB_PATHS,
-- or, with WB_BODY (a file), POSTs of that JSON body. Counts 2xx, 429 and the rest, so
-- that refusals are not mistaken for speed.
local tokens = {}
local list = os.getenv("WB_TOKENS")
if list then
  for line in io.lines(list) do tokens[#tokens + 1] = line end
end
local paths = {}
list = os.getenv("WB_PATHS")
if list then
  for line in io.lines(list) do paths[#paths + 1] = line end
end
local body = nil
local body_file = os.getenv("WB_BODY")
if body_file then
  local file = assert(io.open(body_file, "rb"))
  body = file:read("*a")
  file:close()
end
local n = 0
request = function()
  n = n + 1
  local headers = { ["Accept"] = "application/json" }
  if #tokens > 0 then headers["Authorization"] = "Bearer " .. tokens[(n % #tokens) + 1] end
  local path = nil
  if #paths > 0 then path = paths[(n % #paths) + 1] end
  if body then
    headers["Content-Type"] = "application/json"
    return wrk.format("POST", path, headers, body)
  end
  return wrk.format("GET", path, headers)
end
local threads = {}
setup = function(thread)
  table.insert(threads, thread)
end
ok, limited, other = 0, 0, 0
response = function(status, headers, body)
  if status >= 200 and status < 300 then ok = ok + 1
  elseif status == 429 then limited = limited + 1
  else other = other + 1 end
end
done = function(summary, latency, requests)
  local total = { ok = 0, limited = 0, other = 0 }
  for _, thread in ipairs(threads) do
    for key, _ in pairs(total) do total[key] = total[key] + (thread:get(key) or 0) end
  end
  io.write(string.format("answers: %d 2xx, %d 429, %d other\n", total.ok, total.limited, total.other))
end
