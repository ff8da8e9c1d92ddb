import { gunzipSync, inflateRawSync } from 'node:zlib';

/**
 * Readers for the packages the packaging tests unpack: a .vsix (a zip) and an npm tarball
 * (a gzipped tar), and the platform a native binary inside them was built for.
 */

export interface ArchiveEntry {
  name: string;
  /** Uncompressed size in bytes. */
  size: number;
  read(): Buffer;
}

const ZIP_END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP_CENTRAL_FILE_HEADER = 0x02014b50;
const ZIP_DEFLATE = 8;

/** The entries of a zip archive, from its central directory. */
export function zipEntries(zip: Buffer): ArchiveEntry[] {
  const signature = Buffer.alloc(4);
  signature.writeUInt32LE(ZIP_END_OF_CENTRAL_DIRECTORY);
  const end = zip.lastIndexOf(signature);
  if (end < 0) throw new Error('not a zip archive: no end of central directory');
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const entries: ArchiveEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(offset) !== ZIP_CENTRAL_FILE_HEADER) throw new Error(`zip central directory broken at entry ${i}`);
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const size = zip.readUInt32LE(offset + 24);
    const nameLength = zip.readUInt16LE(offset + 28);
    const headerLength = 46 + nameLength + zip.readUInt16LE(offset + 30) + zip.readUInt16LE(offset + 32);
    const local = zip.readUInt32LE(offset + 42);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    const read = (): Buffer => {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + compressedSize);
      return method === ZIP_DEFLATE ? inflateRawSync(data) : Buffer.from(data);
    };
    entries.push({ name, size, read });
    offset += headerLength;
  }
  return entries;
}

/** The regular files of a gzipped tar archive (ustar headers, as npm pack writes them). */
export function tarGzEntries(tgz: Buffer): ArchiveEntry[] {
  const tar = gunzipSync(tgz);
  const entries: ArchiveEntry[] = [];
  for (let offset = 0; offset + 512 <= tar.length;) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start: number, length: number) => header.toString('utf8', start, start + length).replace(/\0[\s\S]*$/, '');
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const start = offset + 512;
    if (type === '0' || type === '') entries.push({ name, size, read: () => tar.subarray(start, start + size) });
    offset = start + Math.ceil(size / 512) * 512;
  }
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
