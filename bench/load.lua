-- wrk script for bench/load. MIX=tiles asks only for tiles of the latest run; MIX=mixed adds
-- what cheap abusive traffic looks like: tiles of invented ?run= ids (404), invented and odd
-- methods (405), health checks and API reads. HEAD is left out: wrk's parser waits for a body
-- after a HEAD answer's Content-Length (the server tests cover HEAD).
local mix = os.getenv("MIX") or "mixed"

-- Tiles over the city of St. Louis and its inner suburbs, z10–z14, every layer.
local paths = {}
local function tile(lon, lat, z)
  local n = 2 ^ z
  local x = math.floor((lon + 180) / 360 * n)
  local r = math.rad(lat)
  local y = math.floor((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)
  return x, y
end
for z = 10, 14 do
  local x0, y0 = tile(-90.36, 38.75, z)
  local x1, y1 = tile(-90.17, 38.53, z)
  for x = x0, x1 do
    for y = y0, y1 do
      for _, layer in ipairs({ "cells", "tracts", "programs" }) do
        paths[#paths + 1] = string.format("/tiles/%s/%d/%d/%d.mvt?content=all", layer, z, x, y)
      end
    end
  end
end

wrk.headers["Accept-Encoding"] = "gzip"
local odd = { "BREW", "PROPFIND", "TRACE", "PATCH", "DELETE", "OPTIONS" }

request = function()
  local p = paths[math.random(#paths)]
  if mix == "tiles" then
    return wrk.format("GET", p)
  end
  local r = math.random(100)
  if r <= 70 then
    return wrk.format("GET", p)
  elseif r <= 85 then
    return wrk.format("GET", p .. string.format("&run=%08x%08x", math.random(0, 0x7fffffff), math.random(0, 0x7fffffff)))
  elseif r <= 90 then
    return wrk.format(odd[math.random(#odd)], p)
  elseif r <= 95 then
    return wrk.format("X" .. math.random(1, 1000000), p)
  elseif r <= 98 then
    return wrk.format("GET", "/healthz")
  end
  return wrk.format("GET", "/api/runs/latest")
end

-- Statuses by kind, summed over wrk's threads in done().
counts = {} -- global: done() reads it from each thread
response = function(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

local threads = {}
setup = function(thread)
  threads[#threads + 1] = thread
end

done = function(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for status, n in pairs(c) do
      total[status] = (total[status] or 0) + n
    end
  end
  local statuses = {}
  for status, n in pairs(total) do
    statuses[#statuses + 1] = string.format("%d:%d", status, n)
  end
  table.sort(statuses)
  local e = summary.errors
  local fivexx = 0
  for status, n in pairs(total) do
    if status >= 500 then
      fivexx = fivexx + n
    end
  end
  io.write(string.format("RESULT mix=%s requests=%d seconds=%.1f rps=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f " ..
    "socket_errors=%d timeouts=%d server_errors_5xx=%d statuses=%s tiles=%d\n",
    mix, summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect + e.read + e.write, e.timeout, fivexx, table.concat(statuses, ","), #paths))
end
