export const id = 132;
export const ids = [132];
export const modules = {

/***/ 18456:
/***/ ((__unused_webpack_module, exports, __webpack_require__) => {


Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.toMessageSignatureBundle = toMessageSignatureBundle;
exports.toDSSEBundle = toDSSEBundle;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
const protobuf_specs_1 = __webpack_require__(19654);
const bundle_1 = __webpack_require__(37742);
// Message signature bundle - $case: 'messageSignature'
function toMessageSignatureBundle(options) {
    return {
        mediaType: options.certificateChain
            ? bundle_1.BUNDLE_V02_MEDIA_TYPE
            : bundle_1.BUNDLE_V03_MEDIA_TYPE,
        content: {
            $case: 'messageSignature',
            messageSignature: {
                messageDigest: {
                    algorithm: protobuf_specs_1.HashAlgorithm.SHA2_256,
                    digest: options.digest,
                },
                signature: options.signature,
            },
        },
        verificationMaterial: toVerificationMaterial(options),
    };
}
// DSSE envelope bundle - $case: 'dsseEnvelope'
function toDSSEBundle(options) {
    return {
        mediaType: options.certificateChain
            ? bundle_1.BUNDLE_V02_MEDIA_TYPE
            : bundle_1.BUNDLE_V03_MEDIA_TYPE,
        content: {
            $case: 'dsseEnvelope',
            dsseEnvelope: toEnvelope(options),
        },
        verificationMaterial: toVerificationMaterial(options),
    };
}
function toEnvelope(options) {
    return {
        payloadType: options.artifactType,
        payload: options.artifact,
        signatures: [toSignature(options)],
    };
}
function toSignature(options) {
    return {
        keyid: options.keyHint || '',
        sig: options.signature,
    };
}
// Verification material
function toVerificationMaterial(options) {
    return {
        content: toKeyContent(options),
        tlogEntries: [],
        timestampVerificationData: { rfc3161Timestamps: [] },
    };
}
function toKeyContent(options) {
    if (options.certificate) {
        if (options.certificateChain) {
            return {
                $case: 'x509CertificateChain',
                x509CertificateChain: {
                    certificates: [{ rawBytes: options.certificate }],
                },
            };
        }
        else {
            return {
                $case: 'certificate',
                certificate: { rawBytes: options.certificate },
            };
        }
    }
    else {
        return {
            $case: 'publicKey',
            publicKey: {
                hint: options.keyHint || '',
            },
        };
    }
}


/***/ }),

/***/ 37742:
/***/ ((__unused_webpack_module, exports) => {


Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.BUNDLE_V03_MEDIA_TYPE = exports.BUNDLE_V03_LEGACY_MEDIA_TYPE = exports.BUNDLE_V02_MEDIA_TYPE = exports.BUNDLE_V01_MEDIA_TYPE = void 0;
exports.isBundleWithCertificateChain = isBundleWithCertificateChain;
exports.isBundleWithPublicKey = isBundleWithPublicKey;
exports.isBundleWithMessageSignature = isBundleWithMessageSignature;
exports.isBundleWithDsseEnvelope = isBundleWithDsseEnvelope;
exports.BUNDLE_V01_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle+json;version=0.1';
exports.BUNDLE_V02_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle+json;version=0.2';
exports.BUNDLE_V03_LEGACY_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle+json;version=0.3';
exports.BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
// Type guards for bundle variants.
function isBundleWithCertificateChain(b) {
    return b.verificationMaterial.content.$case === 'x509CertificateChain';
}
function isBundleWithPublicKey(b) {
    return b.verificationMaterial.content.$case === 'publicKey';
}
function isBundleWithMessageSignature(b) {
    return b.content.$case === 'messageSignature';
}
function isBundleWithDsseEnvelope(b) {
    return b.content.$case === 'dsseEnvelope';
}


/***/ }),

/***/ 47714:
/***/ ((__unused_webpack_module, exports) => {


Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.ValidationError = void 0;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
class ValidationError extends Error {
    constructor(message, fields) {
        super(message);
        this.fields = fields;
    }
}
exports.ValidationError = ValidationError;


/***/ }),

/***/ 61040:
/***/ ((__unused_webpack_module, exports, __webpack_require__) => {


Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.isBundleV01 = exports.assertBundleV02 = exports.assertBundleV01 = exports.assertBundleLatest = exports.assertBundle = exports.envelopeToJSON = exports.envelopeFromJSON = exports.bundleToJSON = exports.bundleFromJSON = exports.ValidationError = exports.isBundleWithPublicKey = exports.isBundleWithMessageSignature = exports.isBundleWithDsseEnvelope = exports.isBundleWithCertificateChain = exports.BUNDLE_V03_MEDIA_TYPE = exports.BUNDLE_V03_LEGACY_MEDIA_TYPE = exports.BUNDLE_V02_MEDIA_TYPE = exports.BUNDLE_V01_MEDIA_TYPE = exports.toMessageSignatureBundle = exports.toDSSEBundle = void 0;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
var build_1 = __webpack_require__(18456);
Object.defineProperty(exports, "toDSSEBundle", ({ enumerable: true, get: function () { return build_1.toDSSEBundle; } }));
Object.defineProperty(exports, "toMessageSignatureBundle", ({ enumerable: true, get: function () { return build_1.toMessageSignatureBundle; } }));
var bundle_1 = __webpack_require__(37742);
Object.defineProperty(exports, "BUNDLE_V01_MEDIA_TYPE", ({ enumerable: true, get: function () { return bundle_1.BUNDLE_V01_MEDIA_TYPE; } }));
Object.defineProperty(exports, "BUNDLE_V02_MEDIA_TYPE", ({ enumerable: true, get: function () { return bundle_1.BUNDLE_V02_MEDIA_TYPE; } }));
Object.defineProperty(exports, "BUNDLE_V03_LEGACY_MEDIA_TYPE", ({ enumerable: true, get: function () { return bundle_1.BUNDLE_V03_LEGACY_MEDIA_TYPE; } }));
Object.defineProperty(exports, "BUNDLE_V03_MEDIA_TYPE", ({ enumerable: true, get: function () { return bundle_1.BUNDLE_V03_MEDIA_TYPE; } }));
Object.defineProperty(exports, "isBundleWithCertificateChain", ({ enumerable: true, get: function () { return bundle_1.isBundleWithCertificateChain; } }));
Object.defineProperty(exports, "isBundleWithDsseEnvelope", ({ enumerable: true, get: function () { return bundle_1.isBundleWithDsseEnvelope; } }));
Object.defineProperty(exports, "isBundleWithMessageSignature", ({ enumerable: true, get: function () { return bundle_1.isBundleWithMessageSignature; } }));
Object.defineProperty(exports, "isBundleWithPublicKey", ({ enumerable: true, get: function () { return bundle_1.isBundleWithPublicKey; } }));
var error_1 = __webpack_require__(47714);
Object.defineProperty(exports, "ValidationError", ({ enumerable: true, get: function () { return error_1.ValidationError; } }));
var serialized_1 = __webpack_require__(23404);
Object.defineProperty(exports, "bundleFromJSON", ({ enumerable: true, get: function () { return serialized_1.bundleFromJSON; } }));
Object.defineProperty(exports, "bundleToJSON", ({ enumerable: true, get: function () { return serialized_1.bundleToJSON; } }));
Object.defineProperty(exports, "envelopeFromJSON", ({ enumerable: true, get: function () { return serialized_1.envelopeFromJSON; } }));
Object.defineProperty(exports, "envelopeToJSON", ({ enumerable: true, get: function () { return serialized_1.envelopeToJSON; } }));
var validate_1 = __webpack_require__(9352);
Object.defineProperty(exports, "assertBundle", ({ enumerable: true, get: function () { return validate_1.assertBundle; } }));
Object.defineProperty(exports, "assertBundleLatest", ({ enumerable: true, get: function () { return validate_1.assertBundleLatest; } }));
Object.defineProperty(exports, "assertBundleV01", ({ enumerable: true, get: function () { return validate_1.assertBundleV01; } }));
Object.defineProperty(exports, "assertBundleV02", ({ enumerable: true, get: function () { return validate_1.assertBundleV02; } }));
Object.defineProperty(exports, "isBundleV01", ({ enumerable: true, get: function () { return validate_1.isBundleV01; } }));


/***/ }),

/***/ 23404:
/***/ ((__unused_webpack_module, exports, __webpack_require__) => {


Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.envelopeToJSON = exports.envelopeFromJSON = exports.bundleToJSON = exports.bundleFromJSON = void 0;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
const protobuf_specs_1 = __webpack_require__(19654);
const bundle_1 = __webpack_require__(37742);
const validate_1 = __webpack_require__(9352);
const bundleFromJSON = (obj) => {
    const bundle = protobuf_specs_1.Bundle.fromJSON(obj);
    switch (bundle.mediaType) {
        case bundle_1.BUNDLE_V01_MEDIA_TYPE:
            (0, validate_1.assertBundleV01)(bundle);
            break;
        case bundle_1.BUNDLE_V02_MEDIA_TYPE:
            (0, validate_1.assertBundleV02)(bundle);
            break;
        default:
            (0, validate_1.assertBundleLatest)(bundle);
            break;
    }
    return bundle;
};
exports.bundleFromJSON = bundleFromJSON;
const bundleToJSON = (bundle) => {
    return protobuf_specs_1.Bundle.toJSON(bundle);
};
exports.bundleToJSON = bundleToJSON;
const envelopeFromJSON = (obj) => {
    return protobuf_specs_1.Envelope.fromJSON(obj);
};
exports.envelopeFromJSON = envelopeFromJSON;
const envelopeToJSON = (envelope) => {
    return protobuf_specs_1.Envelope.toJSON(envelope);
};
exports.envelopeToJSON = envelopeToJSON;


/***/ }),

/***/ 9352:
/***/ ((__unused_webpack_module, exports, __webpack_require__) => {


Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.assertBundle = assertBundle;
exports.assertBundleV01 = assertBundleV01;
exports.isBundleV01 = isBundleV01;
exports.assertBundleV02 = assertBundleV02;
exports.assertBundleLatest = assertBundleLatest;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
const error_1 = __webpack_require__(47714);
// Performs basic validation of a Sigstore bundle to ensure that all required
// fields are populated. This is not a complete validation of the bundle, but
// rather a check that the bundle is in a valid state to be processed by the
// rest of the code.
function assertBundle(b) {
    const invalidValues = validateBundleBase(b);
    if (invalidValues.length > 0) {
        throw new error_1.ValidationError('invalid bundle', invalidValues);
    }
}
// Asserts that the given bundle conforms to the v0.1 bundle format.
function assertBundleV01(b) {
    const invalidValues = [];
    invalidValues.push(...validateBundleBase(b));
    invalidValues.push(...validateInclusionPromise(b));
    if (invalidValues.length > 0) {
        throw new error_1.ValidationError('invalid v0.1 bundle', invalidValues);
    }
}
// Type guard to determine if Bundle is a v0.1 bundle.
function isBundleV01(b) {
    try {
        assertBundleV01(b);
        return true;
    }
    catch (e) {
        return false;
    }
}
// Asserts that the given bundle conforms to the v0.2 bundle format.
function assertBundleV02(b) {
    const invalidValues = [];
    invalidValues.push(...validateBundleBase(b));
    invalidValues.push(...validateInclusionProof(b));
    if (invalidValues.length > 0) {
        throw new error_1.ValidationError('invalid v0.2 bundle', invalidValues);
    }
}
// Asserts that the given bundle conforms to the newest (0.3) bundle format.
function assertBundleLatest(b) {
    const invalidValues = [];
    invalidValues.push(...validateBundleBase(b));
    invalidValues.push(...validateInclusionProof(b));
    invalidValues.push(...validateNoCertificateChain(b));
    if (invalidValues.length > 0) {
        throw new error_1.ValidationError('invalid bundle', invalidValues);
    }
}
function validateBundleBase(b) {
    const invalidValues = [];
    // Media type validation
    if (b.mediaType === undefined ||
        (!b.mediaType.match(/^application\/vnd\.dev\.sigstore\.bundle\+json;version=\d\.\d/) &&
            !b.mediaType.match(/^application\/vnd\.dev\.sigstore\.bundle\.v\d\.\d\+json/))) {
        invalidValues.push('mediaType');
    }
    // Content-related validation
    if (b.content === undefined) {
        invalidValues.push('content');
    }
    else {
        switch (b.content.$case) {
            case 'messageSignature':
                if (b.content.messageSignature.messageDigest === undefined) {
                    invalidValues.push('content.messageSignature.messageDigest');
                }
                else {
                    if (b.content.messageSignature.messageDigest.digest.length === 0) {
                        invalidValues.push('content.messageSignature.messageDigest.digest');
                    }
                }
                if (b.content.messageSignature.signature.length === 0) {
                    invalidValues.push('content.messageSignature.signature');
                }
                break;
            case 'dsseEnvelope':
                if (b.content.dsseEnvelope.payload.length === 0) {
                    invalidValues.push('content.dsseEnvelope.payload');
                }
                if (b.content.dsseEnvelope.signatures.length !== 1) {
                    invalidValues.push('content.dsseEnvelope.signatures');
                }
                else {
                    if (b.content.dsseEnvelope.signatures[0].sig.length === 0) {
                        invalidValues.push('content.dsseEnvelope.signatures[0].sig');
                    }
                }
                break;
        }
    }
    // Verification material-related validation
    if (b.verificationMaterial === undefined) {
        invalidValues.push('verificationMaterial');
    }
    else {
        if (b.verificationMaterial.content === undefined) {
            invalidValues.push('verificationMaterial.content');
        }
        else {
            switch (b.verificationMaterial.content.$case) {
                case 'x509CertificateChain':
                    if (b.verificationMaterial.content.x509CertificateChain.certificates
                        .length === 0) {
                        invalidValues.push('verificationMaterial.content.x509CertificateChain.certificates');
                    }
                    b.verificationMaterial.content.x509CertificateChain.certificates.forEach((cert, i) => {
                        if (cert.rawBytes.length === 0) {
                            invalidValues.push(`verificationMaterial.content.x509CertificateChain.certificates[${i}].rawBytes`);
                        }
                    });
                    break;
                case 'certificate':
                    if (b.verificationMaterial.content.certificate.rawBytes.length === 0) {
                        invalidValues.push('verificationMaterial.content.certificate.rawBytes');
                    }
                    break;
            }
        }
        if (b.verificationMaterial.tlogEntries === undefined) {
            invalidValues.push('verificationMaterial.tlogEntries');
        }
        else {
            if (b.verificationMaterial.tlogEntries.length > 0) {
                b.verificationMaterial.tlogEntries.forEach((entry, i) => {
                    if (entry.logId === undefined) {
                        invalidValues.push(`verificationMaterial.tlogEntries[${i}].logId`);
                    }
                    if (entry.kindVersion === undefined) {
                        invalidValues.push(`verificationMaterial.tlogEntries[${i}].kindVersion`);
                    }
                });
            }
        }
    }
    return invalidValues;
}
// Necessary for V01 bundles
function validateInclusionPromise(b) {
    const invalidValues = [];
    if (b.verificationMaterial &&
        b.verificationMaterial.tlogEntries?.length > 0) {
        b.verificationMaterial.tlogEntries.forEach((entry, i) => {
            if (entry.inclusionPromise === undefined) {
                invalidValues.push(`verificationMaterial.tlogEntries[${i}].inclusionPromise`);
            }
        });
    }
    return invalidValues;
}
// Necessary for V02 and later bundles
function validateInclusionProof(b) {
    const invalidValues = [];
    if (b.verificationMaterial &&
        b.verificationMaterial.tlogEntries?.length > 0) {
        b.verificationMaterial.tlogEntries.forEach((entry, i) => {
            if (entry.inclusionProof === undefined) {
                invalidValues.push(`verificationMaterial.tlogEntries[${i}].inclusionProof`);
            }
            else {
                if (entry.inclusionProof.checkpoint === undefined) {
                    invalidValues.push(`verificationMaterial.tlogEntries[${i}].inclusionProof.checkpoint`);
                }
            }
        });
    }
    return invalidValues;
}
// Necessary for V03 and later bundles
function validateNoCertificateChain(b) {
    const invalidValues = [];
    /* istanbul ignore next */
    if (b.verificationMaterial?.content?.$case === 'x509CertificateChain') {
        invalidValues.push('verificationMaterial.content.$case');
    }
    return invalidValues;
}


/***/ }),

/***/ 22478:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   BL: () => (/* binding */ pemToDer),
/* harmony export */   lF: () => (/* binding */ certificateFacts),
/* harmony export */   mj: () => (/* binding */ certificatePem)
/* harmony export */ });
/* harmony import */ var _sigstore_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(83917);
/* harmony import */ var _sigstore_core__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(_sigstore_core__WEBPACK_IMPORTED_MODULE_0__);

/** Fulcio's OIDC issuer extensions: the current one (a DER string) and the first (raw text). */
const issuerV2 = '1.3.6.1.4.1.57264.1.8';
const issuerV1 = '1.3.6.1.4.1.57264.1.1';
/** Reads identity and issuer from a certificate (DER), as @sigstore/verify reads them. */
function certificateFacts(der) {
    const certificate = _sigstore_core__WEBPACK_IMPORTED_MODULE_0__.X509Certificate.parse(Buffer.from(der));
    const v2 = certificate.extension(issuerV2);
    const issuer = v2
        ? v2.valueObj.subs?.[0]?.value.toString('ascii')
        : certificate.extension(issuerV1)?.value.toString('ascii');
    return {
        identity: certificate.subjectAltName,
        issuer,
        notAfter: certificate.notAfter
    };
}
/** The first certificate of a PEM text, as DER. */
function pemToDer(pem) {
    const body = pem?.match(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/)?.[1];
    return body ? Buffer.from(body.replace(/\s/g, ''), 'base64') : undefined;
}
/** A certificate (DER) as PEM, as cosign writes it in annotations. */
function certificatePem(der) {
    const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
    return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}


/***/ }),

/***/ 72132:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   bundleStatement: () => (/* binding */ bundleStatement),
/* harmony export */   certificateAnnotation: () => (/* binding */ certificateAnnotation),
/* harmony export */   githubActionsIssuer: () => (/* binding */ githubActionsIssuer),
/* harmony export */   keyHint: () => (/* binding */ keyHint),
/* harmony export */   keylessBundleVerified: () => (/* binding */ keylessBundleVerified),
/* harmony export */   legacyAttestationStatement: () => (/* binding */ legacyAttestationStatement),
/* harmony export */   legacySignatureValid: () => (/* binding */ legacySignatureValid),
/* harmony export */   payloadNames: () => (/* binding */ payloadNames),
/* harmony export */   rekorBundleAnnotation: () => (/* binding */ rekorBundleAnnotation),
/* harmony export */   verifyImageSignatures: () => (/* binding */ verifyImageSignatures)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _sigstore_bundle__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(61040);
/* harmony import */ var _sigstore_verify__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(54187);
/* harmony import */ var _oci_digest__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(68825);
/* harmony import */ var _bundle_referrer__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(45813);
/* harmony import */ var _certificate__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(22478);
/* harmony import */ var _legacy_sig__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(13110);
/* harmony import */ var _payload__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(5911);








/** The `.sig` / `.att` layer annotations cosign writes for keyless signatures. */
const certificateAnnotation = 'dev.sigstore.cosign/certificate';
const rekorBundleAnnotation = 'dev.sigstore.cosign/bundle';
/** The OIDC issuer of GitHub Actions' tokens: what keyless verification expects unless told. */
const githubActionsIssuer = 'https://token.actions.githubusercontent.com';
/**
 * Whether a Sigstore bundle (any version; `artifact` for a message signature) is signed by a
 * certificate that `trust` accepts. Never throws: a malformed or forged bundle is just not.
 */
function keylessBundleVerified(json, trust, artifact) {
    try {
        const bundle = (0,_sigstore_bundle__WEBPACK_IMPORTED_MODULE_1__.bundleFromJSON)(json);
        const entity = (0,_sigstore_verify__WEBPACK_IMPORTED_MODULE_2__/* .toSignedEntity */ .DC)(bundle, artifact);
        if (entity.key.$case !== 'certificate')
            return false;
        const leaf = entity.key.certificate;
        const der = leaf.root.toDER();
        const facts = (0,_certificate__WEBPACK_IMPORTED_MODULE_5__/* .certificateFacts */ .lF)(der);
        if (facts.identity !== trust.identity || facts.issuer !== trust.issuer)
            return false;
        if (trust.issued?.some(c => c.equals(der)))
            return entity.signature.verifySignature((0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createPublicKey)({ key: leaf.publicKey, format: 'der', type: 'spki' }));
        if (!trust.trustedRoot)
            return false;
        const signer = new _sigstore_verify__WEBPACK_IMPORTED_MODULE_2__/* .Verifier */ .BL(trust.trustedRoot, {
            tlogThreshold: 1,
            ctlogThreshold: 1,
            timestampThreshold: 1
        }).verify(entity);
        return (signer.identity?.subjectAlternativeName === trust.identity &&
            signer.identity.extensions?.issuer === trust.issuer);
    }
    catch {
        return false;
    }
}
/**
 * A keyless `.sig` or `.att` layer as the Sigstore bundle (v0.1) it stands for: the certificate
 * annotation and the Rekor SET annotation (cosign's `RekorBundle`) around its signed content.
 */
function legacyBundle(annotations, content) {
    const leaf = (0,_certificate__WEBPACK_IMPORTED_MODULE_5__/* .pemToDer */ .BL)(annotations?.[certificateAnnotation]);
    if (!leaf)
        return undefined;
    const set = annotations?.[rekorBundleAnnotation];
    return {
        mediaType: _sigstore_bundle__WEBPACK_IMPORTED_MODULE_1__.BUNDLE_V01_MEDIA_TYPE,
        verificationMaterial: {
            x509CertificateChain: {
                certificates: [{ rawBytes: leaf.toString('base64') }]
            },
            tlogEntries: set ? [tlogEntryOf(set)] : [],
            timestampVerificationData: { rfc3161Timestamps: [] }
        },
        ...content
    };
}
/** cosign's `RekorBundle` annotation as a bundle's transparency log entry (with a promise, no proof). */
function tlogEntryOf(annotation) {
    const set = JSON.parse(annotation);
    const body = JSON.parse(Buffer.from(set.Payload.body, 'base64').toString('utf8'));
    return {
        logIndex: String(set.Payload.logIndex),
        logId: { keyId: Buffer.from(set.Payload.logID, 'hex').toString('base64') },
        kindVersion: { kind: body.kind, version: body.apiVersion },
        integratedTime: String(set.Payload.integratedTime),
        inclusionPromise: { signedEntryTimestamp: set.SignedEntryTimestamp },
        canonicalizedBody: set.Payload.body
    };
}
/** Whether a simple-signing payload is well-formed (containers/image's strict rules) and names `digest`. */
function payloadNames(payload, digest) {
    try {
        const parsed = JSON.parse(payload.toString('utf8'));
        const keys = Object.keys(parsed).sort().join(',');
        const critical = parsed.critical;
        return (keys === 'critical,optional' &&
            Object.keys(critical).sort().join(',') === 'identity,image,type' &&
            critical.type === _payload__WEBPACK_IMPORTED_MODULE_7__/* .simpleSigningType */ .Iy &&
            critical.image['docker-manifest-digest'] === digest);
    }
    catch {
        return false;
    }
}
/** A legacy `.sig` layer over a payload for `digest`, signed by the key or a certificate `trust` accepts. */
function legacySignatureValid(signature, digest, trust) {
    const annotations = signature.layer.annotations;
    const encoded = annotations?.[_legacy_sig__WEBPACK_IMPORTED_MODULE_6__/* .signatureAnnotation */ .I9];
    if (!encoded || !payloadNames(signature.payload, digest))
        return false;
    if (trust instanceof node_crypto__WEBPACK_IMPORTED_MODULE_0__.KeyObject)
        return (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.verify)('sha256', signature.payload, trust, Buffer.from(encoded, 'base64'));
    const bundle = legacyBundle(annotations, {
        messageSignature: {
            messageDigest: {
                algorithm: 'SHA2_256',
                digest: (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(signature.payload).digest('base64')
            },
            signature: encoded
        }
    });
    return (bundle !== undefined &&
        keylessBundleVerified(bundle, trust, signature.payload));
}
/** The in-toto statement of a DSSE bundle signed by the key or a certificate `trust` accepts, if its subject is `digest`. */
function bundleStatement(bundle, digest, trust) {
    try {
        const b = bundle;
        if (b.mediaType !== _bundle_referrer__WEBPACK_IMPORTED_MODULE_4__/* .bundleMediaType */ .l5 || !b.dsseEnvelope)
            return undefined;
        const signed = trust instanceof node_crypto__WEBPACK_IMPORTED_MODULE_0__.KeyObject
            ? envelopeSignedBy(b.dsseEnvelope, trust)
            : keylessBundleVerified(bundle, trust);
        return signed ? statementNaming(b.dsseEnvelope, digest) : undefined;
    }
    catch {
        return undefined;
    }
}
/** Whether one of the envelope's signatures (over DSSE's PAE) verifies with `key`. */
function envelopeSignedBy(envelope, key) {
    const payload = Buffer.from(envelope.payload, 'base64');
    return envelope.signatures.some(s => (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.verify)('sha256', (0,_payload__WEBPACK_IMPORTED_MODULE_7__/* .pae */ .Zg)(envelope.payloadType, payload), key, Buffer.from(s.sig, 'base64')));
}
/** The in-toto statement an (already verified) envelope carries, when it names `digest`. */
function statementNaming(envelope, digest) {
    if (envelope.payloadType !== _payload__WEBPACK_IMPORTED_MODULE_7__/* .inTotoPayloadType */ .OY)
        return undefined;
    const payload = Buffer.from(envelope.payload, 'base64');
    const statement = JSON.parse(payload.toString('utf8'));
    const names = statement.subject?.some(s => s.digest?.sha256 === (0,_oci_digest__WEBPACK_IMPORTED_MODULE_3__/* .digestHex */ .sU)(digest));
    return names
        ? {
            predicateType: statement.predicateType,
            statement: statement
        }
        : undefined;
}
/** The statement of a legacy `.att` layer, when its envelope verifies with `trust` and names `digest`. */
function legacyAttestationStatement(attestation, digest, trust) {
    try {
        const envelope = JSON.parse(attestation.payload.toString('utf8'));
        if (trust instanceof node_crypto__WEBPACK_IMPORTED_MODULE_0__.KeyObject)
            return envelopeSignedBy(envelope, trust)
                ? statementNaming(envelope, digest)
                : undefined;
        const bundle = legacyBundle(attestation.layer.annotations, {
            dsseEnvelope: {
                payload: envelope.payload,
                payloadType: envelope.payloadType,
                signatures: envelope.signatures.map(s => ({
                    sig: s.sig,
                    keyid: s.keyid ?? ''
                }))
            }
        });
        return bundle && keylessBundleVerified(bundle, trust)
            ? statementNaming(envelope, digest)
            : undefined;
    }
    catch {
        return undefined;
    }
}
/** The key hint verifiers use: base64(sha256(SPKI DER)). */
function keyHint(key) {
    return (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256')
        .update(key.export({ type: 'spki', format: 'der' }))
        .digest('base64');
}
/** A certificate's identity and issuer as a person reads them, if it parses. */
function describeCertificate(der) {
    if (!der)
        return undefined;
    try {
        const { identity, issuer } = (0,_certificate__WEBPACK_IMPORTED_MODULE_5__/* .certificateFacts */ .lF)(der);
        if (!identity)
            return undefined;
        return `certificate for ${identity}${issuer ? ` (issuer ${issuer})` : ''}`;
    }
    catch {
        return undefined;
    }
}
/** Who signed, as far as a signature says: a certificate's identity, or a key's hint. */
function signerOf(material) {
    const certificate = describeCertificate(material?.certificate?.rawBytes
        ? Buffer.from(material.certificate.rawBytes, 'base64')
        : undefined);
    if (certificate)
        return certificate;
    return material?.publicKey?.hint
        ? `key with hint ${material.publicKey.hint}`
        : undefined;
}
/** Reads both signature formats of `digest` back from the registry and checks them with `trust`. */
async function verifyImageSignatures(client, repo, digest, trust) {
    const [{ signatures }, { signatures: legacyAttestations }, referrers] = await Promise.all([
        (0,_legacy_sig__WEBPACK_IMPORTED_MODULE_6__/* .readLegacySignatures */ .t6)(client, repo, digest),
        (0,_legacy_sig__WEBPACK_IMPORTED_MODULE_6__/* .readLegacySignatures */ .t6)(client, repo, digest, 'att'),
        (0,_bundle_referrer__WEBPACK_IMPORTED_MODULE_4__/* .listBundleReferrers */ .F7)(client, repo, digest)
    ]);
    const statements = referrers
        .map(r => bundleStatement(r.bundle, digest, trust))
        .filter((s) => s !== undefined);
    const attested = legacyAttestations
        .map(a => legacyAttestationStatement(a, digest, trust))
        .filter((s) => s !== undefined);
    const signers = new Set();
    for (const r of referrers) {
        const signer = signerOf(r.bundle?.verificationMaterial);
        if (signer)
            signers.add(signer);
    }
    for (const signature of signatures) {
        signers.add(describeCertificate((0,_certificate__WEBPACK_IMPORTED_MODULE_5__/* .pemToDer */ .BL)(signature.layer.annotations?.[certificateAnnotation])) ?? 'a key (the .sig does not say which)');
    }
    return {
        signers: [...signers].sort(),
        legacy: {
            verified: signatures.filter(s => legacySignatureValid(s, digest, trust))
                .length,
            total: signatures.length
        },
        bundles: {
            verified: statements.length,
            total: referrers.length,
            predicateTypes: statements.map(s => s.predicateType).sort()
        },
        attestations: {
            verified: attested.length,
            total: legacyAttestations.length,
            predicateTypes: attested.map(s => s.predicateType).sort()
        },
        statements: [...statements, ...attested]
    };
}


/***/ })

};
