import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { invalidFormBody } from '../errors/invalidFormBody.js';
import { restErrors } from '../errors/restErrors.js';
import { withCause } from '../errors/toRestError.js';
import type { RestContext } from '../pipeline/RestContext.js';
import type { UploadedFile } from '../pipeline/RouteDefinition.js';
import { parseJsonBody } from './parseJsonBody.js';
import { sanitizeFilename } from './sanitizeFilename.js';

const FILE_FIELD = /^files\[(\d{1,2})\]$/;

/**
 * A `multipart/form-data` request in Discord's upload format: the JSON body in the `payload_json` field (or plain
 * fields, each a top-level string), files in `files[n]` fields (`n` is what `payload_json.attachments[].id` refers
 * to). Each file is streamed into the blob store under `<channel>/<attachment id>/<filename>` as it arrives, never
 * buffered whole; @fastify/multipart's limits (set in createRestPlugin.ts) bound the count and sizes. When a part
 * fails, the files already stored are deleted and the error thrown.
 */
export async function readUploads(
  ctx: RestContext,
  request: FastifyRequest,
  channelId: string,
  cdnBase: string,
): Promise<{ body: unknown; files: UploadedFile[] }> {
  const blobs = ctx.blobs;
  if (!blobs) throw invalidFormBody([], 'CONTENT_TYPE_INVALID', 'Uploads are not enabled on this server.');
  let body: Record<string, unknown> | undefined;
  const fields: Record<string, unknown> = {};
  const files: UploadedFile[] = [];
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (part.valueTruncated) throw restErrors.tooLarge();
        if (part.fieldname === 'payload_json') {
          const parsed = parseJsonBody(Buffer.from(String(part.value), 'utf8'));
          if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
            throw invalidFormBody(['payload_json'], 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
          }
          body = parsed as Record<string, unknown>;
        } else if (part.fieldname !== '__proto__') {
          fields[part.fieldname] = part.value;
        }
        continue;
      }
      const match = FILE_FIELD.exec(part.fieldname);
      const index = match ? Number(match[1]) : files.length;
      if (files.some((f) => f.index === index)) {
        part.file.resume();
        throw invalidFormBody(['files', index], 'BASE_TYPE_BAD_TYPE', 'Duplicate file index.');
      }
      const filename = sanitizeFilename(part.filename);
      const id = ctx.ids.nextString();
      const key = `${channelId}/${id}/${filename}`;
      const info = await blobs.put(key, part.file as unknown as Readable, {
        filename,
        maxBytes: ctx.maxFileBytes,
        ...(part.mimetype && part.mimetype !== 'application/octet-stream' ? { contentType: part.mimetype } : {}),
      });
      // busboy stops at its own limit without an error when throwFileSizeLimit is off; ours is on, but check anyway.
      if ((part.file as { truncated?: boolean }).truncated) {
        await blobs.delete(key);
        throw restErrors.tooLarge();
      }
      const url = `${cdnBase}/attachments/${channelId}/${id}/${filename}`;
      files.push({
        index,
        key,
        attachment: {
          id,
          filename,
          size: info.size,
          url,
          proxy_url: url,
          content_type: info.contentType,
          ...(info.width !== undefined && info.height !== undefined ? { width: info.width, height: info.height } : {}),
        },
      });
    }
  } catch (error) {
    await deleteUploads(ctx, files);
    // busboy reports a malformed form (a missing closing boundary, a bad part header) with a plain Error.
    if (error instanceof Error && error.constructor === Error && (error as { code?: unknown }).code === undefined) {
      throw withCause(invalidFormBody([], 'CONTENT_TYPE_INVALID', 'The multipart/form-data body is malformed.'), error);
    }
    throw error;
  }
  return { body: body ?? fields, files };
}

/** Deletes stored uploads of a request that failed (best effort: the answer is the original error). */
export async function deleteUploads(ctx: RestContext, files: readonly UploadedFile[]): Promise<void> {
  if (!ctx.blobs || files.length === 0) return;
  await Promise.allSettled(files.map((f) => ctx.blobs!.delete(f.key)));
}
