import type { BlobStore } from '@concord/storage-adapters/blobs';
import type { ImageData } from './readImageData.js';

/**
 * Puts an image under `key`. Image keys carry the image's hash (or the emoji's id), so a key that already exists holds
 * these very bytes: the store's write-once refusal (BLOB_EXISTS) is success here.
 */
export async function storeImage(blobs: BlobStore, key: string, image: ImageData): Promise<void> {
  try {
    await blobs.put(key, image.bytes, {
      contentType: image.contentType,
      filename: key.slice(key.lastIndexOf('/') + 1),
      maxBytes: image.bytes.length,
    });
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'BLOB_EXISTS') throw error;
  }
}
