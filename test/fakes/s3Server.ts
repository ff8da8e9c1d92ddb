import { ChildProcess, fork } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type S3rver from 's3rver';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ObjectStore, S3StoreOptions } from '../../src/core/storage/s3Store';

/** The only credentials s3rver accepts. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** The environment a CLI run needs to reach s3rver (its fixed credentials). */
export const S3RVER_ENV = { AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey };

/** CLI flags for a data folder mirrored to this s3rver, with JSON output. */
export function s3CliArgs(s3: { bucket: string; endpoint: string }, dataRoot: string): string[] {
  return ['--data', dataRoot, '--s3-bucket', s3.bucket, '--s3-endpoint', s3.endpoint, '--json'];
}
export const S3RVER_REGION = 'us-east-1';

export interface S3TestServer {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  bucket: string;
  /** Where s3rver keeps the objects; survives stop() and restart(). */
  dir: string;
  /** Stops listening (S3 "down"); the objects stay. */
  stop(): Promise<void>;
  /** Listens again on the same port with the same objects (S3 "back"). */
  restart(): Promise<void>;
  /** Stops the server process and removes the directory. */
  dispose(): Promise<void>;
}

type Command = { command: 'start'; port: number; dir: string; bucket?: string } | { command: 'stop' };
type Reply = { ok: true; port?: number } | { ok: false; error: string };

/**
 * A real S3-compatible server (s3rver 3.7.1) on 127.0.0.1, with a fresh temporary directory and
 * one bucket, logs silenced. It runs in a child process started with `--openssl-legacy-provider`:
 * s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node 17 and later)
 * refuses, so in-process it answers every second page with a 500.
 */
export async function startS3Server(options: { bucket?: string } = {}): Promise<S3TestServer> {
  const bucket = options.bucket ?? 'actor-studio-test';
  const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'actor-studio-s3-')));
  const child = fork(__filename, [], { execArgv: ['--openssl-legacy-provider'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const send = replier(child);
  let running = true;

  const { port } = await send({ command: 'start', port: 0, dir, bucket });
  const stop = async (): Promise<void> => {
    if (running) {
      running = false;
      await send({ command: 'stop' });
    }
  };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    dir,
    stop,
    async restart() {
      if (running) {
        throw new Error('the S3 test server is already running');
      }
      // The bucket already exists in `dir`; s3rver serves it again as it was.
      await send({ command: 'start', port: port!, dir });
      running = true;
    },
    async dispose() {
      await stop();
      child.disconnect();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** Sends one command at a time and resolves with the child's reply; a dead child rejects with its stderr. */
function replier(child: ChildProcess): (command: Command) => Promise<{ port?: number }> {
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  let previous: Promise<unknown> = Promise.resolve();
  return (command) => {
    const next = previous.then(
      () =>
        new Promise<{ port?: number }>((resolve, reject) => {
          const onExit = (code: number | null) => reject(new Error(`the S3 test server exited (${code}): ${stderr}`));
          child.once('exit', onExit);
          child.once('message', (reply: Reply) => {
            child.off('exit', onExit);
            if (reply.ok) {
              resolve({ port: reply.port });
            } else {
              reject(new Error(`the S3 test server failed: ${reply.error}`));
            }
          });
          child.send(command);
        }),
    );
    previous = next.catch(() => undefined);
    return next;
  };
}

/** The child side: runs s3rver as the parent commands, and ends with the parent. */
function serveForParent(): void {
  const S3rverServer: typeof S3rver = require('s3rver');
  let server: S3rver | undefined;
  process.on('message', async (message: Command) => {
    try {
      if (message.command === 'start') {
        const configureBuckets = message.bucket ? [{ name: message.bucket }] : [];
        server = new S3rverServer({ address: '127.0.0.1', port: message.port, directory: message.dir, silent: true, configureBuckets });
        const { port } = await server.run();
        process.send!({ ok: true, port } satisfies Reply);
      } else {
        await server?.close();
        server = undefined;
        process.send!({ ok: true } satisfies Reply);
      }
    } catch (error) {
      process.send!({ ok: false, error: String((error as Error).stack ?? error) } satisfies Reply);
    }
  });
  process.on('disconnect', () => process.exit(0));
}

if (require.main === module) {
  serveForParent();
}

/** An S3ObjectStore on the test server; one attempt per request so "S3 down" fails at once. */
export function s3StoreFor(server: S3TestServer, options: Partial<S3StoreOptions> = {}): S3ObjectStore {
  return new S3ObjectStore({
    bucket: server.bucket,
    region: S3RVER_REGION,
    endpoint: server.endpoint,
    credentials: S3RVER_CREDENTIALS,
    maxAttempts: 1,
    ...options,
  });
}

/** A plain SDK client on the test server, to check what the store did from the outside. */
export function s3ClientFor(server: S3TestServer): S3Client {
  return new S3Client({
    region: S3RVER_REGION,
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
