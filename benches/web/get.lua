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
local statuses = {}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
done = function(summary, latency, requests)
  for status, count in pairs(statuses) do
    io.write(string.format("status %d: %d\n", status, count))
  end
end
