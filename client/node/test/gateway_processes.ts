// The real zoom_emulator and livestream_server on loopback port 0 for the
// end-to-end tests, started by the repository's launcher scripts/stack.py.
//
// Binaries come from LIVESTREAM_SERVER_BIN and ZOOM_EMULATOR_BIN; a relative
// path (and the defaults build/server/livestream_server,
// build/tests/zoom_emulator/zoom_emulator) is taken from the repository root.
// The launcher stops both when its stdin closes, which also happens when this
// process dies.

import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';

// dist/test/ -> client/node -> repository root.
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');

export class GatewayProcesses {
  private constructor(
    private readonly launcher: ChildProcess,
    readonly serverTarget: string,
  ) {}

  /** Starts the emulator, then the server pointed at it; both listen on return. */
  static async start(): Promise<GatewayProcesses> {
    const launcher = spawn(path.join(REPO_ROOT, 'scripts', 'stack.py'), [], {
      cwd: REPO_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    launcher.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<string>((resolve) => {
      launcher.once('error', (e) => resolve(`did not start: ${e.message}`));
      // 'close', not 'exit': by then all of stderr has been read.
      launcher.once('close', (code, signal) => resolve(`exited (${code ?? signal})`));
    });
    // The launcher bounds the start-up itself and exits if it fails.
    const lines = readline.createInterface({ input: launcher.stdout! });
    const first = new Promise<string>((resolve) => lines.once('line', resolve));
    const line = await Promise.race([first, exited.then(() => undefined)]);
    lines.close();
    if (line === undefined) {
      throw new Error(`scripts/stack.py ${await exited}: ${stderr}`);
    }
    return new GatewayProcesses(launcher, (JSON.parse(line) as { gateway: string }).gateway);
  }

  /** Closes the launcher's stdin and waits while it stops the processes (it bounds that). */
  async stop(): Promise<void> {
    const child = this.launcher;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin!.end();
    await exited;
  }
}
