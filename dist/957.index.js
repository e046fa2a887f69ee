export const id = 957;
export const ids = [957];
export const modules = {

/***/ 15957:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   ActionsCacheLayerStore: () => (/* binding */ ActionsCacheLayerStore)
/* harmony export */ });
/* unused harmony export parseStoredMap */
/* harmony import */ var _actions_cache__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(60025);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(48161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_4___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_4__);
/* harmony import */ var _oci_digest__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(42940);






/**
 * A repository's layer map in the GitHub Actions cache. Entries are immutable, so every change is
 * saved under a new key; a restore by prefix finds the newest (the service looks in the current
 * branch, then the default branch). `@` cannot occur in a repository name and `#` not in a
 * platform list, so one repository's prefix never matches another's.
 */
class ActionsCacheLayerStore {
    options;
    name = 'the Actions cache';
    file;
    constructor(options) {
        this.options = options;
        // The cache version hashes the path, so it must be the same in every job.
        this.file = (0,node_path__WEBPACK_IMPORTED_MODULE_4__.join)(options.env.RUNNER_TEMP || (0,node_os__WEBPACK_IMPORTED_MODULE_3__.tmpdir)(), 'imprint-layer-map.json');
    }
    static available() {
        return _actions_cache__WEBPACK_IMPORTED_MODULE_0__/* .isFeatureAvailable */ .w3();
    }
    prefix(repository) {
        return `imprint-layers-${repository}@${this.options.scope}#`;
    }
    async load(repository) {
        const prefix = this.prefix(repository);
        try {
            const hit = await _actions_cache__WEBPACK_IMPORTED_MODULE_0__/* .restoreCache */ .P3([this.file], `${prefix}${this.options.sha}`, [prefix]);
            if (!hit)
                return [];
            return parseStoredMap(await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.readFile)(this.file, 'utf8'), repository);
        }
        finally {
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.rm)(this.file, { force: true });
        }
    }
    async save(repository, records) {
        const map = {
            schemaVersion: 1,
            repository: String(repository),
            layers: [...records]
        };
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.writeFile)(this.file, JSON.stringify(map));
        try {
            const { env } = this.options;
            // Unique per job: parallel legs and re-runs must not collide on a key.
            const key = `${this.prefix(repository)}${this.options.sha}-${env.GITHUB_RUN_ID ?? ''}-${env.GITHUB_RUN_ATTEMPT ?? ''}-${(0,node_crypto__WEBPACK_IMPORTED_MODULE_1__.randomBytes)(4).toString('hex')}`;
            // saveCache logs its own failures and returns -1.
            return (await _actions_cache__WEBPACK_IMPORTED_MODULE_0__/* .saveCache */ .Io([this.file], key)) !== -1;
        }
        finally {
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.rm)(this.file, { force: true });
        }
    }
}
function parseStoredMap(text, repository) {
    const map = JSON.parse(text);
    if (map.schemaVersion !== 1 || !Array.isArray(map.layers))
        throw new Error('not a layer map of this version');
    if (map.repository !== String(repository))
        throw new Error(`the map is of ${map.repository}, not ${repository}`);
    return map.layers.filter((r) => typeof r === 'object' &&
        r !== null &&
        (0,_oci_digest__WEBPACK_IMPORTED_MODULE_5__/* .isDigest */ .Bc)(String(r.diffId)) &&
        (0,_oci_digest__WEBPACK_IMPORTED_MODULE_5__/* .isDigest */ .Bc)(String(r.digest)) &&
        Number.isSafeInteger(r.size) &&
        r.size >= 0 &&
        typeof r.mediaType === 'string' &&
        typeof r.compressor === 'string');
}


/***/ })

};
