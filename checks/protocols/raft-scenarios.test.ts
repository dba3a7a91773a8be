/**
 * Raft scenario scripts (checks/protocols/raft-scenarios/*.txt), after etcd-io/raft's
 * data-driven tests: each script drives the machine step by step through its ordinary actions
 * and compares every command's output with the golden text in the file. They show the machine
 * behaving like Raft on the paths everyone knows: an election and a commit, a split vote, a
 * partitioned leader, a crashed leader, log repair by the consistency check, and Figure 8 (with
 * the correct commit rule, and with bug figure8).
 *
 * Rewrite the expected outputs after an intended change with
 * `RAFT_GOLDEN=update npx vitest run checks/protocols/raft-scenarios.test.ts`.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseScenario, RaftScenario, renderScenario, runScenario } from './raft-scenarios/driver.ts';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'raft-scenarios');
const UPDATE = process.env['RAFT_GOLDEN'] === 'update';
const SCRIPTS = readdirSync(DIR)
  .filter((f) => f.endsWith('.txt') && !f.includes('.diagram.') && !f.includes('.trace.'))
  .sort();

describe('Raft scenario scripts', () => {
  it('finds the scripts', () => {
    expect(SCRIPTS).toEqual(['crash.txt', 'election.txt', 'figure8-bug.txt', 'figure8.txt', 'log-repair.txt', 'partition.txt', 'split-vote.txt']);
  });

  for (const file of SCRIPTS) {
    it(file, () => {
      const path = join(DIR, file);
      const text = readFileSync(path, 'utf8');
      const actual = runScenario(text);
      if (UPDATE) writeFileSync(path, renderScenario(actual));
      const expected = parseScenario(UPDATE ? renderScenario(actual) : text);
      expect(actual.length).toBe(expected.length);
      actual.forEach((b, i) => expect(`${b.command}\n${b.expected}`).toBe(`${expected[i]!.command}\n${expected[i]!.expected}`));
    });
  }

  it('a command whose action is not enabled reports it and takes no step', () => {
    const sc = new RaftScenario();
    sc.run('config nodes=3 maxTerm=2');
    expect(sc.run('propose n1')).toBe('error: n1 takes no client request (not the leader, or the budget is spent)');
    expect(sc.run('deliver n1 n2')).toBe('error: no message from n1 to n2 can be delivered');
    expect(sc.run('status')).toContain('n1: follower  term=0');
    expect(() => sc.run('frobnicate')).toThrow(/unknown command/);
  });
});
