import { runCli } from '../../../src/cli/main';
import { REPO_ROOT } from './tempData';

/** Runs the CLI in-process as a user would, capturing its exit code and output. */
export async function cli(args: string[], env: NodeJS.ProcessEnv = {}, cwd = REPO_ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { stdout: (text) => out.push(text), stderr: (text) => err.push(text), cwd, isTTY: false, env });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}
