import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort } from '@boxoffice/testing';

// The chaos run's flake: ports picked by listen(0) and released were handed again to others before its services,
// its PostgreSQL or Redis bound (or re-bound after a kill) them.
const kernelPort = () =>
  new Promise<number>((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

describe('freePort', () => {
  it('when other code keeps asking the kernel for ports, then it is never given one freePort reserved and left unbound', async () => {
    const reserved = new Set<number>();
    for (let i = 0; i < 9; i++) reserved.add(await freePort()); // a stack's services, PostgreSQL and Redis
    const handedOut: number[] = [];
    for (let i = 0; i < 5_000; i++) handedOut.push(await kernelPort());
    expect(handedOut.filter((port) => reserved.has(port))).toEqual([]);
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    for (const port of reserved) expect(port).toBeLessThan(low!);
  });

  it('when two processes reserve ports at the same time, then they never get the same one', async () => {
    // the other process keeps its ports until we close its stdin, as a running test would
    const script = `
      const { freePort } = require(${JSON.stringify(path.join(__dirname, '..', 'dist', 'index.js'))});
      (async () => {
        const ports = [];
        for (let i = 0; i < 300; i++) ports.push(await freePort());
        console.log(JSON.stringify(ports));
        process.stdin.resume();
        process.stdin.on('end', () => process.exit(0));
      })();`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    const theirs = new Promise<number[]>((resolve) => {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('\n')) resolve(JSON.parse(output));
      });
    });
    try {
      const mine: number[] = [];
      for (let i = 0; i < 300; i++) mine.push(await freePort());
      const other = await theirs;
      expect(new Set(mine).size).toBe(300);
      expect(other.filter((port) => mine.includes(port))).toEqual([]);
    } finally {
      child.stdin.end();
    }
  });
});
