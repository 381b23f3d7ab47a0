// REST v10 under /api/v10, as any Discord client calls it: JSON bodies, multipart for files, 429s waited out.

let token = '';

export function setToken(value: string): void {
  token = value;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: number | undefined,
  ) {
    super(message);
  }
}

async function send<T>(method: string, path: string, init: () => RequestInit): Promise<T> {
  for (;;) {
    const res = await fetch(`/api/v10${path}`, { method, ...init() });
    if (res.status === 429) {
      const { retry_after } = (await res.json()) as { retry_after: number };
      await new Promise((r) => setTimeout(r, retry_after * 1000 + 50));
      continue;
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    const data = (text ? JSON.parse(text) : undefined) as (T & { message?: string; code?: number }) | undefined;
    if (!res.ok) throw new ApiError(data?.message ?? `HTTP ${res.status}`, res.status, data?.code);
    return data as T;
  }
}

/** A JSON request; `reason` goes to the audit log as `X-Audit-Log-Reason` (URL-encoded, as Discord reads it). */
export function api<T = unknown>(method: string, path: string, body?: unknown, reason?: string): Promise<T> {
  return send<T>(method, path, () => ({
    headers: {
      Authorization: token,
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...(reason ? { 'X-Audit-Log-Reason': encodeURIComponent(reason) } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  }));
}

/** `POST` with files: `payload_json` plus `files[n]`, as Discord takes uploads. */
export function upload<T = unknown>(path: string, payload: Record<string, unknown>, files: File[]): Promise<T> {
  return multipart<T>(path, { ...payload, attachments: files.map((f, i) => ({ id: i, filename: f.name })) }, files);
}

/** `POST` of `payload_json` as given (it numbers the files itself) and `files[n]`. */
export function multipart<T = unknown>(path: string, payload: Record<string, unknown>, files: File[]): Promise<T> {
  return send<T>('POST', path, () => {
    const form = new FormData();
    form.append('payload_json', JSON.stringify(payload));
    files.forEach((f, i) => {
      form.append(`files[${i}]`, f, f.name);
    });
    return { headers: { Authorization: token }, body: form };
  });
}
