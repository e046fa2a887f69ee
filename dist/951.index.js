export const id = 951;
export const ids = [951];
export const modules = {

/***/ 23951:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  editManifest: () => (/* binding */ editManifest)
});

// UNUSED EXPORTS: ManifestError, parseNamedPath

// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(38815);
// EXTERNAL MODULE: ./src/oci/reference.ts
var reference = __webpack_require__(62148);
// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __webpack_require__(57975);
;// CONCATENATED MODULE: ./src/deploy/quote.ts

/**
 * Whether `value` must be quoted to stay a string: under YAML 1.2 (the `yaml` package, kubectl) and
 * YAML 1.1 (go-yaml, Helm), and as valid plain-scalar syntax. `58467965`, `0123456`, `1e10`, `on`
 * would otherwise become numbers or booleans.
 */
function needsQuotes(value) {
    if (value === '' || value.trim() !== value)
        return true;
    try {
        return (0,dist/* parse */.qg)(value) !== value || (0,dist/* parse */.qg)(value, { version: '1.1' }) !== value;
    }
    catch {
        return true;
    }
}
function doubleQuoted(value) {
    return JSON.stringify(value);
}
function singleQuoted(value) {
    return `'${value.replace(/'/g, "''")}'`;
}

// EXTERNAL MODULE: ./src/deploy/edit/types.ts
var types = __webpack_require__(50673);
;// CONCATENATED MODULE: ./src/deploy/edit/splice.ts




function formatPath(path) {
    return path
        .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`))
        .join('');
}
/** The pair of `key` in a mapping, when the key is a plain scalar. */
function pairOf(map, key) {
    return map.items.find(p => (0,dist/* isPair */.tO)(p) && (0,dist/* isScalar */.jn)(p.key) && p.key.value === key);
}
/** The string value of a pair, when it is one. */
function stringOf(pair) {
    return pair && (0,dist/* isScalar */.jn)(pair.value) && typeof pair.value.value === 'string'
        ? pair.value.value
        : undefined;
}
// The library reports what it notices through process warnings unless told otherwise; those would
// reach the job log raw. Its parse warnings are kept as notes instead (see `notes`).
const parseOptions = {
    prettyErrors: true,
    uniqueKeys: true,
    logLevel: 'error'
};
/**
 * A document as data to compare before and after an edit. Mappings stay Maps, so a key that is
 * itself a mapping (`{{ .ns }}: x`, an unquoted template) is compared as it is, not stringified
 * (which is lossy and makes the library print a warning).
 */
function plainData(doc) {
    return doc.toJS({ mapAsMap: true });
}
/**
 * The splice core of the editor: values are changed by replacing only their own characters in
 * the original text, so comments, blank lines, key order, indentation, quoting and line endings
 * stay as they were. Every edit is also made on the parsed documents; the edited text must read
 * back exactly as those, or nothing is written.
 */
class Splicer {
    file;
    src;
    target;
    documents;
    changes = [];
    warnings = [];
    /** Details for the debug log only (what the YAML library noticed, keys left alone). */
    notes = [];
    /** References to the image found, whether they changed or were already current. */
    matches = 0;
    eol;
    splices = [];
    intended = [];
    edited = new Set();
    constructor(file, src, target) {
        this.file = file;
        this.src = src;
        this.target = target;
        this.eol = src.includes('\r\n') ? '\r\n' : '\n';
        const docs = (0,dist/* parseAllDocuments */.hR)(src, parseOptions);
        this.documents = Array.isArray(docs) ? docs : [];
        for (const doc of this.documents) {
            for (const warning of doc.warnings)
                this.notes.push(`${file}: ${warning.message.split('\n')[0]}`);
            const error = doc.errors[0];
            if (error) {
                throw new types/* ManifestError */.S(file, error.linePos?.[0]?.line, `not valid YAML: ${error.message.split('\n')[0]}`);
            }
        }
    }
    lineOf(offset) {
        return this.src.slice(0, offset).split('\n').length;
    }
    change(change) {
        this.changes.push(change);
    }
    /** Sets a scalar to `value` in its own quoting style; false when it already had the value. */
    setScalar(node, path, value) {
        if ((0,dist/* isAlias */.Vj)(node)) {
            throw new types/* ManifestError */.S(this.file, this.lineOf(node.range[0]), `${formatPath(path)} is an alias (*${node.source}); edit the anchored value instead`);
        }
        if (!(0,dist/* isScalar */.jn)(node) || !node.range || this.edited.has(node))
            return false;
        if (node.anchor) {
            this.warnings.push(`${this.file}:${this.lineOf(node.range[0])}: ${formatPath(path)} is anchored (&${node.anchor}); its aliases change too`);
        }
        if (node.value === value)
            return false;
        this.edited.add(node);
        this.intended.push(() => {
            node.value = value;
        });
        const [start, end] = node.range;
        const text = this.render(node, value);
        // An empty value (`tag:`) gets a space before it, and one after when a comment follows.
        const src = this.src;
        const lead = src[start - 1] === ' ' || src[start - 1] === '\t' ? '' : ' ';
        const spliced = start === end ? `${lead}${text}${src[start] === '#' ? ' ' : ''}` : text;
        this.splices.push({ start, end, text: spliced });
        return true;
    }
    /** Adds `key: value` on the line after `after`'s line, indented like `after`'s key. */
    insertAfter(map, after, path, key, value) {
        const src = this.src;
        if (map.flow) {
            throw new types/* ManifestError */.S(this.file, this.lineOf(after.key.range[0]), `cannot add ${key} to the flow mapping at ${formatPath(path)}; write it in block style`);
        }
        const keyStart = after.key.range[0];
        const lineStart = src.lastIndexOf('\n', keyStart - 1) + 1;
        const bom = src.charCodeAt(lineStart) === 0xfeff ? 1 : 0;
        const indent = ' '.repeat(keyStart - lineStart - bom);
        const valueEnd = after.value?.range?.[2] ?? keyStart;
        let lineEnd = src.indexOf('\n', valueEnd > 0 ? valueEnd - 1 : 0);
        if (lineEnd < 0)
            lineEnd = src.length;
        else if (src[lineEnd - 1] === '\r')
            lineEnd -= 1;
        const rendered = needsQuotes(value) ? doubleQuoted(value) : value;
        this.splices.push({
            start: lineEnd,
            end: lineEnd,
            text: `${this.eol}${indent}${key}: ${rendered}`
        });
        this.intended.push(() => map.set(key, value));
    }
    /** The edited text, checked: it parses, and reads exactly as the intended documents. */
    finish() {
        // From the end backwards; insertions at the same offset in reverse order, so they read in order.
        const ordered = this.splices.map((splice, order) => ({ ...splice, order }));
        ordered.sort((a, b) => b.start - a.start || b.order - a.order);
        let text = this.src;
        for (const s of ordered)
            text = text.slice(0, s.start) + s.text + text.slice(s.end);
        if (this.splices.length) {
            for (const apply of this.intended)
                apply();
            this.verify(text, this.documents.map(plainData));
        }
        return {
            text,
            changes: this.changes,
            matches: this.matches,
            warnings: this.warnings,
            notes: this.notes
        };
    }
    render(node, value) {
        if (node.type === 'QUOTE_SINGLE')
            return singleQuoted(value);
        if (node.type === 'QUOTE_DOUBLE')
            return doubleQuoted(value);
        if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
            const original = this.src.slice(node.range[0], node.range[1]);
            return doubleQuoted(value) + (original.endsWith('\n') ? this.eol : '');
        }
        return needsQuotes(value) ? doubleQuoted(value) : value;
    }
    verify(after, want) {
        const parse = (text) => {
            const docs = (0,dist/* parseAllDocuments */.hR)(text, parseOptions);
            const list = Array.isArray(docs) ? docs : [];
            for (const doc of list) {
                if (doc.errors.length) {
                    throw new types/* ManifestError */.S(this.file, undefined, `editing produced invalid YAML (${doc.errors[0].message}); nothing was written`);
                }
            }
            return list.map(plainData);
        };
        if (!(0,external_node_util_.isDeepStrictEqual)(parse(after), want)) {
            throw new types/* ManifestError */.S(this.file, undefined, 'the edited file reads differently than intended; nothing was written');
        }
        const eolBefore = this.src.includes('\r\n');
        const eolAfter = after.includes('\r\n');
        if (eolBefore !== eolAfter || (!eolBefore && after.includes('\r'))) {
            throw new types/* ManifestError */.S(this.file, undefined, 'editing changed the line endings; nothing was written');
        }
    }
}

;// CONCATENATED MODULE: ./src/deploy/edit/reference.ts


/** Whether a written reference names `repository` (templated values never do). */
function sameRepository(value, repository) {
    if (value.includes('${') || value.includes('{{'))
        return false;
    try {
        return (0,reference/* parseReference */.F2)(value).repository.equals(repository);
    }
    catch {
        return false;
    }
}
/** The reference's name as written (`nginx`, `ghcr.io/a/b`), without tag and digest. */
function namePart(reference) {
    const withoutDigest = reference.split('@')[0];
    const slash = withoutDigest.lastIndexOf('/');
    const colon = withoutDigest.lastIndexOf(':');
    return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
}
/**
 * Full references: Kubernetes containers (anywhere), compose services, image volumes and any
 * string with a tag or digest. A reference with a tag becomes `name:tag@digest`; one written by
 * digest alone stays so (`name@digest`: the author chose it, and kustomize's `digest` gives the
 * same). A bare name is an image only under an `image` key; elsewhere it is a name other tools
 * keep (annotations, config values). Returns whether the value names the image this way.
 */
function editReference(editor, doc, node, path) {
    const { target } = editor;
    const value = node.value;
    if (!sameRepository(value, target.repository))
        return false;
    const underImageKey = path[path.length - 1] === 'image' ||
        (path[path.length - 1] === 'reference' && path[path.length - 2] === 'image'); // image volumes
    const written = (0,reference/* parseReference */.F2)(value);
    const bare = written.tag === undefined && written.digest === undefined;
    if (bare && !underImageKey)
        return false;
    editor.matches++;
    const next = written.tag === undefined && written.digest !== undefined
        ? `${namePart(value)}@${target.digest}`
        : `${namePart(value)}:${target.tag}@${target.digest}`;
    if (editor.setScalar(node, path, next)) {
        editor.change({
            document: doc,
            path: formatPath(path),
            kind: 'reference',
            from: value,
            to: next
        });
    }
    return true;
}

;// CONCATENATED MODULE: ./src/deploy/edit/findings.ts



/**
 * What the matchers noticed but did not edit, gathered per file: fields naming the image that
 * no rule knows or that a rule left alone (for the no-match message), and image maps pinned
 * without a digest or with a guessed digest format (one warning each per file).
 */
class Findings {
    file;
    target;
    unmatched = [];
    withoutDigest = [];
    withoutTag = [];
    hexGuessed = [];
    constructor(file, target) {
        this.file = file;
        this.target = target;
    }
    /** A string naming the image in a field no matcher knows. */
    unknownField(document, path) {
        this.unmatched.push({ document, path: formatPath(path) });
    }
    /** A subtree a rule leaves alone: the fields in it that name the image, and why. */
    leftAlone(document, path, node, why) {
        if ((0,dist/* isScalar */.jn)(node)) {
            if (typeof node.value === 'string' &&
                sameRepository(node.value, this.target.repository))
                this.unmatched.push({ document, path: formatPath(path), why });
        }
        else if ((0,dist/* isMap */.jh)(node)) {
            for (const pair of node.items) {
                if ((0,dist/* isPair */.tO)(pair) && (0,dist/* isScalar */.jn)(pair.key))
                    this.leftAlone(document, [...path, String(pair.key.value)], pair.value, why);
            }
        }
        else if ((0,dist/* isSeq */.oP)(node)) {
            node.items.forEach((item, i) => this.leftAlone(document, [...path, i], item, why));
        }
    }
    /** An image map that has no field for the digest (and none for the tag either). */
    noDigestField(path, noTag) {
        if (!this.named([...path, 'digest']))
            this.withoutDigest.push(path);
        if (noTag && !this.named([...path, 'tag']))
            this.withoutTag.push(path);
    }
    /** An empty `sha` key that was given the hex form, the most common reading. */
    hexGuessedFor(path) {
        if (!this.named([...path, 'sha']))
            this.hexGuessed.push(path);
    }
    /** At most one warning per kind of finding for the whole file. */
    warnings() {
        const { file } = this;
        const image = String(this.target.repository);
        const warnings = [];
        if (this.withoutDigest.length) {
            const where = unique(this.withoutDigest.map(p => formatPath(p) || '(top)'));
            const lines = unique([
                ...this.withoutTag.map(p => fieldLine(p, 'tag')),
                ...this.withoutDigest.map(p => fieldLine(p, 'digest'))
            ]);
            warnings.push(`${file}: ${list(where)} ${where.length === 1 ? 'names' : 'name'} ${image} but ${where.length === 1 ? 'has' : 'have'} no digest field${this.withoutTag.length ? ' (or no tag field)' : ''}, so the image is not pinned by digest there. If the template that renders it reads one, ${lines.length === 1 ? 'this manifest-paths line adds it' : 'these manifest-paths lines add them'}: ${lines.map(l => `"${l}"`).join(', ')}`);
        }
        if (this.hexGuessed.length) {
            const lines = unique(this.hexGuessed.map(p => fieldLine(p, 'sha')));
            warnings.push(`${file}: ${list(lines.map(l => l.split('=')[0]))} had no value to show its format, so the digest was written as hex without "sha256:", as kube-prometheus-stack, grafana and loki read a sha key. A chart that reads "sha256:…" there (kube-state-metrics) needs the manifest-paths ${lines.length === 1 ? 'line' : 'lines'} ${lines.map(l => `"${l}"`).join(', ')}`);
        }
        return warnings;
    }
    named(path) {
        const wanted = formatPath(path);
        return (this.target.paths ?? []).some(p => formatPath(p.path) === wanted);
    }
}
function fieldLine(path, key) {
    return `${formatPath([...path, key])}=${key === 'tag' ? 'tag' : 'digest'}`;
}
function unique(items) {
    return [...new Set(items)];
}
function list(items) {
    return items.length <= 3
        ? items.join(', ')
        : `${items.slice(0, 3).join(', ')} and ${items.length - 3} more`;
}

;// CONCATENATED MODULE: ./src/deploy/edit/flux.ts



const marker = /\{\s*"\$imagepolicy"\s*:\s*"([^"]+)"\s*\}/;
/**
 * Flux image-automation setters: `# {"$imagepolicy": "ns:policy:name|tag|digest"}` on fields
 * anywhere in a document. When a policy's `:name` field names the image, its `:tag` and
 * `:digest` fields are set; fields marked with the whole reference go through the other rules.
 */
function editFluxMarkers(editor, doc, contents) {
    const { target } = editor;
    const groups = new Map();
    const collect = (node, path) => {
        if ((0,dist/* isMap */.jh)(node)) {
            for (const pair of node.items) {
                if (!(0,dist/* isPair */.tO)(pair) || !(0,dist/* isScalar */.jn)(pair.key))
                    continue;
                const childPath = [...path, String(pair.key.value)];
                const found = (0,dist/* isScalar */.jn)(pair.value)
                    ? marker.exec(pair.value.comment ?? '')
                    : null;
                if (found && (0,dist/* isScalar */.jn)(pair.value)) {
                    const parts = found[1].split(':');
                    const policy = parts.slice(0, 2).join(':');
                    const list = groups.get(policy) ?? [];
                    list.push({
                        field: parts[2] ?? '',
                        node: pair.value,
                        path: childPath
                    });
                    groups.set(policy, list);
                }
                collect(pair.value, childPath);
            }
        }
        else if ((0,dist/* isSeq */.oP)(node)) {
            node.items.forEach((item, i) => collect(item, [...path, i]));
        }
    };
    collect(contents, []);
    for (const fields of groups.values()) {
        const name = fields.find(f => f.field === 'name');
        if (!name ||
            typeof name.node.value !== 'string' ||
            !sameRepository(name.node.value, target.repository))
            continue;
        editor.matches++;
        for (const { field, node, path } of fields) {
            const value = field === 'tag'
                ? target.tag
                : field === 'digest'
                    ? target.digest
                    : undefined;
            if (value === undefined)
                continue;
            const from = String(node.value ?? '');
            if (editor.setScalar(node, path, value)) {
                editor.change({
                    document: doc,
                    path: formatPath(path),
                    kind: 'flux-marker',
                    from: `${name.node.value}:${from}`,
                    to: `${name.node.value}:${value}`
                });
            }
        }
    }
}

;// CONCATENATED MODULE: ./src/deploy/edit/image-maps.ts



// `image`, `thanosImage`, `init-image`, `sidecar_image`: keys whose mapping is an image.
const imageKey = /^image$|[a-z0-9]Image$|[-_]image$/;
const hexDigest = /^[0-9a-f]{64}$/;
function scalarOrEmpty(pair) {
    return pair && (pair.value === null || (0,dist/* isScalar */.jn)(pair.value))
        ? pair
        : undefined;
}
function nonEmpty(pair) {
    const value = stringOf(pair)?.trim();
    return value ? value : undefined;
}
function digestField(map) {
    for (const key of ['digest', 'sha']) {
        const pair = scalarOrEmpty(pairOf(map, key));
        if (!pair)
            continue;
        const value = nonEmpty(pair);
        if (value?.startsWith('sha256:'))
            return { key, pair, form: 'full', guessed: false };
        if (value && hexDigest.test(value))
            return { key, pair, form: 'hex', guessed: false };
        return {
            key,
            pair,
            form: key === 'sha' ? 'hex' : 'full',
            guessed: key === 'sha'
        };
    }
    return undefined;
}
/** `ghcr.io/a/b` has a host; `bitnami/nginx` and `nginx` do not (a registry is put before them). */
function hasHost(repository) {
    const slash = repository.indexOf('/');
    if (slash < 0)
        return false;
    const first = repository.slice(0, slash);
    return first.includes('.') || first.includes(':') || first === 'localhost';
}
function hasTagOrDigest(name) {
    return /[:@]/.test(name.split('/').pop() ?? '');
}
/**
 * The registry the chart falls back to for every image: `global.image.registry` (ingress-nginx)
 * or `global.imageRegistry` (Bitnami, prometheus-community), from the nearest enclosing values
 * that have a `global` key (the file, or a HelmRelease's `spec.values`).
 */
function globalRegistry(ancestors) {
    for (let i = ancestors.length - 1; i >= 0; i--) {
        const global = pairOf(ancestors[i], 'global')?.value;
        if (!global)
            continue;
        if (!(0,dist/* isMap */.jh)(global))
            return undefined;
        const image = pairOf(global, 'image')?.value;
        return (((0,dist/* isMap */.jh)(image) ? nonEmpty(pairOf(image, 'registry')) : undefined) ??
            nonEmpty(pairOf(global, 'imageRegistry')));
    }
    return undefined;
}
/**
 * The names a repository field can render as. Its own `registry` comes first; a global registry
 * applies when the repository has no host of its own (charts disagree on which one wins when
 * both are set, so either may name the image).
 */
function renderedNames(repository, own, global) {
    const names = own ? [`${own}/${repository}`] : [];
    if (global && !hasHost(repository))
        names.push(`${global}/${repository}`);
    if (!own && !(global && !hasHost(repository)))
        names.push(repository);
    return names;
}
/**
 * cert-manager composes its images: top-level `imageRegistry` + `imageNamespace` + `image.name`
 * when `image.repository` is empty (a per-image `registry` goes in front of all that).
 */
function composedName(map, ancestors) {
    const name = nonEmpty(pairOf(map, 'name'));
    if (!name)
        return undefined;
    const root = [...ancestors]
        .reverse()
        .find(a => pairOf(a, 'imageRegistry') || pairOf(a, 'imageNamespace'));
    if (!root)
        return undefined;
    const parts = [
        nonEmpty(pairOf(map, 'registry')),
        nonEmpty(pairOf(root, 'imageRegistry')),
        nonEmpty(pairOf(root, 'imageNamespace')),
        name
    ];
    return parts.filter(Boolean).join('/');
}
/**
 * The image a values mapping holds, when it names `repository`. Three conventions:
 * - `repository` (+ `registry`, or a global registry) with `tag` / `digest` / `sha`: `helm create`,
 *   Bitnami, prometheus-community. A lone `repository:` is not enough (actions/checkout's `with:`
 *   has one): the mapping needs a tag, digest, sha or registry key, or an image key above it.
 * - `image` (a bare repository) next to `tag` / `digest` / `sha`: ingress-nginx, redis-ha, Argo
 *   Workflows loop items. The template joins them, so `image` stays a repository.
 * - `name` under an image key with an empty `repository`, composed with top-level
 *   `imageRegistry` / `imageNamespace`: cert-manager.
 */
function recogniseImageMap(map, path, ancestors, repository) {
    const tag = scalarOrEmpty(pairOf(map, 'tag'));
    const digest = digestField(map);
    const registry = nonEmpty(pairOf(map, 'registry'));
    const last = path[path.length - 1];
    const underImageKey = typeof last === 'string' && imageKey.test(last);
    const matching = (names) => names.find(n => sameRepository(n, repository));
    const owned = ['registry', 'tag', 'digest', 'sha'];
    const repositoryPair = pairOf(map, 'repository');
    const repositoryValue = nonEmpty(repositoryPair);
    if (repositoryValue) {
        if (!(tag || digest || registry || underImageKey))
            return undefined;
        if (hasTagOrDigest(repositoryValue))
            return undefined;
        const global = globalRegistry(ancestors);
        const name = matching(renderedNames(repositoryValue, registry, global));
        return name
            ? {
                name,
                nameField: repositoryPair,
                tag,
                digest,
                underImageKey,
                owned: ['repository', ...owned]
            }
            : undefined;
    }
    const imagePair = pairOf(map, 'image');
    const image = nonEmpty(imagePair);
    if (image && (tag || digest) && !hasTagOrDigest(image)) {
        const global = globalRegistry(ancestors);
        const name = matching(renderedNames(image, registry, global));
        return name
            ? {
                name,
                nameField: imagePair,
                tag,
                digest,
                underImageKey,
                owned: ['image', ...owned]
            }
            : undefined;
    }
    if (underImageKey) {
        const composed = composedName(map, ancestors);
        const name = composed ? matching([composed]) : undefined;
        if (name)
            return {
                name,
                nameField: repositoryPair ?? pairOf(map, 'name'),
                tag,
                digest,
                underImageKey,
                owned: ['name', 'repository', ...owned]
            };
    }
    return undefined;
}

;// CONCATENATED MODULE: ./src/deploy/edit/helm.ts



function helm_valueOf(pair) {
    return pair && (0,dist/* isScalar */.jn)(pair.value) && pair.value.value !== null
        ? String(pair.value.value)
        : '';
}
/** The digest in the form the field holds it: `sha256:…`, or the hex alone. */
function digestValue(field, digest) {
    return field.form === 'hex' ? digest.replace(/^sha256:/, '') : digest;
}
/**
 * Helm-style image maps (`image-maps.ts` recognises them). The tag and the digest are set where
 * the mapping has fields for them; a mapping with a digest field but no tag field is pinned by
 * digest alone (its template reads no tag). A missing tag is added only to a mapping under an
 * image key that has no digest field either (the `helm create` convention). A tag written as
 * `tag@sha256:…` (Argo CD Image Updater's digest strategy) keeps that form.
 * Returns the keys it owns, so the walk leaves them alone; none when the map is not the image's.
 */
function editHelmImage(editor, findings, doc, map, path, ancestors) {
    const { target } = editor;
    const image = recogniseImageMap(map, path, ancestors, target.repository);
    if (!image)
        return [];
    editor.matches++;
    const { tag, digest } = image;
    const oldTag = helm_valueOf(tag);
    const oldDigest = helm_valueOf(digest?.pair);
    let changed = false;
    let newTag;
    if (tag) {
        newTag = oldTag.includes('@sha256:')
            ? `${target.tag}@${target.digest}`
            : target.tag;
        changed =
            editor.setScalar(tag.value, [...path, 'tag'], newTag) || changed;
    }
    else if (!digest && image.underImageKey) {
        newTag = target.tag;
        editor.insertAfter(map, image.nameField, path, 'tag', newTag);
        changed = true;
    }
    if (digest) {
        changed =
            editor.setScalar(digest.pair.value, [...path, digest.key], digestValue(digest, target.digest)) || changed;
        if (digest.guessed)
            findings.hexGuessedFor(path);
    }
    else {
        findings.noDigestField(path, newTag === undefined);
    }
    if (changed) {
        const fullOld = oldDigest && !oldDigest.startsWith('sha256:')
            ? `sha256:${oldDigest}`
            : oldDigest;
        editor.change({
            document: doc,
            path: formatPath(path),
            kind: 'helm',
            from: `${image.name}${oldTag ? `:${oldTag}` : ''}${fullOld ? `@${fullOld}` : ''}`,
            to: `${image.name}${newTag ? `:${target.tag}` : ''}${digest || newTag?.includes('@') ? `@${target.digest}` : ''}`
        });
    }
    return image.owned;
}

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
;// CONCATENATED MODULE: ./src/deploy/edit/kustomize.ts




const kustomizationNames = new Set([
    'kustomization.yaml',
    'kustomization.yml',
    'Kustomization'
]);
/** Whether a document is a kustomization: by its file name, or by `kind: Kustomization`. */
function isKustomization(file, document) {
    const contents = document.contents;
    return (kustomizationNames.has((0,external_node_path_.basename)(file)) ||
        ((0,dist/* isMap */.jh)(contents) && stringOf(pairOf(contents, 'kind')) === 'Kustomization'));
}
/**
 * A kustomization's top-level `images:` list: each entry naming the image gets `newTag` and
 * `digest`, except an entry pinned by `digest` alone, which stays so (kustomize then renders
 * `name@digest`, and adding a tag would change the form the author chose).
 */
function editKustomizeImages(editor, doc, images, path) {
    if (!(0,dist/* isSeq */.oP)(images))
        return;
    images.items.forEach((entry, i) => {
        if ((0,dist/* isMap */.jh)(entry))
            editEntry(editor, doc, entry, [...path, i]);
    });
}
function editEntry(editor, doc, entry, path) {
    const { target } = editor;
    const name = pairOf(entry, 'name');
    const newName = pairOf(entry, 'newName');
    const effective = stringOf(newName) ?? stringOf(name);
    if (!effective || !sameRepository(effective, target.repository))
        return;
    editor.matches++;
    const oldTag = stringOf(pairOf(entry, 'newTag'));
    const oldDigest = stringOf(pairOf(entry, 'digest'));
    const from = `${effective}${oldTag ? `:${oldTag}` : ''}${oldDigest ? `@${oldDigest}` : ''}`;
    const digestOnly = !pairOf(entry, 'newTag') && pairOf(entry, 'digest');
    const fields = digestOnly
        ? [['digest', target.digest]]
        : [
            ['newTag', target.tag],
            ['digest', target.digest]
        ];
    let changed = false;
    for (const [key, value] of fields) {
        const pair = pairOf(entry, key);
        if (pair)
            changed =
                editor.setScalar(pair.value, [...path, key], value) || changed;
        else {
            // After the entry's last image key, so newTag and digest read in that order.
            const last = key === 'digest'
                ? (pairOf(entry, 'newTag') ?? newName ?? name)
                : (newName ?? name);
            editor.insertAfter(entry, last, path, key, value);
            changed = true;
        }
    }
    if (changed) {
        editor.change({
            document: doc,
            path: formatPath(path),
            kind: 'kustomize',
            from,
            to: `${effective}${digestOnly ? '' : `:${target.tag}`}@${target.digest}`
        });
    }
}

;// CONCATENATED MODULE: ./src/deploy/edit/named-paths.ts


/**
 * `manifest-paths`: each named field that exists gets the tag, the digest or the reference. A
 * missing last key is added to the block mapping that would hold it (after its tag, or after
 * its last plain value), which is how a values file gains the digest field it lacks.
 */
function editNamedPaths(editor, doc, document) {
    const { target, file } = editor;
    for (const named of target.paths ?? []) {
        const value = named.field === 'tag'
            ? target.tag
            : named.field === 'digest'
                ? target.digest
                : `${target.repository}:${target.tag}@${target.digest}`;
        const where = formatPath(named.path);
        if (!document.hasIn(named.path)) {
            addField(editor, doc, document, named.path, value);
            continue;
        }
        const node = document.getIn(named.path, true);
        if (!(0,dist/* isScalar */.jn)(node)) {
            editor.warnings.push(`${file}: ${where} is not a single value; manifest-paths left it alone`);
            continue;
        }
        editor.matches++;
        const from = String(node.value ?? '');
        if (editor.setScalar(node, named.path, value)) {
            editor.change({
                document: doc,
                path: where,
                kind: 'named-path',
                from,
                to: value
            });
        }
    }
}
function addField(editor, doc, document, path, value) {
    const key = path[path.length - 1];
    const holder = path.length === 1
        ? document.contents
        : document.getIn(path.slice(0, -1), true);
    if (typeof key !== 'string' || !(0,dist/* isMap */.jh)(holder))
        return;
    const where = formatPath(path);
    const scalars = holder.items.filter((p) => (0,dist/* isPair */.tO)(p) && (0,dist/* isScalar */.jn)(p.key) && (0,dist/* isScalar */.jn)(p.value));
    const after = pairOf(holder, 'tag') ?? scalars[scalars.length - 1];
    if (holder.flow || !after) {
        editor.warnings.push(`${editor.file}: manifest-paths cannot add ${where} here; write the key in the file (block style)`);
        return;
    }
    editor.matches++;
    editor.insertAfter(holder, after, path.slice(0, -1), key, value);
    editor.change({
        document: doc,
        path: where,
        kind: 'named-path',
        from: '',
        to: value
    });
}

;// CONCATENATED MODULE: ./src/deploy/edit/parameters.ts


// How a step refers to a parameter: Tekton `$(params.x)` / `$(params["x"])`, Argo
// `{{inputs.parameters.x}}` / `{{workflow.parameters.x}}`.
const parameterReferences = [
    /\$\(params\.([\w.-]+)\)/g,
    /\$\(params\[['"]([^'"]+)['"]\]\)/g,
    /\{\{\s*(?:inputs|workflow)\.parameters\.([\w-]+)\s*\}\}/g
];
function referencedParameters(text) {
    return parameterReferences.flatMap(pattern => [...text.matchAll(pattern)].map(match => match[1]));
}
/**
 * The parameters whose value becomes a step's image: named in an `image` field, or passed on to
 * such a parameter (a Pipeline's param handed to its Task's). Names are matched across the
 * file's documents, as a Pipeline and its Tasks often share one file.
 */
function imageParameters(documents) {
    const used = new Set();
    const passedOn = [];
    for (const document of documents) {
        (0,dist/* visit */.YR)(document, {
            Pair(_, pair) {
                if (!(0,dist/* isScalar */.jn)(pair.key))
                    return;
                if (pair.key.value === 'image' &&
                    (0,dist/* isScalar */.jn)(pair.value) &&
                    typeof pair.value.value === 'string') {
                    for (const name of referencedParameters(pair.value.value))
                        used.add(name);
                }
            },
            Map(_, map) {
                const name = stringOf(pairOf(map, 'name'));
                const value = stringOf(pairOf(map, 'value')) ?? stringOf(pairOf(map, 'default'));
                if (name && value)
                    passedOn.push({ name, from: referencedParameters(value) });
            }
        });
    }
    for (let grew = true; grew;) {
        grew = false;
        for (const { name, from } of passedOn) {
            if (!used.has(name))
                continue;
            for (const other of from) {
                if (!used.has(other)) {
                    used.add(other);
                    grew = true;
                }
            }
        }
    }
    return used;
}
const argoWorkflowKinds = [
    'Workflow',
    'WorkflowTemplate',
    'ClusterWorkflowTemplate',
    'CronWorkflow'
];
/**
 * A parameter value (Argo Workflows `parameters`, Tekton `params`) that no step uses as its image.
 * Such a value is as often a push target (buildkit `--output name=…`, kaniko `--destination`) as an
 * image to run, and only its use tells which; resolver params (`taskRef.params` with a `resolver`)
 * are not parameters of steps and are left to the other rules.
 */
function isUnusedParameter(place) {
    const { path, parent, ancestors, object } = place;
    const n = path.length;
    if (!object ||
        !(object.group === 'tekton.dev' ||
            (object.group === 'argoproj.io' &&
                argoWorkflowKinds.includes(object.kind))))
        return false;
    if ((path[n - 1] !== 'value' && path[n - 1] !== 'default') ||
        typeof path[n - 2] !== 'number' ||
        (path[n - 3] !== 'params' && path[n - 3] !== 'parameters'))
        return false;
    const owner = ancestors[ancestors.length - 1];
    if (owner && pairOf(owner, 'resolver'))
        return false;
    const name = stringOf(pairOf(parent, 'name'));
    return name !== undefined && !place.imageParameters.has(name);
}

;// CONCATENATED MODULE: ./src/deploy/edit/never-images.ts



/**
 * The object a mapping starts: a document with an `apiVersion` and a `kind`, or a mapping inside
 * one that also has `metadata` (List items, Template objects). References to objects
 * (`scaleTargetRef`, `ownerReferences`) have no `metadata` and are not objects.
 */
function objectOf(map, depth) {
    const apiVersion = stringOf(pairOf(map, 'apiVersion'));
    const kind = stringOf(pairOf(map, 'kind'));
    if (!apiVersion || !kind || (depth > 0 && !pairOf(map, 'metadata')))
        return undefined;
    const slash = apiVersion.lastIndexOf('/');
    return { group: slash < 0 ? '' : apiVersion.slice(0, slash), kind, depth };
}
/** A compose file: a top-level `services` mapping, and no `apiVersion`. */
function isCompose(document) {
    const root = document.contents;
    return ((0,dist/* isMap */.jh)(root) &&
        !pairOf(root, 'apiVersion') &&
        (0,dist/* isMap */.jh)(pairOf(root, 'services')?.value));
}
/**
 * Fields of known kinds that name an image without deploying it: repositories that are scanned,
 * watched or pushed to, and patterns to verify. Pinning them breaks the tool that reads them
 * (Flux rejects a tag in an ImageRepository; a push target with a digest cannot be pushed to).
 */
const kindRules = [
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
];
/** In a kustomization, selectors and field specs that name images to find, not to deploy. */
const kustomizationPaths = [
    'patches.*.target',
    'patchesJson6902.*.target',
    'replacements'
];
function matches(pattern, path) {
    const parts = pattern.split('.');
    return (parts.length === path.length &&
        parts.every((part, i) => part === '*' || part === String(path[i])));
}
/**
 * Why the field at `place` is never a deployed image (its whole subtree is left alone), or
 * undefined when the other rules may look at it.
 */
function leftAlone(place) {
    const { path, parent, object } = place;
    if (object) {
        const inside = path.slice(object.depth);
        // A live object (`kubectl get -o yaml`): its status says what runs, and only its controller writes it.
        if (inside.length === 1 && inside[0] === 'status')
            return 'the status of a live object, written by its controller';
        for (const rule of kindRules) {
            if (rule.group === object.group &&
                rule.kinds.includes(object.kind) &&
                rule.paths.some(pattern => matches(pattern, inside)))
                return rule.why;
        }
    }
    if (place.kustomization && kustomizationPaths.some(p => matches(p, path)))
        return 'a kustomize selector, not an image';
    if (place.compose &&
        matches('services.*.image', path) &&
        pairOf(parent, 'build'))
        return 'the name `docker compose build` gives the image it builds';
    // Inputs of a GitHub Actions step or reusable workflow: each action gives them its own meaning
    // (`repository:` is a Git repository for actions/checkout, `tags:` a push target for build-push).
    if (path[path.length - 1] === 'with' && pairOf(parent, 'uses'))
        return 'an input of a GitHub Actions step';
    if (isUnusedParameter(place))
        return 'a workflow parameter no step image in this file uses (a build or push target?)';
    return undefined;
}

;// CONCATENATED MODULE: ./src/deploy/edit/index.ts











/**
 * Rewrites every reference to `target.repository` in a YAML stream, byte for byte outside the
 * changed values (`splice.ts`). The matchers, one per format: `manifest-paths` fields, Flux
 * setter markers, Helm image maps, kustomization `images:`, and full references anywhere, except
 * in fields that are never deployed images (`never-images.ts`).
 */
function editManifest(file, src, target) {
    const editor = new Splicer(file, src, target);
    const findings = new Findings(file, target);
    const parameters = imageParameters(editor.documents);
    editor.documents.forEach((document, doc) => {
        editNamedPaths(editor, doc, document);
        editFluxMarkers(editor, doc, document.contents);
        const kustomization = isKustomization(file, document);
        const compose = isCompose(document);
        const walk = (node, path, ancestors, outer) => {
            if ((0,dist/* isScalar */.jn)(node) && typeof node.value === 'string') {
                if (!editReference(editor, doc, node, path) &&
                    sameRepository(node.value, target.repository))
                    findings.unknownField(doc, path);
            }
            else if ((0,dist/* isMap */.jh)(node)) {
                const object = objectOf(node, path.length) ?? outer;
                const owned = editHelmImage(editor, findings, doc, node, path, ancestors);
                for (const pair of node.items) {
                    if (!(0,dist/* isPair */.tO)(pair))
                        continue;
                    if (!(0,dist/* isScalar */.jn)(pair.key)) {
                        // `{{ .ns }}: x` parses as a mapping used as a key: an unquoted template, not data.
                        const range = pair.key?.range;
                        editor.notes.push(`${file}${range ? `:${editor.lineOf(range[0])}` : ''}: a key in ${formatPath(path) || 'the top-level mapping'} is itself a mapping or list (an unquoted template?); left alone`);
                        continue;
                    }
                    const key = String(pair.key.value);
                    if (owned.includes(key))
                        continue;
                    const childPath = [...path, key];
                    const place = {
                        path: childPath,
                        parent: node,
                        ancestors,
                        object,
                        kustomization,
                        compose,
                        imageParameters: parameters
                    };
                    const why = leftAlone(place);
                    if (why)
                        findings.leftAlone(doc, childPath, pair.value, why);
                    else if (kustomization &&
                        path.length === 0 &&
                        key === 'images' &&
                        (0,dist/* isSeq */.oP)(pair.value))
                        editKustomizeImages(editor, doc, pair.value, [key]);
                    else
                        walk(pair.value, childPath, [...ancestors, node], object);
                }
            }
            else if ((0,dist/* isSeq */.oP)(node)) {
                node.items.forEach((item, i) => walk(item, [...path, i], ancestors, outer));
            }
        };
        // A document that is a bare string is no manifest: only collections are walked.
        if ((0,dist/* isMap */.jh)(document.contents) || (0,dist/* isSeq */.oP)(document.contents))
            walk(document.contents, [], [], undefined);
    });
    const edit = editor.finish();
    return {
        ...edit,
        warnings: [...edit.warnings, ...findings.warnings()],
        unmatched: findings.unmatched
    };
}


/***/ })

};
