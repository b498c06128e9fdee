-- Rekindle's fetch for apalis-redis queues: the same keys and task layout apalis-redis 1.0 uses,
-- but due scheduled tasks move to the ready list at most ARGV[4] at a time, so a backlog of any
-- size never reaches Lua's unpack limit (about 8,000 values).
--
-- KEYS[1] workers sorted set        KEYS[2] ready list          KEYS[3] this worker's in-flight set
-- KEYS[4] task data hash            KEYS[5] task metadata prefix KEYS[6] scheduled sorted set
-- ARGV[1] now, in seconds           ARGV[2] tasks to hand out   ARGV[3] worker name
-- ARGV[4] most scheduled tasks to move to the ready list in this call
--
-- Answers {task data, task metadata, tasks moved}; each metadata entry starts with the task id.

if not redis.call("ZSCORE", KEYS[1], ARGV[3]) then
    return redis.error_reply("worker " .. ARGV[3] .. " is not registered")
end

local moved = redis.call("ZRANGEBYSCORE", KEYS[6], "-inf", ARGV[1], "LIMIT", 0, tonumber(ARGV[4]))
if #moved > 0 then
    redis.call("RPUSH", KEYS[2], unpack(moved))
    redis.call("ZREM", KEYS[6], unpack(moved))
end

local ids = redis.call("LRANGE", KEYS[2], 0, tonumber(ARGV[2]) - 1)
if #ids == 0 then
    return {{}, {}, #moved}
end
redis.call("LTRIM", KEYS[2], #ids, -1)
redis.call("SADD", KEYS[3], unpack(ids))

local data = redis.call("HMGET", KEYS[4], unpack(ids))
local meta = {}
for i, id in ipairs(ids) do
    local fields = redis.call("HGETALL", KEYS[5] .. ":" .. id)
    table.insert(fields, 1, id)
    meta[i] = fields
end
return {data, meta, #moved}
