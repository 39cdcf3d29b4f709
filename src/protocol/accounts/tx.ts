import { isPlurigridError } from "../../core/errors.js";
import { add, type Micros, sub } from "../../core/units.js";
import { defineTx, reject } from "../txdef.js";
import { balanceOf, getAccount, putAccount, withBalance } from "./state.js";
import { transferBodySchema } from "./types.js";

/** Moves `amount` of one asset from the sender to `to`. Money is neither created nor destroyed here. */
export const transfer = defineTx(transferBodySchema, (ctx, body) => {
  const { sender, state } = ctx;
  if (body.to === sender)
    reject("ACCOUNT_SELF_TRANSFER", "a transfer to the sender's own account does nothing");
  const from = getAccount(state, sender);
  const have = balanceOf(from, body.asset);
  if (have < body.amount) {
    reject("ACCOUNT_OVERDRAFT", `balance ${have} ${body.asset} is less than the amount ${body.amount}`, {
      balance: have,
      amount: body.amount,
      asset: body.asset,
    });
  }
  const to = getAccount(state, body.to);
  let credited: number;
  try {
    credited = add(balanceOf(to, body.asset) as Micros, body.amount as Micros);
  } catch (e) {
    if (isPlurigridError(e, "UNIT_OVERFLOW")) {
      reject(
        "ACCOUNT_OVERFLOW",
        `the recipient's ${body.asset} balance would exceed ${Number.MAX_SAFE_INTEGER}`,
        {
          to: body.to,
        },
      );
    }
    throw e;
  }
  putAccount(state, sender, withBalance(from, body.asset, sub(have as Micros, body.amount as Micros)));
  putAccount(state, body.to, withBalance(to, body.asset, credited));
  return [
    {
      type: "transfer",
      attributes: { from: sender, to: body.to, amount: body.amount, asset: body.asset },
    },
  ];
});

export const accountTxTypes = { Transfer: transfer } as const;
