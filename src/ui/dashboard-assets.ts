/*
 * The dashboard's style sheet and its one script, served from the package: no build step, no
 * network from the page. The script sends the dashboard's writes (POST with the token header),
 * and reloads the page when the memory changes on disk.
 */

export const DASHBOARD_CSS = `
:root { --fg:#1d2430; --muted:#667085; --line:#d8dde6; --bg:#f7f8fa; --card:#fff; --accent:#2b59c3; --add:#e6f4ea; --del:#fdecea; --warn:#fff4d6; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color:var(--fg); background:var(--bg); }
header { background:#1d2430; color:#fff; padding:10px 20px; display:flex; gap:18px; align-items:center; flex-wrap:wrap; }
header strong { font-size:16px; margin-right:8px; }
header a { color:#c9d4ea; text-decoration:none; }
header a.active { color:#fff; border-bottom:2px solid #fff; }
main { padding:18px 22px; max-width:1200px; }
h1 { font-size:20px; margin:4px 0 14px; } h2 { font-size:16px; margin:20px 0 8px; } h3 { font-size:14px; margin:14px 0 6px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:6px; padding:12px 14px; margin-bottom:12px; }
.muted { color:var(--muted); }
table { border-collapse:collapse; width:100%; background:var(--card); }
#budget { width:auto; } #budget td { padding-right:16px; }
th, td { text-align:left; padding:6px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-weight:600; background:#eef1f6; }
pre { background:#f1f3f7; padding:10px; border-radius:4px; overflow:auto; white-space:pre-wrap; word-break:break-word; margin:6px 0; }
pre.diff span { display:block; } .diff .add { background:var(--add); } .diff .del { background:var(--del); } .diff .gap { color:var(--muted); }
mark { background:#ffd54f; padding:0 1px; }
.badge { display:inline-block; padding:0 6px; border-radius:9px; font-size:12px; background:#e4e8f0; margin-right:4px; }
.badge.suspect, .badge.untrusted, .badge.held { background:#ffe0b2; } .badge.superseded, .badge.rolled-back { background:#e0e0e0; }
.badge.active, .badge.trusted, .badge.applied, .badge.confirmed { background:#d7f0dc; } .badge.contradicted, .badge.high { background:#ffcdd2; }
.gauge { height:12px; background:#e4e8f0; border-radius:6px; overflow:hidden; width:280px; display:inline-block; vertical-align:middle; }
.gauge > span { display:block; height:100%; background:var(--accent); } .gauge > span.hot { background:#e07a1f; }
form.filters { display:flex; gap:8px; flex-wrap:wrap; margin-bottom:12px; align-items:center; }
input, select, button { font:inherit; padding:4px 8px; border:1px solid var(--line); border-radius:4px; background:#fff; }
button { cursor:pointer; } button.primary { background:var(--accent); color:#fff; border-color:var(--accent); } button.danger { background:#b3261e; color:#fff; border-color:#b3261e; }
.flash { padding:8px 12px; border-radius:4px; background:var(--warn); margin-bottom:12px; display:none; } .flash.shown { display:block; }
.turn { border-left:3px solid var(--line); padding:4px 8px; margin:4px 0; } .turn.flagged { border-left-color:#e07a1f; background:#fff8ec; }
.pre-line { white-space:pre-line; }
.grid { display:grid; grid-template-columns:repeat(auto-fit, minmax(320px, 1fr)); gap:12px; }
svg text { font:11px system-ui, sans-serif; fill:#444; }
figure.chart { margin:0; } figure.chart svg { max-width:100%; height:auto; } figcaption { margin-bottom:4px; }
`;

export const DASHBOARD_JS = `
(function () {
  'use strict';
  var token = (document.querySelector('meta[name="mnemo-token"]') || {}).content || '';
  var flash = document.getElementById('flash');
  var busy = false;
  function say(text) { if (!flash) return; flash.textContent = text; flash.className = 'flash shown'; }
  document.addEventListener('click', function (event) {
    var button = event.target.closest('button[data-post]');
    if (!button || busy) return;
    event.preventDefault();
    var question = button.getAttribute('data-confirm');
    if (question && !window.confirm(question)) return;
    busy = true;
    button.disabled = true;
    say('working…');
    var body = {};
    var field = button.getAttribute('data-note-from');
    if (field) { var input = document.getElementById(field); if (input) body.note = input.value; }
    fetch(button.getAttribute('data-post'), {
      method: 'POST', credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-mnemo-token': token },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      busy = false;
      button.disabled = false;
      var target = button.getAttribute('data-target');
      if (!result.ok) { say(result.data.error || 'failed'); return; }
      if (target && typeof result.data.html === 'string') {
        say(result.data.message || 'done');
        document.getElementById(target).innerHTML = result.data.html;
        return;
      }
      say(result.data.message || 'done');
      window.location.reload();
    }).catch(function (error) { busy = false; button.disabled = false; say(String(error)); });
  });
  var seen = document.body.getAttribute('data-fingerprint');
  function poll() {
    fetch('/api/fingerprint', { credentials: 'same-origin' }).then(function (response) { return response.json(); }).then(function (data) {
      if (data.fingerprint && seen && data.fingerprint !== seen && !busy) {
        var typing = document.activeElement && /INPUT|TEXTAREA|SELECT/.test(document.activeElement.tagName);
        if (typing || document.querySelector('[data-keep]')) { say('The memory changed on disk; reload to see it.'); seen = data.fingerprint; }
        else window.location.reload();
      }
    }).catch(function () {}).then(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 2000);
})();
`;
