import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cliReference, packageJsonOfRepo, REFERENCE_FILES, settingsReference } from '../../scripts/referenceDocs';

describe('generated references in docs/', () => {
  it("docs/cli.md is the CLI's own help, command by command (npm run docs)", function () {
    this.timeout(60_000);
    assert.equal(readFileSync(REFERENCE_FILES.cli, 'utf8'), cliReference(), 'docs/cli.md drifted from the CLI: run npm run docs');
  });

  it('docs/settings.md lists every setting of package.json with its default (npm run docs)', () => {
    const packageJson = packageJsonOfRepo();
    const text = settingsReference(packageJson);
    assert.equal(readFileSync(REFERENCE_FILES.settings, 'utf8'), text, 'docs/settings.md drifted from package.json: run npm run docs');
    for (const key of Object.keys(packageJson.contributes.configuration.properties)) {
      assert.ok(text.includes(`## \`${key}\``), key);
    }
  });
});
