import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import * as tar from 'tar';
import * as yauzl from 'yauzl';

/**
 * Readers for the packages the packaging tests unpack: a .vsix (a zip, read with yauzl) and an npm
 * tarball (a gzipped tar, read with node-tar), and the platform a native binary inside them was built for.
 */

export interface ArchiveEntry {
  name: string;
  /** Uncompressed size in bytes. */
  size: number;
  read(): Promise<Buffer>;
}

/** The entries of a zip archive held in memory; each is inflated when read. */
export async function zipEntries(zip: Buffer): Promise<ArchiveEntry[]> {
  const zipfile = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, opened) => (error ? reject(error) : resolve(opened))),
  );
  const openEntry = (entry: yauzl.Entry) =>
    new Promise<Readable>((resolve, reject) => zipfile.openReadStream(entry, (error, stream) => (error ? reject(error) : resolve(stream))));
  return new Promise<ArchiveEntry[]>((resolve, reject) => {
    const entries: ArchiveEntry[] = [];
    zipfile.on('entry', (entry: yauzl.Entry) => {
      entries.push({ name: entry.fileName, size: entry.uncompressedSize, read: async () => buffer(await openEntry(entry)) });
      zipfile.readEntry();
    });
    zipfile.on('end', () => resolve(entries));
    zipfile.on('error', reject);
    zipfile.readEntry();
  });
}

/** The regular files of a gzipped tar archive on disk, with their contents. */
export async function tarGzEntries(file: string): Promise<ArchiveEntry[]> {
  const entries: ArchiveEntry[] = [];
  await tar.list({
    file,
    onReadEntry: (entry) => {
      if (entry.type !== 'File' && entry.type !== 'OldFile') return;
      const chunks: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => chunks.push(chunk));
      entries.push({ name: entry.path, size: entry.size, read: async () => Buffer.concat(chunks) });
    },
  });
  return entries;
}

/** Shared libraries and Node addons, by name (libvips-cpp.so.8.17.3, sharp-win32-x64.node, ...). */
export function isNativeBinary(name: string): boolean {
  return /\.(node|dll|dylib)$/.test(name) || /\.so(\.\d+)*$/.test(name);
}

const ELF_MACHINES: Record<number, string> = { 0x3e: 'x64', 0xb7: 'arm64' };
const MACHO_CPUS: Record<number, string> = { 0x01000007: 'x64', 0x0100000c: 'arm64' };
const PE_MACHINES: Record<number, string> = { 0x8664: 'x64', 0xaa64: 'arm64' };

/** The VS Code target (linux-x64, darwin-arm64, win32-x64, ...) a binary was built for, from its header. */
export function binaryTarget(bytes: Buffer): string {
  if (bytes.length >= 20 && bytes.toString('latin1', 0, 4) === '\x7fELF') {
    return `linux-${ELF_MACHINES[bytes.readUInt16LE(18)] ?? 'unknown'}`;
  }
  if (bytes.length >= 8 && bytes.readUInt32LE(0) === 0xfeedfacf) {
    return `darwin-${MACHO_CPUS[bytes.readUInt32LE(4)] ?? 'unknown'}`;
  }
  if (bytes.length >= 64 && bytes.toString('latin1', 0, 2) === 'MZ') {
    const pe = bytes.readUInt32LE(0x3c);
    if (bytes.toString('latin1', pe, pe + 4) === 'PE\0\0') return `win32-${PE_MACHINES[bytes.readUInt16LE(pe + 4)] ?? 'unknown'}`;
  }
  return 'unknown';
}
