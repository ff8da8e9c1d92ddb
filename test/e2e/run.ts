// End-to-end: the packaged extension (actor-studio.vsix) installed in code-server and clicked
// through in Chromium as a person would, in two workspaces: the sample, and an empty folder.
//
//   node out/test/e2e/run.js [--vsix FILE] [--scenario NAME]
//
// Needs `npm run package` (actor-studio.vsix at the repo root) and `npm run compile-tests`.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeSyntheticData } from '../../bench/synthetic';
import { launchChromium, newWorkbenchPage } from '../runners/browser';
import { startCodeServer } from '../runners/codeServer';
import { copyWorkspace, removeOnExit, repoRoot, runMain, Totals } from '../runners/util';
import { accessibilitySteps, THEMES } from './accessibility.e2e';
import { actorsTreeSteps } from './actorsTree.e2e';
import { analyticsPanelSteps } from './analyticsPanel.e2e';
import { apiKeySteps } from './apiKey.e2e';
import { gallerySteps, prepareGallery } from './gallery.e2e';
import { generatorPanelSteps } from './generatorPanel.e2e';
import { panelSwitchSteps } from './panelSwitch.e2e';
import { planReviewSteps } from './planReview.e2e';
import { treeStallLargeSteps, treeStallSteps } from './treeStall.e2e';
import { imageViewerSteps } from './imageViewer.e2e';
import { setCategorySteps } from './setCategory.e2e';
import { captionsSteps } from './captions.e2e';
import { exportPreviewSteps } from './exportPreview.e2e';
import { runSteps, Step } from './stepRunner';
import { welcomeSteps } from './welcome.e2e';

interface Scenario {
  name: string;
  /** A folder to copy as the workspace, or undefined for an empty folder. */
  workspace?: string;
  /** User settings for the editor (a theme). */
  settings?: Record<string, unknown>;
  /** Fills the (copied or empty) workspace before the editor opens it. */
  prepare?: (workspace: string) => Promise<void>;
  steps: Step[];
}

const SCENARIOS: Scenario[] = [
  { name: 'actors-tree', workspace: path.join(repoRoot, 'sample'), steps: actorsTreeSteps },
  { name: 'welcome', steps: welcomeSteps },
  { name: 'generator-panel', workspace: path.join(repoRoot, 'sample'), steps: generatorPanelSteps },
  { name: 'api-key', workspace: path.join(repoRoot, 'sample'), steps: apiKeySteps },
  { name: 'plan-review', workspace: path.join(repoRoot, 'sample'), steps: planReviewSteps },
  { name: 'analytics-panel', workspace: path.join(repoRoot, 'sample'), steps: analyticsPanelSteps },
  ...THEMES.map((theme): Scenario => ({
    name: `accessibility-${theme.id}`,
    workspace: path.join(repoRoot, 'sample'),
    settings: { 'workbench.colorTheme': theme.setting },
    steps: accessibilitySteps(theme),
  })),
  { name: 'tree-stall', workspace: path.join(repoRoot, 'sample'), steps: treeStallSteps },
  {
    name: 'tree-stall-1000',
    prepare: (workspace) => writeSyntheticData(path.join(workspace, 'data'), 1000, 20),
    steps: treeStallLargeSteps,
  },
  { name: 'image-viewer', workspace: path.join(repoRoot, 'sample'), steps: [...imageViewerSteps, ...setCategorySteps] },
  { name: 'captions', workspace: path.join(repoRoot, 'sample'), steps: captionsSteps },
  { name: 'export-preview', workspace: path.join(repoRoot, 'sample'), steps: exportPreviewSteps },
  { name: 'gallery', workspace: path.join(repoRoot, 'sample'), prepare: prepareGallery, steps: gallerySteps },
  { name: 'panel-switch', workspace: path.join(repoRoot, 'sample'), prepare: prepareGallery, steps: panelSwitchSteps },
];

async function runScenario(scenario: Scenario, vsix: string): Promise<Totals> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `actor-studio-e2e-${scenario.name}-`));
  const unregister = removeOnExit(tmp);
  const workspace = scenario.workspace ? copyWorkspace(scenario.workspace, tmp) : path.join(tmp, 'empty-folder');
  fs.mkdirSync(workspace, { recursive: true });
  await scenario.prepare?.(workspace);
  const started = Date.now();
  const server = await startCodeServer({
    workspace,
    trusted: true,
    installVsix: vsix,
    logName: `code-server-e2e-${scenario.name}`,
    settings: scenario.settings,
  });
  console.log(`[${scenario.name}] code-server up on ${server.url} in ${((Date.now() - started) / 1000).toFixed(1)} s with ${path.basename(vsix)} installed`);
  const browser = await launchChromium();
  try {
    const { page } = await newWorkbenchPage(browser, server.logFile);
    // No payload: this is the installed extension, as a user gets it.
    await page.goto(`${server.url}/?${new URLSearchParams({ folder: workspace })}`, { timeout: 60_000 });
    return await runSteps(scenario.name, page, scenario.steps, server.logFile);
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
    unregister();
  }
}

async function main(): Promise<Totals> {
  const index = process.argv.indexOf('--vsix');
  const vsix = index >= 0 ? path.resolve(process.argv[index + 1]) : path.join(repoRoot, 'actor-studio.vsix');
  if (!fs.existsSync(vsix)) throw new Error(`${vsix} missing: run \`npm run package\` first`);
  const totals: Totals = { passed: 0, failed: 0 };
  const only = process.argv.indexOf('--scenario');
  const chosen = only >= 0 ? SCENARIOS.filter((scenario) => scenario.name === process.argv[only + 1]) : SCENARIOS;
  for (const scenario of chosen) {
    const result = await runScenario(scenario, vsix);
    totals.passed += result.passed;
    totals.failed += result.failed;
  }
  return totals;
}

runMain('e2e run', main);
