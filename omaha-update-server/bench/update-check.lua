-- wrk script: update_engine-shaped update checks from many different machines.
-- INSTANCES (environment) sets how many distinct machine ids are cycled through.
local instances = tonumber(os.getenv("INSTANCES") or "10000")
local counter = 0
local thread_id = 0
local threads = {}
-- THREAD_OFFSET (environment, default 0) numbers this wrk's threads from there, so that two wrk
-- processes run at the same time walk different machine ids rather than the same ones in step.
local thread_offset = tonumber(os.getenv("THREAD_OFFSET") or "0")

function setup(thread)
  thread:set("thread_id", #threads + thread_offset)
  table.insert(threads, thread)
end

local template = [[<?xml version="1.0" encoding="UTF-8"?>
<request protocol="3.0" version="update_engine-0.4.10" updaterversion="update_engine-0.4.10" installsource="scheduler" ismachine="1">
    <os version="Chateau" platform="CoreOS" sp="3510.2.1_x86_64"></os>
    <app appid="{e96281a6-d1af-4bde-9a0a-97b76e56dc57}" version="3510.2.1" track="stable" bootid="{6d1a0c5e-3b39-4f0e-a0b7-2e1ac0b4c2f1}" oem="qemu" oemversion="0.0.1" alephversion="3374.2.0" machineid="MACHINE" machinealias="" lang="en-US" board="amd64-usr" hardware_class="" delta_okay="false" >
        <ping active="1"></ping>
        <updatecheck></updatecheck>
        <event eventtype="3" eventresult="2" previousversion=""></event>
    </app>
</request>
]]

local headers = { ["Content-Type"] = "text/xml" }

-- Paced mode: RATE (checks/s over all connections) and CONNECTIONS set a fixed delay between each
-- connection's requests, for a steady load rather than as fast as possible. A connection's cycle is
-- its pause plus the answer's latency and wrk's own turn, taken as 1.5 ms; wrk reports the rate actually reached.
local rate = tonumber(os.getenv("RATE") or "0")
local connections = tonumber(os.getenv("CONNECTIONS") or "32")
if rate > 0 then
  function delay()
    return connections * 1000 / rate - 1.5
  end
end

-- Registration mode (REGISTER=1, run with one wrk thread): machine ids in order, so that once
-- INSTANCES requests are answered every machine is registered.
local register = os.getenv("REGISTER") == "1"

function request()
  counter = counter + 1
  local n = (counter * 7919 + thread_id * 104729) % instances
  if register then
    n = (counter - 1) % instances
  end
  local body = template:gsub("MACHINE", string.format("%032x", n))
  return wrk.format("POST", "/v1/update/", headers, body)
end
