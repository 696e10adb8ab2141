#!lua
--[[
  endBatch (Redis Cluster): after every slot of the pending batch holds its writes, applies the writes
  on the offset's own slot (the movie side's source watermarks), advances the offset and drops the
  pending log, atomically — only if the stored offset is still the batch's start and the pending log
  is this batch's.

  KEYS[1]     the partition's offset key
  KEYS[2]     the partition's pending key (list; element 1 is the batch's end offset)
  KEYS[3..n]  every key the writes touch (all on this slot)
  ARGV[1]     expected stored offset ('' when none is stored yet)
  ARGV[2]     the next offset (the batch's end)
  ARGV[3..]   writes as in commitBatch: command, key index into KEYS, argument count c, c arguments
  returns     1 when committed; 0 when the offset moved or another batch is pending (nothing written)
]]
local stored = redis.call('GET', KEYS[1])
if (stored or '') ~= ARGV[1] or redis.call('LINDEX', KEYS[2], 0) ~= ARGV[2] then
  return 0
end
local allowed = {
  SET = true, HSET = true, HINCRBY = true, HINCRBYFLOAT = true,
  ZADD = true, ZINCRBY = true, ZREMRANGEBYRANK = true, PEXPIRE = true, PERSIST = true,
  RPUSH = true, LTRIM = true, SADD = true, DEL = true,
}
local i = 3
while i <= #ARGV do
  if not allowed[ARGV[i]] or KEYS[tonumber(ARGV[i + 1])] == nil or tonumber(ARGV[i + 1]) < 3 then
    return redis.error_reply('endBatch: bad write at ARGV[' .. i .. ']')
  end
  i = i + 3 + tonumber(ARGV[i + 2])
end
i = 3
while i <= #ARGV do
  local count = tonumber(ARGV[i + 2])
  redis.call(ARGV[i], KEYS[tonumber(ARGV[i + 1])], unpack(ARGV, i + 3, i + 2 + count))
  i = i + 3 + count
end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('DEL', KEYS[2])
return 1
