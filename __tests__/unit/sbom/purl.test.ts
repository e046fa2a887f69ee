import { describe, expect, it } from '@jest/globals'
import {
  golangPurl,
  npmPurl,
  ociPurl,
  purl,
  pypiPurl
} from '../../../src/sbom/purl'

describe('purl', () => {
  // Canonical examples from the purl specification's type definitions (types/*-definition.json).
  it.each([
    [
      'pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64',
      {
        type: 'deb',
        namespace: 'debian',
        name: 'attr',
        version: '1:2.4.47-2+b1',
        qualifiers: { arch: 'amd64' }
      }
    ],
    [
      'pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie',
      {
        type: 'deb',
        namespace: 'debian',
        name: 'curl',
        version: '7.50.3-1',
        qualifiers: { distro: 'jessie', arch: 'i386' }
      }
    ],
    [
      'pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?classifier=dist&type=zip',
      {
        type: 'maven',
        namespace: 'org.apache.xmlgraphics',
        name: 'batik-anim',
        version: '1.9.1',
        qualifiers: { type: 'zip', classifier: 'dist' }
      }
    ],
    [
      'pkg:maven/groovy/groovy@1.0?repository_url=https:%2F%2Fmaven.google.com',
      {
        type: 'maven',
        namespace: 'groovy',
        name: 'groovy',
        version: '1.0',
        qualifiers: { repository_url: 'https://maven.google.com' }
      }
    ],
    [
      'pkg:apk/alpine/curl@7.83.0-r0?arch=x86',
      {
        type: 'apk',
        namespace: 'alpine',
        name: 'curl',
        version: '7.83.0-r0',
        qualifiers: { arch: 'x86' }
      }
    ],
    [
      'pkg:golang/google.golang.org/genproto#googleapis/api/annotations',
      {
        type: 'golang',
        namespace: 'google.golang.org',
        name: 'genproto',
        subpath: 'googleapis/api/annotations'
      }
    ],
    ['pkg:cargo/rand@0.7.2', { type: 'cargo', name: 'rand', version: '0.7.2' }],
    [
      'pkg:npm/mypackage@12.4.5?vcs_url=git:%2F%2Fhost.com%2F%2Fpath%2Fto%2Frepo.git%404345abcd34343',
      {
        type: 'npm',
        name: 'mypackage',
        version: '12.4.5',
        qualifiers: {
          vcs_url: 'git://host.com//path/to/repo.git@4345abcd34343',
          empty: ''
        }
      }
    ]
  ])('%s', (expected, parts) => {
    expect(purl(parts)).toBe(expected)
  })

  it('encodes npm scopes and keeps the name as written', () => {
    expect(npmPurl('@angular/animation', '12.3.1')).toBe(
      'pkg:npm/%40angular/animation@12.3.1'
    )
    expect(npmPurl('JSONStream', '1.3.5')).toBe('pkg:npm/JSONStream@1.3.5')
  })

  it('normalises PyPI names: lower case, _ → -', () => {
    expect(pypiPurl('Django_Allauth', '12.23')).toBe(
      'pkg:pypi/django-allauth@12.23'
    )
  })

  it('splits Go module paths into namespace and name, lower-cased', () => {
    expect(golangPurl('github.com/MakeNowJust/heredoc', 'v1.0.0')).toBe(
      'pkg:golang/github.com/makenowjust/heredoc@v1.0.0'
    )
    expect(golangPurl('github.com/blang/semver/v4', 'v4.0.0')).toBe(
      'pkg:golang/github.com/blang/semver/v4@v4.0.0'
    )
    expect(golangPurl('k8s.io/kubernetes', '(devel)')).toBe(
      'pkg:golang/k8s.io/kubernetes@%28devel%29'
    )
  })

  it('names an image by its last path segment, with the repository as qualifier', () => {
    expect(ociPurl('ghcr.io/Acme/App', 'sha256:' + 'ab'.repeat(32))).toBe(
      `pkg:oci/app@sha256:${'ab'.repeat(32)}?repository_url=ghcr.io%2Facme%2Fapp`
    )
  })
})
