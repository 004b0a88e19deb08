/**
 * Helpers for tests that read captures with Debian's tshark (a real
 * dissector, listed in .ci/packages.d/tshark.txt). A missing tshark fails
 * the test: there is no fallback.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs tshark with `args`; throws when it is missing or exits non-zero. */
export function tshark(args: readonly string[]): string {
  try {
    return execFileSync('tshark', ['-n', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('tshark is not installed: apt-get install tshark (see .ci/packages.d/tshark.txt)');
    throw new Error(`tshark ${args.join(' ')} failed: ${e.stderr ?? e.message}`);
  }
}

/** Writes chunks to a fresh temporary .pcapng file; returns its path. */
export function writeCapture(name: string, chunks: readonly Uint8Array[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'vpnsim-pcap-'));
  const file = join(dir, `${name}.pcapng`);
  writeFileSync(file, Buffer.concat(chunks));
  return file;
}

/** One row per frame of the given fields (tab-separated by tshark), optionally filtered. */
export function fields(file: string, names: readonly string[], filter?: string): string[][] {
  const args = ['-r', file, '-T', 'fields', ...names.flatMap((n) => ['-e', n])];
  if (filter) args.push('-Y', filter);
  return tshark(args).split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
}

/**
 * Frames tshark marks malformed or with an expert error, as `frame: info`
 * lines. Checksums are validated (ip, udp, tcp) so a bad one is an error too.
 */
export function problems(file: string): string[] {
  const rows = tshark(['-r', file, '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE',
    '-Y', '_ws.malformed || _ws.expert.severity == "Error"', '-T', 'fields', '-e', 'frame.number', '-e', '_ws.expert.message', '-e', '_ws.col.Info']);
  return rows.split('\n').filter((l) => l.length > 0);
}
