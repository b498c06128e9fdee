-- Puts tasks a stopping worker fetched but never started back at the head of the ready list, in
-- their order, and out of the worker's in-flight set.
--
-- KEYS[1] this worker's in-flight set   KEYS[2] ready list
-- ARGV    the task ids, in fetch order
-- Answers how many were given back.

local given = 0
for i = #ARGV, 1, -1 do
    if redis.call("SREM", KEYS[1], ARGV[i]) == 1 then
        redis.call("LPUSH", KEYS[2], ARGV[i])
        given = given + 1
    end
end
return given
