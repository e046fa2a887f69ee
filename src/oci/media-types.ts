/** Media types of the OCI image spec and their Docker v2 schema 2 equivalents. */
export const MediaType = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList:
    'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayer:
    'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip'
} as const

/** Every manifest type a registry may answer with; sent as `Accept` when reading manifests. */
export const manifestMediaTypes = [
  MediaType.ociIndex,
  MediaType.ociManifest,
  MediaType.dockerManifestList,
  MediaType.dockerManifest
]

export function isIndex(mediaType: string | undefined): boolean {
  return (
    mediaType === MediaType.ociIndex ||
    mediaType === MediaType.dockerManifestList
  )
}

export function isImageManifest(mediaType: string | undefined): boolean {
  return (
    mediaType === MediaType.ociManifest ||
    mediaType === MediaType.dockerManifest
  )
}
