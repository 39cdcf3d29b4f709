export { proveKey, verifyStateProof } from "./proof.js";
export { EMPTY_HASH, keyHash, SMT_KEY_PREFIX, valueHash } from "./tree.js";
export { type TreeChanges, type TreeUpdate, treeRoot, treeUpdates, updateTree } from "./update.js";
