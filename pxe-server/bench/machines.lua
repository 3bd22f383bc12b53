-- Each request a random one of GROUPS_COUNT machines (MACs 52:54:00:xx:xx:xx, as run.sh writes them)
-- against ENDPOINT (/ipxe or /cloud-config).
local groups = tonumber(os.getenv("GROUPS_COUNT") or "10000")
local endpoint = os.getenv("ENDPOINT") or "/ipxe"

function init(args)
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000))
end

request = function()
  local i = math.random(0, groups - 1)
  local mac = string.format("52-54-00-%02x-%02x-%02x", math.floor(i / 65536) % 256, math.floor(i / 256) % 256, i % 256)
  return wrk.format("GET", endpoint .. "?mac=" .. mac)
end
