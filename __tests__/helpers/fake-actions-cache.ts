import { createHash, randomBytes } from 'node:crypto'
import {
  createServer,
  type IncomingMessage,
  type ServerResponse
} from 'node:http'
import type { AddressInfo } from 'node:net'

export interface CacheEntry {
  id: number
  key: string
  version: string
  body?: Buffer
  finalized: boolean
  createdAt: number
}

export interface FakeActionsCache {
  /** For ACTIONS_RESULTS_URL. */
  url: string
  token: string
  entries: CacheEntry[]
  requests: { method: string; path: string }[]
  close(): Promise<void>
}

const service = '/twirp/github.actions.results.api.v1.CacheService/'

/**
 * A local stand-in for GitHub's cache service v2 (it cannot be reached from here), driven by the
 * real `@actions/cache` client. It follows the service's Twirp JSON protocol (proto field names,
 * `{code, msg}` errors, Bearer runtime token) and the documented matching rules: a restore looks
 * for the key, then each restore key, each first exactly and then as a prefix, taking the newest
 * finalized entry of the same version; keys are immutable. Uploads go to a signed URL speaking
 * Azure Blob Storage's Put Blob (`x-ms-blob-type: BlockBlob`, 201 with ETag and Content-MD5), as
 * the client's Azure SDK does for small archives; downloads are plain GETs of a signed URL.
 */
export async function startFakeActionsCache(): Promise<FakeActionsCache> {
  const token = randomBytes(12).toString('hex')
  const signature = randomBytes(12).toString('hex')
  const state: FakeActionsCache = {
    url: '',
    token,
    entries: [],
    requests: [],
    close: async () => {}
  }
  let clock = 0
  const twirpError = (
    res: ServerResponse,
    status: number,
    code: string,
    msg: string
  ): void => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ code, msg }))
  }
  const json = (res: ServerResponse, body: unknown): void => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  }
  const blobUrl = (entry: CacheEntry): string =>
    `${state.url}/devstoreaccount1/actions-cache/${entry.id}?sig=${signature}`

  const find = (keys: string[], version: string): CacheEntry | undefined => {
    const ready = state.entries.filter(
      e => e.finalized && e.version === version
    )
    const newest = (list: CacheEntry[]): CacheEntry | undefined =>
      list.sort((a, b) => b.createdAt - a.createdAt)[0]
    for (const key of keys) {
      const hit =
        newest(ready.filter(e => e.key === key)) ??
        newest(ready.filter(e => e.key.startsWith(key)))
      if (hit) return hit
    }
    return undefined
  }

  const server = createServer(
    async (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://localhost')
      state.requests.push({ method: req.method ?? '', path: url.pathname })
      const chunks: Buffer[] = []
      for await (const chunk of req) chunks.push(chunk as Buffer)
      const raw = Buffer.concat(chunks)

      const blob = /^\/devstoreaccount1\/actions-cache\/(\d+)$/.exec(
        url.pathname
      )
      if (blob) {
        const entry = state.entries.find(e => e.id === Number(blob[1]))
        if (!entry || url.searchParams.get('sig') !== signature) {
          res.writeHead(403).end()
          return
        }
        if (req.method === 'PUT') {
          if (req.headers['x-ms-blob-type'] !== 'BlockBlob') {
            res.writeHead(400).end('x-ms-blob-type must be BlockBlob')
            return
          }
          entry.body = raw
          res.writeHead(201, {
            etag: `"0x${entry.id.toString(16).padStart(15, '0')}"`,
            'last-modified': new Date().toUTCString(),
            'content-md5': createHash('md5').update(raw).digest('base64'),
            'x-ms-request-id': randomBytes(8).toString('hex'),
            'x-ms-version': '2025-05-05',
            'x-ms-request-server-encrypted': 'true',
            date: new Date().toUTCString()
          })
          res.end()
          return
        }
        if (req.method === 'GET' && entry.finalized && entry.body) {
          res.writeHead(200, {
            'content-type': 'application/octet-stream',
            'content-length': entry.body.length
          })
          res.end(entry.body)
          return
        }
        res.writeHead(404).end()
        return
      }

      if (req.method !== 'POST' || !url.pathname.startsWith(service))
        return twirpError(
          res,
          404,
          'bad_route',
          `no handler for ${url.pathname}`
        )
      if (req.headers.authorization !== `Bearer ${token}`)
        return twirpError(res, 401, 'unauthenticated', 'invalid runtime token')
      const body = JSON.parse(raw.toString('utf8') || '{}') as Record<
        string,
        unknown
      >
      const key = String(body.key ?? '')
      const version = String(body.version ?? '')
      switch (url.pathname.slice(service.length)) {
        case 'CreateCacheEntry': {
          if (state.entries.some(e => e.key === key && e.version === version))
            return twirpError(
              res,
              409,
              'already_exists',
              'cache entry with the same key, version, and scope already exists'
            )
          const entry: CacheEntry = {
            id: state.entries.length + 1,
            key,
            version,
            finalized: false,
            createdAt: ++clock
          }
          state.entries.push(entry)
          return json(res, { ok: true, signed_upload_url: blobUrl(entry) })
        }
        case 'FinalizeCacheEntryUpload': {
          const entry = state.entries.find(
            e => e.key === key && e.version === version && !e.finalized
          )
          if (!entry?.body)
            return twirpError(res, 404, 'not_found', 'no upload for this key')
          entry.finalized = true
          return json(res, { ok: true, entry_id: String(entry.id) })
        }
        case 'GetCacheEntryDownloadURL': {
          const restoreKeys = (body.restore_keys as string[] | undefined) ?? []
          const entry = find([key, ...restoreKeys], version)
          if (!entry) return json(res, { ok: false })
          return json(res, {
            ok: true,
            signed_download_url: blobUrl(entry),
            matched_key: entry.key
          })
        }
        default:
          return twirpError(res, 404, 'bad_route', `no method ${url.pathname}`)
      }
    }
  )
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  state.close = () =>
    new Promise<void>(resolve => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return state
}
