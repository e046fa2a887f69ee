/**
 * Text another party wrote (a registry's error page, git's stderr, an API message), made fit for
 * one log line: control characters and line breaks become spaces, so it cannot start a line of
 * its own (a `::set-output` workflow command, say), credentials it echoes are blanked, and it is cut
 * at `max` characters.
 */
export function foreignText(text: string, max = 200): string {
  const line = text
    // eslint-disable-next-line no-control-regex -- control characters are what is removed
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(
      /\b((?:proxy-)?authorization)(["']?\s*[:=]\s*["']?)(basic|bearer|token)?\s*[^\s"',;]+/gi,
      (_, name: string, sep: string, scheme?: string) =>
        `${name}${sep}${scheme ? `${scheme} ` : ''}[redacted]`
    )
    .replace(/\b(Basic|Bearer)\s+[A-Za-z0-9+/=._~-]{8,}/g, '$1 [redacted]')
  return line.length > max ? `${line.slice(0, max)}…` : line
}
