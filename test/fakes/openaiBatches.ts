import type * as http from 'node:http';
import type { ChatAnswer } from './openaiServer';

/**
 * OpenAI's Files and Batch endpoints, in memory, in their wire format (what the `openai` SDK
 * sends and reads): POST /v1/files (multipart upload), GET /v1/files/{id}/content, POST
 * /v1/batches, GET /v1/batches/{id}, POST /v1/batches/{id}/cancel. A batch runs its JSONL lines
 * through the server's chat answers (the same script), one step per retrieve: `validating`,
 * then `in_progress` for `pollsInProgress` retrieves, then done. Lines answered with a non-200
 * status go to the error file, the others to the output file; `expireAfterLines` makes the
 * batch expire with only that many lines run.
 */

export interface FakeFile {
  id: string;
  filename: string;
  purpose: string;
  content: string;
  created_at: number;
}

export interface FakeBatch {
  id: string;
  object: 'batch';
  endpoint: string;
  errors: null | { object: 'list'; data: { code: string; message: string; line: number | null; param: null }[] };
  input_file_id: string;
  completion_window: string;
  status: 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  in_progress_at: number | null;
  expires_at: number;
  completed_at: number | null;
  expired_at: number | null;
  cancelled_at: number | null;
  request_counts: { total: number; completed: number; failed: number };
  metadata: null;
}

export class FakeBatches {
  readonly files = new Map<string, FakeFile>();
  readonly batches = new Map<string, FakeBatch>();
  /** Every call, as `METHOD path`, in order. */
  readonly calls: string[] = [];
  /** Retrieves a batch stays in_progress before it runs its lines. */
  pollsInProgress = 1;
  /** When set, a batch runs only this many lines and then expires. */
  expireAfterLines: number | undefined;
  #polls = new Map<string, number>();
  #next = 0;

  handle(method: string, url: string, headers: http.IncomingHttpHeaders, raw: Buffer, answer: (body: unknown) => ChatAnswer): ChatAnswer {
    const route = url.split('?')[0]!;
    this.calls.push(`${method} ${route}`);
    const now = Math.floor(Date.now() / 1000);
    let match: RegExpExecArray | null;
    if (method === 'POST' && route === '/v1/files') {
      const form = parseMultipart(raw, String(headers['content-type'] ?? ''));
      if (!form.file || form.purpose !== 'batch') {
        return invalid('a file and purpose "batch" are required');
      }
      const file = this.#addFile(form.file.filename, 'batch', form.file.content);
      return ok(fileObject(file));
    }
    if (method === 'GET' && (match = /^\/v1\/files\/([^/]+)\/content$/.exec(route))) {
      const file = this.files.get(match[1]!);
      return file ? { status: 200, payload: file.content, headers: { 'content-type': 'application/octet-stream' } } : missing(route);
    }
    if (method === 'POST' && route === '/v1/batches') {
      const body = JSON.parse(raw.toString('utf8')) as { input_file_id?: string; endpoint?: string; completion_window?: string };
      const input = body.input_file_id ? this.files.get(body.input_file_id) : undefined;
      if (!input || body.endpoint !== '/v1/chat/completions' || body.completion_window !== '24h') {
        return invalid('input_file_id, endpoint /v1/chat/completions and completion_window 24h are required');
      }
      const batch: FakeBatch = {
        id: `batch_${++this.#next}`,
        object: 'batch',
        endpoint: body.endpoint,
        errors: null,
        input_file_id: input.id,
        completion_window: '24h',
        status: 'validating',
        output_file_id: null,
        error_file_id: null,
        created_at: now,
        in_progress_at: null,
        expires_at: now + 86_400,
        completed_at: null,
        expired_at: null,
        cancelled_at: null,
        request_counts: { total: 0, completed: 0, failed: 0 },
        metadata: null,
      };
      this.batches.set(batch.id, batch);
      return ok(batch);
    }
    if ((match = /^\/v1\/batches\/([^/]+)(\/cancel)?$/.exec(route))) {
      const batch = this.batches.get(match[1]!);
      if (!batch) {
        return missing(route);
      }
      if (method === 'POST' && match[2]) {
        if (!isDone(batch)) {
          Object.assign(batch, { status: 'cancelled', cancelled_at: now });
          this.#finish(batch, 0, answer);
        }
        return ok(batch);
      }
      if (method === 'GET' && !match[2]) {
        this.#advance(batch, answer);
        return ok(batch);
      }
    }
    return missing(route);
  }

  #addFile(filename: string, purpose: string, content: string): FakeFile {
    const file = { id: `file-${++this.#next}`, filename, purpose, content, created_at: Math.floor(Date.now() / 1000) };
    this.files.set(file.id, file);
    return file;
  }

  /** One step of the batch's life per retrieve. */
  #advance(batch: FakeBatch, answer: (body: unknown) => ChatAnswer): void {
    if (isDone(batch)) {
      return;
    }
    const lines = this.#lines(batch);
    if (batch.status === 'validating') {
      Object.assign(batch, { status: 'in_progress', in_progress_at: Math.floor(Date.now() / 1000) });
      batch.request_counts.total = lines.length;
      return;
    }
    const polls = (this.#polls.get(batch.id) ?? 0) + 1;
    this.#polls.set(batch.id, polls);
    if (polls < this.pollsInProgress) {
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    if (this.expireAfterLines !== undefined && this.expireAfterLines < lines.length) {
      Object.assign(batch, { status: 'expired', expired_at: now });
      this.#finish(batch, this.expireAfterLines, answer);
    } else {
      Object.assign(batch, { status: 'completed', completed_at: now });
      this.#finish(batch, lines.length, answer);
    }
  }

  #lines(batch: FakeBatch): { custom_id: string; body: unknown }[] {
    return this.files
      .get(batch.input_file_id)!
      .content.split('\n')
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line) as { custom_id: string; body: unknown });
  }

  /** Runs the first `run` lines through the chat answers and writes the output and error files. */
  #finish(batch: FakeBatch, run: number, answer: (body: unknown) => ChatAnswer): void {
    const output: string[] = [];
    const errors: string[] = [];
    for (const [index, line] of this.#lines(batch).slice(0, run).entries()) {
      const result = answer(line.body);
      const record = {
        id: `batch_req_${batch.id}_${index + 1}`,
        custom_id: line.custom_id,
        response: { status_code: result.status, request_id: `req_${index + 1}`, body: result.payload },
        error: null,
      };
      (result.status === 200 ? output : errors).push(JSON.stringify(record));
    }
    batch.request_counts = { total: this.#lines(batch).length, completed: output.length, failed: errors.length };
    if (output.length > 0) {
      batch.output_file_id = this.#addFile(`${batch.id}_output.jsonl`, 'batch_output', `${output.join('\n')}\n`).id;
    }
    if (errors.length > 0) {
      batch.error_file_id = this.#addFile(`${batch.id}_error.jsonl`, 'batch_output', `${errors.join('\n')}\n`).id;
    }
  }
}

function isDone(batch: FakeBatch): boolean {
  return ['completed', 'expired', 'cancelled', 'failed'].includes(batch.status);
}

function fileObject(file: FakeFile): unknown {
  return {
    id: file.id,
    object: 'file',
    bytes: Buffer.byteLength(file.content),
    created_at: file.created_at,
    filename: file.filename,
    purpose: file.purpose,
    status: 'processed',
  };
}

const ok = (payload: unknown): ChatAnswer => ({ status: 200, payload });
const invalid = (message: string): ChatAnswer => ({
  status: 400,
  payload: { error: { message, type: 'invalid_request_error', code: null, param: null } },
});
const missing = (route: string): ChatAnswer => ({
  status: 404,
  payload: { error: { message: `No such object: ${route}`, type: 'invalid_request_error', code: null, param: null } },
});

/** The text fields and the one file of a multipart/form-data body (the SDK's upload). */
function parseMultipart(raw: Buffer, contentType: string): { purpose?: string; file?: { filename: string; content: string } } {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) {
    return {};
  }
  const form: { purpose?: string; file?: { filename: string; content: string } } = {};
  for (const part of raw.toString('utf8').split(`--${boundary[1] ?? boundary[2]}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const head = part.slice(0, split);
    const value = part.slice(split + 4).replace(/\r\n$/, '');
    const name = /name="([^"]+)"/.exec(head)?.[1];
    const filename = /filename="([^"]*)"/.exec(head)?.[1];
    if (name === 'file' && filename !== undefined) {
      form.file = { filename, content: value };
    } else if (name === 'purpose') {
      form.purpose = value;
    }
  }
  return form;
}
