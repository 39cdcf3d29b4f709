/** Clearing mechanisms: double auctions (uniform with k-pricing, pay-as-bid), network and product clearing. */
export { type AuctionResult, doubleAuction } from "./auction.js";
export { type ClearOptions, clear, clearMarket, needsSolver } from "./clear.js";
export { type MarketFile, marketFileSchema, parseMarketFile } from "./file.js";
export { applyLifeline, type LifelinePair, type LifelineResult } from "./lifeline.js";
export * from "./money.js";
export { type Locations, type MarketGrid, marketGrid } from "./network.js";
export { compareIds, type OrderTable, orderTable, PRICE_MAX, QUANTITY_MAX_WH } from "./orders.js";
export { PairRule } from "./predicates.js";
export * from "./types.js";
