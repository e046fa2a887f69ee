import {
  createServer,
  request,
  type IncomingMessage,
  type ServerResponse
} from 'node:http'
import type { AddressInfo } from 'node:net'

/** What the proxy does to one request; `undefined` forwards it untouched. */
export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  | { kind: 'cut-body'; afterBytes: number }

export interface FaultProxy {
  host: string
  /** Every request seen, as `METHOD path`, with the fault applied if any. */
  log: {
    method: string
    path: string
    fault?: string
    status?: number
    authorization: boolean
  }[]
  close(): Promise<void>
}

/**
 * A loopback HTTP proxy in front of a real registry that injects the failures a real registry
 * will not produce on demand: 5xx bursts, 429 with Retry-After, a connection cut mid-upload.
 */
export async function startFaultProxy(
  upstream: string,
  decide: (req: IncomingMessage, index: number) => Fault | undefined,
  rewriteLocation: (location: string) => string = location => location
): Promise<FaultProxy> {
  const log: FaultProxy['log'] = []
  let count = 0
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const fault = decide(req, count++)
    const entry: FaultProxy['log'][number] = {
      method: req.method ?? '',
      path: req.url ?? '',
      fault: fault?.kind,
      authorization: req.headers.authorization !== undefined
    }
    log.push(entry)
    if (fault?.kind === 'status') {
      req.resume()
      res.writeHead(fault.status, {
        'content-type': 'application/json',
        ...fault.headers
      })
      res.end(
        JSON.stringify({
          errors: [
            {
              code: fault.status === 429 ? 'TOOMANYREQUESTS' : 'UNAVAILABLE',
              message: 'injected'
            }
          ]
        })
      )
      return
    }
    const [hostname, port] = upstream.split(':')
    const forward = request(
      {
        hostname,
        port: Number(port),
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream }
      },
      upstreamRes => {
        entry.status = upstreamRes.statusCode
        const headers = { ...upstreamRes.headers }
        if (headers.location)
          headers.location = rewriteLocation(
            headers.location.replace(`//${upstream}`, `//${proxyHost}`)
          )
        res.writeHead(upstreamRes.statusCode ?? 502, headers)
        upstreamRes.pipe(res)
      }
    )
    forward.on('error', () => res.destroy())
    if (fault?.kind === 'cut-body') {
      let seen = 0
      let cut = false
      req.on('data', (chunk: Buffer) => {
        if (cut) return
        const room = fault.afterBytes - seen
        if (room > 0) forward.write(chunk.subarray(0, room))
        seen += Math.min(Math.max(room, 0), chunk.length)
        if (seen >= fault.afterBytes) {
          // The client sees its connection reset mid-body; the registry sees a short upload.
          cut = true
          req.socket.destroy()
          forward.destroy()
        }
      })
      return
    }
    req.pipe(forward)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const proxyHost = `127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    host: proxyHost,
    log,
    close: () =>
      new Promise(resolve => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
