-- wrk script: each request sends a report (multipart, as the form does) with the
-- session cookie and form token given in the environment.
local boundary = "wrk-grens"
local fields = {
  {"csrf", os.getenv("WB_CSRF")},
  {"voor", "zelf"},
  {"behaviours", "schelden"},
  {"narrative", "Belasting test: uitgescholden bij de ingang van het gemeentehuis."},
  {"occurred_at", "2026-03-02T20:15"},
  {"channel", "in_persoon"},
  {"injury", "geen"},
}
local parts = {}
for _, f in ipairs(fields) do
  parts[#parts + 1] = "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"" .. f[1] .. "\"\r\n\r\n" .. f[2] .. "\r\n"
end
parts[#parts + 1] = "--" .. boundary .. "--\r\n"
wrk.method = "POST"
wrk.body = table.concat(parts)
wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary
wrk.headers["Cookie"] = os.getenv("WB_COOKIE")

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
