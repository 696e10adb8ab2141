#!lua
--[[
  beginBatch (Redis Cluster): records a partition task's batch before any of its writes, so that
  whoever owns the partition next can finish it exactly (docs/actors.md, "Redis Cluster"). Fenced like
  commitBatch: only if the stored offset is still the one the batch started from.

  KEYS[1]   the partition's offset key (string: next offset to process)
  KEYS[2]   the partition's pending key (list, same slot): must be absent
  ARGV[1]   expected stored offset ('' when none is stored yet)
  ARGV[2..] the pending log's elements (the batch's end offset first, then its writes per slot)
  returns   1 when recorded; 0 when the stored offset differs; -1 when another batch is pending
            (nothing written either way: finish the pending batch, reload and re-seek)
]]
local stored = redis.call('GET', KEYS[1])
if (stored or '') ~= ARGV[1] then
  return 0
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  return -1
end
-- unpack() puts its values on Lua's stack (about 8,000 slots): push in chunks.
local i = 2
while i <= #ARGV do
  local last = math.min(i + 999, #ARGV)
  redis.call('RPUSH', KEYS[2], unpack(ARGV, i, last))
  i = last + 1
end
return 1
