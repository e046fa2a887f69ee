/** Escapes text for a Markdown table cell: no HTML, no pipes, no line breaks. */
export function escapeCell(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '&#124;')
    .replace(/`/g, '&#96;')
    .replace(/[\\[\]()!*_~]/g, match => `\\${match}`)
    .replace(/\r?\n/g, ' ')
}

export const code = (text: string): string => `<code>${escapeCell(text)}</code>`
