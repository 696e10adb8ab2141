#!lua
--[[
  applySlot (Redis Cluster): one slot's share of a pending batch, applied at most once. The slot's
  guard hash remembers, per task partition, the end offset of the last batch applied here; a batch
  at or below it was applied before (by this owner before a failure, or by whoever finished it).

  KEYS[1]     the slot's guard hash (its hash tag lands on this slot)
  KEYS[2..n]  every key the writes touch (all on this slot)
  ARGV[1]     the guard field: `group:topic:partition`
  ARGV[2]     the batch's end offset
  ARGV[3..]   writes as in commitBatch: command, key index into KEYS, argument count c, c arguments
  returns     1 when applied; 0 when this slot already holds the batch (nothing written)
]]
local applied = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
if applied >= tonumber(ARGV[2]) then
  return 0
end
local allowed = {
  SET = true, HSET = true, HINCRBY = true, HINCRBYFLOAT = true,
  ZADD = true, ZINCRBY = true, ZREMRANGEBYRANK = true, PEXPIRE = true, PERSIST = true,
  RPUSH = true, LTRIM = true, SADD = true, DEL = true,
}
-- Validate every write before applying any, so a malformed batch changes nothing.
local i = 3
while i <= #ARGV do
  if not allowed[ARGV[i]] or KEYS[tonumber(ARGV[i + 1])] == nil or tonumber(ARGV[i + 1]) < 2 then
    return redis.error_reply('applySlot: bad write at ARGV[' .. i .. ']')
  end
  i = i + 3 + tonumber(ARGV[i + 2])
end
i = 3
while i <= #ARGV do
  local count = tonumber(ARGV[i + 2])
  redis.call(ARGV[i], KEYS[tonumber(ARGV[i + 1])], unpack(ARGV, i + 3, i + 2 + count))
  i = i + 3 + count
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
