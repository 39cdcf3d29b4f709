/**
 * Every bound the protocol enforces, in one place (TigerBeetle's habit: everything that grows has a limit).
 * Changing a value here changes which blocks are valid, so it is a protocol upgrade, never a tuning knob.
 */

/** Largest accepted signed transaction, in bytes of its canonical encoding. */
export const MAX_TX_BYTES = 32 * 1024;
/** Most transactions in one block. */
export const MAX_TXS_PER_BLOCK = 10_000;
/** Largest block, summed over its transactions' bytes. */
export const MAX_BLOCK_BYTES = 16 * 1024 * 1024;

/** Chain ids: short lowercase names, e.g. "plurigrid-demo-1". */
export const MAX_CHAIN_ID_CHARS = 64;
/** Ids of DERs and microgrids (they become part of state keys, so no "/" and a bounded length). */
export const MAX_ID_CHARS = 64;
/** Human-readable names of participants, microgrids. */
export const MAX_NAME_CHARS = 128;
/** Roles a participant may hold at once (there are six roles). */
export const MAX_ROLES = 6;
/** Buses in one microgrid (case_ACTIVSg10k, the largest reference network, has 10,000 buses). */
export const MAX_BUSES_PER_MICROGRID = 10_000;
/** Canonical size of a DER's IEEE 1547 settings object. */
export const MAX_DER_SETTINGS_BYTES = 8 * 1024;
/** Largest absolute meter reading: 1 TWh in one interval is far beyond any DER. */
export const MAX_METER_ENERGY_WH = 1_000_000_000_000;
/**
 * Readings in one SubmitMeterReadings series: a day at 1-minute intervals (1440 / 1). The protocol also keeps
 * a series inside one reading day, so at the default 15 minutes a series holds at most 96.
 */
export const MAX_READINGS_PER_SERIES = 1440 / 1;

/** Genesis: accounts, participants, microgrids, DERs and network elements. */
export const MAX_GENESIS_ACCOUNTS = 100_000;
export const MAX_GENESIS_PARTICIPANTS = 100_000;
export const MAX_GENESIS_MICROGRIDS = 10_000;
export const MAX_GENESIS_DERS = 100_000;
export const MAX_NETWORK_BUSES = 100_000;
export const MAX_NETWORK_BRANCHES = 200_000;
/** MATPOWER case text carried in a genesis document (case13659pegase is about 6 MB). */
export const MAX_CASE_TEXT_BYTES = 64 * 1024 * 1024;

/** State keys: short ASCII paths such as "acct/pg1…" or "oracle/pv-7/1930000". */
export const MAX_STATE_KEY_CHARS = 256;

/** Device traces attached to one grid event, and samples in one trace (IEEE 1547 compliance verdicts). */
export const MAX_DEVICE_TRACES_PER_EVENT = 16;
export const MAX_TRACE_SAMPLES = 1_024;
