import type { APIAttachment } from 'discord-api-types/v10';
import type { RestRequest } from '../pipeline/RouteDefinition.js';

/**
 * The uploaded files as the message's attachments, in `files[n]` order, each with the `description` (alt text) its
 * `payload_json.attachments` entry gives (Discord matches them by `id` = `n`).
 */
export function attachmentsOf(req: RestRequest): APIAttachment[] {
  const declared = (req.body as { attachments?: unknown } | null)?.attachments;
  const descriptions = new Map<string, string>();
  if (Array.isArray(declared)) {
    for (const item of declared) {
      const { id, description } = (item ?? {}) as { id?: unknown; description?: unknown };
      if ((typeof id === 'string' || typeof id === 'number') && typeof description === 'string') {
        descriptions.set(String(id), description.slice(0, 1024));
      }
    }
  }
  return [...req.files]
    .sort((a, b) => a.index - b.index)
    .map((file) => {
      const description = descriptions.get(String(file.index));
      return description === undefined ? file.attachment : { ...file.attachment, description };
    });
}

/** The JSON body without its `attachments` list when files came with it (the service gets the stored ones). */
export function withoutUploadList(req: RestRequest): unknown {
  if (req.files.length === 0 || typeof req.body !== 'object' || req.body === null) return req.body;
  const { attachments: _declared, ...rest } = req.body as Record<string, unknown>;
  return rest;
}
