import packageJson from '../package.json' with { type: 'json' }

/** This build of Imprint, as package.json names it (tool of SBOMs and provenance). */
export const version: string = packageJson.version
