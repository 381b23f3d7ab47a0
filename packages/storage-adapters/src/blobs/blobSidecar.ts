import { BlobCorruptError } from './BlobError.js';
import type { BlobInfo } from './BlobStore.js';

// The metadata file kept beside each blob. Versioned, so a later layout can read (or migrate) what this one wrote.
const SIDECAR_VERSION = 1;

interface SidecarV1 {
  v: 1;
  key: string;
  size: number;
  contentType: string;
  filename: string;
  sha256: string;
  width?: number;
  height?: number;
  createdAt: string;
}

export function encodeBlobSidecar(info: BlobInfo): string {
  const sidecar: SidecarV1 = {
    v: SIDECAR_VERSION,
    key: info.key,
    size: info.size,
    contentType: info.contentType,
    filename: info.filename,
    sha256: info.sha256,
    ...(info.width !== undefined && { width: info.width }),
    ...(info.height !== undefined && { height: info.height }),
    createdAt: info.createdAt.toISOString(),
  };
  return `${JSON.stringify(sidecar)}\n`;
}

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** Parses a sidecar and checks every field, since the file is outside this process's control once written. */
export function decodeBlobSidecar(text: string, key: string): BlobInfo {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new BlobCorruptError(`metadata of blob ${key} is not JSON`, { cause });
  }
  const s = parsed as Partial<Record<keyof SidecarV1, unknown>> | null;
  const createdAt = typeof s?.createdAt === 'string' ? new Date(s.createdAt) : undefined;
  if (
    s === null ||
    typeof s !== 'object' ||
    s.v !== SIDECAR_VERSION ||
    s.key !== key ||
    !isCount(s.size) ||
    typeof s.contentType !== 'string' ||
    typeof s.filename !== 'string' ||
    typeof s.sha256 !== 'string' ||
    !/^[0-9a-f]{64}$/.test(s.sha256) ||
    (s.width !== undefined && !isCount(s.width)) ||
    (s.height !== undefined && !isCount(s.height)) ||
    createdAt === undefined ||
    Number.isNaN(createdAt.getTime())
  ) {
    throw new BlobCorruptError(`metadata of blob ${key} is malformed`);
  }
  return {
    key,
    size: s.size,
    contentType: s.contentType,
    filename: s.filename,
    sha256: s.sha256,
    ...(typeof s.width === 'number' && { width: s.width }),
    ...(typeof s.height === 'number' && { height: s.height }),
    createdAt,
  };
}
