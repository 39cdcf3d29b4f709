/**
 * report.html: one self-contained page (inline SVG, inline CSS, no script, no external asset) that shows a
 * run: headline figures, prices and volumes over time, the feeder as a graph with line loading and voltage,
 * the outage and what the islands did, who paid and earned what, what the protocol rejected and why, and the
 * capital efficiency of every battery owner. Every chart is an <svg data-chart="…" data-points="n">, so a test
 * (or a person) can see that it holds data.
 */
import { type IntervalRecord, maxOf, minOf } from "./metrics.js";
import type { RunResult } from "./run.js";

const W = 900;
const H = 220;
const PAD = { l: 56, r: 16, t: 14, b: 28 };

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function fmt(x: number, digits = 1): string {
  return Number.isFinite(x) ? x.toFixed(digits) : "–";
}

interface Series {
  name: string;
  color: string;
  values: (number | null)[];
  /** Draw as bars (volume) instead of a line. */
  bars?: boolean;
}

/** A time chart: series over the run's intervals, shaded where the feeder was islanded. */
function timeChart(id: string, title: string, unit: string, iv: IntervalRecord[], series: Series[]): string {
  const n = iv.length;
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  let lo = minOf(all, 0);
  let hi = maxOf(all, lo + 1e-9);
  if (hi === lo) hi = lo + 1;
  const span = hi - lo;
  lo -= span * 0.02;
  hi += span * 0.05;
  const x = (k: number) => PAD.l + ((W - PAD.l - PAD.r) * (k + 0.5)) / Math.max(1, n);
  const y = (v: number) => PAD.t + (H - PAD.t - PAD.b) * (1 - (v - lo) / (hi - lo));
  const parts: string[] = [];
  // Islanded intervals.
  for (let k = 0; k < n; k++) {
    if (iv[k].islandedBuses > 0) {
      parts.push(
        `<rect class="island" x="${fmt(x(k) - (W - PAD.l - PAD.r) / n / 2, 2)}" y="${PAD.t}" width="${fmt((W - PAD.l - PAD.r) / n, 2)}" height="${H - PAD.t - PAD.b}"/>`,
      );
    }
  }
  // Axes, ticks at days.
  parts.push(`<line class="axis" x1="${PAD.l}" y1="${y(lo)}" x2="${W - PAD.r}" y2="${y(lo)}"/>`);
  for (let i = 0; i <= 4; i++) {
    const v = lo + ((hi - lo) * i) / 4;
    parts.push(
      `<text class="tick" x="${PAD.l - 6}" y="${fmt(y(v) + 4)}" text-anchor="end">${fmt(v, Math.abs(hi - lo) < 10 ? 2 : 0)}</text>`,
    );
    parts.push(`<line class="grid" x1="${PAD.l}" y1="${fmt(y(v))}" x2="${W - PAD.r}" y2="${fmt(y(v))}"/>`);
  }
  for (let k = 0; k < n; k++) {
    const d = new Date(iv[k].timeMs);
    if (d.getUTCHours() === 0 && d.getUTCMinutes() === 0) {
      parts.push(
        `<text class="tick" x="${fmt(x(k))}" y="${H - 8}" text-anchor="middle">${d.toISOString().slice(5, 10)}</text>`,
      );
    }
  }
  let points = 0;
  for (const s of series) {
    if (s.bars) {
      const bw = Math.max(0.5, (W - PAD.l - PAD.r) / n - 0.3);
      for (let k = 0; k < n; k++) {
        const v = s.values[k];
        if (v === null || !Number.isFinite(v)) continue;
        points++;
        const top = Math.min(y(v), y(0));
        parts.push(
          `<rect fill="${s.color}" x="${fmt(x(k) - bw / 2, 2)}" y="${fmt(top, 2)}" width="${fmt(bw, 2)}" height="${fmt(Math.abs(y(v) - y(0)), 2)}"/>`,
        );
      }
    } else {
      let d = "";
      let pen = false;
      for (let k = 0; k < n; k++) {
        const v = s.values[k];
        if (v === null || !Number.isFinite(v)) {
          pen = false;
          continue;
        }
        points++;
        d += `${pen ? "L" : "M"}${fmt(x(k), 1)},${fmt(y(v), 1)}`;
        pen = true;
      }
      parts.push(`<path fill="none" stroke="${s.color}" stroke-width="1.4" d="${d}"/>`);
    }
  }
  const legend = series
    .map((s) => `<span><i style="background:${s.color}"></i>${esc(s.name)}</span>`)
    .join("");
  return `<figure><figcaption>${esc(title)} <small>(${esc(unit)}; shaded: feeder islanded)</small></figcaption>
<svg data-chart="${id}" data-points="${points}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">${parts.join("")}</svg>
<div class="legend">${legend}</div></figure>`;
}

/** Horizontal bars with labels (who paid and earned, rejections, efficiency). */
function barChart(id: string, title: string, unit: string, rows: { label: string; value: number }[]): string {
  if (rows.length === 0)
    return `<figure><figcaption>${esc(title)}</figcaption><p class="none">none</p><svg data-chart="${id}" data-points="0" viewBox="0 0 10 10"></svg></figure>`;
  const rowH = 16;
  const h = rows.length * rowH + 24;
  const lw = 170;
  const max = maxOf(
    rows.map((r) => Math.abs(r.value)),
    1e-9,
  );
  const hasNeg = rows.some((r) => r.value < 0);
  const zero = hasNeg ? lw + (W - lw - 90) / 2 : lw;
  const scale = (hasNeg ? (W - lw - 90) / 2 : W - lw - 90) / max;
  const parts = rows.map((r, i) => {
    const y = 8 + i * rowH;
    const w = Math.abs(r.value) * scale;
    const x = r.value >= 0 ? zero : zero - w;
    return `<text class="tick" x="${lw - 6}" y="${y + 11}" text-anchor="end">${esc(r.label)}</text><rect fill="${r.value >= 0 ? "#2a9d8f" : "#e76f51"}" x="${fmt(x, 2)}" y="${y + 2}" width="${fmt(Math.max(w, 0.5), 2)}" height="${rowH - 4}"/><text class="tick" x="${fmt(r.value >= 0 ? zero + w + 4 : zero + 4, 1)}" y="${y + 11}">${fmt(r.value, Math.abs(r.value) < 10 ? 2 : 0)}</text>`;
  });
  parts.push(`<line class="axis" x1="${zero}" y1="4" x2="${zero}" y2="${h - 12}"/>`);
  return `<figure><figcaption>${esc(title)} <small>(${esc(unit)})</small></figcaption>
<svg data-chart="${id}" data-points="${rows.length}" viewBox="0 0 ${W} ${h}" role="img" aria-label="${esc(title)}">${parts.join("")}</svg></figure>`;
}

/** The feeder drawn as a tree from the upstream bus: buses coloured by lowest voltage, lines by loading. */
function feederGraph(r: RunResult): string {
  const { net } = r.world;
  const m = r.metrics;
  const nb = net.bus.count;
  const adj: number[][] = Array.from({ length: nb }, () => []);
  for (let k = 0; k < net.branch.count; k++) {
    adj[net.branch.from[k]].push(k);
    adj[net.branch.to[k]].push(k);
  }
  const depth = new Int32Array(nb).fill(-1);
  const order: number[] = [];
  const root = r.world.upstreamBusIndex;
  depth[root] = 0;
  const parent = new Int32Array(nb).fill(-1);
  const stack = [root];
  while (stack.length) {
    const b = stack.pop()!;
    order.push(b);
    const kids = adj[b]
      .map((k) => (net.branch.from[k] === b ? net.branch.to[k] : net.branch.from[k]))
      .filter((c) => depth[c] < 0)
      .sort((p, q) => q - p);
    for (const c of kids) {
      depth[c] = depth[b] + 1;
      parent[c] = b;
      stack.push(c);
    }
  }
  // Leaves get consecutive rows in depth-first order; a parent sits at its first child's row (a feeder diagram).
  const row = new Float64Array(nb).fill(-1);
  let next = 0;
  const continued = new Uint8Array(nb);
  for (const b of order) {
    const p = parent[b];
    if (p >= 0 && !continued[p]) {
      row[b] = row[p];
      continued[p] = 1;
    } else row[b] = next++;
  }
  const maxDepth = Math.max(1, ...Array.from(depth));
  const h = Math.max(160, next * 26 + 30);
  const px = (b: number) => 40 + ((W - 80) * Math.max(0, depth[b])) / maxDepth;
  const py = (b: number) => 20 + row[b] * 26;
  const outaged = new Set<number>();
  for (const e of r.world.events)
    if (e.spec.kind === "branch_outage" && e.branch !== undefined) outaged.add(e.branch);
  const vColor = (v: number) => {
    const lo = r.world.scenario.network.vmMinPu;
    const hi = r.world.scenario.network.vmMaxPu;
    if (!Number.isFinite(v) || v === 0) return "#999";
    if (v < lo || v > hi) return "#d62828";
    const t = Math.min(1, Math.abs(v - 1) / Math.max(1e-6, Math.min(1 - lo, hi - 1)));
    return t > 0.7 ? "#f4a261" : "#2a9d8f";
  };
  const parts: string[] = [];
  for (let k = 0; k < net.branch.count; k++) {
    const a = net.branch.from[k];
    const b = net.branch.to[k];
    if (depth[a] < 0 || depth[b] < 0) continue;
    const load = m.branchLoadingMax[k];
    const width = 1.5 + 6 * Math.min(1, load);
    const color = load > 1 ? "#d62828" : load > 0.8 ? "#f4a261" : "#457b9d";
    const dash = outaged.has(k) ? ` stroke-dasharray="6 4"` : "";
    parts.push(
      `<path class="branch" data-branch="${k}" d="M${fmt(px(a))},${fmt(py(a))} L${fmt(px(a))},${fmt(py(b))} L${fmt(px(b))},${fmt(py(b))}" fill="none" stroke="${outaged.has(k) ? "#d62828" : color}" stroke-width="${fmt(width)}"${dash}><title>branch ${net.bus.id[a]}-${net.bus.id[b]}: highest loading ${fmt(100 * load)} %${outaged.has(k) ? " (outage)" : ""}</title></path>`,
    );
  }
  for (let b = 0; b < nb; b++) {
    if (depth[b] < 0) continue;
    const v = m.busVmMin[b];
    const ring =
      r.world.microgridOfBus[b] !== null
        ? ` stroke="#6a4c93" stroke-width="2.5"`
        : ` stroke="#fff" stroke-width="1"`;
    parts.push(
      `<circle class="bus" data-bus="${net.bus.id[b]}" cx="${fmt(px(b))}" cy="${fmt(py(b))}" r="7" fill="${vColor(v)}"${ring}><title>bus ${net.bus.id[b]}: voltage ${fmt(m.busVmMin[b], 4)}–${fmt(m.busVmMax[b], 4)} p.u.${r.world.microgridOfBus[b] ? ` (microgrid ${r.world.microgridOfBus[b]})` : ""}</title></circle><text class="tick" x="${fmt(px(b))}" y="${fmt(py(b) - 10)}" text-anchor="middle">${net.bus.id[b]}</text>`,
    );
  }
  return `<figure><figcaption>The feeder (${esc(net.name)}): buses coloured by their lowest voltage (green within ±70 % of the band, orange near its edge, red outside ${r.world.scenario.network.vmMinPu}–${r.world.scenario.network.vmMaxPu} p.u.), lines as thick as their highest loading; the outaged branch dashed; microgrid buses ringed in purple.</figcaption>
<svg data-chart="feeder" data-points="${nb}" viewBox="0 0 ${W} ${h}" role="img" aria-label="feeder graph">${parts.join("")}</svg></figure>`;
}

function table(headers: string[], rows: (string | number)[][]): string {
  return `<table><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(String(c))}</td>`).join("")}</tr>`)
    .join("")}</tbody></table>`;
}

export function renderReport(r: RunResult, summary: Record<string, unknown>, resultHash: string): string {
  const iv = r.metrics.intervals;
  const t = summary.totals as Record<string, number | null>;
  const sc = summary.scenario as Record<string, unknown>;
  const kwh = (wh: number | null) => fmt((wh ?? 0) / 1000, 0);
  const perKwh = (micros: number | null) => (micros === null ? "–" : fmt(micros / 1e6, 3));
  const stepH = r.world.intervalMinutes / 60;
  const headline = table(
    ["figure", "value"],
    [
      ["energy traded", `${kwh(t.energyTradedWh)} kWh (between participants ${kwh(t.localTradedWh)} kWh)`],
      [
        "mean price (volume-weighted)",
        `${perKwh(t.meanPriceMicrosPerKWh)} per kWh (min ${perKwh(t.minPriceMicrosPerKWh)}, max ${perKwh(t.maxPriceMicrosPerKWh)})`,
      ],
      ["load served", `${kwh(t.loadServedWh)} of ${kwh(t.loadWh)} kWh; unserved ${kwh(t.unservedWh)} kWh`],
      ["critical load served", `${fmt(100 * (t.criticalServedShare ?? 0), 2)} %`],
      [
        "renewable share / local share",
        `${fmt(100 * (t.renewableShare ?? 0))} % / ${fmt(100 * (t.localShare ?? 0))} %`,
      ],
      ["PV energy / curtailed", `${kwh(t.pvWh)} kWh / ${kwh(t.curtailedWh)} kWh`],
      ["losses", `${kwh(t.lossesWh)} kWh`],
      ["highest line loading", `${fmt(100 * (t.maxLoading ?? 0))} %`],
      [
        "voltage range / violations",
        `${fmt(t.vmMinPu ?? 0, 4)}–${fmt(t.vmMaxPu ?? 0, 4)} p.u. / ${t.voltageViolationBusIntervals} bus-intervals`,
      ],
      ["imbalance / meter discrepancy", `${kwh(t.imbalanceWh)} kWh / ${kwh(t.meterDiscrepancyWh)} kWh`],
      ["islanded intervals", String(t.islandedIntervals)],
      [
        "fairness (Gini of household energy costs)",
        fmt((summary.fairness as { giniHouseholdCost: number }).giniHouseholdCost, 3),
      ],
    ],
  );
  const prices = timeChart("prices", "Clearing price", "currency units per kWh", iv, [
    {
      name: "feeder price",
      color: "#1d3557",
      values: iv.map((x) => (x.price === null ? null : x.price / 1e6)),
    },
    {
      name: "island price",
      color: "#e63946",
      values: iv.map((x) => (x.islandPrice === null ? null : x.islandPrice / 1e6)),
    },
  ]);
  const volumes = timeChart("volumes", "Energy traded per interval", "kWh", iv, [
    {
      name: "sold by participants",
      color: "#2a9d8f",
      values: iv.map((x) => x.localVolumeWh / 1000),
      bars: true,
    },
    { name: "sold by the upstream grid", color: "#a8dadc", values: iv.map((x) => x.upstreamSoldWh / 1000) },
  ]);
  const power = timeChart("power", "Supply and demand", "kW (average over the interval)", iv, [
    { name: "load served", color: "#1d3557", values: iv.map((x) => x.loadServedWh / 1000 / stepH) },
    { name: "PV", color: "#f4a261", values: iv.map((x) => x.pvWh / 1000 / stepH) },
    { name: "from the upstream grid", color: "#457b9d", values: iv.map((x) => x.upstreamWh / 1000 / stepH) },
    {
      name: "batteries (discharge +)",
      color: "#6a4c93",
      values: iv.map((x) => x.batteryNetWh / 1000 / stepH),
    },
  ]);
  const island = timeChart(
    "island",
    "The outage: islanded buses, unserved and curtailed energy",
    "buses / kWh",
    iv,
    [
      { name: "islanded buses", color: "#6a4c93", values: iv.map((x) => x.islandedBuses) },
      { name: "unserved kWh", color: "#d62828", values: iv.map((x) => x.unservedWh / 1000) },
      { name: "curtailed kWh", color: "#f4a261", values: iv.map((x) => x.curtailedWh / 1000) },
    ],
  );
  const voltage = timeChart(
    "voltage",
    "Voltage range and highest line loading",
    "p.u. / fraction of rating",
    iv,
    [
      { name: "lowest voltage", color: "#e76f51", values: iv.map((x) => (x.vmMinPu > 0 ? x.vmMinPu : null)) },
      { name: "highest voltage", color: "#2a9d8f", values: iv.map((x) => x.vmMaxPu) },
      { name: "highest loading", color: "#457b9d", values: iv.map((x) => x.maxLoading) },
    ],
  );
  const parts = (summary.participants as { id: string; netMicros: number }[])
    .map((p) => ({ label: p.id, value: p.netMicros / 1e6 }))
    .sort((a, b) => b.value - a.value);
  const money = barChart(
    "money",
    "Who paid and who earned (change of balance over the run)",
    "currency units; + earned, − paid",
    parts,
  );
  const rej = Object.entries(summary.rejections as Record<string, number>).map(([label, value]) => ({
    label,
    value,
  }));
  const rejections = barChart("rejections", "Transactions the protocol rejected, by reason", "count", rej);
  const rejBy = Object.entries(summary.rejectionsByParticipant as Record<string, number>).map(([k, v]) => [
    k,
    v,
  ]);
  const eff = summary.capitalEfficiency as {
    id: string;
    strategy: string;
    realizedProfitMicros: number;
    optimalProfitMicros: number;
    efficiency: number | null;
  }[];
  const efficiency = barChart(
    "efficiency",
    "Capital efficiency of battery owners: realized profit over the perfect-foresight optimum",
    "ratio",
    eff
      .filter((e) => e.efficiency !== null)
      .map((e) => ({ label: `${e.id} (${e.strategy})`, value: e.efficiency as number })),
  );
  const events = (summary.events as { step: number; kind: string; what: string }[]).map((e) => [
    new Date(iv[e.step]?.timeMs ?? 0).toISOString().slice(0, 16).replace("T", " "),
    e.kind,
    e.what,
  ]);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Plurigrid simulation: ${esc(String(sc.name))}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;max-width:960px;padding:16px 24px;color:#1b1b1b}
h1{font-size:22px;margin:8px 0}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
figure{margin:12px 0}figcaption{font-weight:600;margin-bottom:4px}small{font-weight:400;color:#555}
svg{width:100%;height:auto;background:#fcfcfc;border:1px solid #eee}
.axis{stroke:#333;stroke-width:1}.grid{stroke:#eee;stroke-width:1}.tick{font-size:10px;fill:#444}
.island{fill:#6a4c93;opacity:.12}.legend span{margin-right:14px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
table{border-collapse:collapse;margin:6px 0}td,th{border-bottom:1px solid #eee;padding:3px 10px;text-align:left;font-size:13px}
code{font-size:12px;background:#f3f3f3;padding:1px 4px}.none{color:#777}
</style></head><body>
<h1>${esc(String(sc.name))}: ${esc(String(sc.network))}, ${sc.participants} participants (${sc.households} households), ${sc.intervals} intervals of ${sc.intervalMinutes} min from ${esc(String(sc.start))}</h1>
<p>${esc(r.world.scenario.description ?? "")}</p>
<p>Seed ${sc.seed}; result hash <code>${resultHash}</code>; ledger of ${r.ledger.height} blocks and ${r.ledger.txCount} signed transactions, state root <code>${r.ledger.stateRoot}</code>.</p>
<h2>Headline</h2>${headline}
<h2>Prices and volumes</h2>${prices}${volumes}${power}
<h2>The feeder</h2>${feederGraph(r)}${voltage}
<h2>The outage and the islands</h2>${island}
${table(["time (UTC)", "event", "what"], events)}
<h2>Who paid and who earned</h2>${money}
<h2>What the protocol rejected, and why</h2>${rejections}${rejBy.length ? table(["reason and participant", "count"], rejBy as (string | number)[][]) : ""}
<h2>Capital efficiency</h2>${efficiency}
${table(
  ["owner", "strategy", "realized profit", "perfect-foresight profit", "efficiency"],
  eff.map((e) => [
    e.id,
    e.strategy,
    fmt(e.realizedProfitMicros / 1e6, 2),
    fmt(e.optimalProfitMicros / 1e6, 2),
    e.efficiency === null ? "–" : fmt(e.efficiency, 3),
  ]),
)}
<p><small>Profit is measured against owning nothing (buying the whole load at the cleared prices); the physical flows are valued at the prices that cleared, imbalance charges are shown separately in summary.json. Money is in units of the settlement currency (10⁶ micro-units).</small></p>
</body></html>
`;
}
