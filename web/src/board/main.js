// The `webtensor board` page: the dashboard over the board server's API, polled every 2 s.
// window.__board is the dashboard (state() gives what it shows, for tests and debugging).
import "uplot/dist/uPlot.min.css";
import "./board.css";
import { mountDashboard } from "./dashboard.js";
import { HttpSource } from "./http_source.js";
import { MemorySource } from "./memory_source.js";

const params = new URLSearchParams(location.search);
const source = new HttpSource("", { interval: Number(params.get("poll") ?? 2000) });
window.__board = mountDashboard(document.getElementById("board"), source);
// For the scale benchmark (tests/bench/bench_board.py) and for mounting a second dashboard by hand.
window.__boardModules = { mountDashboard, HttpSource, MemorySource };
