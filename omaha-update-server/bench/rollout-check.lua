-- wrk script for rollout.sh: every request is the first update check of a never-seen machine of
-- one group, so every check that the group's policy lets through is a grant.
-- GROUP (environment, default "bench") is the track sent; PHASE (one character, default "0")
-- keeps the machine ids of a warm-up run apart from the measured run's.
-- Machine ids: "a", PHASE, the wrk thread (6 digits), a per-thread counter (24 digits); Prefill's
-- start with "b". At the end it prints how many answers offered the update (<updatecheck status="ok").
local group = os.getenv("GROUP") or "bench"
local phase = os.getenv("PHASE") or "0"
-- Globals, not locals: setup() sets thread_id in each thread, and done() reads the counts back.
counter = 0
thread_id = 0
offered = 0
answered = 0
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

local template = [[<?xml version="1.0" encoding="UTF-8"?>
<request protocol="3.0" version="update_engine-0.4.10" updaterversion="update_engine-0.4.10" installsource="scheduler" ismachine="1">
    <os version="Chateau" platform="CoreOS" sp="3510.2.1_x86_64"></os>
    <app appid="{e96281a6-d1af-4bde-9a0a-97b76e56dc57}" version="3510.2.1" track="GROUP" bootid="{6d1a0c5e-3b39-4f0e-a0b7-2e1ac0b4c2f1}" oem="qemu" oemversion="0.0.1" alephversion="3374.2.0" machineid="MACHINE" machinealias="" lang="en-US" board="amd64-usr" hardware_class="" delta_okay="false" >
        <ping active="1"></ping>
        <updatecheck></updatecheck>
        <event eventtype="3" eventresult="2" previousversion=""></event>
    </app>
</request>
]]
template = template:gsub("GROUP", group)

local headers = { ["Content-Type"] = "text/xml" }

function request()
  counter = counter + 1
  local id = string.format("a%s%06d%024d", phase, thread_id, counter)
  local body = template:gsub("MACHINE", id)
  return wrk.format("POST", "/v1/update/", headers, body)
end

function response(status, headers, body)
  answered = answered + 1
  if body:find('<updatecheck status="ok"', 1, true) then
    offered = offered + 1
  end
end

function done(summary, latency, requests)
  local a, o = 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("answered")
    o = o + t:get("offered")
  end
  io.write(string.format("answers: %d, offering the update: %d\n", a, o))
  io.write(string.format("latency-us: p50 %d p90 %d p99 %d\n", latency:percentile(50), latency:percentile(90),
    latency:percentile(99)))
end
