import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 489:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   aL: () => (/* binding */ parseLayerSpec),
/* harmony export */   o$: () => (/* binding */ sourceForPlatform)
/* harmony export */ });
/* unused harmony export isPlatformSpecific */
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);

/** Parses `SOURCE:DESTINATION`; the first colon followed by `/` separates the two. */
function parseLayerSpec(line) {
    const match = /^(.+?):(\/.*)$/.exec(line.trim());
    if (!match) {
        if (line.includes(':')) {
            throw new Error(`"${line}": the destination must be an absolute path in the image (e.g. dist:/app/dist)`);
        }
        throw new Error(`"${line}" has no destination (write SOURCE:DESTINATION, e.g. dist:/app/dist)`);
    }
    const [, source, destination] = match;
    if (node_path__WEBPACK_IMPORTED_MODULE_0__.posix.isAbsolute(source) || source.startsWith('~')) {
        throw new Error(`"${line}": the source must be relative to working-directory, not absolute`);
    }
    if (destination.split('/').includes('..')) {
        throw new Error(`"${line}": the destination must not contain ".."`);
    }
    return { source, destination };
}
const placeholder = /\{\{\s*(os|arch|variant)\s*\}\}/g;
/** Fills `{{os}}`, `{{arch}}` and `{{variant}}` in a source for one platform. */
function sourceForPlatform(source, platform) {
    return source.replace(placeholder, (_, key) => key === 'os'
        ? platform.os
        : key === 'arch'
            ? platform.architecture
            : (platform.variant ?? ''));
}
function isPlatformSpecific(spec) {
    return new RegExp(placeholder.source).test(spec.source);
}


/***/ }),

/***/ 581:
/***/ ((module, __webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   i: () => (/* binding */ main)
/* harmony export */ });
/* harmony import */ var node_util__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(975);
/* harmony import */ var node_util__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_util__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _front_end__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(844);
/* harmony import */ var _inputs__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(265);
/* harmony import */ var _pipeline_report__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(222);
/* harmony import */ var _pipeline_run__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(18);
/* harmony import */ var _util_log__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(906);






const usage = `Usage: imprint build --image REPOSITORY --layers SOURCE:DESTINATION [options]

Builds an OCI image without a Docker daemon. Options have the names of the action's inputs;
list options may be repeated or hold newline-separated items.

  --image REPOSITORY            target repository, e.g. ghcr.io/acme/api
  --base REFERENCE | scratch    base image (default: cgr.dev/chainguard/static:latest)
  --layers SOURCE:DEST          one layer per occurrence, in order
  --platforms LIST              e.g. linux/amd64,linux/arm64 or all
  --entrypoint, --cmd           JSON array or a space-separated string
  --env, --labels, --annotations KEY=VALUE (repeatable)
  --workdir, --user             image config settings
  --tags TEMPLATE               repeatable; placeholders {{sha}} {{short_sha}} {{branch}} {{pr}} {{run_number}} {{date}}
  --push true|false             push to the registry (default here: false)
  --oci-layout DIR              write an OCI image layout (default here: out/oci when not pushing)
  --working-directory DIR       where SOURCE paths are resolved (default: .)
  --source-date-epoch SECONDS   timestamp for everything in the image (default: HEAD's commit time)
  --allow-tag-overwrite true    let a tag move to a different digest
  --layer-owner root|user|UID:GID  owner of the files in the built layers (default: root)
  --username, --insecure-registries
  --json                        print the metadata JSON instead of the digest
  --verbose                     debug logging

The password is read from $IMPRINT_PASSWORD, never from the command line.
Prints the digest on stdout; progress goes to stderr.`;
/** The command line: the same pipeline as the action, with inputs from options. */
async function main(argv) {
    const [command, ...rest] = argv;
    if (command === undefined ||
        command === '--help' ||
        command === '-h' ||
        command === 'help') {
        process.stdout.write(`${usage}\n`);
        return command === undefined ? 2 : 0;
    }
    if (command !== 'build') {
        process.stderr.write(`imprint: unknown command "${command}"\n\n${usage}\n`);
        return 2;
    }
    const optionNames = _inputs__WEBPACK_IMPORTED_MODULE_2__/* .inputNames */ .vj.filter(n => n !== 'password' && n !== 'github-token');
    let values;
    try {
        values = (0,node_util__WEBPACK_IMPORTED_MODULE_0__.parseArgs)({
            args: rest,
            options: {
                ...Object.fromEntries(optionNames.map(name => [name, { type: 'string', multiple: true }])),
                json: { type: 'boolean' },
                verbose: { type: 'boolean' }
            },
            allowPositionals: false
        }).values;
    }
    catch (error) {
        process.stderr.write(`imprint: ${error.message}\n\n${usage}\n`);
        return 2;
    }
    const given = (name) => {
        const v = values[name];
        return Array.isArray(v) ? v.join('\n') : '';
    };
    const pushGiven = given('push');
    const cliDefaults = {
        push: 'false',
        'oci-layout': pushGiven === '' || pushGiven === 'false' ? 'out/oci' : ''
    };
    const log = (0,_util_log__WEBPACK_IMPORTED_MODULE_5__/* .consoleLogger */ .k)(values.verbose === true);
    try {
        const inputs = (0,_inputs__WEBPACK_IMPORTED_MODULE_2__/* .parseInputs */ .TL)(name => {
            if (name === 'password')
                return process.env.IMPRINT_PASSWORD ?? '';
            if (name === 'github-token')
                return process.env.GITHUB_TOKEN ?? '';
            return given(name) || (cliDefaults[name] ?? '');
        });
        const result = await (0,_pipeline_run__WEBPACK_IMPORTED_MODULE_4__/* .runPipeline */ .a)(inputs, { log, env: process.env });
        process.stdout.write(values.json
            ? `${JSON.stringify((0,_pipeline_report__WEBPACK_IMPORTED_MODULE_3__/* .metadataOf */ .Nk)(result), null, 2)}\n`
            : `${result.digest}\n`);
        return 0;
    }
    catch (error) {
        for (const message of (0,_front_end__WEBPACK_IMPORTED_MODULE_1__/* .failureMessages */ .T)(error))
            process.stderr.write(`error: ${message}\n`);
        if (values.verbose && error instanceof Error)
            process.stderr.write(`${error.stack}\n`);
        return 1;
    }
}
process.exitCode = await main(process.argv.slice(2));

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 916:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   G: () => (/* binding */ InputErrors),
/* harmony export */   bD: () => (/* binding */ messageOf),
/* harmony export */   dz: () => (/* binding */ InputError)
/* harmony export */ });
/** One input that cannot be used, with what to do about it. */
class InputError extends Error {
    input;
    constructor(input, detail) {
        super(`Input "${input}": ${detail}`);
        this.input = input;
        this.name = 'InputError';
    }
}
/** Every input problem found at once, so a user fixes them in one round. */
class InputErrors extends Error {
    errors;
    constructor(errors) {
        super(errors.map(e => e.message).join('\n'));
        this.errors = errors;
        this.name = 'InputErrors';
    }
}
function messageOf(error) {
    return error instanceof Error ? error.message : String(error);
}


/***/ }),

/***/ 844:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   T: () => (/* binding */ failureMessages)
/* harmony export */ });
/* harmony import */ var _errors__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(916);
/* harmony import */ var _registry_client__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(326);


/**
 * Turns a failure into the lines a user should see: one per problem, naming the input to fix
 * where an input is at fault. Never a stack trace.
 */
function failureMessages(error) {
    if (error instanceof _errors__WEBPACK_IMPORTED_MODULE_0__/* .InputErrors */ .G)
        return error.errors.map(e => e.message);
    if (error instanceof _errors__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz)
        return [error.message];
    if (error instanceof _registry_client__WEBPACK_IMPORTED_MODULE_1__/* .AuthenticationError */ .v) {
        if (error.credentialOrigin === 'the username and password inputs') {
            return [
                `Input "password": ${error.message}; check the username and password inputs`
            ];
        }
        return [error.message];
    }
    return [(0,_errors__WEBPACK_IMPORTED_MODULE_0__/* .messageOf */ .bD)(error)];
}


/***/ }),

/***/ 265:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  vj: () => (/* binding */ inputNames),
  TL: () => (/* binding */ parseInputs)
});

// UNUSED EXPORTS: inputDefaults, parseCommand

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(760);
// EXTERNAL MODULE: ./src/build/layer-spec.ts
var layer_spec = __nccwpck_require__(489);
// EXTERNAL MODULE: ./src/errors.ts
var src_errors = __nccwpck_require__(916);
// EXTERNAL MODULE: ./src/oci/platform.ts
var platform = __nccwpck_require__(890);
// EXTERNAL MODULE: ./src/oci/reference.ts
var reference = __nccwpck_require__(148);
;// CONCATENATED MODULE: ./src/util/list-input.ts
/** Splits a list input: one item per line (commas too when asked); blank and `#` lines ignored. */
function parseList(value, { commas = false } = {}) {
    return value
        .split(/\r?\n/)
        .map(line => line.trim())
        .filter(line => line !== '' && !line.startsWith('#'))
        .flatMap(line => (commas ? line.split(',') : [line]))
        .map(item => item.trim())
        .filter(item => item !== '');
}
/** Parses `KEY=VALUE`; the value may contain `=` and may be empty. */
function parseKeyValue(item) {
    const eq = item.indexOf('=');
    if (eq <= 0)
        throw new Error(`"${item}" is not KEY=VALUE`);
    const key = item.slice(0, eq).trim();
    if (/\s/.test(key))
        throw new Error(`"${item}": the key must not contain whitespace`);
    return [key, item.slice(eq + 1)];
}

;// CONCATENATED MODULE: ./src/inputs.ts






const inputDefaults = {
    base: 'cgr.dev/chainguard/static:latest',
    platforms: 'linux/amd64',
    tags: '{{sha}}',
    push: 'true',
    'working-directory': '.',
    'allow-tag-overwrite': 'false',
    'layer-owner': 'root'
};
/** The names of the inputs this version reads, as in `action.yml`. */
const inputNames = [
    'image',
    'base',
    'layers',
    'platforms',
    'entrypoint',
    'cmd',
    'env',
    'workdir',
    'user',
    'labels',
    'annotations',
    'tags',
    'push',
    'oci-layout',
    'working-directory',
    'source-date-epoch',
    'allow-tag-overwrite',
    'layer-owner',
    'username',
    'password',
    'insecure-registries',
    'github-token'
];
function parseBoolean(value) {
    if (['true', 'True', 'TRUE'].includes(value))
        return true;
    if (['false', 'False', 'FALSE'].includes(value))
        return false;
    throw new Error(`"${value}" is not a boolean (use true or false)`);
}
/** A JSON array of strings, or a plain string split on spaces. */
function parseCommand(value) {
    const trimmed = value.trim();
    if (trimmed.startsWith('[')) {
        let parsed;
        try {
            parsed = JSON.parse(trimmed);
        }
        catch (error) {
            throw new Error(`${trimmed} is not valid JSON (${(0,src_errors/* messageOf */.bD)(error)}); write e.g. ["/app/server","--port","8080"]`);
        }
        if (!Array.isArray(parsed) || !parsed.every(p => typeof p === 'string')) {
            throw new Error(`${trimmed} must be a JSON array of strings`);
        }
        return parsed;
    }
    return trimmed.split(/\s+/);
}
function keyValues(items) {
    return items.map(parseKeyValue);
}
/**
 * Validates raw input strings (missing ones are empty) into `Inputs`, collecting every problem
 * into one `InputErrors` so that nothing is touched before all inputs are known to be usable.
 */
function parseInputs(get) {
    const errors = [];
    const raw = (name) => {
        const value = get(name).trim();
        return value === '' ? (inputDefaults[name] ?? '') : value;
    };
    function field(name, parse, fallback) {
        try {
            return parse(raw(name));
        }
        catch (error) {
            errors.push(error instanceof src_errors/* InputError */.dz
                ? error
                : new src_errors/* InputError */.dz(name, (0,src_errors/* messageOf */.bD)(error)));
            return fallback;
        }
    }
    const optional = (parse) => (value) => value === '' ? undefined : parse(value);
    const image = field('image', value => {
        if (value === '')
            throw new Error('is required (the repository to push to, e.g. ghcr.io/acme/api)');
        return reference/* Repository */.LN.parse(value);
    }, undefined);
    const base = field('base', value => (value === 'scratch' ? 'scratch' : (0,reference/* parseReference */.F2)(value)), 'scratch');
    const layers = field('layers', value => {
        const lines = parseList(value);
        if (lines.length === 0)
            throw new Error('is required: one SOURCE:DESTINATION per line, e.g. dist:/app/dist');
        return lines.map(layer_spec/* parseLayerSpec */.aL);
    }, []);
    const platforms = field('platforms', value => {
        const items = parseList(value, { commas: true });
        if (items.length === 1 && items[0] === 'all')
            return 'all';
        if (items.length === 0)
            throw new Error('is empty (use e.g. linux/amd64,linux/arm64 or all)');
        const parsed = items.map(platform/* parsePlatform */.FL);
        const seen = new Set();
        for (const [i, p] of parsed.entries()) {
            if (seen.has(JSON.stringify(p)))
                throw new Error(`"${items[i]}" is listed twice`);
            seen.add(JSON.stringify(p));
        }
        return parsed;
    }, []);
    const workingDirectory = field('working-directory', value => value, '.');
    const ociLayout = field('oci-layout', value => (value === '' ? undefined : value), undefined);
    const push = field('push', parseBoolean, false);
    const sourceDateEpoch = field('source-date-epoch', optional(value => {
        if (!/^\d+$/.test(value))
            throw new Error(`"${value}" is not a whole number of seconds since 1970-01-01`);
        return Number(value);
    }), undefined);
    const workdir = field('workdir', optional(value => {
        if (!(0,external_node_path_.isAbsolute)(value) && !value.startsWith('/'))
            throw new Error(`"${value}" must be an absolute path in the image`);
        return value;
    }), undefined);
    const insecureRegistries = field('insecure-registries', value => parseList(value, { commas: true }).map(host => reference/* Registry */.OR.parse(host).name), []);
    const username = field('username', optional(v => v), undefined);
    const password = get('password') === '' ? undefined : get('password');
    if ((username === undefined) !== (password === undefined)) {
        errors.push(new src_errors/* InputError */.dz(username === undefined ? 'username' : 'password', 'username and password must be given together'));
    }
    const user = field('user', optional(v => v), undefined);
    const layerOwner = field('layer-owner', value => {
        const ids = (text, what) => {
            const match = /^(\d+)(?::(\d+))?$/.exec(text);
            if (!match)
                throw new Error(`${what} (use root, user, or numeric UID[:GID] such as 65532:65532)`);
            const owner = {
                uid: Number(match[1]),
                gid: Number(match[2] ?? match[1])
            };
            // The USTAR uid/gid fields hold 7 octal digits.
            if (owner.uid > 0o7777777 || owner.gid > 0o7777777) {
                throw new Error(`${text}: owner ids above 2097151 do not fit a tar header`);
            }
            return owner;
        };
        if (value === '' || value === 'root')
            return { uid: 0, gid: 0 };
        if (value === 'user') {
            return ids(user ?? '', `"user" needs the user input to be numeric UID[:GID], got "${user ?? ''}"`);
        }
        return ids(value, `"${value}" is not an owner`);
    }, { uid: 0, gid: 0 });
    const inputs = {
        image,
        base,
        layers,
        platforms,
        entrypoint: field('entrypoint', optional(parseCommand), undefined),
        cmd: field('cmd', optional(parseCommand), undefined),
        env: field('env', value => keyValues(parseList(value)), []),
        workdir,
        user,
        labels: field('labels', value => Object.fromEntries(keyValues(parseList(value))), {}),
        annotations: field('annotations', value => Object.fromEntries(keyValues(parseList(value))), {}),
        tags: field('tags', value => parseList(value), []),
        push,
        ociLayout,
        workingDirectory,
        sourceDateEpoch,
        allowTagOverwrite: field('allow-tag-overwrite', parseBoolean, false),
        layerOwner,
        username,
        password,
        insecureRegistries,
        githubToken: get('github-token') === '' ? undefined : get('github-token')
    };
    if (errors.length)
        throw new src_errors/* InputErrors */.G(errors);
    return inputs;
}


/***/ }),

/***/ 825:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Bc: () => (/* binding */ isDigest),
/* harmony export */   sU: () => (/* binding */ digestHex),
/* harmony export */   sc: () => (/* binding */ sha256)
/* harmony export */ });
/* unused harmony export parseDigest */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);

const digestPattern = /^sha256:[a-f0-9]{64}$/;
function isDigest(value) {
    return digestPattern.test(value);
}
/** Parses a digest string, throwing an error that says what a digest looks like. */
function parseDigest(value) {
    if (!isDigest(value)) {
        throw new Error(`"${value}" is not a sha256 digest (expected sha256: followed by 64 lower-case hex characters)`);
    }
    return value;
}
function sha256(data) {
    return `sha256:${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(data).digest('hex')}`;
}
/** The hex part of a digest, as used in blob paths and fallback tags. */
function digestHex(digest) {
    return digest.slice('sha256:'.length);
}


/***/ }),

/***/ 812:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Ax: () => (/* binding */ fileBlob),
/* harmony export */   M4: () => (/* binding */ topLevel),
/* harmony export */   Mr: () => (/* binding */ canonicalBytes),
/* harmony export */   Pe: () => (/* binding */ index),
/* harmony export */   Sl: () => (/* binding */ image),
/* harmony export */   ge: () => (/* binding */ uniqueBlobs)
/* harmony export */ });
/* unused harmony exports bytesBlob, imageDescriptor */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(24);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(75);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _digest__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(825);
/* harmony import */ var _media_types__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(217);




function bytesBlob(mediaType, bytes) {
    return {
        descriptor: { mediaType, digest: (0,_digest__WEBPACK_IMPORTED_MODULE_2__/* .sha256 */ .sc)(bytes), size: bytes.length },
        open: async (offset) => node_stream__WEBPACK_IMPORTED_MODULE_1__.Readable.from([bytes.subarray(offset)])
    };
}
function fileBlob(descriptor, path, built) {
    return {
        descriptor,
        built,
        open: async (offset) => (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.createReadStream)(path, { start: offset, highWaterMark: 1024 * 1024 })
    };
}
/** Serialises JSON the same way every time (insertion order, no whitespace). */
function canonicalBytes(value) {
    return Buffer.from(JSON.stringify(value), 'utf8');
}
function image(platform, config, layers, annotations) {
    const configBlob = bytesBlob(_media_types__WEBPACK_IMPORTED_MODULE_3__/* .MediaType */ .zu.ociConfig, canonicalBytes(config));
    const manifest = {
        schemaVersion: 2,
        mediaType: _media_types__WEBPACK_IMPORTED_MODULE_3__/* .MediaType */ .zu.ociManifest,
        config: configBlob.descriptor,
        layers: layers.map(l => l.descriptor),
        ...(annotations && Object.keys(annotations).length ? { annotations } : {})
    };
    const manifestBytes = canonicalBytes(manifest);
    return {
        kind: 'image',
        platform,
        manifest,
        manifestBytes,
        digest: (0,_digest__WEBPACK_IMPORTED_MODULE_2__/* .sha256 */ .sc)(manifestBytes),
        config,
        configBlob,
        layers
    };
}
function imageDescriptor(img) {
    return {
        mediaType: img.manifest.mediaType,
        digest: img.digest,
        size: img.manifestBytes.length,
        platform: img.platform
    };
}
function index(images, annotations) {
    const value = {
        schemaVersion: 2,
        mediaType: _media_types__WEBPACK_IMPORTED_MODULE_3__/* .MediaType */ .zu.ociIndex,
        manifests: images.map(imageDescriptor),
        ...(annotations && Object.keys(annotations).length ? { annotations } : {})
    };
    const indexBytes = canonicalBytes(value);
    return {
        kind: 'index',
        index: value,
        indexBytes,
        digest: (0,_digest__WEBPACK_IMPORTED_MODULE_2__/* .sha256 */ .sc)(indexBytes),
        images
    };
}
/** The manifest (or index) bytes and media type a sink writes last. */
function topLevel(artifact) {
    return artifact.kind === 'image'
        ? {
            bytes: artifact.manifestBytes,
            mediaType: artifact.manifest.mediaType,
            digest: artifact.digest
        }
        : {
            bytes: artifact.indexBytes,
            mediaType: artifact.index.mediaType,
            digest: artifact.digest
        };
}
/** Every distinct blob of an artifact (layers shared across platforms appear once). */
function uniqueBlobs(artifact) {
    const images = artifact.kind === 'image' ? [artifact] : artifact.images;
    const seen = new Map();
    for (const img of images) {
        for (const blob of [...img.layers, img.configBlob]) {
            if (!seen.has(blob.descriptor.digest))
                seen.set(blob.descriptor.digest, blob);
        }
    }
    return [...seen.values()];
}


/***/ }),

/***/ 217:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   $F: () => (/* binding */ isDockerType),
/* harmony export */   $P: () => (/* binding */ manifestMediaTypes),
/* harmony export */   nw: () => (/* binding */ isIndex),
/* harmony export */   pJ: () => (/* binding */ isImageManifest),
/* harmony export */   zu: () => (/* binding */ MediaType)
/* harmony export */ });
/** Media types of the OCI image spec and their Docker v2 schema 2 equivalents. */
const MediaType = {
    ociManifest: 'application/vnd.oci.image.manifest.v1+json',
    ociIndex: 'application/vnd.oci.image.index.v1+json',
    ociConfig: 'application/vnd.oci.image.config.v1+json',
    ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
    ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
    ociLayer: 'application/vnd.oci.image.layer.v1.tar',
    dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
    dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
    dockerConfig: 'application/vnd.docker.container.image.v1+json',
    dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
    dockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip'
};
/** Every manifest type a registry may answer with; sent as `Accept` when reading manifests. */
const manifestMediaTypes = [
    MediaType.ociIndex,
    MediaType.ociManifest,
    MediaType.dockerManifestList,
    MediaType.dockerManifest
];
function isIndex(mediaType) {
    return (mediaType === MediaType.ociIndex ||
        mediaType === MediaType.dockerManifestList);
}
function isImageManifest(mediaType) {
    return (mediaType === MediaType.ociManifest ||
        mediaType === MediaType.dockerManifest);
}
function isDockerType(mediaType) {
    return mediaType?.startsWith('application/vnd.docker.') ?? false;
}


/***/ }),

/***/ 890:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Bq: () => (/* binding */ formatPlatform),
/* harmony export */   FL: () => (/* binding */ parsePlatform),
/* harmony export */   J5: () => (/* binding */ platformMatches)
/* harmony export */ });
const knownOs = new Set([
    'linux',
    'windows',
    'darwin',
    'freebsd',
    'netbsd',
    'openbsd',
    'solaris',
    'illumos',
    'aix',
    'plan9',
    'js',
    'wasip1'
]);
const knownArchitectures = new Set([
    'amd64',
    'arm64',
    'arm',
    '386',
    'ppc64le',
    'ppc64',
    's390x',
    'riscv64',
    'mips64le',
    'mips64',
    'mipsle',
    'mips',
    'loong64',
    'wasm'
]);
/** Parses `os/arch[/variant]`, e.g. `linux/arm64` or `linux/arm/v7`, rejecting unknown names. */
function parsePlatform(value) {
    const parts = value.trim().split('/');
    const [os, architecture, variant] = parts;
    if (parts.length < 2 ||
        parts.length > 3 ||
        !os ||
        !architecture ||
        variant === '') {
        throw new Error(`"${value}" is not a platform (expected os/arch or os/arch/variant, e.g. linux/arm64)`);
    }
    if (!knownOs.has(os))
        throw new Error(`"${value}": unknown operating system "${os}"`);
    if (!knownArchitectures.has(architecture)) {
        throw new Error(`"${value}": unknown architecture "${architecture}"`);
    }
    return variant === undefined
        ? { os, architecture }
        : { os, architecture, variant };
}
function formatPlatform(p) {
    return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}
/**
 * Whether a base image's platform satisfies the requested one. A request without a variant matches
 * any variant, and arm64's implied `v8` matches its absence.
 */
function platformMatches(candidate, wanted) {
    if (candidate.os !== wanted.os ||
        candidate.architecture !== wanted.architecture)
        return false;
    if (wanted.variant === undefined)
        return true;
    const normalise = (p) => p.architecture === 'arm64' && p.variant === undefined ? 'v8' : p.variant;
    return normalise(candidate) === normalise(wanted);
}


/***/ }),

/***/ 148:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   F2: () => (/* binding */ parseReference),
/* harmony export */   LN: () => (/* binding */ Repository),
/* harmony export */   OR: () => (/* binding */ Registry),
/* harmony export */   z7: () => (/* binding */ validateTag)
/* harmony export */ });
/* unused harmony exports dockerHub, Reference */
/* harmony import */ var _digest__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(825);

/** Docker Hub as written in references and as the host its API lives on. */
const dockerHub = 'docker.io';
const dockerHubApiHost = 'index.docker.io';
const componentPattern = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const tagPattern = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const hostPattern = /^(?:localhost|\[[0-9a-fA-F:]+\]|(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)(?::[0-9]{1,5})?$/;
/** A registry host, normalised like go-containerregistry's `name.Registry`. */
class Registry {
    name;
    constructor(name) {
        this.name = name;
    }
    static parse(value) {
        const name = value === 'index.docker.io' || value === '' ? dockerHub : value;
        if (!hostPattern.test(name)) {
            throw new Error(`"${value}" is not a valid registry host`);
        }
        return new Registry(name);
    }
    /** The host the distribution API is served on (Docker Hub's differs from its name). */
    get apiHost() {
        return this.name === dockerHub ? dockerHubApiHost : this.name;
    }
    /** Loopback registries may be spoken to over plain HTTP without being listed as insecure. */
    get isLoopback() {
        const host = this.name.replace(/:[0-9]+$/, '');
        return (host === 'localhost' ||
            host === '[::1]' ||
            /^127\.[0-9]+\.[0-9]+\.[0-9]+$/.test(host));
    }
    toString() {
        return this.name;
    }
}
/** A repository in a registry: `ghcr.io/acme/api`, `docker.io/library/alpine`. */
class Repository {
    registry;
    path;
    constructor(registry, path) {
        this.registry = registry;
        this.path = path;
    }
    /** Parses a bare repository (no tag, no digest). */
    static parse(value) {
        const ref = parseReference(value);
        if (ref.tag !== undefined || ref.digest !== undefined) {
            throw new Error(`"${value}" must be a repository without a tag or digest (e.g. ghcr.io/acme/api)`);
        }
        return ref.repository;
    }
    /** @internal */
    static of(registry, path) {
        return new Repository(registry, path);
    }
    tag(tag) {
        return new Reference(this, validateTag(tag), undefined);
    }
    digest(digest) {
        return new Reference(this, undefined, digest);
    }
    equals(other) {
        return this.toString() === other.toString();
    }
    toString() {
        return `${this.registry}/${this.path}`;
    }
}
/** A reference to an image by tag, by digest, or both (`name:tag@digest`). */
class Reference {
    repository;
    tag;
    digest;
    constructor(repository, tag, digest) {
        this.repository = repository;
        this.tag = tag;
        this.digest = digest;
    }
    /** What to ask the registry for: the digest when known, else the tag, else `latest`. */
    get identifier() {
        return this.digest ?? this.tag ?? 'latest';
    }
    toString() {
        let s = this.repository.toString();
        if (this.tag !== undefined)
            s += `:${this.tag}`;
        if (this.digest !== undefined)
            s += `@${this.digest}`;
        return s;
    }
}
function validateTag(tag) {
    if (!tagPattern.test(tag)) {
        throw new Error(`"${tag}" is not a valid tag (must match [A-Za-z0-9_][A-Za-z0-9._-]{0,127})`);
    }
    return tag;
}
/**
 * Parses an image reference the way go-containerregistry's `name.ParseReference` does: the first
 * path component is a registry when it has a dot, a port or is `localhost`; otherwise Docker Hub,
 * where one-component names live under `library/`.
 */
function parseReference(value) {
    const input = value.trim();
    if (input === '')
        throw new Error('the reference is empty');
    let rest = input;
    let digest;
    const at = rest.indexOf('@');
    if (at >= 0) {
        const d = rest.slice(at + 1);
        if (!(0,_digest__WEBPACK_IMPORTED_MODULE_0__/* .isDigest */ .Bc)(d)) {
            throw new Error(`"${input}" has an invalid digest "${d}" (expected sha256: and 64 lower-case hex characters)`);
        }
        digest = d;
        rest = rest.slice(0, at);
    }
    let tag;
    const lastSlash = rest.lastIndexOf('/');
    const colon = rest.lastIndexOf(':');
    if (colon > lastSlash) {
        tag = rest.slice(colon + 1);
        rest = rest.slice(0, colon);
        if (!tagPattern.test(tag)) {
            throw new Error(`"${input}" has an invalid tag "${tag}" (must match [A-Za-z0-9_][A-Za-z0-9._-]{0,127})`);
        }
    }
    const parts = rest.split('/');
    let registryName = '';
    const first = parts[0];
    if (parts.length > 1 &&
        (first.includes('.') ||
            first.includes(':') ||
            first === 'localhost' ||
            first.startsWith('['))) {
        registryName = first;
        parts.shift();
    }
    const registry = Registry.parse(registryName === '' ? dockerHub : registryName);
    if (registry.name === dockerHub && parts.length === 1)
        parts.unshift('library');
    const path = parts.join('/');
    if (path.length > 255) {
        throw new Error(`"${input}": the repository name is longer than 255 characters`);
    }
    for (const component of parts) {
        if (!componentPattern.test(component)) {
            const hint = /[A-Z]/.test(component)
                ? ' (repository names must be lower-case)'
                : '';
            throw new Error(`"${input}" is not a valid image reference: "${component}" is not a valid repository path component${hint}`);
        }
    }
    return new Reference(Repository.of(registry, path), tag, digest);
}


/***/ }),

/***/ 833:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  t: () => (/* binding */ buildLayers)
});

// UNUSED EXPORTS: formatBytes

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(760);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(455);
;// CONCATENATED MODULE: ./src/build/collect.ts


function isInside(root, candidate) {
    const rel = (0,external_node_path_.relative)(root, candidate);
    return (rel === '' ||
        (rel !== '..' && !rel.startsWith(`..${external_node_path_.sep}`) && !(0,external_node_path_.isAbsolute)(rel)));
}
function normaliseMode(mode) {
    return mode & 0o111 ? 0o755 : 0o644;
}
function byteOrder(a, b) {
    return Buffer.compare(Buffer.from(a.path), Buffer.from(b.path));
}
/**
 * Lists what one `layers` line puts into its layer, sorted by path. Symlinks inside the source are
 * kept as links and never followed; nothing outside `root` is read.
 */
async function collectEntries(root, source, destination, warn) {
    const realRoot = await (0,promises_.realpath)(root);
    const sourcePath = (0,external_node_path_.resolve)(realRoot, source);
    if (!isInside(realRoot, sourcePath)) {
        throw new Error(`source "${source}" is outside working-directory`);
    }
    const info = await (0,promises_.lstat)(sourcePath).catch(() => undefined);
    if (!info)
        throw new Error(`source "${source}" does not exist in ${root}`);
    // realpath resolves symlinks in every component, not only the last one: a symlinked parent
    // directory must not lead outside the working directory either.
    const actualPath = await (0,promises_.realpath)(sourcePath).catch(() => {
        throw new Error(`source "${source}" is a broken symlink`);
    });
    if (!isInside(realRoot, actualPath)) {
        throw new Error(`source "${source}" resolves through a symlink to a path outside working-directory`);
    }
    const actual = await (0,promises_.stat)(actualPath);
    const dest = external_node_path_.posix
        .normalize(destination)
        .replace(/^\/+/, '')
        .replace(/\/+$/, '');
    const entries = [];
    const addParents = (path) => {
        const parts = path.split('/');
        for (let i = 1; i < parts.length; i++) {
            entries.push({
                type: 'dir',
                path: parts.slice(0, i).join('/'),
                mode: 0o755
            });
        }
    };
    if (actual.isDirectory()) {
        if (dest !== '') {
            addParents(dest);
            entries.push({ type: 'dir', path: dest, mode: 0o755 });
        }
        await walk(actualPath, dest, entries, warn);
    }
    else if (actual.isFile()) {
        const target = destination.endsWith('/') || dest === ''
            ? external_node_path_.posix.join(dest, external_node_path_.posix.basename(source.replace(/\/+$/, '')))
            : dest;
        addParents(target);
        entries.push({
            type: 'file',
            path: target,
            mode: normaliseMode(actual.mode),
            size: actual.size,
            source: actualPath
        });
    }
    else {
        throw new Error(`source "${source}" is neither a file nor a directory`);
    }
    return entries.sort(byteOrder);
}
async function walk(dir, prefix, entries, warn) {
    const children = await (0,promises_.readdir)(dir, { withFileTypes: true });
    for (const child of children) {
        const fsPath = (0,external_node_path_.join)(dir, child.name);
        const path = prefix === '' ? child.name : `${prefix}/${child.name}`;
        if (child.isSymbolicLink()) {
            entries.push({ type: 'symlink', path, target: await (0,promises_.readlink)(fsPath) });
        }
        else if (child.isDirectory()) {
            entries.push({ type: 'dir', path, mode: 0o755 });
            await walk(fsPath, path, entries, warn);
        }
        else if (child.isFile()) {
            const info = await (0,promises_.lstat)(fsPath);
            entries.push({
                type: 'file',
                path,
                mode: normaliseMode(info.mode),
                size: info.size,
                source: fsPath
            });
        }
        else {
            warn(`${fsPath} is not a regular file, directory or symlink; left out of the layer`);
        }
    }
}

// EXTERNAL MODULE: ./src/build/layer-spec.ts
var layer_spec = __nccwpck_require__(489);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(24);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __nccwpck_require__(75);
// EXTERNAL MODULE: external "node:stream/promises"
var external_node_stream_promises_ = __nccwpck_require__(466);
;// CONCATENATED MODULE: external "node:zlib"
const external_node_zlib_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");
// EXTERNAL MODULE: ./src/oci/media-types.ts
var media_types = __nccwpck_require__(217);
;// CONCATENATED MODULE: ./src/build/tar.ts

const block = 512;
const maxOctal11 = 0o77777777777;
const smallFileLimit = 4 * 1024 * 1024;
const readChunk = 1024 * 1024;
const flushAt = 256 * 1024;
function writeString(buf, offset, length, value) {
    buf.write(value, offset, length, 'utf8');
}
function writeOctal(buf, offset, length, value) {
    if (value.toString(8).length > length - 1) {
        throw new Error(`${value} does not fit a ${length}-byte tar header field`);
    }
    writeString(buf, offset, length, value.toString(8).padStart(length - 1, '0') + '\0');
}
function needsPax(value, limit) {
    return Buffer.byteLength(value) > limit || /[^\x20-\x7e]/.test(value);
}
function paxRecord(key, value) {
    const body = ` ${key}=${value}\n`;
    let length = Buffer.byteLength(body);
    // The length prefix counts its own digits.
    while (String(length).length + Buffer.byteLength(body) !== length) {
        length = String(length).length + Buffer.byteLength(body);
    }
    return `${length}${body}`;
}
function ustarHeader(name, typeflag, mode, size, linkname, options) {
    const header = Buffer.alloc(block);
    writeString(header, 0, 100, name);
    writeOctal(header, 100, 8, mode);
    writeOctal(header, 108, 8, options.uid);
    writeOctal(header, 116, 8, options.gid);
    writeOctal(header, 124, 12, size);
    writeOctal(header, 136, 12, options.mtime);
    header.fill(0x20, 148, 156);
    writeString(header, 156, 1, typeflag);
    writeString(header, 157, 100, linkname);
    writeString(header, 257, 6, 'ustar\0');
    writeString(header, 263, 2, '00');
    writeOctal(header, 329, 8, 0);
    writeOctal(header, 337, 8, 0);
    let sum = 0;
    for (const byte of header)
        sum += byte;
    writeString(header, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
    return header;
}
function padding(size) {
    const rest = size % block;
    return rest === 0 ? Buffer.alloc(0) : Buffer.alloc(block - rest);
}
/**
 * The header blocks of one entry: a PAX extended header first when the name or link target is too
 * long or not plain ASCII, or the size does not fit the octal field.
 */
function entryHeader(entry, options) {
    const name = entry.type === 'dir' ? `${entry.path}/` : entry.path;
    const linkname = entry.type === 'symlink' ? entry.target : '';
    const size = entry.type === 'file' ? entry.size : 0;
    const mode = entry.type === 'symlink' ? 0o777 : entry.mode;
    const typeflag = entry.type === 'file' ? '0' : entry.type === 'dir' ? '5' : '2';
    let pax = '';
    if (needsPax(name, 100))
        pax += paxRecord('path', name);
    if (needsPax(linkname, 100))
        pax += paxRecord('linkpath', linkname);
    if (size > maxOctal11)
        pax += paxRecord('size', String(size));
    if (options.mtime > maxOctal11)
        pax += paxRecord('mtime', String(options.mtime));
    const mtime = Math.min(options.mtime, maxOctal11);
    const plain = ustarHeader(asciiPrefix(name, 100), typeflag, mode, Math.min(size, maxOctal11) === size ? size : 0, asciiPrefix(linkname, 100), { ...options, mtime });
    if (pax === '')
        return plain;
    const paxBody = Buffer.from(pax, 'utf8');
    const paxHeader = ustarHeader('PaxHeader', 'x', 0o644, paxBody.length, '', {
        ...options,
        mtime
    });
    return Buffer.concat([paxHeader, paxBody, padding(paxBody.length), plain]);
}
/** A stand-in for readers without PAX support: the printable ASCII part of the name, cut to fit. */
function asciiPrefix(value, limit) {
    const ascii = value.replace(/[^\x20-\x7e]/g, '_');
    return ascii.length > limit ? ascii.slice(0, limit) : ascii;
}
/**
 * Streams a tar archive of `entries` in the given order, reading file contents from disk as it
 * goes; output is batched into chunks of a few hundred KiB so that the compressor sees large writes.
 */
async function* tarStream(entries, options) {
    let pending = [];
    let pendingBytes = 0;
    const push = (chunk) => {
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes < flushAt)
            return undefined;
        const out = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
        pending = [];
        pendingBytes = 0;
        return out;
    };
    for (const entry of entries) {
        let out = push(entryHeader(entry, options));
        if (out)
            yield out;
        if (entry.type !== 'file')
            continue;
        if (entry.size <= smallFileLimit) {
            const content = await (0,promises_.readFile)(entry.source);
            assertSize(entry, content.length);
            out = push(content);
            if (out)
                yield out;
        }
        else {
            for await (const chunk of readLarge(entry)) {
                out = push(chunk);
                if (out)
                    yield out;
            }
        }
        out = push(padding(entry.size));
        if (out)
            yield out;
    }
    push(Buffer.alloc(block * 2));
    yield Buffer.concat(pending, pendingBytes);
}
async function* readLarge(entry) {
    const handle = await (0,promises_.open)(entry.source, 'r');
    try {
        let position = 0;
        while (position < entry.size) {
            const buffer = Buffer.allocUnsafe(Math.min(readChunk, entry.size - position));
            const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
            if (bytesRead === 0)
                break;
            position += bytesRead;
            yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
        }
        const extra = await handle.read(Buffer.alloc(1), 0, 1, position);
        assertSize(entry, position + extra.bytesRead);
    }
    finally {
        await handle.close();
    }
}
function assertSize(entry, actual) {
    if (actual !== entry.size) {
        throw new Error(`${entry.source} changed while the layer was being written (${entry.size} bytes expected, ${actual} found)`);
    }
}

;// CONCATENATED MODULE: ./src/build/layer.ts







/** gzip level 6 (zlib's default) is pinned: a different level gives different bytes and digests. */
const gzipLevel = 6;
class HashTap extends external_node_stream_.Transform {
    hash;
    bytes = 0;
    constructor(hash) {
        super();
        this.hash = hash;
    }
    _transform(chunk, _, done) {
        this.hash.update(chunk);
        this.bytes += chunk.length;
        done(null, chunk);
    }
}
/**
 * Writes `entries` as a compressed layer blob at `path`, streaming tar → compressor → file while
 * hashing both the tar (diffID) and the blob (digest) in the same pass.
 */
async function writeLayer(entries, options, path) {
    const diffHash = (0,external_node_crypto_.createHash)('sha256');
    const blobHash = (0,external_node_crypto_.createHash)('sha256');
    const tarTap = new HashTap(diffHash);
    const blobTap = new HashTap(blobHash);
    await (0,external_node_stream_promises_.pipeline)(external_node_stream_.Readable.from(tarStream(entries, options), { objectMode: false }), tarTap, 
    // zlib writes a gzip header without name and with mtime 0, so only the level matters.
    (0,external_node_zlib_namespaceObject.createGzip)({ level: gzipLevel, chunkSize: 64 * 1024 }), blobTap, (0,external_node_fs_.createWriteStream)(path));
    return {
        digest: `sha256:${blobHash.digest('hex')}`,
        diffId: `sha256:${diffHash.digest('hex')}`,
        size: blobTap.bytes,
        uncompressedSize: tarTap.bytes,
        mediaType: media_types/* MediaType */.zu.ociLayerGzip,
        path,
        entries: entries.length
    };
}

// EXTERNAL MODULE: ./src/errors.ts
var errors = __nccwpck_require__(916);
// EXTERNAL MODULE: ./src/oci/image.ts
var oci_image = __nccwpck_require__(812);
// EXTERNAL MODULE: ./src/util/pool.ts
var pool = __nccwpck_require__(704);
;// CONCATENATED MODULE: ./src/pipeline/layers.ts







/**
 * Builds one layer per `layers` line for each platform. A line without platform placeholders gives
 * the same bytes for every platform and is built once.
 */
async function buildLayers(specs, platforms, options) {
    const jobs = [];
    const keyOf = (source, destination) => `${source}\0${destination}`;
    const perPlatform = platforms.map(platform => specs.map(spec => {
        const source = (0,layer_spec/* sourceForPlatform */.o$)(spec.source, platform);
        const key = keyOf(source, spec.destination);
        if (!jobs.some(j => keyOf(j.source, j.destination) === key))
            jobs.push({ source, destination: spec.destination });
        return key;
    }));
    // Every source is checked before any layer is written, so a typo fails fast.
    const entryLists = await Promise.all(jobs.map(job => collectEntries(options.workingDirectory, job.source, job.destination, options.log.warning).catch(error => {
        throw new errors/* InputError */.dz('layers', `${error.message} (line "${job.source}:${job.destination}")`);
    })));
    const built = await (0,pool/* mapBounded */.y)(jobs, options.jobs, async (job, i) => {
        const layer = await writeLayer(entryLists[i], { mtime: options.mtime, uid: options.uid, gid: options.gid }, (0,external_node_path_.join)(options.scratchDir, `layer-${i}.tar.gz`));
        options.log.info(`${job.source} → ${job.destination}: ${layer.entries} entries, ${layer.digest} (${formatBytes(layer.size)})`);
        return (0,oci_image/* fileBlob */.Ax)({ mediaType: layer.mediaType, digest: layer.digest, size: layer.size }, layer.path, {
            diffId: layer.diffId,
            uncompressedSize: layer.uncompressedSize,
            source: job.source,
            destination: job.destination
        });
    });
    const byKey = new Map(jobs.map((job, i) => [keyOf(job.source, job.destination), built[i]]));
    return perPlatform.map(keys => keys.map(key => byKey.get(key)));
}
function formatBytes(bytes) {
    if (bytes < 1024)
        return `${bytes} B`;
    const units = ['KiB', 'MiB', 'GiB', 'TiB'];
    let value = bytes / 1024;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit++;
    }
    return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}


/***/ }),

/***/ 222:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Nk: () => (/* binding */ metadataOf)
/* harmony export */ });
/* unused harmony exports outputsOf, escapeCell, renderSummary, renderFailureSummary */
/* harmony import */ var _layers__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(833);

/** Output name → value, as `action.yml` declares them. */
function outputsOf(result) {
    return {
        digest: result.digest,
        image: result.image,
        tags: result.tags.join('\n'),
        'config-digest': result.configDigest ?? '',
        metadata: JSON.stringify(metadataOf(result))
    };
}
function metadataOf(result) {
    return {
        digest: result.digest,
        image: result.image,
        repository: result.repository,
        tags: result.tags,
        'config-digest': result.configDigest ?? null,
        mediaType: result.mediaType,
        base: result.base ?? null,
        revision: result.revision ?? null,
        sourceDateEpoch: result.sourceDateEpoch,
        pushed: result.pushed,
        platforms: result.platforms,
        ...(result.push
            ? {
                upload: {
                    uploadedBytes: result.push.uploadedBytes,
                    reusedBytes: result.push.reusedBytes,
                    blobs: result.push.blobs,
                    tags: result.push.tags
                }
            }
            : {}),
        ...(result.ociLayout ? { ociLayout: result.ociLayout } : {})
    };
}
/** Escapes text for a Markdown table cell: no HTML, no pipes, no line breaks. */
function escapeCell(text) {
    return text
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/\|/g, '&#124;')
        .replace(/`/g, '&#96;')
        .replace(/\r?\n/g, ' ');
}
const code = (text) => `<code>${escapeCell(text)}</code>`;
/** The job summary as Markdown; pure, so it is tested as text. */
function renderSummary(result) {
    const lines = [];
    lines.push(`### Imprint: ${escapeCell(result.repository)}`, '');
    lines.push('| | |', '|---|---|');
    lines.push(`| Digest | ${code(result.digest)} |`);
    lines.push(`| Image | ${code(result.image)} |`);
    const tagOutcome = new Map(result.push?.tags.map(t => [t.tag, t.outcome]) ?? []);
    if (result.tags.length) {
        const tags = result.tags.map(ref => {
            const outcome = tagOutcome.get(ref.slice(result.repository.length + 1));
            return `${code(ref)}${outcome ? ` (${outcome})` : ''}`;
        });
        lines.push(`| Tags | ${tags.join('<br>')} |`);
    }
    lines.push(`| Platforms | ${result.platforms.map(p => escapeCell(p.platform)).join(', ')} |`);
    if (result.configDigest)
        lines.push(`| Config | ${code(result.configDigest)} |`);
    if (result.base)
        lines.push(`| Base | ${code(result.base.name)}${result.base.digest ? ` @ ${code(result.base.digest)}` : ''} |`);
    else
        lines.push('| Base | scratch |');
    if (result.revision)
        lines.push(`| Revision | ${code(result.revision)} |`);
    if (result.push) {
        const uploaded = result.push.blobs.filter(b => b.outcome === 'uploaded').length;
        lines.push(`| Upload | ${formatBytes(result.push.uploadedBytes)} uploaded in ${uploaded} blobs, ` +
            `${formatBytes(result.push.reusedBytes)} reused in ${result.push.blobs.length - uploaded} |`);
    }
    else {
        lines.push(`| Upload | not pushed${result.ociLayout ? `; written to OCI layout ${code(result.ociLayout)}` : ''} |`);
    }
    const total = (layers) => layers.reduce((n, l) => n + l.size, 0);
    for (const platform of result.platforms) {
        lines.push('', `#### Layers — ${escapeCell(platform.platform)} (${formatBytes(total(platform.layers))} compressed)`, '');
        if (result.platforms.length > 1)
            lines.push(`Manifest ${code(platform.digest)}`, '');
        lines.push('| # | Source | Destination | Digest | Size |', '|---|---|---|---|---|');
        platform.layers.forEach((layer, i) => {
            const source = layer.source === undefined ? 'base' : code(layer.source);
            const destination = layer.destination === undefined ? '' : code(layer.destination);
            lines.push(`| ${i + 1} | ${source} | ${destination} | ${code(layer.digest.slice(0, 19))} | ${formatBytes(layer.size)} |`);
        });
    }
    return lines.join('\n') + '\n';
}
/** The summary of a failed run: the errors, and the image as far as it was built. */
function renderFailureSummary(errors, assembled) {
    const lines = ['### Imprint: failed', ''];
    for (const error of errors)
        lines.push(`> ${escapeCell(error)}`, '');
    if (assembled) {
        lines.push(`The image was assembled (${code(assembled.digest)}) but not completely published.`, '');
        lines.push(renderSummary({ ...assembled, push: undefined }));
    }
    return lines.join('\n') + '\n';
}


/***/ }),

/***/ 18:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  a: () => (/* binding */ runPipeline)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(455);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(760);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __nccwpck_require__(916);
// EXTERNAL MODULE: ./src/oci/image.ts
var oci_image = __nccwpck_require__(812);
// EXTERNAL MODULE: ./src/oci/platform.ts
var oci_platform = __nccwpck_require__(890);
;// CONCATENATED MODULE: ./src/oci/types.ts
/** An RFC 3339 timestamp in UTC without fractional seconds, as images carry them. */
function rfc3339(epochSeconds) {
    return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// EXTERNAL MODULE: ./src/registry/auth.ts
var auth = __nccwpck_require__(481);
// EXTERNAL MODULE: ./src/registry/client.ts + 2 modules
var registry_client = __nccwpck_require__(326);
;// CONCATENATED MODULE: ./src/registry/registries.ts

/** One client per registry host for a run, so that tokens and the auth scheme are learnt once. */
class Registries {
    options;
    clients = new Map();
    constructor(options) {
        this.options = options;
    }
    client(registry) {
        let client = this.clients.get(registry.name);
        if (!client) {
            client = new registry_client/* RegistryClient */.b(registry, this.options);
            this.clients.set(registry.name, client);
        }
        return client;
    }
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(24);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __nccwpck_require__(75);
// EXTERNAL MODULE: external "node:stream/promises"
var external_node_stream_promises_ = __nccwpck_require__(466);
// EXTERNAL MODULE: ./src/oci/digest.ts
var oci_digest = __nccwpck_require__(825);
// EXTERNAL MODULE: ./src/oci/media-types.ts
var media_types = __nccwpck_require__(217);
;// CONCATENATED MODULE: ./src/sinks/layout.ts









const refName = 'org.opencontainers.image.ref.name';
async function exists(path) {
    return (0,promises_.stat)(path).then(() => true, () => false);
}
/** Writes a blob through a temporary file, checking its digest, so a layout never holds a torn blob. */
async function writeBlob(dir, blob) {
    const target = (0,external_node_path_.join)(dir, 'blobs', 'sha256', (0,oci_digest/* digestHex */.sU)(blob.descriptor.digest));
    if (await exists(target))
        return;
    const temporary = `${target}.${process.pid}.tmp`;
    const hash = (0,external_node_crypto_.createHash)('sha256');
    const tap = new external_node_stream_.Transform({
        transform(chunk, _, done) {
            hash.update(chunk);
            done(null, chunk);
        }
    });
    try {
        await (0,external_node_stream_promises_.pipeline)(await blob.open(0), tap, (0,external_node_fs_.createWriteStream)(temporary));
        const actual = `sha256:${hash.digest('hex')}`;
        if (actual !== blob.descriptor.digest) {
            throw new Error(`blob ${blob.descriptor.digest} read back as ${actual}`);
        }
        await (0,promises_.rename)(temporary, target);
    }
    finally {
        await (0,promises_.rm)(temporary, { force: true });
    }
}
async function writeBytes(dir, digest, bytes) {
    const target = (0,external_node_path_.join)(dir, 'blobs', 'sha256', (0,oci_digest/* digestHex */.sU)(digest));
    if (await exists(target))
        return;
    await (0,promises_.writeFile)(`${target}.tmp`, bytes);
    await (0,promises_.rename)(`${target}.tmp`, target);
}
/**
 * Checks, before anything is pushed, that `dir` can hold a layout: a directory (or nothing yet)
 * whose `index.json`, if any, is an OCI index.
 */
async function checkLayoutTarget(dir) {
    const info = await (0,promises_.stat)(dir).catch(() => undefined);
    if (info && !info.isDirectory()) {
        throw new Error(`${dir} exists and is not a directory`);
    }
    if (!info) {
        await (0,promises_.mkdir)(dir, { recursive: true });
        return;
    }
    const indexPath = (0,external_node_path_.join)(dir, 'index.json');
    if (await exists(indexPath)) {
        try {
            const index = JSON.parse(await (0,promises_.readFile)(indexPath, 'utf8'));
            if (!Array.isArray(index.manifests))
                throw new Error('no manifests list');
        }
        catch (error) {
            throw new Error(`${indexPath} is not an OCI image index (${error.message}); choose an empty directory`);
        }
    }
}
/**
 * Writes an artifact into an OCI image layout (image-spec `image-layout.md`), adding one
 * `index.json` entry per tag (`org.opencontainers.image.ref.name`) and replacing older entries of
 * the same names. Other images in the layout are kept.
 */
async function writeLayout(dir, artifact, tags) {
    await (0,promises_.mkdir)((0,external_node_path_.join)(dir, 'blobs', 'sha256'), { recursive: true });
    await (0,promises_.writeFile)((0,external_node_path_.join)(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    for (const blob of (0,oci_image/* uniqueBlobs */.ge)(artifact))
        await writeBlob(dir, blob);
    const images = artifact.kind === 'image' ? [artifact] : artifact.images;
    for (const img of images)
        await writeBytes(dir, img.digest, img.manifestBytes);
    const top = (0,oci_image/* topLevel */.M4)(artifact);
    await writeBytes(dir, top.digest, top.bytes);
    const indexPath = (0,external_node_path_.join)(dir, 'index.json');
    let existing = {
        schemaVersion: 2,
        mediaType: media_types/* MediaType */.zu.ociIndex,
        manifests: []
    };
    if (await exists(indexPath))
        existing = JSON.parse(await (0,promises_.readFile)(indexPath, 'utf8'));
    const names = new Set(tags);
    const kept = existing.manifests.filter(d => {
        const name = d.annotations?.[refName];
        return name === undefined ? d.digest !== top.digest : !names.has(name);
    });
    const base = {
        mediaType: top.mediaType,
        digest: top.digest,
        size: top.bytes.length
    };
    const added = tags.length
        ? tags.map(tag => ({ ...base, annotations: { [refName]: tag } }))
        : [base];
    const updated = {
        schemaVersion: 2,
        mediaType: media_types/* MediaType */.zu.ociIndex,
        manifests: [...kept, ...added]
    };
    await (0,promises_.writeFile)(`${indexPath}.tmp`, (0,oci_image/* canonicalBytes */.Mr)(updated));
    await (0,promises_.rename)(`${indexPath}.tmp`, indexPath);
}

// EXTERNAL MODULE: ./src/util/pool.ts
var pool = __nccwpck_require__(704);
;// CONCATENATED MODULE: ./src/sinks/registry.ts



/** A tag that points at another image, and overwriting was not allowed. */
class TagConflictError extends Error {
    reference;
    existing;
    wanted;
    constructor(reference, existing, wanted) {
        super(`${reference} already points at ${existing}, not at the new image ${wanted}; tags are immutable. ` +
            'Use a tag that changes with the content (the default {{sha}}), or set allow-tag-overwrite: true');
        this.reference = reference;
        this.existing = existing;
        this.wanted = wanted;
        this.name = 'TagConflictError';
    }
}
/** Looks up every tag before anything is written: a conflict stops the push with nothing changed. */
async function planTags(client, repo, digest, tags, allowOverwrite) {
    const scopes = [(0,auth/* repositoryScope */.F7)(repo.path, 'pull,push')];
    const plans = await Promise.all(tags.map(async (tag) => ({
        tag,
        existing: await client.resolveTag(repo, tag, scopes)
    })));
    for (const plan of plans) {
        if (plan.existing && plan.existing !== digest && !allowOverwrite) {
            throw new TagConflictError(`${repo}:${plan.tag}`, plan.existing, digest);
        }
    }
    return plans;
}
/**
 * Pushes an artifact like go-containerregistry's `remote.Write`: blobs first (HEAD, mount, upload;
 * in parallel), then child manifests by digest, then the top-level manifest under each tag.
 * A run whose tags all point at this digest already uploads nothing.
 */
async function pushArtifact(client, repo, artifact, plans, options) {
    const top = (0,oci_image/* topLevel */.M4)(artifact);
    if (plans.length > 0 && plans.every(p => p.existing === top.digest)) {
        options.log.info(`every tag already points at ${top.digest}; nothing to upload`);
        return {
            blobs: [],
            uploadedBytes: 0,
            reusedBytes: 0,
            tags: plans.map(p => ({ tag: p.tag, outcome: 'unchanged' }))
        };
    }
    const blobs = (0,oci_image/* uniqueBlobs */.ge)(artifact);
    const outcomes = await (0,pool/* mapBounded */.y)(blobs, options.jobs, async (blob) => {
        const { digest, size } = blob.descriptor;
        const mountFrom = blob.origin && blob.origin.registry.name === repo.registry.name
            ? blob.origin
            : undefined;
        const outcome = await client.pushBlob(repo, digest, { size, open: offset => blob.open(offset) }, mountFrom);
        options.log.debug(`${digest}: ${outcome}`);
        return { digest, size, outcome };
    });
    if (artifact.kind === 'index') {
        for (const img of artifact.images) {
            await client.putManifest(repo, img.digest, img.manifestBytes, img.manifest.mediaType);
        }
    }
    const tags = [];
    if (plans.length === 0) {
        await client.putManifest(repo, top.digest, top.bytes, top.mediaType);
    }
    for (const plan of plans) {
        if (plan.existing === top.digest) {
            tags.push({ tag: plan.tag, outcome: 'unchanged' });
            continue;
        }
        await client.putManifest(repo, plan.tag, top.bytes, top.mediaType);
        tags.push({
            tag: plan.tag,
            outcome: plan.existing ? 'overwritten' : 'created'
        });
    }
    const uploadedBytes = outcomes
        .filter(o => o.outcome === 'uploaded')
        .reduce((n, o) => n + o.size, 0);
    const reusedBytes = outcomes
        .filter(o => o.outcome !== 'uploaded')
        .reduce((n, o) => n + o.size, 0);
    return { blobs: outcomes, uploadedBytes, reusedBytes, tags };
}

;// CONCATENATED MODULE: ./src/pipeline/assemble.ts


const annotationKeys = {
    baseName: 'org.opencontainers.image.base.name',
    baseDigest: 'org.opencontainers.image.base.digest',
    created: 'org.opencontainers.image.created',
    revision: 'org.opencontainers.image.revision',
    source: 'org.opencontainers.image.source',
    version: 'org.opencontainers.image.version'
};
/** The standard labels, from the run's facts; `created` is the source date, never the wall clock. */
function standardLabels(context) {
    const labels = {
        [annotationKeys.created]: rfc3339(context.sourceDateEpoch)
    };
    if (context.sha)
        labels[annotationKeys.revision] = context.sha;
    if (context.sourceUrl)
        labels[annotationKeys.source] = context.sourceUrl;
    if (context.version)
        labels[annotationKeys.version] = context.version;
    return labels;
}
function mergeEnv(base, overrides) {
    const env = [...(base ?? [])];
    for (const [key, value] of overrides) {
        const i = env.findIndex(e => e.split('=', 1)[0] === key);
        if (i >= 0)
            env[i] = `${key}=${value}`;
        else
            env.push(`${key}=${value}`);
    }
    return env;
}
/**
 * The image config: the base's, with our layers appended to `rootfs` and `history`, and the
 * container settings from the inputs. Setting an entrypoint clears the base's cmd, as Docker does.
 */
function assembleConfig(base, layers, inputs, context) {
    const created = rfc3339(context.sourceDateEpoch);
    const container = { ...(base.config ?? {}) };
    if (inputs.entrypoint) {
        container.Entrypoint = inputs.entrypoint;
        if (!inputs.cmd)
            delete container.Cmd;
    }
    if (inputs.cmd)
        container.Cmd = inputs.cmd;
    if (inputs.env.length)
        container.Env = mergeEnv(container.Env, inputs.env);
    if (inputs.workdir)
        container.WorkingDir = inputs.workdir;
    if (inputs.user)
        container.User = inputs.user;
    container.Labels = {
        ...(container.Labels ?? {}),
        ...standardLabels(context),
        ...inputs.labels
    };
    const history = [...(base.history ?? [])];
    for (const layer of layers) {
        history.push({
            created,
            created_by: `imprint: ${layer.built?.source ?? '?'} → ${layer.built?.destination ?? '?'}`,
            comment: 'layer built by imprint'
        });
    }
    return {
        ...base,
        created,
        config: container,
        rootfs: {
            type: 'layers',
            diff_ids: [
                ...base.rootfs.diff_ids,
                ...layers.map(l => {
                    if (!l.built)
                        throw new Error('assembleConfig: a built layer lacks its diffID');
                    return l.built.diffId;
                })
            ]
        },
        history
    };
}
function baseAnnotations(base, digest) {
    if (!base.name || !digest)
        return {};
    return {
        [annotationKeys.baseName]: base.name,
        [annotationKeys.baseDigest]: digest
    };
}
/** One image per platform on top of its base; an index when there is more than one platform. */
function assemble(base, layersPerPlatform, inputs, context) {
    const images = base.platforms.map((platform, i) => {
        const layers = layersPerPlatform[i];
        const config = assembleConfig(platform.config, layers, inputs, context);
        return (0,oci_image/* image */.Sl)(platform.platform, config, [...platform.layers, ...layers], {
            ...baseAnnotations(base, platform.digest),
            ...inputs.annotations
        });
    });
    if (images.length === 1)
        return images[0];
    return (0,oci_image/* index */.Pe)(images, {
        ...baseAnnotations(base, base.digest),
        ...inputs.annotations
    });
}

;// CONCATENATED MODULE: ./src/pipeline/base.ts



/** Docker's layer types are the same bytes as OCI's; writing OCI manifests keeps types unmixed. */
function ociLayerType(mediaType) {
    switch (mediaType) {
        case media_types/* MediaType */.zu.dockerLayerGzip:
            return media_types/* MediaType */.zu.ociLayerGzip;
        case media_types/* MediaType */.zu.dockerForeignLayer:
            return 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip';
        default:
            return mediaType;
    }
}
function emptyConfig(platform, epoch) {
    return {
        created: rfc3339(epoch),
        architecture: platform.architecture,
        os: platform.os,
        ...(platform.variant ? { variant: platform.variant } : {}),
        config: {},
        rootfs: { type: 'layers', diff_ids: [] },
        history: []
    };
}
function scratchBase(platforms, epoch) {
    return {
        name: '',
        platforms: platforms.map(platform => ({
            platform,
            config: emptyConfig(platform, epoch),
            layers: []
        }))
    };
}
function remoteLayer(client, reference, descriptor) {
    return {
        descriptor: {
            ...descriptor,
            mediaType: ociLayerType(descriptor.mediaType)
        },
        origin: reference.repository,
        open: offset => client.getBlob(reference.repository, descriptor.digest, offset)
    };
}
async function loadPlatform(client, reference, manifestBytes, digest) {
    const manifest = JSON.parse(manifestBytes.toString('utf8'));
    const configBytes = await client.getBlobBytes(reference.repository, manifest.config.digest);
    const config = JSON.parse(configBytes.toString('utf8'));
    const platform = {
        os: config.os,
        architecture: config.architecture,
        ...(config.variant ? { variant: config.variant } : {})
    };
    return {
        platform,
        digest,
        config,
        layers: manifest.layers.map(d => remoteLayer(client, reference, d))
    };
}
/**
 * Resolves the base reference to a digest once, then reads the manifest and config of each
 * wanted platform. Layer bytes are not read here: sinks fetch them only if they lack them.
 */
async function resolveBase(reference, wanted, registries) {
    const client = registries.client(reference.repository.registry);
    const top = await client.getManifest(reference.repository, reference.identifier);
    const name = reference.toString();
    if ((0,media_types/* isIndex */.nw)(top.mediaType)) {
        const index = JSON.parse(top.bytes.toString('utf8'));
        const candidates = index.manifests.filter(d => d.platform &&
            d.platform.os !== 'unknown' &&
            d.platform.architecture !== 'unknown' &&
            (0,media_types/* isImageManifest */.pJ)(d.mediaType));
        const chosen = [];
        if (wanted === 'all') {
            chosen.push(...candidates);
        }
        else {
            for (const platform of wanted) {
                const match = candidates.find(d => (0,oci_platform/* platformMatches */.J5)(d.platform, platform));
                if (!match) {
                    const available = candidates
                        .map(d => (0,oci_platform/* formatPlatform */.Bq)(d.platform))
                        .join(', ');
                    throw new Error(`base ${name} has no ${(0,oci_platform/* formatPlatform */.Bq)(platform)} image (it has: ${available})`);
                }
                chosen.push(match);
            }
        }
        const platforms = await Promise.all(chosen.map(async (d) => {
            const child = await client.getManifest(reference.repository, d.digest);
            const loaded = await loadPlatform(client, reference, child.bytes, child.digest);
            return { ...loaded, platform: d.platform };
        }));
        return { name, digest: top.digest, reference, platforms };
    }
    if (!(0,media_types/* isImageManifest */.pJ)(top.mediaType) && !(0,media_types/* isDockerType */.$F)(top.mediaType)) {
        throw new Error(`base ${name} is a ${top.mediaType || 'manifest of unknown type'}, not an image`);
    }
    const single = await loadPlatform(client, reference, top.bytes, top.digest);
    if (wanted !== 'all') {
        if (wanted.length !== 1 || !(0,oci_platform/* platformMatches */.J5)(single.platform, wanted[0])) {
            throw new Error(`base ${name} is a single-platform image for ${(0,oci_platform/* formatPlatform */.Bq)(single.platform)}; it cannot serve ${wanted.map(oci_platform/* formatPlatform */.Bq).join(', ')}`);
        }
    }
    return { name, digest: top.digest, reference, platforms: [single] };
}

;// CONCATENATED MODULE: external "node:child_process"
const external_node_child_process_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");
// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __nccwpck_require__(975);
;// CONCATENATED MODULE: ./src/pipeline/context.ts



const run = (0,external_node_util_.promisify)(external_node_child_process_namespaceObject.execFile);
async function git(cwd, ...args) {
    try {
        const { stdout } = await run('git', args, { cwd });
        return stdout.trim() || undefined;
    }
    catch {
        return undefined;
    }
}
async function readEvent(path) {
    if (!path)
        return {};
    try {
        return JSON.parse(await (0,promises_.readFile)(path, 'utf8'));
    }
    catch {
        return {};
    }
}
/** Reads the GitHub Actions environment, falling back to the git checkout for local runs. */
async function readContext(env, workingDirectory, sourceDateEpochInput) {
    const eventName = env.GITHUB_EVENT_NAME;
    const event = await readEvent(env.GITHUB_EVENT_PATH);
    const isPullRequest = eventName === 'pull_request' || eventName === 'pull_request_target';
    const sha = (isPullRequest ? event.pull_request?.head?.sha : undefined) ??
        env.GITHUB_SHA ??
        (await git(workingDirectory, 'rev-parse', 'HEAD'));
    const branch = isPullRequest
        ? (env.GITHUB_HEAD_REF ?? event.pull_request?.head?.ref)
        : env.GITHUB_REF_TYPE === 'branch' ||
            env.GITHUB_REF?.startsWith('refs/heads/')
            ? env.GITHUB_REF_NAME
            : env.GITHUB_ACTIONS
                ? undefined
                : await git(workingDirectory, 'branch', '--show-current');
    const version = env.GITHUB_REF?.startsWith('refs/tags/')
        ? env.GITHUB_REF.slice('refs/tags/'.length)
        : undefined;
    const sourceUrl = env.GITHUB_REPOSITORY
        ? `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}`
        : undefined;
    let sourceDateEpoch = 0;
    let sourceDateOrigin = 'default (0)';
    if (sourceDateEpochInput !== undefined) {
        sourceDateEpoch = sourceDateEpochInput;
        sourceDateOrigin = 'the source-date-epoch input';
    }
    else {
        // A shallow pull_request checkout may lack the PR head commit; HEAD (the merge) stands in.
        const commitTime = (sha
            ? await git(workingDirectory, 'log', '-1', '--format=%ct', sha)
            : undefined) ??
            (await git(workingDirectory, 'log', '-1', '--format=%ct', 'HEAD'));
        if (commitTime && /^\d+$/.test(commitTime)) {
            sourceDateEpoch = Number(commitTime);
            sourceDateOrigin = `the commit time of ${sha?.slice(0, 7)}`;
        }
        else if (env.SOURCE_DATE_EPOCH && /^\d+$/.test(env.SOURCE_DATE_EPOCH)) {
            sourceDateEpoch = Number(env.SOURCE_DATE_EPOCH);
            sourceDateOrigin = '$SOURCE_DATE_EPOCH';
        }
    }
    return {
        sha,
        branch,
        pr: isPullRequest
            ? (event.pull_request?.number ?? event.number)
            : undefined,
        runNumber: env.GITHUB_RUN_NUMBER,
        sourceUrl,
        version,
        eventName,
        actor: env.GITHUB_ACTOR,
        sourceDateEpoch,
        sourceDateOrigin
    };
}

// EXTERNAL MODULE: ./src/pipeline/layers.ts + 4 modules
var pipeline_layers = __nccwpck_require__(833);
;// CONCATENATED MODULE: ./src/pipeline/result.ts

function resultOf(inputs, artifact, base, tags, context, push) {
    const images = artifact.kind === 'image' ? [artifact] : artifact.images;
    const repository = inputs.image.toString();
    return {
        digest: artifact.digest,
        repository,
        image: `${repository}@${artifact.digest}`,
        tags: tags.map(tag => `${repository}:${tag}`),
        configDigest: artifact.kind === 'image'
            ? artifact.configBlob.descriptor.digest
            : undefined,
        mediaType: artifact.kind === 'image'
            ? artifact.manifest.mediaType
            : artifact.index.mediaType,
        platforms: images.map(img => ({
            platform: (0,oci_platform/* formatPlatform */.Bq)(img.platform),
            digest: img.digest,
            configDigest: img.configBlob.descriptor.digest,
            layers: img.layers.map(layer => ({
                digest: layer.descriptor.digest,
                size: layer.descriptor.size,
                mediaType: layer.descriptor.mediaType,
                ...(layer.built
                    ? {
                        diffId: layer.built.diffId,
                        source: layer.built.source,
                        destination: layer.built.destination
                    }
                    : {})
            }))
        })),
        base: base.name ? { name: base.name, digest: base.digest } : undefined,
        revision: context.sha,
        sourceDateEpoch: context.sourceDateEpoch,
        pushed: push !== undefined,
        push,
        ociLayout: inputs.ociLayout
    };
}

// EXTERNAL MODULE: ./src/oci/reference.ts
var reference = __nccwpck_require__(148);
;// CONCATENATED MODULE: ./src/pipeline/tags.ts


function dateOf(epochSeconds) {
    return new Date(epochSeconds * 1000)
        .toISOString()
        .slice(0, 10)
        .replace(/-/g, '');
}
/** A branch name made into a valid tag: `feature/x` → `feature-x`. */
function tagSafe(value) {
    return value
        .replace(/[^A-Za-z0-9_.-]/g, '-')
        .replace(/^[.-]+/, '')
        .slice(0, 128);
}
/** Renders the `tags` templates; every placeholder must have a value and every result be a valid tag. */
function renderTags(templates, context) {
    const values = {
        sha: context.sha,
        short_sha: context.sha?.slice(0, 7),
        branch: context.branch === undefined ? undefined : tagSafe(context.branch),
        pr: context.pr === undefined ? undefined : String(context.pr),
        run_number: context.runNumber,
        date: dateOf(context.sourceDateEpoch)
    };
    const tags = [];
    for (const template of templates) {
        const tag = template.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (_, key) => {
            if (!(key in values)) {
                throw new errors/* InputError */.dz('tags', `"${template}" uses the unknown placeholder {{${key}}} (known: ${Object.keys(values).join(', ')})`);
            }
            const value = values[key];
            if (value === undefined) {
                throw new errors/* InputError */.dz('tags', `"${template}" needs {{${key}}}, which this run does not have${key === 'sha' || key === 'short_sha' ? ' (no commit: run inside a git checkout or set tags explicitly)' : ''}`);
            }
            return value;
        });
        try {
            (0,reference/* validateTag */.z7)(tag);
        }
        catch (error) {
            throw new errors/* InputError */.dz('tags', error.message);
        }
        if (!tags.includes(tag))
            tags.push(tag);
    }
    return tags;
}

;// CONCATENATED MODULE: ./src/pipeline/run.ts

















/**
 * The whole build: context → base → layers → assemble → push / layout. The action and the
 * command line are two front ends of this function.
 */
async function runPipeline(inputs, deps) {
    const { log } = deps;
    const workingDirectory = (0,external_node_path_.resolve)(inputs.workingDirectory);
    const context = await readContext(deps.env, workingDirectory, inputs.sourceDateEpoch);
    const tags = renderTags(inputs.tags, context);
    log.info(`source date ${context.sourceDateEpoch} (${rfc3339(context.sourceDateEpoch)}) from ${context.sourceDateOrigin}`);
    const registries = new Registries({
        keychain: (0,auth/* defaultKeychain */.Iy)({
            explicit: inputs.username && inputs.password
                ? {
                    registry: inputs.image.registry,
                    username: inputs.username,
                    password: inputs.password
                }
                : undefined,
            githubToken: inputs.githubToken,
            githubActor: context.actor
        }),
        insecureRegistries: inputs.insecureRegistries,
        retry: deps.retry,
        log,
        userAgent: 'imprint',
        chunkThreshold: deps.chunkThreshold,
        chunkSize: deps.chunkSize
    });
    const jobs = deps.jobs ?? 4;
    const scratchDir = await (0,promises_.mkdtemp)((0,external_node_path_.join)(deps.env.RUNNER_TEMP || (0,external_node_os_.tmpdir)(), 'imprint-'));
    try {
        const base = await log.group('Resolve base', async () => {
            if (inputs.base === 'scratch') {
                if (inputs.platforms === 'all')
                    throw new Error('Input "platforms": "all" needs a base image to take the platforms from');
                return scratchBase(inputs.platforms, context.sourceDateEpoch);
            }
            const resolved = await resolveBase(inputs.base, inputs.platforms, registries);
            log.info(`${resolved.name} → ${resolved.digest} (${resolved.platforms.map(p => (0,oci_platform/* formatPlatform */.Bq)(p.platform)).join(', ')})`);
            return resolved;
        });
        const layers = await log.group('Build layers', () => (0,pipeline_layers/* buildLayers */.t)(inputs.layers, base.platforms.map(p => p.platform), {
            workingDirectory,
            scratchDir,
            mtime: context.sourceDateEpoch,
            uid: inputs.layerOwner.uid,
            gid: inputs.layerOwner.gid,
            jobs,
            log
        }));
        const artifact = await log.group('Assemble', async () => {
            const result = assemble(base, layers, inputs, context);
            log.info(`${result.kind === 'index' ? 'index' : 'manifest'} ${result.digest}`);
            return result;
        });
        deps.onAssembled?.(resultOf(inputs, artifact, base, tags, context, undefined));
        const layoutDir = inputs.ociLayout ? (0,external_node_path_.resolve)(inputs.ociLayout) : undefined;
        if (layoutDir) {
            await checkLayoutTarget(layoutDir).catch(error => {
                throw new errors/* InputError */.dz('oci-layout', error.message);
            });
        }
        let push;
        if (inputs.push) {
            push = await log.group(`Push ${inputs.image}`, async () => {
                const client = registries.client(inputs.image.registry);
                const plans = await planTags(client, inputs.image, (0,oci_image/* topLevel */.M4)(artifact).digest, tags, inputs.allowTagOverwrite);
                return pushArtifact(client, inputs.image, artifact, plans, {
                    jobs,
                    log
                });
            });
        }
        if (inputs.ociLayout && layoutDir) {
            await log.group(`Write OCI layout ${inputs.ociLayout}`, () => writeLayout(layoutDir, artifact, tags));
        }
        return resultOf(inputs, artifact, base, tags, context, push);
    }
    finally {
        await (0,promises_.rm)(scratchDir, { recursive: true, force: true });
    }
}


/***/ }),

/***/ 481:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   F7: () => (/* binding */ repositoryScope),
/* harmony export */   Iy: () => (/* binding */ defaultKeychain),
/* harmony export */   xy: () => (/* binding */ parseChallenge)
/* harmony export */ });
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_os__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);



/** The host part of a docker config `auths` key: `https://index.docker.io/v1/` → `index.docker.io`. */
function configKeyHost(key) {
    return key.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
}
function sameRegistry(key, registry) {
    const host = configKeyHost(key);
    if (registry.name === 'docker.io') {
        return ['docker.io', 'index.docker.io', 'registry-1.docker.io'].includes(host);
    }
    return host === registry.name;
}
/** Inputs first, then Docker's config.json (what docker/login-action writes), then ghcr.io with the GitHub token. */
function defaultKeychain(options) {
    let config;
    const loadConfig = () => {
        config ??= (async () => {
            const dir = options.dockerConfigDir ??
                process.env.DOCKER_CONFIG ??
                (0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)((0,node_os__WEBPACK_IMPORTED_MODULE_1__.homedir)(), '.docker');
            try {
                const parsed = JSON.parse(await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.readFile)((0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(dir, 'config.json'), 'utf8'));
                return parsed.auths ?? {};
            }
            catch {
                return {};
            }
        })();
        return config;
    };
    return {
        async resolve(registry) {
            const explicit = options.explicit;
            if (explicit && explicit.registry.name === registry.name) {
                return {
                    username: explicit.username,
                    password: explicit.password,
                    origin: 'the username and password inputs'
                };
            }
            const auths = await loadConfig();
            for (const [key, entry] of Object.entries(auths)) {
                if (!sameRegistry(key, registry))
                    continue;
                if (entry.identitytoken) {
                    return {
                        username: entry.username ?? '<token>',
                        password: '',
                        identityToken: entry.identitytoken,
                        origin: 'docker config.json'
                    };
                }
                if (entry.username && entry.password) {
                    return {
                        username: entry.username,
                        password: entry.password,
                        origin: 'docker config.json'
                    };
                }
                if (entry.auth) {
                    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
                    const colon = decoded.indexOf(':');
                    if (colon > 0) {
                        return {
                            username: decoded.slice(0, colon),
                            password: decoded.slice(colon + 1),
                            origin: 'docker config.json'
                        };
                    }
                }
            }
            if (registry.name === 'ghcr.io' && options.githubToken) {
                return {
                    username: options.githubActor || 'github-actions',
                    password: options.githubToken,
                    origin: 'github-token'
                };
            }
            return undefined;
        }
    };
}
/** Parses `Bearer realm="…",service="…",scope="…"` (quoted values may hold commas). */
function parseChallenge(header) {
    const trimmed = header.trim();
    const space = trimmed.indexOf(' ');
    const scheme = (space < 0 ? trimmed : trimmed.slice(0, space)).toLowerCase();
    const params = {};
    const rest = space < 0 ? '' : trimmed.slice(space + 1);
    const pattern = /([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
    for (let m = pattern.exec(rest); m; m = pattern.exec(rest)) {
        params[m[1].toLowerCase()] =
            m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
    }
    return { scheme, params };
}
/** The scope string a token request asks for: `repository:acme/api:pull,push`. */
function repositoryScope(path, actions) {
    return `repository:${path}:${actions}`;
}


/***/ }),

/***/ 326:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  v: () => (/* binding */ AuthenticationError),
  b: () => (/* binding */ RegistryClient)
});

// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __nccwpck_require__(75);
// EXTERNAL MODULE: ./src/oci/digest.ts
var oci_digest = __nccwpck_require__(825);
// EXTERNAL MODULE: ./src/oci/media-types.ts
var media_types = __nccwpck_require__(217);
// EXTERNAL MODULE: ./src/util/log.ts
var log = __nccwpck_require__(906);
// EXTERNAL MODULE: ./src/registry/auth.ts
var auth = __nccwpck_require__(481);
;// CONCATENATED MODULE: ./src/registry/errors.ts
/** Error codes whose presence alone makes a failure worth retrying (go-containerregistry's list). */
const temporaryCodes = new Set([
    'BLOB_UPLOAD_INVALID',
    'TOOMANYREQUESTS',
    'UNKNOWN',
    'UNAVAILABLE'
]);
const temporaryStatuses = new Set([408, 429, 499, 500, 502, 503, 504, 522]);
/** Strips credentials and query parameters that may carry tokens from a URL before it is shown. */
function redact(url) {
    try {
        const u = new URL(url);
        u.username = '';
        u.password = '';
        for (const key of [...u.searchParams.keys()]) {
            if (!['digest', 'mount', 'from', 'n', 'last', 'service', 'scope'].includes(key)) {
                u.searchParams.set(key, 'REDACTED');
            }
        }
        return u.toString();
    }
    catch {
        return '<invalid url>';
    }
}
/** A registry's answer that was not a success, with the OCI error codes from its body. */
class RegistryError extends Error {
    method;
    url;
    status;
    codes;
    retryAfterMs;
    constructor(method, url, status, codes, detail, retryAfterMs) {
        const what = codes.length
            ? `${codes.join(', ')}${detail ? `: ${detail}` : ''}`
            : detail || 'no error body';
        const hint = method === 'HEAD' ? ' (HEAD responses have no body)' : '';
        super(`${method} ${redact(url)}: ${status} ${what}${hint}`);
        this.method = method;
        this.url = url;
        this.status = status;
        this.codes = codes;
        this.retryAfterMs = retryAfterMs;
        this.name = 'RegistryError';
    }
    get temporary() {
        if (this.codes.length)
            return this.codes.every(c => temporaryCodes.has(c));
        return temporaryStatuses.has(this.status);
    }
}
/** A failure below HTTP: connection refused or reset, TLS, a body cut short. */
class NetworkError extends Error {
    temporary = true;
    constructor(method, url, cause) {
        super(`${method} ${redact(url)}: ${describeCause(cause)}`, { cause });
        this.name = 'NetworkError';
    }
}
function describeCause(cause) {
    if (cause instanceof Error) {
        const inner = cause.cause;
        if (inner instanceof Error)
            return `${cause.message} (${inner.message})`;
        return cause.message;
    }
    return String(cause);
}
/** An upload session that cannot be continued; the whole upload starts again from POST. */
class UploadRestart extends Error {
    temporary = true;
    constructor(digest, cause) {
        super(`upload of ${digest} must restart: ${describeCause(cause)}`, {
            cause
        });
        this.name = 'UploadRestart';
    }
}
function isTemporary(error) {
    return ((error instanceof RegistryError && error.temporary) ||
        error instanceof NetworkError ||
        error instanceof UploadRestart);
}
/** Parses an error response body (`{"errors":[{"code","message"}]}`), read up to 64 KiB. */
async function registryError(method, url, response) {
    let codes = [];
    let detail = '';
    if (method !== 'HEAD') {
        const text = await readCapped(response, 64 * 1024);
        try {
            const body = JSON.parse(text);
            codes = (body.errors ?? []).map(e => e.code ?? 'UNKNOWN');
            detail = (body.errors ?? [])
                .map(e => e.message)
                .filter(Boolean)
                .join('; ');
        }
        catch {
            detail = text.trim().slice(0, 200);
        }
    }
    else {
        await response.body?.cancel().catch(() => { });
    }
    return new RegistryError(method, url, response.status, codes, detail, retryAfter(response.headers.get('retry-after')));
}
async function readCapped(response, limit) {
    if (!response.body)
        return '';
    const reader = response.body.getReader();
    const chunks = [];
    let total = 0;
    try {
        while (total < limit) {
            const { done, value } = await reader.read();
            if (done)
                break;
            chunks.push(value);
            total += value.length;
        }
    }
    catch {
        // A body cut short still says something.
    }
    finally {
        await reader.cancel().catch(() => { });
    }
    return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}
/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
function retryAfter(value, now = Date.now()) {
    if (value === null || value.trim() === '')
        return undefined;
    if (/^\d+$/.test(value.trim()))
        return Number(value.trim()) * 1000;
    const date = Date.parse(value);
    return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

;// CONCATENATED MODULE: ./src/registry/retry.ts

const defaultRetryPolicy = {
    attempts: 5,
    baseDelayMs: 500,
    factor: 3,
    maxDelayMs: 30_000,
    jitter: 0.2
};
const sleep = (ms) => new Promise(resolve => setTimeout(resolve, ms));
/** The wait before attempt `attempt + 1`: the registry's `Retry-After` if it gave one, else backoff. */
function delayFor(error, attempt, policy, random = Math.random) {
    if (error instanceof RegistryError && error.retryAfterMs !== undefined) {
        return Math.min(error.retryAfterMs, policy.maxDelayMs * 2);
    }
    const backoff = Math.min(policy.baseDelayMs * policy.factor ** attempt, policy.maxDelayMs);
    return Math.round(backoff * (1 + policy.jitter * (2 * random() - 1)));
}
/** Runs `operation` until it succeeds, fails permanently, or runs out of attempts. */
async function withRetries(operation, policy, onRetry = () => { }) {
    for (let attempt = 0;; attempt++) {
        try {
            return await operation(attempt);
        }
        catch (error) {
            if (!isTemporary(error) || attempt + 1 >= policy.attempts)
                throw error;
            const delay = delayFor(error, attempt, policy);
            onRetry(error, delay, attempt + 1);
            await sleep(delay);
        }
    }
}

;// CONCATENATED MODULE: ./src/registry/client.ts







/** The registry refused our credentials (or their absence) in a way retrying cannot fix. */
class AuthenticationError extends Error {
    registry;
    credentialOrigin;
    constructor(registry, credentialOrigin, detail) {
        super(credentialOrigin
            ? `registry ${registry} rejected the credentials from ${credentialOrigin} (${detail})`
            : `registry ${registry} requires credentials (${detail}); set the username and password inputs or log in with docker/login-action`);
        this.registry = registry;
        this.credentialOrigin = credentialOrigin;
        this.name = 'AuthenticationError';
    }
}
/**
 * A client for one registry's distribution API, modelled on go-containerregistry's `remote` and
 * `transport`: it learns the auth scheme from `/v2/`, fetches bearer tokens per scope, retries
 * temporary failures with backoff, and checks every digest the registry reports.
 */
class RegistryClient {
    registry;
    options;
    baseUrl;
    origin;
    retry;
    log;
    chunkThreshold;
    chunkSize;
    scheme;
    challenge;
    credential;
    tokens = new Map();
    constructor(registry, options) {
        this.registry = registry;
        this.options = options;
        const insecure = registry.isLoopback ||
            (options.insecureRegistries ?? []).includes(registry.name);
        this.baseUrl = `${insecure ? 'http' : 'https'}://${registry.apiHost}`;
        this.origin = new URL(this.baseUrl).origin;
        this.retry = options.retry ?? defaultRetryPolicy;
        this.log = options.log ?? log/* silentLogger */.q;
        this.chunkThreshold = options.chunkThreshold ?? 64 * 1024 * 1024;
        this.chunkSize = options.chunkSize ?? 32 * 1024 * 1024;
    }
    // ---- blobs ---------------------------------------------------------------------------------
    async blobExists(repo, digest, scopes = [(0,auth/* repositoryScope */.F7)(repo.path, 'pull')]) {
        const res = await this.request('HEAD', `/v2/${repo.path}/blobs/${digest}`, {
            scopes,
            ok: [200, 404]
        });
        return res.status === 200;
    }
    /**
     * Streams a blob from `offset` on; the caller consumes or cancels the body. A registry that
     * ignores `Range` answers 200 with the whole blob, and the skipped bytes are dropped here.
     */
    async getBlob(repo, digest, offset = 0, retries = true) {
        const res = await this.request('GET', `/v2/${repo.path}/blobs/${digest}`, {
            headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
            scopes: [(0,auth/* repositoryScope */.F7)(repo.path, 'pull')],
            ok: offset > 0 ? [200, 206] : [200],
            retries
        });
        const body = external_node_stream_.Readable.fromWeb(res.body);
        return offset > 0 && res.status === 200 ? skip(body, offset) : body;
    }
    /** Reads a small blob (a config) whole and checks its digest. */
    async getBlobBytes(repo, digest) {
        return withRetries(async () => {
            const bytes = await readAll(await this.getBlob(repo, digest, 0, false));
            if ((0,oci_digest/* sha256 */.sc)(bytes) !== digest) {
                throw new Error(`blob ${digest} from ${repo} does not match its digest`);
            }
            return bytes;
        }, this.retry, (e, ms) => this.retrying(e, ms));
    }
    /**
     * Makes sure `repo` has the blob: HEAD first, then a cross-repository mount when `mountFrom` is
     * on this registry, then an upload (monolithic, or chunked and resumable above the threshold).
     */
    async pushBlob(repo, digest, source, mountFrom) {
        const scopes = [(0,auth/* repositoryScope */.F7)(repo.path, 'pull,push')];
        if (mountFrom)
            scopes.push((0,auth/* repositoryScope */.F7)(mountFrom.path, 'pull'));
        let exists;
        try {
            exists = await this.blobExists(repo, digest, scopes);
        }
        catch (error) {
            // A token service may refuse pull on the mount source: push without mounting instead.
            if (mountFrom && error instanceof AuthenticationError) {
                return this.pushBlob(repo, digest, source);
            }
            throw error;
        }
        if (exists)
            return 'existing';
        return withRetries(async () => {
            const started = await this.startUpload(repo, digest, scopes, mountFrom);
            if (started === 'mounted')
                return 'mounted';
            if (source.size > this.chunkThreshold)
                await this.uploadChunks(started, digest, source, scopes);
            else
                await this.uploadWhole(started, digest, source, scopes);
            return 'uploaded';
        }, this.retry, (e, ms) => this.retrying(e, ms));
    }
    async startUpload(repo, digest, scopes, mountFrom) {
        const path = `/v2/${repo.path}/blobs/uploads/`;
        if (mountFrom && !mountFrom.equals(repo)) {
            try {
                const query = `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(mountFrom.path)}`;
                const res = await this.request('POST', path + query, {
                    scopes,
                    ok: [201, 202],
                    retries: false
                });
                if (res.status === 201)
                    return 'mounted';
                return this.location(res);
            }
            catch (error) {
                // Registries answer failed mounts in many ways (Harbor: 401); an upload always works instead.
                this.log.debug(`mount of ${digest} from ${mountFrom} failed, uploading: ${String(error)}`);
            }
        }
        const res = await this.request('POST', path, {
            scopes,
            ok: [202],
            retries: false
        });
        return this.location(res);
    }
    async uploadWhole(location, digest, source, scopes) {
        const url = new URL(location);
        url.searchParams.set('digest', digest);
        const res = await this.request('PUT', url.toString(), {
            headers: {
                'content-type': 'application/octet-stream',
                'content-length': String(source.size)
            },
            body: () => source.open(0),
            scopes,
            ok: [201],
            retries: false
        });
        this.checkDigest('PUT', url.toString(), res, digest);
    }
    async uploadChunks(location, digest, source, scopes) {
        let offset = 0;
        let resumes = 0;
        while (offset < source.size) {
            const end = Math.min(offset + this.chunkSize, source.size) - 1;
            const start = offset;
            try {
                const res = await this.request('PATCH', location, {
                    headers: {
                        'content-type': 'application/octet-stream',
                        'content-length': String(end - start + 1),
                        'content-range': `${start}-${end}`
                    },
                    body: async () => limit(await source.open(start), end - start + 1),
                    scopes,
                    ok: [202],
                    retries: false
                });
                location = this.location(res);
                offset = end + 1;
            }
            catch (error) {
                if (!(error instanceof NetworkError ||
                    (error instanceof RegistryError && error.temporary)) ||
                    resumes >= 3) {
                    throw error;
                }
                resumes++;
                // Ask the registry how much it kept; anything but a clear answer restarts from POST.
                let status;
                try {
                    status = await this.request('GET', location, {
                        scopes,
                        ok: [204],
                        retries: false
                    });
                }
                catch (statusError) {
                    throw new UploadRestart(digest, statusError);
                }
                location = this.location(status);
                const range = /^(?:bytes=)?0-(\d+)$/.exec(status.headers.get('range') ?? '');
                // distribution says `0-0` for an empty session as well as for one byte: ambiguous.
                if (!range || Number(range[1]) === 0)
                    throw new UploadRestart(digest, error);
                offset = Number(range[1]) + 1;
                this.log.info(`resuming upload of ${digest} at byte ${offset} after: ${String(error)}`);
            }
        }
        const url = new URL(location);
        url.searchParams.set('digest', digest);
        let res;
        try {
            res = await this.request('PUT', url.toString(), {
                headers: { 'content-length': '0' },
                scopes,
                ok: [201],
                retries: false
            });
        }
        catch (error) {
            // Chunks the registry assembled differently from ours: start over rather than give up.
            if (error instanceof RegistryError &&
                (error.status === 416 || error.codes.includes('DIGEST_INVALID'))) {
                throw new UploadRestart(digest, error);
            }
            throw error;
        }
        this.checkDigest('PUT', url.toString(), res, digest);
    }
    // ---- manifests -----------------------------------------------------------------------------
    /** Reads a manifest or index by tag or digest; the digest is computed over the exact bytes. */
    async getManifest(repo, reference) {
        return withRetries(async () => {
            const url = `/v2/${repo.path}/manifests/${reference}`;
            const res = await this.request('GET', url, {
                headers: { accept: media_types/* manifestMediaTypes */.$P.join(', ') },
                scopes: [(0,auth/* repositoryScope */.F7)(repo.path, 'pull')],
                ok: [200],
                retries: false
            });
            const bytes = await readBody('GET', res);
            const digest = (0,oci_digest/* sha256 */.sc)(bytes);
            if ((0,oci_digest/* isDigest */.Bc)(reference) && digest !== reference) {
                throw new Error(`manifest ${repo}@${reference} does not match its digest (got ${digest})`);
            }
            const parsed = JSON.parse(bytes.toString('utf8'));
            const mediaType = parsed.mediaType ??
                res.headers.get('content-type')?.split(';')[0] ??
                '';
            return { bytes, mediaType, digest };
        }, this.retry, (e, ms) => this.retrying(e, ms));
    }
    /** The digest a tag points at, or undefined when the tag does not exist. */
    async resolveTag(repo, tag, scopes = [(0,auth/* repositoryScope */.F7)(repo.path, 'pull')]) {
        const res = await this.request('HEAD', `/v2/${repo.path}/manifests/${tag}`, {
            headers: { accept: media_types/* manifestMediaTypes */.$P.join(', ') },
            scopes,
            ok: [200, 404]
        });
        if (res.status === 404)
            return undefined;
        const header = res.headers.get('docker-content-digest');
        if (header && (0,oci_digest/* isDigest */.Bc)(header))
            return header;
        return (await this.getManifest(repo, tag)).digest;
    }
    /**
     * Writes a manifest under a tag or its digest. `subject` is the registry's `OCI-Subject`
     * answer: set when it indexed the manifest's subject (it has the referrers API).
     */
    async putManifest(repo, reference, bytes, mediaType) {
        const digest = (0,oci_digest/* sha256 */.sc)(bytes);
        const url = `/v2/${repo.path}/manifests/${reference}`;
        const res = await this.request('PUT', url, {
            headers: { 'content-type': mediaType },
            body: () => bytes,
            scopes: [(0,auth/* repositoryScope */.F7)(repo.path, 'pull,push')],
            ok: [201, 200]
        });
        this.checkDigest('PUT', url, res, digest);
        return { digest, subject: res.headers.get('oci-subject') ?? undefined };
    }
    /** Like `getManifest`, but a missing manifest (or repository) is `undefined`. */
    async findManifest(repo, reference) {
        try {
            return await this.getManifest(repo, reference);
        }
        catch (error) {
            if (error instanceof RegistryError && error.status === 404)
                return undefined;
            throw error;
        }
    }
    /**
     * The referrers of a digest from the OCI 1.1 referrers API, or `undefined` when the registry
     * does not offer the API (then clients keep the `sha256-<hex>` fallback index instead).
     */
    async referrers(repo, digest) {
        const res = await this.request('GET', `/v2/${repo.path}/referrers/${digest}`, {
            headers: { accept: media_types/* MediaType */.zu.ociIndex },
            scopes: [(0,auth/* repositoryScope */.F7)(repo.path, 'pull')],
            ok: [200, 400, 404, 405]
        });
        const body = await readBody('GET', res);
        if (res.status !== 200)
            return undefined;
        const index = JSON.parse(body.toString('utf8'));
        return index.mediaType === media_types/* MediaType */.zu.ociIndex ||
            Array.isArray(index.manifests)
            ? index
            : undefined;
    }
    // ---- transport -----------------------------------------------------------------------------
    checkDigest(method, url, res, expected) {
        const reported = res.headers.get('docker-content-digest');
        if (reported && reported !== expected) {
            throw new Error(`${method} ${url}: the registry stored ${reported}, but the content is ${expected}`);
        }
    }
    location(res) {
        const location = res.headers.get('location');
        if (!location)
            throw new Error(`${this.registry}: upload response without a Location header`);
        const url = new URL(location, this.baseUrl);
        if (this.baseUrl.startsWith('https:') && url.protocol !== 'https:') {
            throw new Error(`${this.registry} sent an upload location over plain ${url.protocol}; refusing to downgrade from https`);
        }
        return url.toString();
    }
    retrying(error, delayMs) {
        this.log.info(`${error instanceof Error ? error.message : String(error)}; retrying in ${(delayMs / 1000).toFixed(1)}s`);
    }
    /** Sends one request with auth, retrying temporary failures unless `retries` is false. */
    async request(method, pathOrUrl, options) {
        const url = pathOrUrl.startsWith('/') ? this.baseUrl + pathOrUrl : pathOrUrl;
        const send = async () => {
            let res = await this.send(method, url, options, await this.authorization(options.scopes, false));
            if (res.status === 401) {
                const header = res.headers.get('www-authenticate');
                await res.body?.cancel().catch(() => { });
                if (header)
                    this.challenge = (0,auth/* parseChallenge */.xy)(header);
                const scopes = [...options.scopes];
                const challengeScope = this.challenge?.params.scope;
                if (challengeScope && !scopes.includes(challengeScope))
                    scopes.push(challengeScope);
                res = await this.send(method, url, options, await this.authorization(scopes, true));
                if (res.status === 401) {
                    const error = await registryError(method, url, res);
                    throw new AuthenticationError(this.registry.name, (await this.getCredential())?.origin, error.message);
                }
            }
            if (!options.ok.includes(res.status))
                throw await registryError(method, url, res);
            return res;
        };
        return options.retries === false
            ? send()
            : withRetries(send, this.retry, (e, ms) => this.retrying(e, ms));
    }
    async send(method, url, options, authorization) {
        const headers = {
            'user-agent': this.options.userAgent ?? 'imprint',
            ...options.headers
        };
        // Credentials go to the registry's own origin only, never to a host an upload Location names.
        if (authorization && new URL(url).origin === this.origin) {
            headers.authorization = authorization;
        }
        const body = options.body ? await options.body() : undefined;
        const streamed = body !== undefined && !Buffer.isBuffer(body) && typeof body !== 'string';
        try {
            return await fetch(url, {
                method,
                headers,
                body: body,
                // A streamed body cannot be replayed on a 307/308; reads follow redirects (storage URLs).
                redirect: body === undefined ? 'follow' : 'manual',
                ...(streamed ? { duplex: 'half' } : {})
            });
        }
        catch (error) {
            throw new NetworkError(method, url, error);
        }
    }
    getCredential() {
        this.credential ??= this.options.keychain.resolve(this.registry);
        return this.credential;
    }
    /** Learns the registry's auth scheme from `GET /v2/` once. */
    async authScheme() {
        this.scheme ??= withRetries(async () => {
            let res;
            try {
                res = await fetch(`${this.baseUrl}/v2/`, {
                    headers: { 'user-agent': this.options.userAgent ?? 'imprint' }
                });
            }
            catch (error) {
                throw new NetworkError('GET', `${this.baseUrl}/v2/`, error);
            }
            await res.body?.cancel().catch(() => { });
            if (res.status === 401) {
                const header = res.headers.get('www-authenticate') ?? '';
                this.challenge = (0,auth/* parseChallenge */.xy)(header);
                return this.challenge.scheme === 'bearer' ? 'bearer' : 'basic';
            }
            if (res.ok || res.status === 404)
                return 'none';
            throw await registryError('GET', `${this.baseUrl}/v2/`, res);
        }, this.retry, (e, ms) => this.retrying(e, ms)).catch(error => {
            this.scheme = undefined;
            throw error;
        });
        return this.scheme;
    }
    async authorization(scopes, refresh) {
        const scheme = refresh && this.challenge
            ? this.challenge.scheme === 'bearer'
                ? 'bearer'
                : 'basic'
            : await this.authScheme();
        const credential = await this.getCredential();
        if (scheme === 'none' && !refresh)
            return undefined;
        if (scheme === 'basic') {
            if (!credential)
                return undefined;
            return `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
        }
        if (scheme === 'none')
            return undefined;
        const key = [...scopes].sort().join(' ');
        // Tokens expire together; a refresh drops them all, including the key the request began with.
        if (refresh)
            this.tokens.clear();
        let token = this.tokens.get(key);
        if (!token) {
            token = this.fetchToken(scopes, credential);
            this.tokens.set(key, token);
            token.catch(() => this.tokens.delete(key));
        }
        return `Bearer ${await token}`;
    }
    async fetchToken(scopes, credential) {
        const params = this.challenge?.params ?? {};
        if (!params.realm)
            throw new Error(`registry ${this.registry} sent a bearer challenge without a realm`);
        const realm = new URL(params.realm);
        const form = new URLSearchParams();
        if (params.service)
            form.set('service', params.service);
        for (const scope of scopes)
            form.append('scope', scope);
        return withRetries(async () => {
            let res;
            try {
                if (credential?.identityToken) {
                    form.set('grant_type', 'refresh_token');
                    form.set('refresh_token', credential.identityToken);
                    form.set('client_id', 'imprint');
                    res = await fetch(realm, {
                        method: 'POST',
                        body: form,
                        headers: { 'content-type': 'application/x-www-form-urlencoded' }
                    });
                }
                else {
                    const url = new URL(realm);
                    for (const [k, v] of form)
                        url.searchParams.append(k, v);
                    const headers = {
                        'user-agent': this.options.userAgent ?? 'imprint'
                    };
                    if (credential) {
                        headers.authorization = `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
                    }
                    res = await fetch(url, { headers });
                }
            }
            catch (error) {
                throw new NetworkError('GET', realm.toString(), error);
            }
            if (res.status === 401 || res.status === 403) {
                const error = await registryError('GET', realm.toString(), res);
                throw new AuthenticationError(this.registry.name, credential?.origin, error.message);
            }
            if (!res.ok)
                throw await registryError('GET', realm.toString(), res);
            const body = (await res.json());
            const token = body.token ?? body.access_token;
            if (!token)
                throw new Error(`the token service of ${this.registry} answered without a token`);
            return token;
        }, this.retry, (e, ms) => this.retrying(e, ms));
    }
}
async function readBody(method, res) {
    try {
        return Buffer.from(await res.arrayBuffer());
    }
    catch (error) {
        throw new NetworkError(method, res.url, error);
    }
}
async function* limit(source, bytes) {
    let remaining = bytes;
    for await (const chunk of source) {
        if (remaining <= 0)
            break;
        const piece = chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
        remaining -= piece.length;
        yield piece;
    }
}
async function readAll(source) {
    const chunks = [];
    try {
        for await (const chunk of source)
            chunks.push(chunk);
    }
    catch (error) {
        throw new NetworkError('GET', 'blob body', error);
    }
    return Buffer.concat(chunks);
}
async function* skip(source, bytes) {
    let toSkip = bytes;
    for await (const chunk of source) {
        if (toSkip >= chunk.length) {
            toSkip -= chunk.length;
            continue;
        }
        yield toSkip > 0 ? chunk.subarray(toSkip) : chunk;
        toSkip = 0;
    }
}


/***/ }),

/***/ 906:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   k: () => (/* binding */ consoleLogger),
/* harmony export */   q: () => (/* binding */ silentLogger)
/* harmony export */ });
const silentLogger = {
    debug: () => { },
    info: () => { },
    warning: () => { },
    group: (_name, fn) => fn()
};
/** A logger for the command line: everything on stderr, so stdout carries only results. */
function consoleLogger(verbose = false) {
    return {
        debug: message => {
            if (verbose)
                process.stderr.write(`${message}\n`);
        },
        info: message => process.stderr.write(`${message}\n`),
        warning: message => process.stderr.write(`warning: ${message}\n`),
        group: async (name, fn) => {
            process.stderr.write(`== ${name}\n`);
            return fn();
        }
    };
}


/***/ }),

/***/ 704:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   y: () => (/* binding */ mapBounded)
/* harmony export */ });
/** Maps `items` through `fn` with at most `jobs` calls in flight; results keep the input order. */
async function mapBounded(items, jobs, fn) {
    const results = new Array(items.length);
    let next = 0;
    let failed = false;
    const worker = async () => {
        while (!failed && next < items.length) {
            const i = next++;
            try {
                results[i] = await fn(items[i], i);
            }
            catch (error) {
                failed = true;
                throw error;
            }
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
    return results;
}


/***/ }),

/***/ 598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 24:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ }),

/***/ 455:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");

/***/ }),

/***/ 161:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");

/***/ }),

/***/ 760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 75:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");

/***/ }),

/***/ 466:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream/promises");

/***/ }),

/***/ 975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId](module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(581);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ var __webpack_exports__main = __webpack_exports__.i;
/******/ export { __webpack_exports__main as main };
/******/ 
