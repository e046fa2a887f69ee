import { isMap, type Document, type YAMLMap } from 'yaml'
import { isUnusedParameter } from './parameters'
import { pairOf, stringOf, type JsPath } from './splice'

/** A Kubernetes-style object (a mapping with `apiVersion` and `kind`), where it starts in the walk. */
export interface KubeObject {
  /** The API group: `image.toolkit.fluxcd.io`; empty for the core group (`apiVersion: v1`). */
  group: string
  kind: string
  /** The length of the path at which the object starts (0 for a whole document). */
  depth: number
}

/** Where the walk is about to enter: the rules below decide whether it may. */
export interface Place {
  /** The path of the field being entered, from the document root. */
  path: JsPath
  /** The mapping that holds it. */
  parent: YAMLMap
  /** The mappings around `parent`, outermost first. */
  ancestors: YAMLMap[]
  /** The innermost object around it, if any (List items and Template objects are objects too). */
  object?: KubeObject
  kustomization: boolean
  compose: boolean
  /** Workflow parameters whose value ends up in a step's image (`parameters.ts`). */
  imageParameters: ReadonlySet<string>
}

/**
 * The object a mapping starts: a document with an `apiVersion` and a `kind`, or a mapping inside
 * one that also has `metadata` (List items, Template objects). References to objects
 * (`scaleTargetRef`, `ownerReferences`) have no `metadata` and are not objects.
 */
export function objectOf(map: YAMLMap, depth: number): KubeObject | undefined {
  const apiVersion = stringOf(pairOf(map, 'apiVersion'))
  const kind = stringOf(pairOf(map, 'kind'))
  if (!apiVersion || !kind || (depth > 0 && !pairOf(map, 'metadata')))
    return undefined
  const slash = apiVersion.lastIndexOf('/')
  return { group: slash < 0 ? '' : apiVersion.slice(0, slash), kind, depth }
}

/** A compose file: a top-level `services` mapping, and no `apiVersion`. */
export function isCompose(document: Document): boolean {
  const root = document.contents
  return (
    isMap(root) &&
    !pairOf(root, 'apiVersion') &&
    isMap(pairOf(root, 'services')?.value)
  )
}

interface KindRule {
  group: string
  kinds: string[]
  /** Paths inside the object; `*` stands for any one key or index. */
  paths: string[]
  why: string
}

/**
 * Fields of known kinds that name an image without deploying it: repositories that are scanned,
 * watched or pushed to, and patterns to verify. Pinning them breaks the tool that reads them
 * (Flux rejects a tag in an ImageRepository; a push target with a digest cannot be pushed to).
 */
const kindRules: KindRule[] = [
  {
    group: 'image.toolkit.fluxcd.io',
    kinds: ['ImageRepository'],
    paths: ['spec.image'],
    why: 'the repository a Flux ImageRepository scans for tags'
  },
  {
    group: 'image.toolkit.fluxcd.io',
    kinds: ['ImagePolicy', 'ImageUpdateAutomation'],
    paths: ['spec'],
    why: 'Flux image automation settings, not a deployment'
  },
  {
    group: 'argocd-image-updater.argoproj.io',
    kinds: ['ImageUpdater'],
    paths: ['spec'],
    why: 'images Argo CD Image Updater watches, not deploys'
  },
  {
    group: 'kargo.akuity.io',
    kinds: ['Warehouse', 'Stage', 'PromotionTask', 'ClusterPromotionTask'],
    paths: ['spec.subscriptions', 'spec.promotionTemplate', 'spec.steps'],
    why: 'what Kargo watches and how it promotes (it writes the image itself)'
  },
  {
    group: 'shipwright.io',
    kinds: ['Build', 'BuildRun'],
    paths: ['spec.output', 'spec.build.spec.output'],
    why: 'where a Shipwright build pushes its result'
  },
  {
    group: 'kpack.io',
    kinds: ['Image', 'Builder', 'ClusterBuilder'],
    paths: ['spec.tag'],
    why: 'where kpack pushes what it builds'
  },
  {
    group: 'build.openshift.io',
    kinds: ['BuildConfig', 'Build'],
    paths: ['spec.output'],
    why: 'where an OpenShift build pushes its result'
  },
  {
    group: 'kyverno.io',
    kinds: ['ClusterPolicy', 'Policy'],
    paths: ['spec.rules.*.verifyImages'],
    why: 'images a Kyverno policy verifies'
  },
  {
    group: 'policy.sigstore.dev',
    kinds: ['ClusterImagePolicy'],
    paths: ['spec.images'],
    why: 'images a Sigstore policy verifies'
  },
  {
    group: 'meta.pkg.crossplane.io',
    kinds: ['Configuration', 'Provider', 'Function'],
    paths: ['spec.dependsOn'],
    why: 'a Crossplane package dependency, with a version constraint'
  },
  {
    group: 'apiextensions.k8s.io',
    kinds: ['CustomResourceDefinition'],
    paths: ['spec'],
    why: 'a schema, not an object'
  }
]

/** In a kustomization, selectors and field specs that name images to find, not to deploy. */
const kustomizationPaths = [
  'patches.*.target',
  'patchesJson6902.*.target',
  'replacements'
]

function matches(pattern: string, path: JsPath): boolean {
  const parts = pattern.split('.')
  return (
    parts.length === path.length &&
    parts.every((part, i) => part === '*' || part === String(path[i]))
  )
}

/**
 * Why the field at `place` is never a deployed image (its whole subtree is left alone), or
 * undefined when the other rules may look at it.
 */
export function leftAlone(place: Place): string | undefined {
  const { path, parent, object } = place
  if (object) {
    const inside = path.slice(object.depth)
    // A live object (`kubectl get -o yaml`): its status says what runs, and only its controller writes it.
    if (inside.length === 1 && inside[0] === 'status')
      return 'the status of a live object, written by its controller'
    for (const rule of kindRules) {
      if (
        rule.group === object.group &&
        rule.kinds.includes(object.kind) &&
        rule.paths.some(pattern => matches(pattern, inside))
      )
        return rule.why
    }
  }
  if (place.kustomization && kustomizationPaths.some(p => matches(p, path)))
    return 'a kustomize selector, not an image'
  if (
    place.compose &&
    matches('services.*.image', path) &&
    pairOf(parent, 'build')
  )
    return 'the name `docker compose build` gives the image it builds'
  // Inputs of a GitHub Actions step or reusable workflow: each action gives them its own meaning
  // (`repository:` is a Git repository for actions/checkout, `tags:` a push target for build-push).
  if (path[path.length - 1] === 'with' && pairOf(parent, 'uses'))
    return 'an input of a GitHub Actions step'
  if (isUnusedParameter(place))
    return 'a workflow parameter no step image in this file uses (a build or push target?)'
  return undefined
}
