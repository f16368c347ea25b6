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

local statuses = {}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
done = function(summary, latency, requests)
  for status, count in pairs(statuses) do
    io.write(string.format("status %d: %d\n", status, count))
  end
end
