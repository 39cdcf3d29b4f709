/**
 * The Plurigrid protocol: the deterministic replicated state machine. The node and the simulator call
 * these functions; nothing here performs I/O, reads a clock or draws randomness.
 */

export { accountKey } from "./accounts/state.js";
export type { Account, Asset, TransferBody } from "./accounts/types.js";
export {
  applyBlock,
  type BlockHeaderInput,
  blockHash,
  type ExecutedBlock,
  type ExecutionHeaderInput,
  executeBlock,
  isSealKey,
  sealBlock,
  txRoot,
} from "./block.js";
export { CHAIN_KEY, type ChainParams, type ChainRecord, PARAMS_KEY } from "./chain.js";
export { checkTx } from "./check.js";
export * from "./codes.js";
export { decodeTx, type SignedTx, type Tx, txHash } from "./envelope.js";
export { BlockExecutor } from "./executor.js";
export { genesis, genesisHash, parseGenesis } from "./genesis/genesis.js";
export type { GenesisDoc, GenesisDocParsed } from "./genesis/types.js";
export {
  branchKey,
  busKey,
  EVENT_COUNTER_KEY,
  gridEventKey,
  gridMicrogridKey,
  NETWORK_KEY,
  switchKey,
} from "./grid/state.js";
export type * from "./grid/types.js";
export * from "./limits.js";
export { readBook, solutionParts } from "./market/client.js";
export {
  ESCROW_ACCOUNT,
  intentKey,
  intervalKey,
  settlementKey,
  TREASURY_ACCOUNT,
  winnerKey,
} from "./market/state.js";
export type * from "./market/types.js";
export { MemoryState } from "./memory-state.js";
export {
  intervalsPerReadingDay,
  meterDayKey,
  meterReadingKey,
  readingDayOf,
  readingInDay,
} from "./oracle/state.js";
export type {
  MeterDayRecord,
  MeterReading,
  MeterUpload,
  SubmitMeterReadingBody,
  SubmitMeterReadingsBody,
} from "./oracle/types.js";
export { query, readStateValue, stateRoot } from "./query.js";
export { validateDerSettings } from "./registry/der-settings.js";
export { derKey, deviceKey, microgridKey, participantKey } from "./registry/state.js";
export type { Der, DerKind, Ieee1547Category, Microgrid, Participant, Role } from "./registry/types.js";
export {
  isSimulationChainId,
  SIGNATURE_SCHEMES,
  SIMULATION_CHAIN_PREFIX,
  type SignatureScheme,
} from "./scheme.js";
export type * from "./seam.js";
export {
  buildTx,
  createSignedTx,
  encodeSignedTx,
  type SignedTxBytes,
  signTx,
  type TxParams,
} from "./sign.js";
export { verifyStateProof } from "./smt/proof.js";
export { SMT_KEY_PREFIX } from "./smt/tree.js";
export { TX_TYPE_NAMES, type TxBodies, type TxBodyInputs, type TxType } from "./tx-types.js";
export { verifyTxSignature } from "./verify.js";
