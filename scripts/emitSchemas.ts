import * as fs from 'node:fs';
import * as path from 'node:path';
import { DATA_FILE_KINDS, jsonSchemaFor } from '../src/core/manifest/dataFileSchemas';

/** Writes one JSON schema per kind of data file; package.json's jsonValidation points at them. */
export function emitSchemas(outDir: string): string[] {
  fs.mkdirSync(outDir, { recursive: true });
  return DATA_FILE_KINDS.map((kind) => {
    const file = path.join(outDir, `${kind.id}.schema.json`);
    fs.writeFileSync(file, `${JSON.stringify(jsonSchemaFor(kind), null, 2)}\n`);
    return file;
  });
}
