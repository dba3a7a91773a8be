/**
 * The model catalogue: every model the CLI and the test suites know, by name.
 */
import { InputError, type AnyModel } from './machine.ts';
import { tcommitModel } from '../specs/tcommit.ts';
import { twoPhaseModel } from '../impl/twophase/twophase.ts';
import { echoModel } from '../impl/echo/echo.ts';
import { lamportModel } from '../impl/clocks/lamport.ts';
import { vectorClockModel } from '../impl/clocks/vector.ts';
import { hlcModel } from '../impl/clocks/hlc.ts';
import { lwwStoreModel, vcStoreModel } from '../impl/clocks/store.ts';
import { abdModel } from '../impl/quorum/abd.ts';
import { raftModel } from '../impl/raft/raft.ts';
import { twoPCModel } from '../impl/commit/twopc.ts';
import { threePCModel } from '../impl/commit/threepc.ts';
import { paxosCommitModel } from '../impl/commit/paxoscommit.ts';
import { paxosCommitTlaModel } from '../impl/commit/paxoscommit-tla.ts';
import { consensusModel } from '../specs/consensus.ts';
import { paxosModel } from '../impl/paxos/paxos.ts';
import { multiPaxosModel } from '../impl/paxos/multipaxos.ts';
import { dynamoModel } from '../impl/quorum/dynamo.ts';

/** Every registered model, in listing order. */
export const MODELS: readonly AnyModel[] = [
  tcommitModel,
  twoPhaseModel,
  twoPCModel,
  threePCModel,
  paxosCommitModel,
  paxosCommitTlaModel,
  echoModel,
  raftModel,
  consensusModel,
  paxosModel,
  multiPaxosModel,
  lamportModel,
  vectorClockModel,
  hlcModel,
  lwwStoreModel,
  vcStoreModel,
  abdModel,
  dynamoModel,
];

/** Find a model by name, or throw an {@link InputError} listing the valid names. */
export function findModel(name: string): AnyModel {
  const m = MODELS.find((x) => x.name === name);
  if (!m) throw new InputError(`unknown model '${name}'; valid: ${MODELS.map((x) => x.name).join(', ')}`);
  return m;
}
