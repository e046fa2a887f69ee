import {
  createServer,
  type IncomingMessage,
  type ServerResponse
} from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeGitHub {
  url: string
  comments: { id: number; issue: number; body: string }[]
  pulls: {
    number: number
    head: string
    base: string
    title: string
    body: string
    state: 'open'
  }[]
  requests: { method: string; path: string; authorization?: string }[]
  /** Bundles stored through "Create an attestation" (`POST /repos/{owner}/{repo}/attestations`). */
  attestations: { repository: string; bundle: Record<string, unknown> }[]
  /** Answer writes with 403, as GitHub does for a read-only (fork) token. */
  readOnly: boolean
  close(): Promise<void>
}

/**
 * A local stand-in for the GitHub REST endpoints Imprint uses (comments, pull requests, and
 * "Create an attestation") — GitHub's API cannot be
 * reached from here. It follows the documented shapes ("Issues → Comments"): list with per_page/page
 * pagination, create (201), update (200), and 403 "Resource not accessible by integration" for
 * writes with a read-only token.
 */
export async function startFakeGitHub(): Promise<FakeGitHub> {
  const state: FakeGitHub = {
    url: '',
    comments: [],
    pulls: [],
    requests: [],
    attestations: [],
    readOnly: false,
    close: async () => {}
  }
  let nextId = 1000
  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
    res.end(JSON.stringify(body))
  }
  const server = createServer(
    async (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://localhost')
      state.requests.push({
        method: req.method ?? '',
        path: url.pathname,
        authorization: req.headers.authorization
      })
      let raw = ''
      for await (const chunk of req) raw += String(chunk)
      if (!req.headers.authorization?.startsWith('Bearer '))
        return send(res, 401, { message: 'Requires authentication' })
      // "Create an attestation": `{bundle}` in, 201 `{id}` out; 403 without `attestations: write`.
      const attest = /^\/repos\/([^/]+\/[^/]+)\/attestations$/.exec(
        url.pathname
      )
      if (attest && req.method === 'POST') {
        if (state.readOnly)
          return send(res, 403, {
            message: 'Resource not accessible by integration'
          })
        const body = JSON.parse(raw) as { bundle?: Record<string, unknown> }
        if (!body.bundle || typeof body.bundle !== 'object')
          return send(res, 422, {
            message: 'Invalid request: bundle is required'
          })
        state.attestations.push({ repository: attest[1], bundle: body.bundle })
        return send(res, 201, { id: nextId++ })
      }
      const list = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(
        url.pathname
      )
      const one = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(
        url.pathname
      )
      if (list && req.method === 'GET') {
        const perPage = Number(url.searchParams.get('per_page') ?? 30)
        const page = Number(url.searchParams.get('page') ?? 1)
        const all = state.comments.filter(c => c.issue === Number(list[1]))
        return send(
          res,
          200,
          all
            .slice((page - 1) * perPage, page * perPage)
            .map(c => ({ id: c.id, body: c.body }))
        )
      }
      if ((list && req.method === 'POST') || (one && req.method === 'PATCH')) {
        if (state.readOnly)
          return send(res, 403, {
            message: 'Resource not accessible by integration'
          })
        const body = (JSON.parse(raw) as { body?: string }).body
        if (typeof body !== 'string')
          return send(res, 422, { message: 'Validation Failed' })
        if (list) {
          const comment = { id: nextId++, issue: Number(list[1]), body }
          state.comments.push(comment)
          return send(res, 201, { id: comment.id, body })
        }
        const comment = state.comments.find(c => c.id === Number(one![1]))
        if (!comment) return send(res, 404, { message: 'Not Found' })
        comment.body = body
        return send(res, 200, { id: comment.id, body })
      }
      // Pulls: list (filtered by head "owner:branch", base, state), create (201), update (200).
      const pulls = /^\/repos\/([^/]+)\/([^/]+)\/pulls$/.exec(url.pathname)
      const pull = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/.exec(
        url.pathname
      )
      if (pulls && req.method === 'GET') {
        const head = url.searchParams.get('head')
        const base = url.searchParams.get('base')
        const found = state.pulls.filter(
          p =>
            (!head || `${pulls[1]}:${p.head}` === head) &&
            (!base || p.base === base)
        )
        return send(
          res,
          200,
          found.map(p => ({
            number: p.number,
            html_url: `https://github.example/${pulls[1]}/${pulls[2]}/pull/${p.number}`,
            state: p.state
          }))
        )
      }
      if (pulls && req.method === 'POST') {
        if (state.readOnly)
          return send(res, 403, {
            message: 'Resource not accessible by integration'
          })
        const input = JSON.parse(raw) as {
          title?: string
          body?: string
          head?: string
          base?: string
        }
        if (!input.title || !input.head || !input.base)
          return send(res, 422, { message: 'Validation Failed' })
        if (
          state.pulls.some(p => p.head === input.head && p.base === input.base)
        ) {
          return send(res, 422, {
            message: `A pull request already exists for ${pulls[1]}:${input.head}.`
          })
        }
        const created = {
          number: state.pulls.length + 1,
          head: input.head,
          base: input.base,
          title: input.title,
          body: input.body ?? '',
          state: 'open' as const
        }
        state.pulls.push(created)
        return send(res, 201, {
          number: created.number,
          html_url: `https://github.example/${pulls[1]}/${pulls[2]}/pull/${created.number}`
        })
      }
      if (pull && req.method === 'PATCH') {
        const found = state.pulls.find(p => p.number === Number(pull[3]))
        if (!found) return send(res, 404, { message: 'Not Found' })
        const input = JSON.parse(raw) as { title?: string; body?: string }
        if (input.title !== undefined) found.title = input.title
        if (input.body !== undefined) found.body = input.body
        return send(res, 200, {
          number: found.number,
          html_url: `https://github.example/${pull[1]}/${pull[2]}/pull/${found.number}`
        })
      }
      send(res, 404, { message: 'Not Found' })
    }
  )
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  state.close = () => new Promise(resolve => server.close(() => resolve()))
  return state
}
