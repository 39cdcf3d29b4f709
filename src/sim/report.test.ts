import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeData } from "../test-support/data.js";
import { FILES } from "./output.js";
import { simulateScenario } from "./simulate.js";
import { testScenario } from "./test-scenario.js";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

describeData("report.html in a real browser (Debian chromium)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "plurigrid-report-"));
    const { scenario, text } = testScenario({
      durationHours: 4,
      events: [
        { at: "2016-07-06T13:00:00Z", kind: "branch_outage", from: 6, to: 26 },
        { at: "2016-07-06T15:00:00Z", kind: "branch_restoration", from: 6, to: 26 },
        { at: "2016-07-06T12:00:00Z", kind: "double_selling", participant: "prosumer-x" },
      ],
    });
    await simulateScenario(scenario, text, { outDir: dir, progress: false, ledger: false });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("renders without console errors or network requests, and every chart holds data", async () => {
    expect(existsSync(CHROMIUM)).toBe(true);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      page.on("pageerror", (e) => errors.push(String(e)));
      page.on("request", (r) => requests.push(r.url()));
      const url = `file://${join(dir, FILES.report)}`;
      await page.goto(url);
      expect(errors).toEqual([]);
      // Self-contained: the only request is the file itself.
      expect(requests).toEqual([url]);
      const charts = await page.$$eval("svg[data-chart]", (els) =>
        els.map((e) => ({
          id: e.getAttribute("data-chart"),
          points: Number(e.getAttribute("data-points")),
          width: e.getBoundingClientRect().width,
          shapes: e.querySelectorAll("path, rect, circle").length,
        })),
      );
      expect(charts.map((c) => c.id)).toEqual(
        expect.arrayContaining([
          "prices",
          "volumes",
          "power",
          "feeder",
          "voltage",
          "island",
          "money",
          "rejections",
          "efficiency",
        ]),
      );
      for (const c of charts) {
        expect(c.points, c.id ?? "").toBeGreaterThan(0);
        expect(c.shapes, c.id ?? "").toBeGreaterThan(0);
        expect(c.width, c.id ?? "").toBeGreaterThan(100);
      }
      // The price line has one vertex per priced interval; the feeder has one circle per bus of case33bw.
      const priceVertices = await page.$eval(
        'svg[data-chart="prices"] path',
        (p) => (p.getAttribute("d") ?? "").split(/[ML]/).length - 1,
      );
      expect(priceVertices).toBeGreaterThan(8);
      expect(await page.$$eval('svg[data-chart="feeder"] circle.bus', (c) => c.length)).toBe(33);
      expect(await page.$$eval('svg[data-chart="feeder"] path[stroke-dasharray]', (c) => c.length)).toBe(1);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
