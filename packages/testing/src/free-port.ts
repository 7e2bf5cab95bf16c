import { randomInt } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/*
 * Ports for processes a test starts later (or restarts after a kill): chosen where nobody else can be handed them
 * in between. A port the kernel picked (listen on 0) and released is free again for the kernel to give to the
 * next listen(0) or outgoing connection of any process: under a full suite one did, a service or the chaos run's
 * PostgreSQL then failed to bind, and the run stopped early. So: below the kernel's ephemeral range (which
 * listen(0) and connect() draw from), and claimed by a lock file naming this process, so two tests never pick the
 * same one. Claims are released when the process exits; a dead owner's claim is taken over.
 */
const LOCK_DIR = path.join(os.tmpdir(), 'boxoffice-port-claims');
const LOWEST = 20_000; // above the well-known ports the stack and the tests use by name (5001 … 19293)
const claimed = new Set<number>();

function ephemeralLow(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return low && low > LOWEST ? low : 32_768;
  } catch {
    return 32_768;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Claims `port` for this process with an exclusive lock file; false when a live process holds it. */
function claim(port: number): boolean {
  const file = path.join(LOCK_DIR, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(file, 'utf8'));
      if (owner && alive(owner)) return false;
      try {
        unlinkSync(file); // its owner died without releasing it
      } catch {
        // another process took it over first
      }
    }
  }
  return false;
}

function release(port: number): void {
  try {
    unlinkSync(path.join(LOCK_DIR, String(port)));
  } catch {
    // already gone
  }
}

process.once('exit', () => {
  for (const port of claimed) release(port);
});

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A free TCP port on loopback that stays this process's until it exits (see above). */
export async function freePort(): Promise<number> {
  mkdirSync(LOCK_DIR, { recursive: true });
  const high = ephemeralLow() - 1;
  for (let attempt = 0; attempt < 500; attempt++) {
    const port = randomInt(LOWEST, high + 1);
    if (claimed.has(port) || !claim(port)) continue;
    if (await canBind(port)) {
      claimed.add(port);
      return port;
    }
    release(port);
  }
  throw new Error(`no free port between ${LOWEST} and ${high} after 500 tries`);
}
