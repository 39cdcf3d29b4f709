/**
 * Bounds of the intent and solution languages. Every list that a participant or solver controls has a
 * limit, so that checking any intent or solution costs a bounded, known amount of work (TigerBeetle's
 * habit). Changing a value changes which transactions are valid: a protocol upgrade.
 */

/** Value predicates on one intent (a conjunction; the language has no nesting, so its depth is 1). */
export const MAX_PREDICATES_PER_INTENT = 8;
/** Ids in one `exclude` predicate. */
export const MAX_EXCLUDE_IDS = 32;
/** Characters of one excluded id (account ids are 43, intent ids are decimal numbers). */
export const MAX_EXCLUDED_ID_CHARS = 64;
/** Largest `maxBusDistance`, in branches (a breadth-first search never goes deeper). */
export const MAX_BUS_DISTANCE = 64;
/** Largest `maxCarbon` and registered carbon intensity, g/kWh (coal plants emit about 1,000). */
export const MAX_CARBON_G_PER_KWH = 10_000;
/** Canonical size of an intent's predicate list, bytes. */
export const MAX_PREDICATES_BYTES = 2048;

/** Most energy one intent may trade in an interval: 1 GWh. */
export const MAX_INTENT_WH = 1_000_000_000;
/** Highest limit or settlement price: 1,000 currency units per kWh, in micro-units per kWh. */
export const MAX_PRICE_MICROS_PER_KWH = 1_000_000_000;

/** Fills in one solution (the transaction size limit usually binds first). */
export const MAX_FILLS_PER_SOLUTION = 100_000;
/** Branch shadow prices in one certificate: only binding branches carry one. */
export const MAX_CERTIFICATE_BRANCHES = 1_000;
/** Bound on the magnitude of any certificate value (a dual price, micro-units per kWh). */
export const MAX_CERTIFICATE_VALUE = 1e12;

/** Intents one market interval may hold (every submitted intent, cancelled or not, takes a number). */
export const MAX_INTENTS_PER_INTERVAL = 10_000;
/** Per-bus reference prices in one solution. */
export const MAX_BUS_PRICES = 100_000;
/** Islands that one certificate may price. */
export const MAX_CERTIFICATE_ISLANDS = 1_000;

/** How far ahead an intent may be submitted: one week of 15-minute intervals. */
export const MAX_INTERVALS_AHEAD = 672;
/** Intents one participant may hold in one interval (cancelled ones count). */
export const MAX_INTENTS_PER_PARTICIPANT = 100;
