export const id = 647;
export const ids = [647];
export const modules = {

/***/ 92647:
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
// EXTERNAL MODULE: ./src/registry/http.ts + 3 modules
var http = __webpack_require__(18669);
// EXTERNAL MODULE: ./src/sign/bundle-referrer.ts
var bundle_referrer = __webpack_require__(45813);
// EXTERNAL MODULE: ./src/sign/legacy-sig.ts
var legacy_sig = __webpack_require__(13110);
// EXTERNAL MODULE: ./src/sign/certificate.ts
var sign_certificate = __webpack_require__(22478);
// EXTERNAL MODULE: ./src/sign/verify.ts
var verify = __webpack_require__(72132);
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
        (await (0,bundle_referrer/* listBundleReferrers */.F7)(client, repo, subject.digest))).find(r => (0,verify.bundleStatement)(r.bundle, subject.digest, known)?.predicateType ===
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
    const statement = (0,verify.legacyAttestationStatement)(layer, digest, trust);
    return (statement?.predicateType === predicateType && sameAs(statement.statement));
}

// EXTERNAL MODULE: ./src/oci/digest.ts
var digest = __webpack_require__(68825);
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
            digest: { sha256: (0,digest/* digestHex */.sU)(inputs.base.digest) },
            annotations: { role: 'base image' }
        });
    }
    for (const layer of inputs.layers) {
        dependencies.push({
            name: layer.source,
            digest: { sha256: (0,digest/* digestHex */.sU)(layer.diffId) },
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
                digest: { sha256: (0,digest/* digestHex */.sU)(inputs.digest) }
            }
        ],
        predicateType: slsaProvenancePredicate,
        predicate
    }));
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: ./src/sign/payload.ts
var sign_payload = __webpack_require__(5911);
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
        (0,verify.legacySignatureValid)(existing, digest, trust));
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
    const report = await (0,verify.verifyImageSignatures)(client, repo, digest, trust);
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
        const { KeylessSigner, keylessConfig } = await Promise.all(/* import() */[__webpack_require__.e(179), __webpack_require__.e(891)]).then(__webpack_require__.bind(__webpack_require__, 52891));
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


/***/ })

};
