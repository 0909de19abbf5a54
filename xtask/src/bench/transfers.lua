-- Transfers for `cargo xtask bench` (wrk): each connection sends POST /v1/transfers, and any
-- connection whose turn comes while an initiated transfer awaits approval approves it instead.
-- Arguments (after `--`): token, from account, to account, idempotency-key prefix.
-- Prints `script: transfers N` (approvals answered 200 with status completed), `script: initiated
-- N` and `script: refused N` (answers outside 2xx) from done().

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  token, from, to, prefix = args[1], args[2], args[3], args[4]
  body = '{"from_account_id":"' .. from .. '","to_account_id":"' .. to ..
    '","unit_type":"ACCU","quantity":1}'
  awaiting, counter = {}, 0
  transfers, initiated, refused = 0, 0, 0
end

function request()
  counter = counter + 1
  local headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = prefix .. "-" .. counter,
  }
  local id = table.remove(awaiting)
  if id then
    return wrk.format("POST", "/v1/transfers/" .. id .. "/approve", headers, "")
  end
  return wrk.format("POST", "/v1/transfers", headers, body)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    refused = refused + 1
    return
  end
  local id = body:match('"transfer_id":"([^"]+)"')
  if body:find('"status":"pending_approval"', 1, true) and id then
    initiated = initiated + 1
    table.insert(awaiting, id)
  elseif body:find('"status":"completed"', 1, true) then
    transfers = transfers + 1
  end
end

function done(summary, latency, requests)
  local t, i, r = 0, 0, 0
  for _, thread in ipairs(threads) do
    t = t + thread:get("transfers")
    i = i + thread:get("initiated")
    r = r + thread:get("refused")
  end
  io.write(string.format("script: transfers %d\nscript: initiated %d\nscript: refused %d\n", t, i, r))
end
