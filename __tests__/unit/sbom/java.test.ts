import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  writeFileSync
} from 'node:fs'
import { basename, join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { catalog } from '../../../src/sbom/catalog'
import { bundleLicense } from '../../../src/sbom/catalogers/java'
import { purl } from '../../../src/sbom/purl'
import { fileSource } from '../../../src/sbom/sources'
import { listZip } from '../../../src/sbom/zip'
import { memorySource, python, run, tempDir, warnings } from './helpers'

const layer = 'sha256:' + '4'.repeat(64)
const mavenLib = '/usr/share/maven/lib'

interface Artifact {
  entry: string
  groupId: string
  artifactId: string
  version: string
}

interface JarInfo {
  artifacts: Artifact[]
  bundleLicense: string | null
}

/** Python's zipfile reading every pom.properties of jars (and Bundle-License of their manifests). */
function pythonZip(jars: string[]): JarInfo[] {
  const script = `
import json, re, sys, zipfile
def read(jar):
  z = zipfile.ZipFile(jar)
  out = []
  for name in z.namelist():
      if re.match(r"META-INF/maven/[^/]+/[^/]+/pom\\.properties$", name):
          props = {}
          for line in z.read(name).decode("utf-8").splitlines():
              line = line.strip()
              if line and not line.startswith("#") and "=" in line:
                  k, v = line.split("=", 1)
                  props[k.strip()] = v.strip()
          out.append({"entry": name, "groupId": props.get("groupId"), "artifactId": props.get("artifactId"), "version": props.get("version")})
  lic = None
  if "META-INF/MANIFEST.MF" in z.namelist():
      main = re.sub(r"\\r?\\n ", "", z.read("META-INF/MANIFEST.MF").decode("utf-8"))
      main = re.split(r"\\r?\\n\\r?\\n", main)[0]
      m = re.search(r"^Bundle-License:[ \\t]*(.+?)\\r?$", main, re.M)
      lic = m.group(1).split(";")[0].strip() if m else None
  return {"artifacts": out, "bundleLicense": lic}
print(json.dumps([read(j) for j in sys.argv[1:]]))
`
  return JSON.parse(python(['-c', script, ...jars])) as JarInfo[]
}

function mavenPurl(a: Artifact): string {
  return purl({
    type: 'maven',
    namespace: a.groupId,
    name: a.artifactId,
    version: a.version
  })
}

describe('java', () => {
  // Debian's Maven links its jars from /usr/share/java; the link names say which is which.
  const jars = readdirSync(mavenLib)
    .filter(name => name.endsWith('.jar'))
    .map(name => realpathSync(join(mavenLib, name)))
  const info = new Map(pythonZip(jars).map((x, i) => [jars[i], x]))

  it("finds every pom.properties Python's zipfile finds in Debian's Maven jars", async () => {
    expect(jars.length).toBeGreaterThan(20)
    const files = await Promise.all(
      jars.map(jar => fileSource(jar, `usr/share/java/${basename(jar)}`))
    )
    const w = warnings()
    const { packages } = await catalog(files, { layer, warn: w.warn })
    expect(w.list).toEqual([])
    let total = 0
    for (const jar of jars) {
      const { artifacts, bundleLicense: license } = info.get(jar)!
      const path = `usr/share/java/${basename(jar)}`
      const here = packages.filter(p => p.locations.some(l => l.path === path))
      expect(here.map(p => p.purl).sort()).toEqual(
        [...new Set(artifacts.map(mavenPurl))].sort()
      )
      for (const p of here) {
        expect(p).toMatchObject({ type: 'maven' })
        expect(p.licenses).toEqual(
          artifacts.length === 1 && license ? [license] : undefined
        )
      }
      total += artifacts.length
    }
    expect(total).toBeGreaterThan(jars.length - 5)
    const guava = packages.find(p => p.name === 'guava')!
    expect(guava.group).toBe('com.google.guava')
    expect(guava.purl).toBe(`pkg:maven/com.google.guava/guava@${guava.version}`)
  })

  it('looks into jars inside a jar (a Spring Boot layout made with the JDK’s jar tool)', async () => {
    const dir = tempDir('fatjar')
    const inner = [
      'commons-io.jar',
      'slf4j-api.jar',
      'maven-slf4j-provider-3.x.jar'
    ].map(name => realpathSync(join(mavenLib, name)))
    expect(inner).toHaveLength(3)
    mkdirSync(join(dir, 'tree/BOOT-INF/lib'), { recursive: true })
    mkdirSync(join(dir, 'tree/META-INF/maven/com.example/demo'), {
      recursive: true
    })
    for (const j of inner)
      copyFileSync(j, join(dir, 'tree/BOOT-INF/lib', basename(j)))
    writeFileSync(
      join(dir, 'tree/META-INF/maven/com.example/demo/pom.properties'),
      '#Created by Apache Maven 3.8.7\nartifactId=demo\ngroupId=com.example\nversion=0.0.1-SNAPSHOT\n'
    )
    writeFileSync(
      join(dir, 'manifest.txt'),
      'Main-Class: com.example.Demo\nBundle-License: Apache-2.0\n'
    )
    run('jar', [
      '--create',
      '--file',
      join(dir, 'demo.jar'),
      '--manifest',
      join(dir, 'manifest.txt'),
      '-C',
      join(dir, 'tree'),
      '.'
    ])
    const { packages } = await catalog(
      [await fileSource(join(dir, 'demo.jar'), 'app/demo.jar')],
      { layer }
    )
    const expected = [
      {
        purl: 'pkg:maven/com.example/demo@0.0.1-SNAPSHOT',
        path: 'app/demo.jar',
        licenses: ['Apache-2.0']
      }
    ]
    for (const j of inner) {
      const { artifacts, bundleLicense: license } = info.get(j)!
      for (const a of artifacts)
        expected.push({
          purl: mavenPurl(a),
          path: `app/demo.jar:BOOT-INF/lib/${basename(j)}`,
          ...(artifacts.length === 1 && license
            ? { licenses: [license] }
            : ({} as { licenses: string[] }))
        })
    }
    expect(
      packages.map(p => ({
        purl: p.purl,
        path: p.locations[0].path,
        ...(p.licenses ? { licenses: p.licenses } : {})
      }))
    ).toEqual(expected.sort((a, b) => (a.purl < b.purl ? -1 : 1)))
  })

  it('reads a self-executing jar (a shell script in front of the archive)', async () => {
    const jar = jars.find(j => j.includes('commons-cli'))!
    const exec = Buffer.concat([
      Buffer.from('#!/bin/sh\nexec java -jar "$0" "$@"\n'),
      readFileSync(jar)
    ])
    const { packages } = await catalog(
      [memorySource('usr/bin/cli', exec, { mode: 0o755 })],
      {
        catalogers: undefined
      }
    )
    // Not a .jar name: only the binary catalogers look, and it is no ELF file.
    expect(packages).toEqual([])
    const { packages: asJar } = await catalog([
      memorySource('opt/cli.jar', exec)
    ])
    const [artifact] = info.get(jar)!.artifacts
    expect(asJar.map(p => p.purl)).toEqual([mavenPurl(artifact)])
  })

  it('reads ZIP64 archives (more than 65,535 entries, written by Python)', async () => {
    const dir = tempDir('zip64')
    const path = join(dir, 'big.jar')
    python([
      '-c',
      `
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_STORED, allowZip64=True) as z:
    z.writestr("META-INF/maven/org.example/big/pom.properties", "groupId=org.example\\nartifactId=big\\nversion=9.9\\n")
    for i in range(65600):
        z.writestr(f"d/{i}", b"")
`,
      path
    ])
    const buf = readFileSync(path)
    expect(listZip(buf)).toHaveLength(65601)
    const { packages } = await catalog([memorySource('big.jar', buf)])
    expect(packages.map(p => p.purl)).toEqual(['pkg:maven/org.example/big@9.9'])
  })

  it('reports a damaged archive and goes on', async () => {
    const w = warnings()
    const { packages } = await catalog(
      [memorySource('bad.jar', 'PK not really')],
      { warn: w.warn }
    )
    expect(packages).toEqual([])
    expect(w.list).toEqual(['bad.jar: no ZIP end-of-central-directory record'])
    expect(
      bundleLicense(
        'Manifest-Version: 1.0\r\nBundle-License: Apache-2.0;link="https://ex\r\n ample"\r\n'
      )
    ).toBe('Apache-2.0')
  })
})
