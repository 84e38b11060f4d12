/** The live view's page: plain HTML and canvas, no build step; it reads server-sent events from /events. */
export const LIVE_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>purkinje: __TITLE__</title>
<style>
 body { font: 14px system-ui, sans-serif; margin: 16px; color: #222; }
 canvas { border: 1px solid #ccc; display: block; margin: 8px 0; }
 #status { font-family: monospace; }
 button { font-size: 14px; margin-right: 8px; }
</style></head>
<body>
<h2>purkinje live: __TITLE__</h2>
<div><button id="pause">Pause</button><button id="resume" disabled>Resume</button>
<span id="status">connecting...</span></div>
<canvas id="raster" width="900" height="360"></canvas>
<canvas id="rates" width="900" height="160"></canvas>
<div>spikes drawn: <span id="drawn">0</span>, simulated: <span id="simms">0</span> ms</div>
<script>
const raster = document.getElementById('raster').getContext('2d');
const rates = document.getElementById('rates').getContext('2d');
const colours = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
const windowMs = 200;
let sizes = {}, rows = 100, names = [], drawn = 0, history = [], spikes = [], tNow = 0;
const es = new EventSource('/events');
es.addEventListener('hello', (e) => { const h = JSON.parse(e.data); sizes = h.sizes; rows = h.rows; names = Object.keys(sizes); setPaused(h.paused); });
es.addEventListener('chunk', (e) => {
  const c = JSON.parse(e.data);
  tNow = c.t_ms;
  for (const s of c.spikes) spikes.push([s[0] * c.dt_ms, s[1], s[2]]);
  spikes = spikes.filter((s) => s[0] > tNow - windowMs);
  const chunkMs = c.t_ms - (history.length ? history[history.length - 1].t : 0);
  const r = {}; for (const n of names) r[n] = chunkMs > 0 ? (c.counts[n] || 0) / sizes[n] / (chunkMs / 1000) : 0;
  history.push({ t: c.t_ms, r }); if (history.length > 400) history.shift();
  drawn += c.spikes.length;
  document.getElementById('drawn').textContent = String(drawn);
  document.getElementById('simms').textContent = c.t_ms.toFixed(1);
  draw();
});
es.addEventListener('state', (e) => setPaused(JSON.parse(e.data).paused));
es.addEventListener('done', () => { document.getElementById('status').textContent = 'finished'; es.close(); });
function setPaused(p) { document.getElementById('pause').disabled = p; document.getElementById('resume').disabled = !p; document.getElementById('status').textContent = p ? 'paused' : 'running'; }
document.getElementById('pause').onclick = () => fetch('/pause', { method: 'POST' });
document.getElementById('resume').onclick = () => fetch('/resume', { method: 'POST' });
function draw() {
  const W = 900, H = 360, band = H / Math.max(1, names.length);
  raster.clearRect(0, 0, W, H);
  names.forEach((n, k) => { raster.fillStyle = '#999'; raster.fillText(n, 4, k * band + 12); });
  for (const [t, pop, i] of spikes) {
    const k = names.indexOf(pop); raster.fillStyle = colours[k % colours.length];
    raster.fillRect(((t - (tNow - windowMs)) / windowMs) * W, k * band + (i / rows) * band, 2, 2);
  }
  rates.clearRect(0, 0, W, 160);
  const max = Math.max(1, ...history.flatMap((h) => Object.values(h.r)));
  names.forEach((n, k) => {
    rates.strokeStyle = colours[k % colours.length]; rates.beginPath();
    history.forEach((h, j) => { const x = (j / 400) * W, y = 155 - (h.r[n] / max) * 145; j ? rates.lineTo(x, y) : rates.moveTo(x, y); });
    rates.stroke();
  });
  rates.fillStyle = '#555'; rates.fillText('population rate, max ' + max.toFixed(1) + ' Hz', 8, 12);
}
</script></body></html>`;
