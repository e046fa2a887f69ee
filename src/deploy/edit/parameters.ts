import { isScalar, visit, type Document } from 'yaml'
import type { Place } from './never-images'
import { pairOf, stringOf } from './splice'

// How a step refers to a parameter: Tekton `$(params.x)` / `$(params["x"])`, Argo
// `{{inputs.parameters.x}}` / `{{workflow.parameters.x}}`.
const parameterReferences = [
  /\$\(params\.([\w.-]+)\)/g,
  /\$\(params\[['"]([^'"]+)['"]\]\)/g,
  /\{\{\s*(?:inputs|workflow)\.parameters\.([\w-]+)\s*\}\}/g
]

function referencedParameters(text: string): string[] {
  return parameterReferences.flatMap(pattern =>
    [...text.matchAll(pattern)].map(match => match[1])
  )
}

/**
 * The parameters whose value becomes a step's image: named in an `image` field, or passed on to
 * such a parameter (a Pipeline's param handed to its Task's). Names are matched across the
 * file's documents, as a Pipeline and its Tasks often share one file.
 */
export function imageParameters(documents: Document[]): Set<string> {
  const used = new Set<string>()
  const passedOn: { name: string; from: string[] }[] = []
  for (const document of documents) {
    visit(document, {
      Pair(_, pair) {
        if (!isScalar(pair.key)) return
        if (
          pair.key.value === 'image' &&
          isScalar(pair.value) &&
          typeof pair.value.value === 'string'
        ) {
          for (const name of referencedParameters(pair.value.value))
            used.add(name)
        }
      },
      Map(_, map) {
        const name = stringOf(pairOf(map, 'name'))
        const value =
          stringOf(pairOf(map, 'value')) ?? stringOf(pairOf(map, 'default'))
        if (name && value)
          passedOn.push({ name, from: referencedParameters(value) })
      }
    })
  }
  for (let grew = true; grew;) {
    grew = false
    for (const { name, from } of passedOn) {
      if (!used.has(name)) continue
      for (const other of from) {
        if (!used.has(other)) {
          used.add(other)
          grew = true
        }
      }
    }
  }
  return used
}

const argoWorkflowKinds = [
  'Workflow',
  'WorkflowTemplate',
  'ClusterWorkflowTemplate',
  'CronWorkflow'
]

/**
 * A parameter value (Argo Workflows `parameters`, Tekton `params`) that no step uses as its image.
 * Such a value is as often a push target (buildkit `--output name=…`, kaniko `--destination`) as an
 * image to run, and only its use tells which; resolver params (`taskRef.params` with a `resolver`)
 * are not parameters of steps and are left to the other rules.
 */
export function isUnusedParameter(place: Place): boolean {
  const { path, parent, ancestors, object } = place
  const n = path.length
  if (
    !object ||
    !(
      object.group === 'tekton.dev' ||
      (object.group === 'argoproj.io' &&
        argoWorkflowKinds.includes(object.kind))
    )
  )
    return false
  if (
    (path[n - 1] !== 'value' && path[n - 1] !== 'default') ||
    typeof path[n - 2] !== 'number' ||
    (path[n - 3] !== 'params' && path[n - 3] !== 'parameters')
  )
    return false
  const owner = ancestors[ancestors.length - 1]
  if (owner && pairOf(owner, 'resolver')) return false
  const name = stringOf(pairOf(parent, 'name'))
  return name !== undefined && !place.imageParameters.has(name)
}
