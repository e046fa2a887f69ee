#!/usr/bin/env node
// A loopback TCP proxy that limits the upload direction (client → server) to RATE bytes per second,
// so pushes run at the speed of a real link instead of loopback's.
// Usage: node bench/throttle.mjs LISTEN_PORT TARGET_PORT RATE
import { connect, createServer } from 'node:net'
import { clearInterval, setInterval } from 'node:timers'

const [listenPort, targetPort, rate] = process.argv.slice(2).map(Number)
const tickMs = 10

createServer(client => {
  const server = connect(targetPort, '127.0.0.1')
  const queue = []
  let budget = 0
  let paused = false
  // A token bucket refilled every tick; a burst is capped at 100 ms of the rate.
  const tick = setInterval(() => {
    budget = Math.min(budget + (rate * tickMs) / 1000, rate / 10)
    while (queue.length > 0 && budget >= 1) {
      const n = Math.min(queue[0].length, Math.floor(budget))
      server.write(queue[0].subarray(0, n))
      budget -= n
      if (n === queue[0].length) queue.shift()
      else queue[0] = queue[0].subarray(n)
    }
    if (paused && queue.length < 4) {
      paused = false
      client.resume()
    }
  }, tickMs)
  client.on('data', chunk => {
    queue.push(chunk)
    if (queue.length >= 16) {
      paused = true
      client.pause()
    }
  })
  server.pipe(client)
  const close = () => {
    clearInterval(tick)
    client.destroy()
    server.destroy()
  }
  for (const socket of [client, server]) {
    socket.on('close', close)
    socket.on('error', close)
  }
}).listen(listenPort, '127.0.0.1', () => process.stdout.write('ready\n'))
