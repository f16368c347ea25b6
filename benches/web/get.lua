-- wrk script: GETs with the session cookie from the environment, spread over the paths
-- listed (one per line) in the file WB_PATHS if given; counts the statuses so that a run
-- of redirects or errors is not mistaken for speed.
wrk.headers["Cookie"] = os.getenv("WB_COOKIE")
local paths = {}
local list = os.getenv("WB_PATHS")
if list then
  for line in io.lines(list) do paths[#paths + 1] = line end
end
local n = 0
request = function()
  if #paths == 0 then return wrk.format() end
  n = n + 1
  return wrk.format(nil, paths[(n % #paths) + 1])
end
-- Counting answers per kind across wrk's threads (each thread has its own Lua state;
-- `done` runs in the main one and reads the threads' counters).
local threads = {}
setup = function(thread)
  table.insert(threads, thread)
end
ok, redirects, errors = 0, 0, 0
response = function(status, headers, body)
  if status >= 200 and status < 300 then ok = ok + 1
  elseif status >= 300 and status < 400 then redirects = redirects + 1
  else errors = errors + 1 end
end
done = function(summary, latency, requests)
  local total = { ok = 0, redirects = 0, errors = 0 }
  for _, thread in ipairs(threads) do
    for key, _ in pairs(total) do total[key] = total[key] + (thread:get(key) or 0) end
  end
  io.write(string.format("answers: %d 2xx, %d 3xx, %d other\n", total.ok, total.redirects, total.errors))
end
