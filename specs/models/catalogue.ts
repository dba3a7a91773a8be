/**
 * The model catalogue: every registered model, by name, loaded lazily.
 *
 * Each entry names its model and loads its module only when a command needs it, so a model
 * whose module fails to load breaks only itself (the CLI reports it in one line) and importing
 * the catalogue loads no protocol. Only the CLI, the benchmarks and the tests import it; the
 * library entry point (`checks/index.ts`) does not.
 */
import type { AnyModel, Catalogue } from '../../impl/core/machine.ts';

/** Every registered model, in listing order. */
export const CATALOGUE: Catalogue = [
  { name: 'tcommit', load: async () => (await import('../tcommit.ts')).tcommitModel },
  { name: 'twophase', load: async () => (await import('./twophase.ts')).twoPhaseModel },
  { name: 'twopc', load: async () => (await import('./twopc.ts')).twoPCModel },
  { name: 'threepc', load: async () => (await import('./threepc.ts')).threePCModel },
  { name: 'paxoscommit', load: async () => (await import('./paxoscommit.ts')).paxosCommitModel },
  { name: 'paxoscommit-tla', load: async () => (await import('./paxoscommit-tla.ts')).paxosCommitTlaModel },
  { name: 'echo', load: async () => (await import('./echo.ts')).echoModel },
  { name: 'raft', load: async () => (await import('./raft.ts')).raftModel },
  { name: 'consensus', load: async () => (await import('../consensus.ts')).consensusModel },
  { name: 'paxos', load: async () => (await import('./paxos.ts')).paxosModel },
  { name: 'multipaxos', load: async () => (await import('./multipaxos.ts')).multiPaxosModel },
  { name: 'lamport', load: async () => (await import('./lamport.ts')).lamportModel },
  { name: 'vector-clock', load: async () => (await import('./vector-clock.ts')).vectorClockModel },
  { name: 'hlc', load: async () => (await import('./hlc.ts')).hlcModel },
  { name: 'lww-store', load: async () => (await import('./lww-store.ts')).lwwStoreModel },
  { name: 'vc-store', load: async () => (await import('./vc-store.ts')).vcStoreModel },
  { name: 'abd', load: async () => (await import('./abd.ts')).abdModel },
  { name: 'dynamo', load: async () => (await import('./dynamo.ts')).dynamoModel },
  { name: 'lease', load: async () => (await import('./lease.ts')).leaseModel },
  { name: 'store', load: async () => (await import('./store.ts')).storeModel },
  { name: 'election', load: async () => (await import('./election.ts')).electionModel },
  { name: 'leader-lease', load: async () => (await import('./leader-lease.ts')).leaderLeaseModel },
  { name: 'primary', load: async () => (await import('./primary.ts')).primaryModel },
  { name: 'github', load: async () => (await import('./github.ts')).githubModel },
  { name: 'delivery', load: async () => (await import('./delivery.ts')).deliveryModel },
  { name: 'outbox', load: async () => (await import('./delivery.ts')).outboxModel },
  { name: 'cdc', load: async () => (await import('./delivery.ts')).cdcModel },
  { name: 'saga', load: async () => (await import('./delivery.ts')).sagaModel },
  { name: 'gossip', load: async () => (await import('./gossip.ts')).gossipModel },
  { name: 'erasure', load: async () => (await import('./erasure.ts')).erasureModel },
  { name: 'antientropy', load: async () => (await import('./antientropy.ts')).antientropyModel },
];

/**
 * Load a registered model by name (for tests and benchmarks; the CLI goes through its
 * `ModelSource`, which turns load failures into one-line errors).
 */
export async function loadModel(name: string): Promise<AnyModel> {
  const entry = CATALOGUE.find((e) => e.name === name);
  if (!entry) throw new Error(`unknown model '${name}'; valid: ${CATALOGUE.map((e) => e.name).join(', ')}`);
  const model = await entry.load();
  if (model.name !== name) throw new Error(`catalogue entry ${name} loaded model ${model.name}`);
  return model;
}
