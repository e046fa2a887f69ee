export const id = 268;
export const ids = [268];
export const modules = {

/***/ 85268:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   sbomStatement: () => (/* binding */ sbomStatement)
/* harmony export */ });
/* unused harmony exports cycloneDxLicenses, cycloneDxBom */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _cyclonedx_cyclonedx_library_Enums__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6820);
/* harmony import */ var _cyclonedx_cyclonedx_library_Enums__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(_cyclonedx_cyclonedx_library_Enums__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _cyclonedx_cyclonedx_library_Models__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(50320);
/* harmony import */ var _cyclonedx_cyclonedx_library_Models__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(_cyclonedx_cyclonedx_library_Models__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _cyclonedx_cyclonedx_library_Serialize__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(51248);
/* harmony import */ var _cyclonedx_cyclonedx_library_Serialize__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(_cyclonedx_cyclonedx_library_Serialize__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var _cyclonedx_cyclonedx_library_Spec__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(94321);
/* harmony import */ var _cyclonedx_cyclonedx_library_Spec__WEBPACK_IMPORTED_MODULE_4___default = /*#__PURE__*/__webpack_require__.n(_cyclonedx_cyclonedx_library_Spec__WEBPACK_IMPORTED_MODULE_4__);
/* harmony import */ var _cyclonedx_cyclonedx_library_SPDX__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(61290);
/* harmony import */ var _purl__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(74468);
/* harmony import */ var _statement__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(70528);

// Sub-path imports: the package root also loads its schema resources through `__dirname`, which
// does not exist in the ESM bundle ncc writes.







const expressionOperator = /\s(AND|OR|WITH)\s|[()]/;
/** An SPDX expression with its ids in canonical case, or undefined when any id is unknown. */
function spdxExpression(value) {
    if (!expressionOperator.test(value))
        return undefined;
    const tokens = value.split(/(\s+|[()])/);
    let ok = true;
    const canonical = tokens.map(token => {
        if (/^\s*$|^[()]$|^(AND|OR|WITH)$/.test(token))
            return token;
        if (token.startsWith('LicenseRef-') || token.startsWith('DocumentRef-'))
            return token;
        const plus = token.endsWith('+') ? '+' : '';
        const id = (0,_cyclonedx_cyclonedx_library_SPDX__WEBPACK_IMPORTED_MODULE_5__.fixupSpdxId)(plus ? token.slice(0, -1) : token);
        // An exception id (after WITH) is not in the licence list; let it pass as written.
        if (!id) {
            if (/-exception$/i.test(token))
                return token;
            ok = false;
            return token;
        }
        return id + plus;
    });
    return ok ? canonical.join('') : undefined;
}
/**
 * CycloneDX licences for declared strings: an SPDX id as `license.id`, one SPDX expression as
 * `expression` (CycloneDX allows only a lone expression), anything else as `license.name`.
 */
function cycloneDxLicenses(declared) {
    const declaredAs = _cyclonedx_cyclonedx_library_Enums__WEBPACK_IMPORTED_MODULE_1__.LicenseAcknowledgement.Declared;
    if (declared.length === 1) {
        const expression = spdxExpression(declared[0].trim());
        if (expression) {
            const license = new _cyclonedx_cyclonedx_library_Models__WEBPACK_IMPORTED_MODULE_2__.LicenseExpression(expression);
            license.acknowledgement = declaredAs;
            return [license];
        }
    }
    const out = [];
    const seen = new Set();
    for (const raw of declared) {
        const value = raw.trim();
        const id = (0,_cyclonedx_cyclonedx_library_SPDX__WEBPACK_IMPORTED_MODULE_5__.fixupSpdxId)(value);
        const key = id ? `id:${id}` : `name:${value}`;
        if (!value || seen.has(key))
            continue;
        seen.add(key);
        const license = id && (0,_cyclonedx_cyclonedx_library_SPDX__WEBPACK_IMPORTED_MODULE_5__.isSupportedSpdxId)(id)
            ? new _cyclonedx_cyclonedx_library_Models__WEBPACK_IMPORTED_MODULE_2__.SpdxLicense(id)
            : new _cyclonedx_cyclonedx_library_Models__WEBPACK_IMPORTED_MODULE_2__.NamedLicense(value);
        license.acknowledgement = declaredAs;
        out.push(license);
    }
    return out;
}
function component(p) {
    const c = new _cyclonedx_cyclonedx_library_Models__WEBPACK_IMPORTED_MODULE_2__.Component(_cyclonedx_cyclonedx_library_Enums__WEBPACK_IMPORTED_MODULE_1__.ComponentType.Library, p.name, {
        bomRef: p.purl,
        version: p.version,
        purl: p.purl,
        ...(p.group ? { group: p.group } : {})
    });
    for (const license of cycloneDxLicenses(p.licenses ?? []))
        c.licenses.add(license);
    p.locations.forEach((l, i) => {
        c.properties.add(new _cyclonedx_cyclonedx_library_Models__WEBPACK_IMPORTED_MODULE_2__.Property(`imprint:location:${i}:layer`, l.layer));
        c.properties.add(new _cyclonedx_cyclonedx_library_Models__WEBPACK_IMPORTED_MODULE_2__.Property(`imprint:location:${i}:path`, l.path));
    });
    return c;
}
/** A name-based UUID (version 5, RFC 4122) from a string. */
function uuidV5(name) {
    // RFC 4122's URL namespace.
    const namespace = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex');
    const hash = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha1')
        .update(namespace)
        .update(name)
        .digest()
        .subarray(0, 16);
    hash[6] = (hash[6] & 0x0f) | 0x50;
    hash[8] = (hash[8] & 0x3f) | 0x80;
    const hex = hash.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
function serialize(bom) {
    const serializer = new _cyclonedx_cyclonedx_library_Serialize__WEBPACK_IMPORTED_MODULE_3__.JsonSerializer(new _cyclonedx_cyclonedx_library_Serialize__WEBPACK_IMPORTED_MODULE_3__.JSON.Normalize.Factory(_cyclonedx_cyclonedx_library_Spec__WEBPACK_IMPORTED_MODULE_4__.Spec1dot6));
    return serializer.serialize(bom, { sortLists: true });
}
/**
 * The image's SBOM as CycloneDX 1.6 JSON: the image as `metadata.component`, one component per
 * package (bom-ref = purl, declared licences, each location as `imprint:location:N:layer|path`
 * properties), the distribution as an `operating-system` component (what scanners match OS
 * packages against), and the base image with a `bom` reference to its own SBOM attestation when
 * it has one. Deterministic: lists are sorted and the serial number is derived from the content.
 */
function cycloneDxBom(input) {
    const bom = new _cyclonedx_cyclonedx_library_Models__WEBPACK_IMPORTED_MODULE_2__.Bom();
    bom.metadata.timestamp = input.created;
    const tool = input.tool ?? { name: 'imprint', version: '0.0.0' };
    bom.metadata.tools.components.add(new _cyclonedx_cyclonedx_library_Models__WEBPACK_IMPORTED_MODULE_2__.Component(_cyclonedx_cyclonedx_library_Enums__WEBPACK_IMPORTED_MODULE_1__.ComponentType.Application, tool.name, {
        version: tool.version
    }));
    const imagePurl = (0,_purl__WEBPACK_IMPORTED_MODULE_6__/* .ociPurl */ .Vf)(input.image.name, input.image.digest);
    const image = new _cyclonedx_cyclonedx_library_Models__WEBPACK_IMPORTED_MODULE_2__.Component(_cyclonedx_cyclonedx_library_Enums__WEBPACK_IMPORTED_MODULE_1__.ComponentType.Container, input.image.name, { bomRef: imagePurl, version: input.image.digest, purl: imagePurl });
    bom.metadata.component = image;
    for (const layer of input.unreadLayers ?? [])
        bom.metadata.properties.add(new _cyclonedx_cyclonedx_library_Models__WEBPACK_IMPORTED_MODULE_2__.Property('imprint:unread-layer', layer));
    if (input.distro) {
        const { id, versionId, prettyName } = input.distro;
        bom.components.add(new _cyclonedx_cyclonedx_library_Models__WEBPACK_IMPORTED_MODULE_2__.Component(_cyclonedx_cyclonedx_library_Enums__WEBPACK_IMPORTED_MODULE_1__.ComponentType.OperatingSystem, id, {
            bomRef: `operating-system:${id}${versionId ? '@' + versionId : ''}`,
            ...(versionId ? { version: versionId } : {}),
            ...(prettyName ? { description: prettyName } : {})
        }));
    }
    if (input.base) {
        const basePurl = (0,_purl__WEBPACK_IMPORTED_MODULE_6__/* .ociPurl */ .Vf)(input.base.name, input.base.digest);
        const base = new _cyclonedx_cyclonedx_library_Models__WEBPACK_IMPORTED_MODULE_2__.Component(_cyclonedx_cyclonedx_library_Enums__WEBPACK_IMPORTED_MODULE_1__.ComponentType.Container, input.base.name, { bomRef: basePurl, version: input.base.digest, purl: basePurl });
        const sbom = input.base.sbom;
        if (sbom) {
            const hashes = new _cyclonedx_cyclonedx_library_Models__WEBPACK_IMPORTED_MODULE_2__.HashDictionary();
            hashes.set(_cyclonedx_cyclonedx_library_Enums__WEBPACK_IMPORTED_MODULE_1__.HashAlgorithm['SHA-256'], sbom.sha256);
            base.externalReferences.add(new _cyclonedx_cyclonedx_library_Models__WEBPACK_IMPORTED_MODULE_2__.ExternalReference(sbom.url, _cyclonedx_cyclonedx_library_Enums__WEBPACK_IMPORTED_MODULE_1__.ExternalReferenceType.BOM, {
                hashes,
                comment: `SBOM attestation of the base image (${sbom.predicateType})`
            }));
        }
        image.dependencies.add(base.bomRef);
        bom.components.add(base);
    }
    for (const p of input.packages)
        bom.components.add(component(p));
    // Same content, same serial number: the serial is derived from the document without it.
    const digest = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(serialize(bom)).digest('hex');
    bom.serialNumber = `urn:uuid:${uuidV5(`imprint-sbom:${digest}`)}`;
    return serialize(bom);
}
/**
 * The in-toto Statement v1 to sign and attach: subject the image manifest digest, predicate
 * the CycloneDX document (as `cosign attest --type cyclonedx` writes it).
 */
function sbomStatement(input) {
    const [algorithm, hex] = input.image.digest.split(':');
    if (algorithm !== 'sha256' || !/^[0-9a-f]{64}$/.test(hex ?? ''))
        throw new Error(`SBOM subject: ${input.image.digest} is not a sha256 digest`);
    const statement = {
        _type: _statement__WEBPACK_IMPORTED_MODULE_7__/* .inTotoStatementType */ .b,
        subject: [{ name: input.image.name, digest: { sha256: hex } }],
        predicateType: _statement__WEBPACK_IMPORTED_MODULE_7__/* .cycloneDxPredicateType */ .T,
        predicate: JSON.parse(cycloneDxBom(input))
    };
    return { statement, json: JSON.stringify(statement) };
}


/***/ })

};
