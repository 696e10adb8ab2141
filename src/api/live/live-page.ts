/**
 * The `/live` page: one static HTML document (no build step, no external resources) that renders
 * the snapshots `/live/events` streams. Numbers sit in a definition list and the boards in tables
 * with captions; a polite live region says when the stream connects or drops.
 */
export const livePage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Marquee — live coverage</title>
<style>
  body { font: 16px/1.45 system-ui, sans-serif; margin: 0; color: #1a1a1a; background: #fafafa; }
  header, main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem; }
  h1 { font-size: 1.6rem; margin: 0.5rem 0; }
  h2 { font-size: 1.15rem; margin: 1.5rem 0 0.5rem; }
  dl { display: grid; grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr)); gap: 0.75rem; margin: 0; }
  dl div { background: #fff; border: 1px solid #d0d0d0; border-radius: 6px; padding: 0.6rem 0.8rem; }
  dt { font-size: 0.85rem; color: #4a4a4a; }
  dd { margin: 0; font-size: 1.5rem; font-variant-numeric: tabular-nums; }
  .boards { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: 1rem; align-items: start; }
  table { width: 100%; border-collapse: collapse; background: #fff; }
  caption { text-align: left; font-weight: 600; padding: 0.3rem 0; }
  th, td { text-align: left; padding: 0.25rem 0.5rem; border-bottom: 1px solid #e2e2e2; }
  td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
  #status { color: #4a4a4a; }
  .stale { color: #8a1c1c; }
</style>
</head>
<body>
<header>
  <h1>Live coverage and feedback loops</h1>
  <p id="status" role="status" aria-live="polite">Connecting to the live stream…</p>
</header>
<main>
  <section aria-labelledby="signals-title">
    <h2 id="signals-title">Last 24 hours of served lists</h2>
    <dl>
      <div><dt>Catalogue coverage</dt><dd id="coverage">–</dd></div>
      <div><dt>Exposure Gini</dt><dd id="gini">–</dd></div>
      <div><dt>Top 1 % share of exposure</dt><dd id="head-share">–</dd></div>
      <div><dt>Cap head share of exposure</dt><dd id="cap-head-share">–</dd></div>
      <div><dt>Head cap in force (share of a list)</dt><dd id="head-cap">–</dd></div>
      <div><dt>Average recommended popularity</dt><dd id="popularity">–</dd></div>
      <div><dt>Titles served (slots)</dt><dd id="exposures">–</dd></div>
      <div><dt>Mean rating: served / organic</dt><dd id="rating-means">–</dd></div>
      <div><dt>Rating skew (earth mover’s, stars)</dt><dd id="rating-skew">–</dd></div>
      <div><dt>Guardrail violations so far</dt><dd id="violations">–</dd></div>
    </dl>
  </section>
  <section aria-labelledby="boards-title">
    <h2 id="boards-title">Boards</h2>
    <div class="boards">
      <table id="top-served"><caption>Most served (24 h)</caption>
        <thead><tr><th scope="col">Title</th><th scope="col" class="n">Served</th></tr></thead><tbody></tbody></table>
      <table id="top-watched"><caption>Most watched today</caption>
        <thead><tr><th scope="col">Title</th><th scope="col" class="n">Views</th></tr></thead><tbody></tbody></table>
      <table id="top-rated"><caption>Most rated today</caption>
        <thead><tr><th scope="col">Title</th><th scope="col" class="n">Ratings</th></tr></thead><tbody></tbody></table>
    </div>
  </section>
  <noscript><p>This page needs JavaScript for its live updates; the same numbers are on <a href="/metrics">/metrics</a>.</p></noscript>
</main>
<script>
(() => {
  const pct = (x) => (x === null || x === undefined ? '–' : (x * 100).toFixed(1) + ' %');
  const num = (x, d) => (x === null || x === undefined ? '–' : Number(x).toFixed(d));
  const set = (id, text) => { document.getElementById(id).textContent = text; };
  const board = (id, rows) => {
    const body = document.querySelector('#' + id + ' tbody');
    body.replaceChildren(...rows.map((r) => {
      const tr = document.createElement('tr');
      const name = document.createElement('td');
      name.textContent = r.title || r.movieId;
      const n = document.createElement('td');
      n.className = 'n';
      n.textContent = String(Math.round(r.count));
      tr.append(name, n);
      return tr;
    }));
  };
  const status = document.getElementById('status');
  const source = new EventSource('/live/events');
  source.addEventListener('open', () => { status.textContent = 'Connected: updates every second.'; status.className = ''; });
  source.addEventListener('error', () => { status.textContent = 'Connection lost; retrying…'; status.className = 'stale'; });
  source.addEventListener('snapshot', (event) => {
    const s = JSON.parse(event.data);
    set('coverage', pct(s.coverage) + ' of ' + s.catalogue);
    set('gini', num(s.gini, 3));
    set('head-share', pct(s.headShare));
    set('cap-head-share', pct(s.capHeadShare));
    set('head-cap', pct(s.headCap));
    set('popularity', num(s.avgPopularity, 1));
    set('exposures', String(s.exposures));
    set('rating-means', num(s.ratingSkew.servedMean, 2) + ' / ' + num(s.ratingSkew.organicMean, 2));
    set('rating-skew', num(s.ratingSkew.wasserstein, 3));
    set('violations', s.violations === null ? 'no live audit yet'
      : s.violations.violations + ' in ' + s.violations.lists + ' lists');
    board('top-served', s.topServed);
    board('top-watched', s.topWatched);
    board('top-rated', s.topRated);
    status.textContent = 'Updated ' + new Date(s.at).toLocaleTimeString() + ' (model ' + s.modelVersion + ').';
    document.body.dataset.updatedAt = String(s.at);
  });
})();
</script>
</body>
</html>
`;
