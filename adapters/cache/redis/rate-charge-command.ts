/**
 * The rate limiter's Lua command, on its own so that createRedis can define it on every new connection (see
 * there why it must exist before any auto-pipeline does) without importing the limiter itself.
 */

export const rateChargeCommand = 'zkebRateCharge'

/**
 * KEYS[1] the counter; ARGV points, window and part length in ms, and 1 to spend (0 only asks). Drops the parts
 * that left the window (now - window, now], spends a point if the rest leaves room, and answers {admitted 0|1,
 * points used, ms until the oldest counted point leaves the window}.
 */
const chargeScript = `
local points = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
local partMs = tonumber(ARGV[3])
local spend = tonumber(ARGV[4]) ~= 0
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local part = math.floor(now / partMs)
local firstPart = math.floor((now - windowMs) / partMs)
local fields = redis.call('HGETALL', KEYS[1])
local used, oldest, stale = 0, part, {}
for i = 1, #fields, 2 do
  local index = tonumber(fields[i])
  if index < firstPart then
    stale[#stale + 1] = fields[i]
  else
    used = used + tonumber(fields[i + 1])
    if index < oldest then oldest = index end
  end
end
if #stale > 0 then redis.call('HDEL', KEYS[1], unpack(stale)) end
local admitted = 0
if used < points then
  if spend then
    redis.call('HINCRBY', KEYS[1], string.format('%d', part), 1)
    redis.call('PEXPIRE', KEYS[1], windowMs + partMs)
    used = used + 1
  end
  admitted = 1
end
return { admitted, used, (oldest + 1) * partMs + windowMs - now }
`

/** What defining the command needs of a connection (a Redis or a Cluster client). */
type DefinesCommands = Readonly<{
  defineCommand: (name: string, definition: { numberOfKeys: number; lua: string }) => void
}>

export const defineRateLimitCommand = (redis: DefinesCommands): void => {
  redis.defineCommand(rateChargeCommand, { numberOfKeys: 1, lua: chargeScript })
}
