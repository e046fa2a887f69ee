export const id = 783;
export const ids = [783];
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

/***/ 27783:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  writeSignatures: () => (/* binding */ writeSignatures)
});

// EXTERNAL MODULE: ./src/oci/image.ts
var oci_image = __webpack_require__(47812);
// EXTERNAL MODULE: ./src/oci/types.ts
var types = __webpack_require__(3048);
// EXTERNAL MODULE: ./src/github/api.ts
var github_api = __webpack_require__(28943);
// EXTERNAL MODULE: ./src/sbom/index.ts + 16 modules
var sbom = __webpack_require__(56486);
// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __webpack_require__(57975);
// EXTERNAL MODULE: ./src/registry/http.ts + 1 modules
var http = __webpack_require__(17638);
// EXTERNAL MODULE: ./src/sign/bundle-referrer.ts
var bundle_referrer = __webpack_require__(45813);
// EXTERNAL MODULE: ./src/sign/legacy-sig.ts
var legacy_sig = __webpack_require__(13110);
// EXTERNAL MODULE: ./src/sign/certificate.ts
var sign_certificate = __webpack_require__(22478);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: ./node_modules/@sigstore/bundle/dist/index.js
var dist = __webpack_require__(61040);
// EXTERNAL MODULE: ./node_modules/@sigstore/verify/dist/index.js
var verify_dist = __webpack_require__(54187);
// EXTERNAL MODULE: ./src/oci/digest.ts
var oci_digest = __webpack_require__(68825);
// EXTERNAL MODULE: ./src/sign/payload.ts
var sign_payload = __webpack_require__(5911);
;// CONCATENATED MODULE: ./src/sign/verify.ts








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
        const bundle = (0,dist.bundleFromJSON)(json);
        const entity = (0,verify_dist/* toSignedEntity */.DC)(bundle, artifact);
        if (entity.key.$case !== 'certificate')
            return false;
        const leaf = entity.key.certificate;
        const der = leaf.root.toDER();
        const facts = (0,sign_certificate/* certificateFacts */.lF)(der);
        if (facts.identity !== trust.identity || facts.issuer !== trust.issuer)
            return false;
        if (trust.issued?.some(c => c.equals(der)))
            return entity.signature.verifySignature((0,external_node_crypto_.createPublicKey)({ key: leaf.publicKey, format: 'der', type: 'spki' }));
        if (!trust.trustedRoot)
            return false;
        const signer = new verify_dist/* Verifier */.BL(trust.trustedRoot, {
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
    const leaf = (0,sign_certificate/* pemToDer */.BL)(annotations?.[certificateAnnotation]);
    if (!leaf)
        return undefined;
    const set = annotations?.[rekorBundleAnnotation];
    return {
        mediaType: dist.BUNDLE_V01_MEDIA_TYPE,
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
            critical.type === sign_payload/* simpleSigningType */.Iy &&
            critical.image['docker-manifest-digest'] === digest);
    }
    catch {
        return false;
    }
}
/** A legacy `.sig` layer over a payload for `digest`, signed by the key or a certificate `trust` accepts. */
function legacySignatureValid(signature, digest, trust) {
    const annotations = signature.layer.annotations;
    const encoded = annotations?.[legacy_sig/* signatureAnnotation */.I9];
    if (!encoded || !payloadNames(signature.payload, digest))
        return false;
    if (trust instanceof external_node_crypto_.KeyObject)
        return (0,external_node_crypto_.verify)('sha256', signature.payload, trust, Buffer.from(encoded, 'base64'));
    const bundle = legacyBundle(annotations, {
        messageSignature: {
            messageDigest: {
                algorithm: 'SHA2_256',
                digest: (0,external_node_crypto_.createHash)('sha256').update(signature.payload).digest('base64')
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
        if (b.mediaType !== bundle_referrer/* bundleMediaType */.l5 || !b.dsseEnvelope)
            return undefined;
        const signed = trust instanceof external_node_crypto_.KeyObject
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
    return envelope.signatures.some(s => (0,external_node_crypto_.verify)('sha256', (0,sign_payload/* pae */.Zg)(envelope.payloadType, payload), key, Buffer.from(s.sig, 'base64')));
}
/** The in-toto statement an (already verified) envelope carries, when it names `digest`. */
function statementNaming(envelope, digest) {
    if (envelope.payloadType !== sign_payload/* inTotoPayloadType */.OY)
        return undefined;
    const payload = Buffer.from(envelope.payload, 'base64');
    const statement = JSON.parse(payload.toString('utf8'));
    const names = statement.subject?.some(s => s.digest?.sha256 === (0,oci_digest/* digestHex */.sU)(digest));
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
        if (trust instanceof external_node_crypto_.KeyObject)
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
    return createHash('sha256')
        .update(key.export({ type: 'spki', format: 'der' }))
        .digest('base64');
}
/** A certificate's identity and issuer as a person reads them, if it parses. */
function describeCertificate(der) {
    if (!der)
        return undefined;
    try {
        const { identity, issuer } = (0,sign_certificate/* certificateFacts */.lF)(der);
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
        (0,legacy_sig/* readLegacySignatures */.t6)(client, repo, digest),
        (0,legacy_sig/* readLegacySignatures */.t6)(client, repo, digest, 'att'),
        (0,bundle_referrer/* listBundleReferrers */.F7)(client, repo, digest)
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
        signers.add(describeCertificate((0,sign_certificate/* pemToDer */.BL)(signature.layer.annotations?.[certificateAnnotation])) ?? 'a key (the .sig does not say which)');
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

;// CONCATENATED MODULE: ./src/sign/attestation.ts






/**
 * The most a signed attestation may hold: what `.att` layers and bundle referrers are read back
 * with (verification after writing, `imprint verify`, re-runs). One written larger could never be
 * read again, and would make its image's whole `.att` tag unreadable.
 */
const maxAttestationBytes = http/* sizeLimits */.gX.attestation;
/** Room for what a bundle adds to the envelope: signature, certificate, Rekor entry, timestamps. */
const bundleOverhead = 64 * 1024;
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
/**
 * Throws, before anything is signed or written, when the signed form of `statement` (base64 in a
 * DSSE envelope, inside a bundle) could exceed what attestations are read back with. `what` names
 * it in the message (`the SBOM of sha256:…`).
 */
function checkAttestationSize(statement, what, limit = maxAttestationBytes) {
    const signed = 4 * Math.ceil(statement.length / 3) + bundleOverhead;
    if (signed > limit)
        throw new Error(`${what} is ${mib(statement.length)} as an in-toto statement, about ${mib(signed)} once signed: over the ${mib(limit)} attestations are read back with, so it cannot be attached; nothing was signed`);
}
/**
 * The `.att` layer cosign v2 writes for the same signed envelope: the DSSE envelope itself, its
 * predicate type, and (keyless) the certificate and the Rekor SET, so `cosign verify-attestation`
 * and policy engines that read `.att` find what the referrer holds.
 */
function legacyAttestation(bundle, predicateType) {
    const b = bundle;
    const envelope = b.dsseEnvelope;
    if (!envelope)
        throw new Error('the attestation bundle has no DSSE envelope');
    const payload = Buffer.from(JSON.stringify({
        payloadType: envelope.payloadType,
        payload: envelope.payload,
        signatures: envelope.signatures.map(s => ({
            keyid: s.keyid ?? '',
            sig: s.sig
        }))
    }));
    const annotations = {
        [legacy_sig/* signatureAnnotation */.I9]: '',
        [legacy_sig/* predicateTypeAnnotation */.Ti]: predicateType
    };
    const material = b.verificationMaterial;
    const certificate = material?.certificate?.rawBytes;
    if (certificate) {
        annotations['dev.sigstore.cosign/certificate'] = (0,sign_certificate/* certificatePem */.mj)(Buffer.from(certificate, 'base64'));
        annotations['dev.sigstore.cosign/chain'] = '';
    }
    const entry = material?.tlogEntries?.[0];
    if (entry?.inclusionPromise?.signedEntryTimestamp &&
        entry.canonicalizedBody) {
        annotations['dev.sigstore.cosign/bundle'] = JSON.stringify({
            SignedEntryTimestamp: entry.inclusionPromise.signedEntryTimestamp,
            Payload: {
                body: entry.canonicalizedBody,
                integratedTime: Number(entry.integratedTime),
                logIndex: Number(entry.logIndex),
                logID: Buffer.from(entry.logId?.keyId ?? '', 'base64').toString('hex')
            }
        });
    }
    return { payload, annotations };
}
function statementOf(bundle) {
    const payload = bundle.dsseEnvelope?.payload;
    return payload
        ? JSON.parse(Buffer.from(payload, 'base64').toString('utf8'))
        : undefined;
}
/**
 * Signs an in-toto statement once (DSSE) and attaches the signature twice: as a bundle referrer of
 * `subject` (cosign v3) and as a layer of its `.att` tag (cosign v2). The same attestation
 * (`sameAs`) of the same type already there, signed with what `trust` accepts (this run's key,
 * or keyless its certificate identity and issuer), is not signed or written again.
 */
async function attachStatement(client, repo, subject, method, attestation, created, log, options = { legacy: true }) {
    const { predicateType, statement } = attestation;
    const parsed = JSON.parse(statement.toString('utf8'));
    const sameAs = attestation.sameAs ??
        ((existing) => (0,external_node_util_.isDeepStrictEqual)(existing, parsed));
    const known = options.trust ?? (await method.trust());
    const existing = (options.referrers ??
        (await (0,bundle_referrer/* listBundleReferrers */.F7)(client, repo, subject.digest))).find(r => bundleStatement(r.bundle, subject.digest, known)?.predicateType ===
        predicateType && sameAs(statementOf(r.bundle)));
    if (existing) {
        const bundle = `${repo}@${existing.descriptor.digest}`;
        if (!options.legacy)
            return { predicateType, bundle, legacy: '', written: false };
        // The `.att` form may be missing (an image signed before Imprint wrote it): added once.
        const legacy = await (0,legacy_sig/* appendLegacySignature */.cH)(client, repo, subject.digest, legacyAttestation(existing.bundle, predicateType), layer => isSameAttestation(layer, subject.digest, known, predicateType, sameAs), 'att');
        return {
            predicateType,
            bundle,
            legacy: legacy.reference,
            written: legacy.appended,
            signed: existing.bundle
        };
    }
    const signed = await method.statementBundle(statement);
    // The signed bundle itself, before any of it is written: never an attestation too large to read.
    const size = Buffer.byteLength(JSON.stringify(signed));
    if (size > maxAttestationBytes)
        throw new Error(`the signed ${predicateType} attestation of ${repo}@${subject.digest} is ${mib(size)}, over the ${mib(maxAttestationBytes)} attestations are read back with; it was not written`);
    const attached = await (0,bundle_referrer/* attachBundle */.U9)(client, repo, subject, signed, predicateType, created);
    if (attached.viaFallbackTag) {
        log.debug(`${repo.registry} has no referrers API; listed ${predicateType} under the sha256-<hex> fallback tag`);
    }
    if (!options.legacy)
        return {
            predicateType,
            bundle: attached.reference,
            legacy: '',
            written: true
        };
    // An `.att` layer of the same attestation may be there without its referrer: not added twice.
    const legacy = await (0,legacy_sig/* appendLegacySignature */.cH)(client, repo, subject.digest, legacyAttestation(signed, predicateType), layer => isSameAttestation(layer, subject.digest, known, predicateType, sameAs), 'att');
    return {
        predicateType,
        bundle: attached.reference,
        legacy: legacy.reference,
        written: true,
        signed
    };
}
function isSameAttestation(layer, digest, trust, predicateType, sameAs) {
    const statement = legacyAttestationStatement(layer, digest, trust);
    return (statement?.predicateType === predicateType && sameAs(statement.statement));
}

;// CONCATENATED MODULE: ./src/sign/provenance.ts

const slsaProvenancePredicate = 'https://slsa.dev/provenance/v1';
const githubBuildType = 'https://actions.github.io/buildtypes/workflow/v1';
/**
 * A SLSA v1 provenance statement for the image digest, shaped like actions/attest's (GitHub
 * workflow build type), with the base image and every layer source as resolved dependencies.
 */
function provenanceStatement(inputs, env) {
    const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
    const repo = env.GITHUB_REPOSITORY;
    const ref = env.GITHUB_REF ?? '';
    const workflowRef = env.GITHUB_WORKFLOW_REF ?? '';
    const workflowPath = workflowRef
        .replace(/^[^/]+\/[^/]+\//, '')
        .replace(/@.*$/, '');
    const dependencies = [];
    if (repo && inputs.revision) {
        dependencies.push({
            uri: `git+${server}/${repo}@${ref}`,
            digest: { gitCommit: inputs.revision }
        });
    }
    else if (inputs.revision) {
        dependencies.push({
            name: 'source',
            digest: { gitCommit: inputs.revision }
        });
    }
    if (inputs.base?.digest) {
        dependencies.push({
            uri: `oci://${inputs.base.name}`,
            digest: { sha256: (0,oci_digest/* digestHex */.sU)(inputs.base.digest) },
            annotations: { role: 'base image' }
        });
    }
    for (const layer of inputs.layers) {
        dependencies.push({
            name: layer.source,
            digest: { sha256: (0,oci_digest/* digestHex */.sU)(layer.diffId) },
            annotations: {
                role: 'layer',
                destination: layer.destination,
                digestOf: 'uncompressed tar (diffID)'
            }
        });
    }
    const predicate = {
        buildDefinition: {
            buildType: githubBuildType,
            externalParameters: {
                workflow: repo
                    ? { ref, repository: `${server}/${repo}`, path: workflowPath }
                    : { ref: 'local', repository: '', path: '' }
            },
            internalParameters: {
                github: {
                    event_name: env.GITHUB_EVENT_NAME ?? '',
                    repository_id: env.GITHUB_REPOSITORY_ID ?? '',
                    repository_owner_id: env.GITHUB_REPOSITORY_OWNER_ID ?? '',
                    runner_environment: env.RUNNER_ENVIRONMENT ?? ''
                }
            },
            resolvedDependencies: dependencies
        },
        runDetails: {
            builder: {
                id: workflowRef ? `${server}/${workflowRef}` : 'urn:imprint:local'
            },
            metadata: {
                invocationId: repo && env.GITHUB_RUN_ID
                    ? `${server}/${repo}/actions/runs/${env.GITHUB_RUN_ID}/attempts/${env.GITHUB_RUN_ATTEMPT ?? '1'}`
                    : 'urn:imprint:local'
            }
        }
    };
    return Buffer.from(JSON.stringify({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [
            {
                name: inputs.repository.toString().toLowerCase(),
                digest: { sha256: (0,oci_digest/* digestHex */.sU)(inputs.digest) }
            }
        ],
        predicateType: slsaProvenancePredicate,
        predicate
    }));
}

;// CONCATENATED MODULE: ./src/sign/signer.ts







function keyMethod(key) {
    return {
        kind: 'key',
        legacyAnnotations: async (payload) => ({
            [legacy_sig/* signatureAnnotation */.I9]: (0,external_node_crypto_.sign)('sha256', payload, key.privateKey).toString('base64')
        }),
        statementBundle: async (statement) => (0,bundle_referrer/* keyBundle */.KG)(statement, sign_payload/* inTotoPayloadType */.OY, (0,external_node_crypto_.sign)('sha256', (0,sign_payload/* pae */.Zg)(sign_payload/* inTotoPayloadType */.OY, statement), key.privateKey), key.hint),
        trust: async () => key.publicKey
    };
}
function keylessMethod(signer) {
    return {
        kind: 'keyless',
        legacyAnnotations: payload => signer.legacyAnnotations(payload),
        statementBundle: statement => signer.statementBundle(statement, sign_payload/* inTotoPayloadType */.OY),
        trust: async () => {
            const { identity, issuer } = await signer.certificate();
            return {
                identity,
                issuer,
                trustedRoot: signer.trustedRoot,
                // The live list: a certificate renewed while signing counts too.
                issued: signer.issued
            };
        }
    };
}
/**
 * Signs `subject` in both formats verifiers read: the legacy `.sig` simple-signing layer (cosign
 * v2, containers/image, policy engines) and a Sigstore bundle v0.3 referrer (cosign v3), plus
 * signed provenance when asked. Everything is read back from the registry and verified before
 * this returns.
 */
async function signDigest(client, repo, subject, method, created, log, attestations = []) {
    const digest = subject.digest;
    const payload = (0,sign_payload/* simpleSigningPayload */.Kq)(repo, digest);
    const trust = await method.trust();
    const legacy = await (0,legacy_sig/* appendLegacySignature */.cH)(client, repo, digest, async () => ({
        payload,
        annotations: await method.legacyAnnotations(payload)
    }), existing => existing.payload.equals(payload) &&
        legacySignatureValid(existing, digest, trust));
    // What is already attached, listed once: a re-run finds its statements there.
    const referrers = await (0,bundle_referrer/* listBundleReferrers */.F7)(client, repo, digest);
    // The signature as cosign v3 reads it: a bundle of the cosign "sign" statement (no `.att`).
    const bundle = await attachStatement(client, repo, subject, method, {
        statement: (0,sign_payload/* cosignSignStatement */.O2)(digest),
        predicateType: sign_payload/* cosignSignPredicate */.g5
    }, created, log, { legacy: false, referrers, trust });
    const attached = [];
    for (const attestation of attestations)
        attached.push(await attachStatement(client, repo, subject, method, attestation, created, log, { legacy: true, referrers, trust }));
    const report = await verifyImageSignatures(client, repo, digest, trust);
    const wanted = [
        sign_payload/* cosignSignPredicate */.g5,
        ...attestations.map(a => a.predicateType)
    ];
    const inAtt = attestations.map(a => a.predicateType);
    if (report.legacy.verified === 0 ||
        wanted.some(type => !report.bundles.predicateTypes.includes(type)) ||
        inAtt.some(type => !report.attestations.predicateTypes.includes(type))) {
        throw new Error(`signatures of ${repo}@${digest} did not verify after writing (legacy ${report.legacy.verified}/${report.legacy.total}, bundles ${report.bundles.verified}/${report.bundles.total}, attestations ${report.attestations.verified}/${report.attestations.total})`);
    }
    log.info(`${repo}@${digest}: signed (${method.kind}; ${legacy.appended ? 'new' : 'existing'} .sig, ${bundle.written ? 'new' : 'existing'} bundle${attached.length ? `, ${attached.map(a => `${shortType(a.predicateType)} ${a.written ? 'new' : 'existing'}`).join(', ')}` : ''}); verified ${report.legacy.verified} legacy, ${report.bundles.verified} bundle and ${report.attestations.verified} .att signatures`);
    const provenance = attached.find(a => a.predicateType === slsaProvenancePredicate);
    return {
        subject: `${repo}@${digest}`,
        legacy: legacy.reference,
        bundle: bundle.bundle,
        provenance: provenance?.bundle,
        attestations: attached,
        ...(trust instanceof external_node_crypto_.KeyObject ? {} : { identity: trust.identity }),
        written: {
            legacy: legacy.appended,
            bundle: bundle.written,
            provenance: provenance?.written ?? false
        }
    };
}
/** `https://slsa.dev/provenance/v1` → `provenance`, `https://cyclonedx.org/bom` → `SBOM`. */
function shortType(predicateType) {
    if (predicateType === slsaProvenancePredicate)
        return 'provenance';
    if (/cyclonedx|spdx/.test(predicateType))
        return 'SBOM';
    return predicateType;
}

;// CONCATENATED MODULE: ./src/pipeline/signatures.ts







/**
 * The sign stage's work, loaded once `sign` has decided to sign: in every repository the image
 * went to, its signature in both cosign formats, signed provenance on the top-level digest and
 * each platform image's SBOM; keyless attestations also go to GitHub's attestation store.
 */
async function writeSignatures(artifact, base, inputs, signer, options) {
    const { log } = options;
    let keyless;
    let method;
    if (signer === 'keyless') {
        // Fulcio, Rekor and their HTTP stack, the largest part of sigstore-js: keyless runs only.
        const { KeylessSigner, keylessConfig } = await Promise.all(/* import() */[__webpack_require__.e(878), __webpack_require__.e(179), __webpack_require__.e(891)]).then(__webpack_require__.bind(__webpack_require__, 52891));
        keyless = keylessConfig(options.env, options.trustedRoot);
        method = keylessMethod(new KeylessSigner(keyless));
    }
    else {
        method = keyMethod(signer);
    }
    // An SBOM too large to be read back fails here, before any signature is written anywhere.
    for (const [digest, statement] of options.sboms ?? []) {
        try {
            checkAttestationSize(statement, `the SBOM of ${digest}`);
        }
        catch (error) {
            throw new Error(`${error.message} (sbom: false signs the image without it)`);
        }
    }
    return log.group('Sign', async () => {
        log.info(`signing ${method.kind === 'key' ? 'with the signing-key' : 'keyless (Fulcio certificate for this workflow, Rekor entry)'}`);
        const attest = inputs.attest && options.builtHere;
        if (inputs.attest && !attest)
            log.info('provenance: the existing image keeps the one of the run that built it; no new provenance is attached');
        if (keyless && !keyless.trustedRoot)
            log.info(`no trusted root for ${keyless.fulcioURL}: what an earlier run signed cannot be told from a forgery, so a re-run signs again; set $SIGSTORE_TRUSTED_ROOT to its trusted_root.json`);
        const records = [];
        for (const repository of options.repositories)
            records.push(...(await signArtifact(repository, artifact, method, {
                ...options,
                recursive: inputs.signRecursive,
                attest,
                created: (0,types/* rfc3339 */.a)(options.context.sourceDateEpoch),
                revision: options.context.sha,
                base
            })));
        if (method.kind === 'keyless')
            await storeOnGitHub(records, inputs.githubToken, options.context, log);
        // The bundles went where they belong; the result keeps references, not their bytes.
        return records.map(record => ({
            ...record,
            attestations: record.attestations.map(({ signed: _, ...rest }) => rest)
        }));
    });
}
/**
 * Keyless attestations also go to the repository's attestation store, as actions/attest puts
 * them, so `gh attestation verify oci://IMAGE@DIGEST --owner OWNER` finds them. It needs
 * `attestations: write`; without it (or GitHub's API failing) the run only warns.
 */
async function storeOnGitHub(records, token, context, log) {
    const [owner, repo] = (context.repository ?? '').split('/');
    if (!owner || !repo || !token)
        return;
    const api = new github_api/* GitHubApi */.yN(token, context.apiUrl);
    const seen = new Set();
    for (const attestation of records.flatMap(r => r.attestations)) {
        // What an earlier run (a re-run) attached was stored then; only this run's bundles go up.
        if (!attestation.signed || !attestation.written)
            continue;
        if (seen.has(attestation.bundle))
            continue;
        seen.add(attestation.bundle);
        try {
            const { id } = await api.createAttestation(owner, repo, attestation.signed);
            log.info(`${attestation.predicateType}: stored in GitHub's attestations (${id})`);
        }
        catch (error) {
            const hint = (0,github_api/* refusedHint */.yv)(error, 'give the job "attestations: write"');
            log.warning(`attestation not stored on GitHub: ${error.message}${hint}`);
            return;
        }
    }
}
function invocationOf(statement) {
    return statement?.predicate?.runDetails?.metadata?.invocationId;
}
/**
 * What to sign in one repository: the pushed digest (the index for several platforms) with its
 * provenance; each platform manifest too with `recursive`, or to carry its SBOM.
 */
async function signArtifact(repo, artifact, method, options) {
    const top = (0,oci_image/* topLevel */.M4)(artifact);
    const images = artifact.kind === 'image' ? [artifact] : artifact.images;
    const layers = new Map();
    for (const img of images)
        for (const layer of img.layers)
            if (layer.built)
                layers.set(layer.descriptor.digest, layer.built);
    const provenance = provenanceStatement({
        repository: repo,
        digest: top.digest,
        revision: options.revision,
        base: options.base.name
            ? { name: options.base.name, digest: options.base.digest }
            : undefined,
        layers: [...layers.values()]
    }, options.env);
    const invocation = invocationOf(JSON.parse(provenance.toString('utf8')));
    const sbomFor = (digest) => {
        const statement = options.sboms?.get(digest);
        return statement
            ? [{ statement, predicateType: sbom/* cycloneDxPredicateType */.Ti }]
            : [];
    };
    const subjects = [
        {
            subject: {
                mediaType: top.mediaType,
                digest: top.digest,
                size: top.bytes.length
            },
            attestations: [
                ...(options.attest
                    ? [
                        {
                            statement: provenance,
                            predicateType: slsaProvenancePredicate,
                            sameAs: (existing) => invocationOf(existing) === invocation
                        }
                    ]
                    : []),
                ...(artifact.kind === 'image' ? sbomFor(artifact.digest) : [])
            ]
        }
    ];
    if (artifact.kind === 'index') {
        for (const image of artifact.images) {
            const attestations = sbomFor(image.digest);
            if (options.recursive || attestations.length)
                subjects.push({ subject: (0,oci_image/* imageDescriptor */.V1)(image), attestations });
        }
    }
    const client = options.registries.client(repo.registry);
    const records = [];
    for (const { subject, attestations } of subjects)
        records.push(await signDigest(client, repo, subject, method, options.created, options.log, attestations));
    return records;
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


/***/ })

};
