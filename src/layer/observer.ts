import type { Blob } from '../oci/image'
import type { GrowingFile } from './growing-file'

/**
 * Hears of the blobs an image will need as the build produces them, so a sink can start on them
 * before the image is assembled (the registry sink uploads them early). The build knows nothing
 * of what the observer does.
 */
export interface BlobObserver {
  /** A blob exists: a base layer once the sources are checked, a new layer once written. */
  blob(blob: Blob): void
  /** A large layer is about to be written and can be read as it grows; no `blob` call follows. */
  growing(file: GrowingFile, name: string): void
}
