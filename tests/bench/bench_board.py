"""Dashboard scale: frame time while panning a scalar chart of 10 runs x 100k points per tag.

Headless Chromium opens the built dashboard (web/dist/board.html, served by the board server), mounts
a second dashboard over an in-memory source holding RUNS runs x POINTS points for two tags, zooms the
"loss" chart to a window and pans it one step per animation frame. Per frame it records the work
(downsampling, aligning, uPlot's setData and draw) and the interval between frames.

Baseline, measured in the same run: the same chart drawing every point in range (no downsampling).
The goal is a frame under 33 ms (30 frames per second).

    .venv/bin/python tests/bench/bench_board.py [--runs 10] [--points 100000] [--frames 60]
"""
import argparse
import os
import pathlib
import sys
import tempfile
import threading

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "e2e"))

BENCH_JS = """
async ({runs, points, frames, window: frac, downsample, idle}) => {
  const { mountDashboard, MemorySource } = window.__boardModules;
  window.__board?.destroy();
  document.getElementById('bench-root')?.remove();
  const root = document.createElement('div');
  root.id = 'bench-root';
  document.body.append(root);
  const source = new MemorySource();
  let seed = 1;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const t0 = performance.now();
  for (let r = 0; r < runs; r++) {
    for (const tag of ['loss', 'accuracy']) {
      const step = new Float64Array(points), wall = new Float64Array(points), value = new Float64Array(points);
      for (let i = 0; i < points; i++) {
        step[i] = i; wall[i] = 1.7e9 + i * 0.05;
        value[i] = (tag === 'loss' ? Math.exp(-i / points * 3) : 1 - Math.exp(-i / points * 3)) + 0.1 * rand() + r * 0.02;
      }
      source.addScalars(`run_${String(r).padStart(2, '0')}`, tag, { step, wall_time: wall, value });
    }
  }
  const dash = mountDashboard(root, source);
  dash.settings.downsample = downsample;
  await dash.refresh();
  const mountMs = performance.now() - t0;
  const chart = dash.views.scalars.cards.get('loss').chart;
  const settle = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  chart.setRange([0, (points - 1) * frac]);
  await settle();
  const work = [], intervals = [];
  let last = null;
  for (let f = 0; f < frames; f++) {
    await new Promise((resolve) => requestAnimationFrame(async (ts) => {
      if (last !== null) intervals.push(ts - last);
      last = ts;
      const start = performance.now();
      if (!idle) chart.pan(frac >= 1 ? 0.002 : 0.01);
      await null; await null;            // uPlot commits its draw in a microtask
      work.push(performance.now() - start);
      resolve();
    }));
  }
  const plotted = Object.values(chart.plotted).reduce((n, p) => n + p.raw.length + p.smoothed.length, 0);
  dash.destroy();
  root.remove();
  return { mountMs, work, intervals, plotted };
}
"""


def stats(values):
    values = sorted(values)
    if not values:
        return float("nan"), float("nan"), float("nan")
    return values[len(values) // 2], values[min(len(values) - 1, int(len(values) * 0.95))], values[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--baseline-frames", type=int, default=5, help="frames for the slow no-downsampling baseline")
    args = parser.parse_args()
    from browser_support import CHROMIUM, CHROMIUM_ARGS, DIST
    if not (DIST / "board.html").exists():
        sys.exit("web/dist/board.html is missing: build the front end first (make web-build)")
    from playwright.sync_api import sync_playwright
    from webtensor.board import BoardServer
    os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.gettempdir())
    with tempfile.TemporaryDirectory() as logdir, sync_playwright() as p:
        httpd = BoardServer(("127.0.0.1", 0), logdir, dist_dir=str(DIST), quiet=True)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(httpd.url + "?poll=0")
        page.wait_for_function("window.__boardModules !== undefined")
        rows = []
        cases = [("idle (no panning)", True, 1.0, args.frames),
                 ("downsampled", True, 0.1, args.frames), ("downsampled", True, 1.0, args.frames),
                 ("every point (baseline)", False, 0.1, args.baseline_frames),
                 ("every point (baseline)", False, 1.0, args.baseline_frames)]
        for name, downsample, frac, frames in cases:
            result = page.evaluate(BENCH_JS, {"runs": args.runs, "points": args.points, "frames": frames,
                                              "window": frac, "downsample": downsample,
                                              "idle": name.startswith("idle")})
            rows.append((name, frac, result))
        browser.close()
        httpd.shutdown()
    print(f"\nDashboard panning: {args.runs} runs x {args.points} points per tag (2 tags), Chromium "
          f"{'headless'}, chart {1400}px page; goal: frame < 33 ms")
    print(f"{'chart draws':<24}{'x window':>10}{'points drawn':>14}{'work p50':>10}{'p95':>8}{'max':>8}"
          f"{'frame p50':>11}{'p95':>8}{'vs baseline':>13}")
    base = {frac: stats(r["work"])[0] for name, frac, r in rows if not name.startswith("down")}
    for name, frac, r in rows:
        w50, w95, wmax = stats(r["work"])
        f50, f95, _ = stats(r["intervals"])
        ratio = f"{base[frac] / w50:.1f}x" if w50 and not name.startswith("idle") else "-"
        print(f"{name:<24}{frac * 100:>9.0f}%{r['plotted']:>14}{w50:>9.1f}ms{w95:>7.1f}{wmax:>8.1f}"
              f"{f50:>10.1f}ms{f95:>7.1f}{ratio:>13}")
    print(f"(mount with {args.runs * args.points * 2} points: {rows[0][2]['mountMs']:.0f} ms; "
          "work = pan + downsample + uPlot setData and draw; frame = interval between animation frames)")


if __name__ == "__main__":
    main()
