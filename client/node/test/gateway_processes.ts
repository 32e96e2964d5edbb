// The real zoom_emulator and livestream_server, started as subprocesses on
// loopback port 0 for the end-to-end tests.
//
// Binaries come from LIVESTREAM_SERVER_BIN and ZOOM_EMULATOR_BIN; a relative
// path (and the defaults build/server/livestream_server,
// build/tests/zoom_emulator/zoom_emulator) is taken from the repository root.

import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

// The token the emulator accepts: a test credential, not a secret.
const EMULATOR_TOKEN = 'emulator-token';
const STARTUP_TIMEOUT_MS = 30_000;

// dist/test/ -> client/node -> repository root.
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');

function binary(envVar: string, defaultRelative: string): string {
  const configured = process.env[envVar];
  const p = path.resolve(REPO_ROOT, configured ? configured : defaultRelative);
  try {
    fs.accessSync(p, fs.constants.X_OK);
  } catch {
    throw new Error(`${envVar}: no executable at ${p} (build it, or set ${envVar})`);
  }
  return p;
}

export class GatewayProcesses {
  private readonly children: ChildProcess[] = [];
  private serverPort = 0;

  private constructor(readonly workDir: string) {}

  /** Starts the emulator, then the server pointed at it; both listen on return. */
  static async start(): Promise<GatewayProcesses> {
    const g = new GatewayProcesses(fs.mkdtempSync(path.join(os.tmpdir(), 'livestream-node-test-')));
    try {
      await g.startAll();
    } catch (err) {
      await g.stop();
      throw err;
    }
    return g;
  }

  get serverTarget(): string {
    return `127.0.0.1:${this.serverPort}`;
  }

  private async startAll(): Promise<void> {
    const emulatorPortFile = path.join(this.workDir, 'emulator.port');
    const emulator = this.launch(
      'zoom_emulator',
      binary('ZOOM_EMULATOR_BIN', 'build/tests/zoom_emulator/zoom_emulator'),
      ['--listen=127.0.0.1:0', `--port_file=${emulatorPortFile}`, '--quiet'],
      {},
    );
    const emulatorPort = await this.waitForPort(emulator, emulatorPortFile, 'zoom_emulator');

    const serverPortFile = path.join(this.workDir, 'server.port');
    const server = this.launch(
      'livestream_server',
      binary('LIVESTREAM_SERVER_BIN', 'build/server/livestream_server'),
      [
        '--listen=127.0.0.1:0',
        `--port_file=${serverPortFile}`,
        `--zoom_api_base_url=http://127.0.0.1:${emulatorPort}/v2`,
      ],
      { ZOOM_ACCESS_TOKEN: EMULATOR_TOKEN },
    );
    this.serverPort = await this.waitForPort(server, serverPortFile, 'livestream_server');
  }

  private launch(name: string, bin: string, args: string[], env: Record<string, string>): ChildProcess {
    const out = fs.openSync(path.join(this.workDir, `${name}.stdout`), 'w');
    const err = fs.openSync(path.join(this.workDir, `${name}.stderr`), 'w');
    try {
      const child = spawn(bin, args, { env: { ...process.env, ...env }, stdio: ['ignore', out, err] });
      this.children.push(child);
      return child;
    } finally {
      fs.closeSync(out);
      fs.closeSync(err);
    }
  }

  /**
   * Polls the port file until it holds a whole port number. Bounded, and
   * fails at once if the process dies: a crash must not look like a slow start.
   */
  private async waitForPort(child: ChildProcess, portFile: string, name: string): Promise<number> {
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    let previous: string | undefined;
    let spawnError: Error | undefined;
    child.once('error', (e) => (spawnError = e));
    while (Date.now() < deadline) {
      if (spawnError) throw new Error(`${name} did not start: ${spawnError.message}`);
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before listening; ${this.logs(name)}`);
      }
      let content: string | undefined;
      try {
        content = fs.readFileSync(portFile, 'utf8');
      } catch {
        content = undefined;
      }
      if (content !== undefined) {
        const trimmed = content.trim();
        // A port file may be seen half-written: accept a value that ends in a
        // newline or that two consecutive reads agree on.
        if (/^\d{1,5}$/.test(trimmed) && (content.endsWith('\n') || trimmed === previous)) {
          const port = Number(trimmed);
          if (port > 0 && port <= 65535) return port;
        }
        previous = trimmed;
      }
      await sleep(20);
    }
    throw new Error(`${name} wrote no port to ${portFile} within ${STARTUP_TIMEOUT_MS} ms; ${this.logs(name)}`);
  }

  /** The tail of a process's stderr, for failure messages. */
  logs(name: string): string {
    try {
      const text = fs.readFileSync(path.join(this.workDir, `${name}.stderr`), 'utf8');
      return `stderr tail: ${text.slice(-2000)}`;
    } catch {
      return 'no stderr';
    }
  }

  /** Stops the server, then the emulator, and removes the work directory. */
  async stop(): Promise<void> {
    for (const child of this.children.reverse()) {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) continue;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    this.children.length = 0;
    fs.rmSync(this.workDir, { recursive: true, force: true });
  }
}
