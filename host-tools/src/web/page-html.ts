// The HTML shell of the technician's page: layout, styles and the bundled script inline (one
// response, nothing else to fetch; the content security policy allows only inline code and
// the bridge's WebSocket). The page reads its configuration from #config.
export interface PageConfig {
  token: string;
  /** the device port behind the bridge, or null when the CLI opened none (Web Serial only) */
  bridgePort: string | null;
  /** the signed images `tapkit web --image` offers (bytes at /image/ID) */
  images: { id: number; name: string; bytes: number }[];
  /** the CLI holds the tags' keys (--keys): POST /tap verifies a read */
  tapKeys: boolean;
}

const STYLE = `
body{font:15px system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
header{background:#1d2330;color:#fff;padding:10px 18px;display:flex;gap:14px;align-items:center}
header h1{font-size:17px;margin:0;flex:1}
main{display:grid;grid-template-columns:minmax(340px,1fr) minmax(340px,1fr);gap:14px;padding:14px;max-width:1200px}
section{background:#fff;border-radius:8px;padding:12px 16px;box-shadow:0 1px 2px #0002}
h2{font-size:15px;margin:0 0 8px}
label{display:block;margin:6px 0 2px;font-size:13px;color:#4a5163}
input,select{font:inherit;padding:5px 7px;width:100%;box-sizing:border-box;border:1px solid #b9bfcc;border-radius:4px}
button{font:inherit;padding:6px 14px;border-radius:4px;border:0;background:#2857c5;color:#fff;cursor:pointer;margin:8px 8px 0 0}
button:disabled{background:#9aa3b5;cursor:default}
.row{display:grid;grid-template-columns:1fr 1fr;gap:0 10px}
.ok{color:#17733a;font-weight:600}.bad{color:#b3261e;font-weight:600}.warn{color:#8a5a00}
#error{display:none;background:#fde8e6;color:#7a1710;border:1px solid #e7a49d;padding:8px 12px;margin:14px;border-radius:6px}
#log{font:12px ui-monospace,monospace;max-height:220px;overflow:auto;white-space:pre-wrap;background:#f7f8fa;padding:6px}
#panel{image-rendering:pixelated;border:1px solid #ccc;background:#fff;max-width:100%}
dl{display:grid;grid-template-columns:auto 1fr;gap:2px 12px;margin:0}dt{color:#4a5163}dd{margin:0;font-family:ui-monospace,monospace}
code{word-break:break-all}ul{margin:4px 0;padding-left:18px}.small{font-size:12px;color:#4a5163}
progress{width:100%}
`;

const BODY = `
<header><h1>tapkit &middot; technician page</h1><span id="conn">not connected</span>
<button id="connect-bridge">Connect</button><button id="connect-serial" hidden>Connect over USB (Web Serial)</button></header>
<div id="error" role="alert"></div>
<main>
<section id="device"><h2>Device</h2><dl id="device-card"><dt>status</dt><dd>not connected</dd></dl></section>
<section id="panel-box"><h2>Panel</h2><canvas id="panel" width="10" height="10"></canvas>
<div id="scan" class="small">no picture yet</div></section>
<section id="profile"><h2>Merchant profile</h2>
<label for="scheme">Scheme</label><select id="scheme"></select>
<div id="scheme-fields"></div>
<div class="row"><div><label for="name">Merchant name (59)</label><input id="name" maxlength="40"></div>
<div><label for="city">City (60)</label><input id="city" maxlength="30"></div></div>
<div class="row"><div><label for="mcc">MCC (52)</label><input id="mcc"></div>
<div><label for="currency">Currency (53, e.g. THB or 764)</label><input id="currency"></div></div>
<div class="row"><div><label for="country">Country (58)</label><input id="country"></div>
<div><label for="postal">Postal code (61, optional)</label><input id="postal"></div></div>
<label for="tap-url">Tap URL (what a phone opens on tap; optional)</label><input id="tap-url" placeholder="https://pay.example.com/m/shop-42">
<div id="validation" class="small"></div>
<button id="save" disabled>Save to plaque</button></section>
<section id="amount-box"><h2>Amount and check</h2>
<label for="amount">Amount</label><input id="amount" placeholder="12.34">
<button id="show-amount" disabled>Show amount code</button><button id="tap-check" disabled>Run tap check</button>
<div id="verdict"></div><p id="tap-keys-note" class="small"></p>
<label for="check-url">Check a tap URL (one a phone opened)</label><input id="check-url" placeholder="https://...">
<button id="verify-url" disabled>Verify URL</button><div id="url-verdict"></div></section>
<section id="update-box"><h2>Firmware update</h2>
<label for="image-pick">Image offered by tapkit web</label><select id="image-pick"></select>
<label for="image-file">or a signed image file (.tki)</label><input type="file" id="image-file" accept=".tki">
<dl id="image-manifest"></dl><div id="image-check" class="small"></div>
<button id="install" disabled>Install</button>
<progress id="update-progress" max="100" value="0" hidden></progress><div id="update-status" class="small"></div></section>
<section id="log-box"><h2>Log</h2><div id="log"></div></section>
</main>`;

/** The whole page; `script` is the bundle (dist/web/page.js). */
export function renderPage(config: PageConfig, script: string): string {
  const json = JSON.stringify(config).replace(/</g, "\\u003c");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>tapkit web</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${STYLE}</style></head>
<body>${BODY}<script id="config" type="application/json">${json}</script>
<script>${script.replace(/<\/script/gi, "<\\/script")}</script></body></html>`;
}
