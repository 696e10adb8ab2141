--[[
  commitBatch: one partition task's batch, all or nothing. Applies every state write of the batch and
  advances the partition's offset in one atomic step, but only if the stored offset is still the one
  the batch started from: a task whose partition moved to another process (a zombie) cannot write.

  KEYS[1]     the partition's offset key (string: next offset to process)
  KEYS[2..n]  every key the writes touch
  ARGV[1]     expected stored offset ('' when none is stored yet)
  ARGV[2]     the next offset (stored on success)
  ARGV[3..]   writes, each: command, key index into KEYS, argument count c, then c arguments;
              command is one of SET HSET HINCRBY HINCRBYFLOAT ZADD ZINCRBY ZREMRANGEBYRANK PEXPIRE
              PERSIST RPUSH LTRIM SADD DEL
  returns     1 when applied; 0 when the stored offset differs (nothing written: reload and re-seek)
]]
local stored = redis.call('GET', KEYS[1])
if (stored or '') ~= ARGV[1] then
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
  if not allowed[ARGV[i]] or KEYS[tonumber(ARGV[i + 1])] == nil then
    return redis.error_reply('commitBatch: bad write at ARGV[' .. i .. ']')
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
return 1
